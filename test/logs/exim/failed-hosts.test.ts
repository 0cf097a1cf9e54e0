import { describe, expect, test } from "vitest";
import type { DeliveryEvent, LogEvent } from "../../../src/logs/events.js";
import { createEximParser } from "../../../src/logs/exim/index.js";
import { runParser } from "./frame.js";

const ID = "1tH010-000010-HH";

function deliveries(lines: string[]): DeliveryEvent[] {
  return events(lines).filter((event): event is DeliveryEvent => event.type === "delivery");
}

function events(lines: string[]): LogEvent[] {
  return runParser(createEximParser, lines).events;
}

describe("Exim host lines without an address", () => {
  test("refused filter gives the deferral its host", () => {
    const [deferral] = deliveries([
      `2026-03-08 08:30:00 ${ID} <= u2@example.com H=(pc) [192.0.2.32]:40000 P=esmtpsa A=dovecot_plain:u2@example.com S=1000`,
      `2026-03-08 08:30:00 ${ID} H=127.0.0.1 [127.0.0.1] Connection refused`,
      `2026-03-08 08:30:00 ${ID} == c10@example.net R=amavis T=amavis_smtp defer (111): Connection refused`,
    ]);

    expect(deferral?.relayIp).toBe("127.0.0.1");
    expect(deferral?.relayHost).toBe("127.0.0.1");
    expect(deferral?.remote).toBe(false);
    expect(deferral?.handoff).toBe("filter");
    expect(deferral?.status).toBe("deferred");
  });

  test("refused relay host keeps its port", () => {
    const [deferral] = deliveries([
      `2026-03-08 08:30:00 ${ID} <= u2@example.com H=(pc) [192.0.2.32]:40000 P=esmtpsa A=dovecot_plain:u2@example.com S=1000`,
      `2026-03-08 08:30:00 ${ID} H=smtp.relay.example.net [192.0.2.50]:587 Connection refused`,
      `2026-03-08 08:30:00 ${ID} == c10@example.net R=smarthost T=remote_smtp_smarthost defer (111): Connection refused`,
    ]);

    expect(deferral?.relayHost).toBe("smtp.relay.example.net");
    expect(deferral?.relayIp).toBe("192.0.2.50");
    expect(deferral?.relayPort).toBe(587);
    expect(deferral?.remote).toBe(true);
  });

  test("host line after its address line", () => {
    const lines = [
      `2026-03-08 08:30:00 ${ID} <= app@example.com U=app P=local S=900`,
      `2026-03-08 08:30:01 ${ID} == c0@example.net R=amavis T=amavis_smtp defer (111): Connection refused`,
      `2026-03-08 08:30:01 1tH011-000011-HH <= b@example.com U=b P=local S=900`,
      `2026-03-08 08:30:01 ${ID} H=127.0.0.1 [127.0.0.1] Connection refused`,
      `2026-03-08 08:30:05 ${ID} == c0@example.net R=amavis T=amavis_smtp defer (111): Connection refused`,
    ];
    const [first, retry] = deliveries(lines);

    expect(first?.relayIp).toBe("127.0.0.1");
    expect(first?.remote).toBe(false);
    expect(first?.handoff).toBe("filter");
    expect(first?.position.line).toBe(2);
    expect(first?.firstAttempt).toBe(true);
    expect(retry?.relayIp).toBe("127.0.0.1");
    expect(retry?.firstAttempt).toBe(false);
  });

  test("address without host line goes out", () => {
    const lines = [
      `2026-03-08 08:30:01 ${ID} == a@example.net R=dnslookup T=remote_smtp defer (111): Connection refused`,
      `2026-03-08 08:30:01 ${ID} Completed`,
      `2026-03-08 08:30:02 1tH011-000011-HH == b@example.net R=dnslookup T=remote_smtp defer (111): Connection refused`,
    ];
    const all = deliveries(lines);

    expect(all.map((event) => event.recipient)).toEqual(["a@example.net", "b@example.net"]);
    expect(all[0]?.relayIp).toBeNull();
    expect(all[0]?.remote).toBe(true);
  });

  test("host without H= and timed out remote host", () => {
    const [deferral] = deliveries([
      `2026-03-08 08:30:00 ${ID} mx.example.net [192.0.2.40] Connection timed out`,
      `2026-03-08 08:30:30 ${ID} == a@example.net R=dnslookup T=remote_smtp defer (110): Connection timed out`,
    ]);

    expect(deferral?.relayHost).toBe("mx.example.net");
    expect(deferral?.relayIp).toBe("192.0.2.40");
    expect(deferral?.remote).toBe(true);
    expect(deferral?.handoff).toBeNull();
  });

  test("host line with another failure", () => {
    const run = runParser(createEximParser, [
      `2026-03-08 08:30:00 ${ID} <= app@example.com U=app P=local S=900`,
      `2026-03-08 08:30:00 ${ID} H=mx.example.net [192.0.2.40] Network Error`,
      `2026-03-08 08:30:00 ${ID} == a@example.net R=dnslookup T=t1 defer (-1): Network Error`,
    ]);
    const [deferral] = run.events.filter((event) => event.type === "delivery");

    expect(run.outcomes.unparsed).toBe(0);
    expect(deferral).toMatchObject({ relayIp: "192.0.2.40", remote: true, status: "deferred" });
  });

  test("other failure keeps the line without host", () => {
    const [deferral] = deliveries([
      `2026-03-08 08:30:00 ${ID} H=127.0.0.1 [127.0.0.1] Connection refused`,
      `2026-03-08 08:30:00 ${ID} == bob@example.com R=local_user T=mail_spool defer (-22): mailbox is full`,
    ]);

    expect(deferral?.relayIp).toBeNull();
    expect(deferral?.remote).toBe(false);
  });

  test.each([
    [
      "**",
      "R=r2 T=smtp H=127.0.0.1 [127.0.0.1] : SMTP error from remote mail server after RCPT TO:<y@example.com>: 550 Administrative prohibition",
      "bounced",
    ],
    [
      "==",
      "R=r2 T=smtp defer (-44) H=127.0.0.1 [127.0.0.1]: SMTP error from remote mail server after RCPT TO:<y@example.com>: 451 Try later",
      "deferred",
    ],
  ])("%s to loopback over smtp is a filter hand-off", (flag, rest, status) => {
    const [event] = deliveries([`2026-03-02 21:00:01 ${ID} ${flag} y@example.com ${rest}`]);

    expect(event?.status).toBe(status);
    expect(event?.remote).toBe(false);
    expect(event?.handoff).toBe("filter");
    expect(event?.withoutAttempt).toBeUndefined();
  });

  test("loopback lmtp stays a mailbox delivery", () => {
    const [event] = deliveries([
      `2026-03-02 21:00:01 ${ID} == y@example.com R=r2 T=lmtp defer (-44) H=127.0.0.1 [127.0.0.1]: LMTP error after RCPT TO:<y@example.com>: 451 Try later`,
    ]);

    expect(event?.remote).toBe(false);
    expect(event?.handoff).toBeNull();
  });
});

