import { describe, expect, it } from "vitest";
import { eventsOf, runPostfix } from "./fixture.js";

const SUBMISSION = [
  "Mar  4 09:15:03 mx1 postfix/submission/smtpd[2211]: 4B7E21C0A3: client=unknown[198.51.100.7], sasl_method=LOGIN, sasl_username=alice@example.com",
  "Mar  4 09:15:03 mx1 postfix/cleanup[2214]: 4B7E21C0A3: message-id=<20240304091503.1234@example.com>",
  "Mar  4 09:15:03 mx1 postfix/qmgr[901]: 4B7E21C0A3: from=<alice@example.com>, size=4312, nrcpt=2 (queue active)",
];

const PICKUP = [
  "Mar  4 10:02:11 mx1 postfix/pickup[905]: 7D0A1C0B77: uid=1004 from=<shopuser>",
  "Mar  4 10:02:11 mx1 postfix/cleanup[2214]: 7D0A1C0B77: message-id=<a1b2c3@shop.example.com>",
  "Mar  4 10:02:11 mx1 postfix/cleanup[2214]: 7D0A1C0B77: warning: header X-PHP-Originating-Script: 1004:contact.php from local; from=<shopuser@shop.example.com> to=<x1@example.net>",
  "Mar  4 10:02:11 mx1 postfix/qmgr[901]: 7D0A1C0B77: from=<shopuser@shop.example.com>, size=2301, nrcpt=1 (queue active)",
];

function sent(id: string, recipient: string, time = "09:15:04"): string {
  return `Mar  4 ${time} mx1 postfix/smtp[2215]: ${id}: to=<${recipient}>, relay=mx.example.net[198.51.100.25]:25, delay=1, delays=0/0/0.4/0.6, dsn=2.0.0, status=sent (250 2.0.0 Ok)`;
}

function deferred(id: string, recipient: string, day = 4): string {
  return `Mar ${String(day).padStart(2, " ")} 09:20:00 mx1 postfix/smtp[2216]: ${id}: to=<${recipient}>, relay=mx.example.net[198.51.100.25]:25, delay=300, delays=0/0/0.4/0.6, dsn=4.7.1, status=deferred (host mx.example.net[198.51.100.25] said: 451 4.7.1 Try later (in reply to RCPT TO command))`;
}

function queued(id: string, time: string): string {
  return `${time} mx1 postfix/qmgr[901]: ${id}: from=<alice@example.com>, size=900, nrcpt=1 (queue active)`;
}