describe("Exim failed login to a relay host", () => {
  const lines = [
    `2026-03-06 00:00:00 ${ID} <= app@example.com U=app P=local S=900`,
    `2026-03-06 00:00:00 ${ID} plain authenticator failed H=smtp.example.net [192.0.2.250] 535 5.7.8 Error: authentication failed`,
    `2026-03-06 00:00:00 ${ID} == user0@example.org R=smarthost T=remote_smtp_smarthost defer (-42): authentication required but authentication attempt(s) failed`,
  ];

  test("is a session reply, not a failed login", () => {
    const parsed = events(lines);
    const reply = parsed.find((event) => event.type === "session-reply");

    expect(parsed.some((event) => event.type === "auth-failure")).toBe(false);
    expect(reply).toMatchObject({
      relayHost: "smtp.example.net",
      relayIp: "192.0.2.250",
      response: "535 5.7.8 Error: authentication failed",
    });
  });

  test("its deferral is this server's own", () => {
    const [deferral] = deliveries(lines);

    expect(deferral?.relayHost).toBe("smtp.example.net");
    expect(deferral?.withoutAttempt).toBe("mta");
  });

  test("cancelled login names the relay host", () => {
    const run = runParser(createEximParser, [
      `2026-03-06 00:00:00 ${ID} <= app@example.com U=app P=local S=900`,
      `2026-03-06 00:00:00 ${ID} login authenticator cancelled authentication H=smtp.example.net [192.0.2.250] Invalid base64 string in server response "334 User?"`,
      `2026-03-06 00:00:00 ${ID} == user0@example.org R=smarthost T=remote_smtp_smarthost defer (-42): authentication required but authentication attempt(s) failed`,
    ]);
    const [deferral] = run.events.filter((event) => event.type === "delivery");

    expect(run.outcomes.unparsed).toBe(0);
    expect(run.events.some((event) => event.type === "session-reply")).toBe(false);
    expect(deferral).toMatchObject({ relayIp: "192.0.2.250", withoutAttempt: "mta" });
  });

  test("inbound failure with id stays a failed login", () => {
    const parsed = events([
      `2026-03-06 00:00:00 ${ID} dovecot_login authenticator failed for (x) [203.0.113.9]:40000: 535 Incorrect authentication data (set_id=alice)`,
    ]);

    expect(parsed).toHaveLength(1);
    expect(parsed[0]).toMatchObject({ type: "auth-failure", clientIp: "203.0.113.9" });
  });
});

describe("Exim routing failures", () => {
  test.each([
    ["** typo@example.invalid: Unrouteable address", "bounced"],
    ["** typo@example.invalid : Unrouteable address", "bounced"],
    ["== friend2@example.net R=dnslookup defer (-1): host lookup did not complete", "deferred"],
  ])("%s is decided by the MTA", (line, status) => {
    const [event] = deliveries([`2026-03-01 10:00:01 ${ID} ${line}`]);

    expect(event?.status).toBe(status);
    expect(event?.withoutAttempt).toBe("mta");
  });

  test("give-up and skipped retry keep their kinds", () => {
    const parsed = deliveries([
      `2026-03-01 10:00:00 ${ID} == a@example.net R=dnslookup T=remote_smtp defer (-44) H=mx.example.net [192.0.2.40]: SMTP error from remote mail server after RCPT TO:<a@example.net>: 451 Try later`,
      `2026-03-01 10:30:00 ${ID} == a@example.net routing defer (-52): retry time not reached`,
      `2026-03-05 10:00:00 ${ID} ** a@example.net: retry timeout exceeded`,
    ]);

    expect(parsed.map((event) => event.withoutAttempt)).toEqual([
      undefined,
      "suspended",
      undefined,
    ]);
    expect(parsed[2]?.queueExpiry).toBe(true);
  });
});