describe("Postfix message correlation", () => {
  it("fills the message from smtpd, cleanup and qmgr", () => {
    const { events } = runPostfix([...SUBMISSION, sent("4B7E21C0A3", "bob@example.net")]);
    const [announced] = eventsOf(events, "message");
    expect(announced?.position.line).toBe(3);
    expect(announced?.message).toMatchObject({
      mta: "postfix",
      host: "mx1",
      id: "4B7E21C0A3",
      sender: "alice@example.com",
      messageId: "20240304091503.1234@example.com",
      sizeBytes: 4312,
      recipientCount: 2,
      clientHost: "unknown",
      clientIp: "198.51.100.7",
      saslUsername: "alice@example.com",
      service: "submission/smtpd",
      uid: null,
      isBounce: false,
    });
    expect(announced?.message.firstPosition).toEqual({ file: "fixture.log", line: 1 });
    expect(eventsOf(events, "delivery")[0]?.message).toBe(announced?.message);
  });

  it("fills a local submission from pickup", () => {
    const { events } = runPostfix(PICKUP);
    expect(eventsOf(events, "message")[0]?.message).toMatchObject({
      uid: 1004,
      localUser: "shopuser",
      sender: "shopuser@shop.example.com",
      script: "1004:contact.php",
      service: "pickup",
      clientIp: null,
    });
  });

  it("announces a message once across queue runs", () => {
    const { events } = runPostfix([
      ...SUBMISSION,
      deferred("4B7E21C0A3", "bob@example.net"),
      "Mar  4 09:25:03 mx1 postfix/qmgr[901]: 4B7E21C0A3: from=<alice@example.com>, size=4312, nrcpt=2 (queue active)",
      sent("4B7E21C0A3", "bob@example.net", "09:25:04"),
    ]);
    expect(eventsOf(events, "message")).toHaveLength(1);
  });

  it("keeps interleaved messages apart", () => {
    const { events } = runPostfix([
      SUBMISSION[0] ?? "",
      PICKUP[0] ?? "",
      SUBMISSION[1] ?? "",
      PICKUP[1] ?? "",
      PICKUP[3] ?? "",
      SUBMISSION[2] ?? "",
      sent("7D0A1C0B77", "x1@example.net"),
      sent("4B7E21C0A3", "bob@example.net"),
    ]);
    const deliveries = eventsOf(events, "delivery");
    expect(deliveries.map((event) => event.message.service)).toEqual([
      "pickup",
      "submission/smtpd",
    ]);
    expect(deliveries.map((event) => event.message.messageId)).toEqual([
      "a1b2c3@shop.example.com",
      "20240304091503.1234@example.com",
    ]);
  });

  it("keeps the same id on two hosts apart", () => {
    const { events } = runPostfix([
      SUBMISSION[0] ?? "",
      (SUBMISSION[0] ?? "").replace(" mx1 ", " mx2 ").replace("alice@", "bob@"),
      sent("4B7E21C0A3", "carol@example.net").replace(" mx1 ", " mx2 "),
    ]);
    expect(eventsOf(events, "delivery")[0]?.message).toMatchObject({
      host: "mx2",
      saslUsername: "bob@example.com",
    });
  });

  it("keeps the same id on alternating hosts apart", () => {
    const { events } = runPostfix([
      (SUBMISSION[0] ?? "").replace(" mx1 ", " mx2 ").replace("alice@", "bob@"),
      SUBMISSION[0] ?? "",
      sent("4B7E21C0A3", "carol@example.net"),
      sent("4B7E21C0A3", "dave@example.net").replace(" mx1 ", " mx2 "),
      sent("4B7E21C0A3", "erin@example.net"),
    ]);
    expect(eventsOf(events, "delivery").map((event) => event.message.saslUsername)).toEqual([
      "alice@example.com",
      "bob@example.com",
      "alice@example.com",
    ]);
  });

  it("drops the state at removed", () => {
    const run = runPostfix([...SUBMISSION, sent("4B7E21C0A3", "bob@example.net")]);
    expect(run.parser.openMessages).toBe(1);
    runPostfix(["Mar  4 09:15:05 mx1 postfix/qmgr[901]: 4B7E21C0A3: removed"], run);
    expect(run.parser.openMessages).toBe(0);
  });

  it("starts a fresh message when an id is reused", () => {
    const { events } = runPostfix([
      ...SUBMISSION,
      sent("4B7E21C0A3", "bob@example.net"),
      "Mar  4 09:15:05 mx1 postfix/qmgr[901]: 4B7E21C0A3: removed",
      "Mar  6 11:00:00 mx1 postfix/smtpd[3001]: 4B7E21C0A3: client=mail.example.org[203.0.113.9]",
      "Mar  6 11:00:00 mx1 postfix/cleanup[3002]: 4B7E21C0A3: message-id=<other@example.org>",
      "Mar  6 11:00:00 mx1 postfix/qmgr[901]: 4B7E21C0A3: from=<news@example.org>, size=900, nrcpt=1 (queue active)",
      sent("4B7E21C0A3", "bob@example.net", "11:00:01"),
    ]);
    const [first, second] = eventsOf(events, "delivery");
    expect(second?.message).not.toBe(first?.message);
    expect(second?.message).toMatchObject({ sender: "news@example.org", saslUsername: null });
    expect(second?.firstAttempt).toBe(true);
    expect(eventsOf(events, "message")).toHaveLength(2);
  });

  it("starts a fresh message when smtpd names an id again without removed", () => {
    const { events } = runPostfix([
      ...SUBMISSION,
      "Mar  4 12:00:00 mx1 postfix/smtpd[3001]: 4B7E21C0A3: client=mail.example.org[203.0.113.9]",
      "Mar  4 12:00:00 mx1 postfix/qmgr[901]: 4B7E21C0A3: from=<news@example.org>, size=900, nrcpt=1 (queue active)",
    ]);
    const messages = eventsOf(events, "message").map((event) => event.message);
    expect(messages).toHaveLength(2);
    expect(messages[1]).toMatchObject({ clientIp: "203.0.113.9", saslUsername: null });
  });

  it("evicts ids silent for longer than the queue lifetime", () => {
    const run = runPostfix([...SUBMISSION, deferred("4B7E21C0A3", "bob@example.net")]);
    runPostfix(
      [...PICKUP.slice(0, 2)].map((line) => line.replace("Mar  4", "Mar  8")),
      run,
    );
    expect(run.parser.openMessages).toBe(2);

    runPostfix([sent("5C8F32D1B4", "carol@example.net").replace("Mar  4", "Mar 10")], run);
    expect(run.parser.openMessages).toBe(2);

    runPostfix([deferred("4B7E21C0A3", "bob@example.net", 10)], run);
    const late = eventsOf(run.events, "delivery").at(-1);
    expect(late?.message.sender).toBeNull();
    expect(late?.firstAttempt).toBe(true);
  });

  it("sweeps silent ids without a later line for them", () => {
    const run = runPostfix(SUBMISSION);
    runPostfix([sent("5C8F32D1B4", "carol@example.net").replace("Mar  4", "Mar 12")], run);
    expect(run.parser.openMessages).toBe(1);
  });

  it("sweeps rotated files read newest first", () => {
    const run = runPostfix(SUBMISSION.map((line) => line.replace("Mar  4", "Mar 20")));
    // The older file starts 19 days back, and its first message is silent from Mar 1 to Mar 8.
    runPostfix(
      PICKUP.slice(0, 2).map((line) => line.replace("Mar  4", "Mar  1")),
      run,
    );
    runPostfix([sent("5C8F32D1B4", "carol@example.net").replace("Mar  4", "Mar  8")], run);
    expect(run.parser.openMessages).toBe(2);
  });

  it("defers a re-sweep by the open messages", () => {
    const newer = Array.from({ length: 50 }, (_, index) =>
      queued(`1A${index.toString(16).toUpperCase().padStart(8, "0")}`, "Mar 20 09:00:00"),
    );
    // Two hours on, this line sweeps 50 open messages, so a step back sweeps after 50 lines.
    const run = runPostfix([...newer, queued("2B00000001", "Mar 20 11:00:00")]);
    runPostfix(
      PICKUP.slice(0, 2).map((line) => line.replace("Mar  4", "Mar  1")),
      run,
    );
    const late = sent("5C8F32D1B4", "carol@example.net").replace("Mar  4", "Mar  8");

    runPostfix(
      Array.from({ length: 47 }, () => late),
      run,
    );
    expect(run.parser.openMessages).toBe(53);

    runPostfix([late], run);
    expect(run.parser.openMessages).toBe(52);
  });

  it("gives lines of a message that started before the log a stub", () => {
    const { events, parser } = runPostfix([
      "Mar  4 09:25:03 mx1 postfix/qmgr[901]: 4B7E21C0A3: from=<alice@example.com>, size=4312, nrcpt=1 (queue active)",
      sent("4B7E21C0A3", "bob@example.net"),
    ]);
    expect(eventsOf(events, "message")).toEqual([]);
    expect(eventsOf(events, "delivery")[0]?.message).toMatchObject({
      id: "4B7E21C0A3",
      sender: "alice@example.com",
      service: null,
      firstPosition: { file: "fixture.log", line: 1 },
    });
    expect(parser.openMessages).toBe(1);
  });

  it("reads long queue ids", () => {
    const { events } = runPostfix([
      "Mar  4 09:15:03 mx1 postfix/pickup[905]: 4TqKm36Ybfz9LRq: uid=33 from=<www-data>",
      "Mar  4 09:15:03 mx1 postfix/qmgr[901]: 4TqKm36Ybfz9LRq: from=<www-data@example.com>, size=900, nrcpt=1 (queue active)",
      sent("4TqKm36Ybfz9LRq", "bob@example.net"),
    ]);
    expect(eventsOf(events, "delivery")[0]?.message).toMatchObject({
      id: "4TqKm36Ybfz9LRq",
      uid: 33,
    });
  });

  it("counts garbage after a queue id as unparsed", () => {
    const { events, outcomes, parser } = runPostfix([
      "Mar  4 09:15:03 mx1 postfix/smtp[2215]: 4B7E21C0A3: \u0000\u0001 garbage ####",
      "Mar  4 09:15:03 mx1 postfix/qmgr[901]: 4B7E21C0A3: from=<alice@example.com, size=43",
      "Mar  4 09:15:03 mx1 postfix/smtpd[2211]: 4B7E21C0A3: what is this",
    ]);
    expect(outcomes).toEqual(["unparsed", "unparsed", "unparsed"]);
    expect(events).toEqual([]);
    expect(parser.openMessages).toBe(0);
  });

  it("marks a notification as a bounce", () => {
    const { events } = runPostfix([
      ...SUBMISSION,
      "Mar  4 09:15:04 mx1 postfix/smtp[2215]: 4B7E21C0A3: to=<nobody@example.net>, relay=mx.example.net[198.51.100.25]:25, delay=1, delays=0/0/0.4/0.6, dsn=5.1.1, status=bounced (host mx.example.net[198.51.100.25] said: 550 5.1.1 No such user (in reply to RCPT TO command))",
      "Mar  4 09:15:04 mx1 postfix/bounce[2230]: 4B7E21C0A3: sender non-delivery notification: 9A1B2C3D4E",
      "Mar  4 09:15:04 mx1 postfix/cleanup[2214]: 9A1B2C3D4E: message-id=<20240304091504.9A1B2C3D4E@mx1.example.com>",
      "Mar  4 09:15:04 mx1 postfix/qmgr[901]: 9A1B2C3D4E: from=<>, size=2900, nrcpt=1 (queue active)",
    ]);
    const bounce = eventsOf(events, "message")[1]?.message;
    expect(bounce).toMatchObject({ id: "9A1B2C3D4E", sender: "", isBounce: true });
    expect(eventsOf(events, "message")[0]?.message.isBounce).toBe(false);
  });

  it("marks a null-sender message that cleanup created as a bounce", () => {
    const { events } = runPostfix([
      "Mar  4 09:15:04 mx1 postfix/cleanup[2214]: 9A1B2C3D4E: message-id=<20240304091504.9A1B2C3D4E@mx1.example.com>",
      "Mar  4 09:15:04 mx1 postfix/qmgr[901]: 9A1B2C3D4E: from=<>, size=2900, nrcpt=1 (queue active)",
      "Mar  4 09:15:05 mx1 postfix/bounce[2230]: 4B7E21C0A3: sender non-delivery notification: 9A1B2C3D4E",
    ]);
    expect(eventsOf(events, "message")[0]?.message.isBounce).toBe(true);
  });

  it("expires the pending recipients", () => {
    const { events } = runPostfix([
      ...SUBMISSION,
      deferred("4B7E21C0A3", "bob@example.net"),
      deferred("4B7E21C0A3", "carol@example.net"),
      sent("4B7E21C0A3", "carol@example.net", "09:30:00"),
      "Mar  9 09:15:04 mx1 postfix/qmgr[901]: 4B7E21C0A3: from=<alice@example.com>, status=expired, returned to sender",
    ]);
    const expired = eventsOf(events, "delivery").filter((event) => event.status === "expired");
    expect(expired).toHaveLength(1);
    expect(expired[0]).toMatchObject({
      recipient: "bob@example.net",
      relayHost: "mx.example.net",
      remote: true,
      dsn: "4.7.1",
      transport: "smtp",
      firstAttempt: false,
      position: { file: "fixture.log", line: 7 },
    });
    expect(expired[0]?.response).toContain("451 4.7.1 Try later");
  });

  it("expires a message without known recipients as one event", () => {
    const { events } = runPostfix([
      "Apr 10 14:50:16 mx1 postfix/qmgr[3663]: BACE842E72: from=<noreply@example.com>, status=expired, returned to sender",
      "Apr 10 14:50:16 mx1 postfix/qmgr[3663]: BACE842E73: from=<noreply@example.com>, status=force-expired, returned to sender",
    ]);
    const expired = eventsOf(events, "delivery");
    expect(expired.map((event) => [event.status, event.recipient, event.remote])).toEqual([
      ["expired", "", false],
      ["expired", "", false],
    ]);
    expect(expired[0]?.message.sender).toBe("noreply@example.com");
  });

  it("drops the state when postsuper removes a message", () => {
    const run = runPostfix(SUBMISSION);
    const { outcomes } = runPostfix(
      ["Mar  4 09:16:00 mx1 postfix/postsuper[4001]: 4B7E21C0A3: removed"],
      run,
    );
    expect(outcomes.at(-1)).toBe("parsed");
    expect(run.parser.openMessages).toBe(0);
  });
});
