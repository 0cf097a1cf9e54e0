import { describe, expect, it } from "vitest";
import type { DeliveryEvent } from "../../../src/logs/events.js";
import { MAX_LINK_WAIT_MS, MAX_WAITING_LINKS } from "../../../src/logs/postfix/index.js";
import { eventsOf, runPostfix } from "./fixture.js";

// A submission by alice that amavis (127.0.0.1:10024) hands back on :10025 as 2B3C4D5E6F.
const SUBMISSION = [
  "Mar  4 10:00:00 mx1 postfix/submission/smtpd[100]: 1A2B3C4D5E: client=unknown[192.0.2.10], sasl_method=PLAIN, sasl_username=alice@example.com",
  "Mar  4 10:00:00 mx1 postfix/qmgr[102]: 1A2B3C4D5E: from=<alice@example.com>, size=1000, nrcpt=2 (queue active)",
];
const COPY_ARRIVAL = [
  "Mar  4 10:00:01 mx1 postfix/smtpd[110]: 2B3C4D5E6F: client=localhost[127.0.0.1]",
  "Mar  4 10:00:01 mx1 postfix/qmgr[102]: 2B3C4D5E6F: from=<alice@example.com>, size=1400, nrcpt=2 (queue active)",
];

function hop(recipient: string, reply = "queued as 2B3C4D5E6F", time = "10:00:01"): string {
  return `Mar  4 ${time} mx1 postfix/smtp[103]: 1A2B3C4D5E: to=<${recipient}>, relay=127.0.0.1[127.0.0.1]:10024, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 2.0.0 from MTA(smtp:[127.0.0.1]:10025): 250 2.0.0 Ok: ${reply})`;
}

function copyBounce(recipient: string, id = "2B3C4D5E6F", time = "10:00:02"): string {
  return `Mar  4 ${time} mx1 postfix/smtp[104]: ${id}: to=<${recipient}>, relay=mx.example.net[192.0.2.20]:25, delay=1, delays=0/0/0/1, dsn=5.7.1, status=bounced (host mx.example.net[192.0.2.20] said: 550 5.7.1 spam (in reply to end of DATA command))`;
}

function copyDeferral(recipient: string): string {
  return `Mar  4 10:00:02 mx1 postfix/smtp[104]: 2B3C4D5E6F: to=<${recipient}>, relay=mx.example.net[192.0.2.20]:25, delay=1, delays=0/0/0/1, dsn=4.7.1, status=deferred (host mx.example.net[192.0.2.20] said: 451 4.7.1 try later (in reply to RCPT TO command))`;
}

/** Returns the deliveries to real destinations: all but the hops. */
function remoteDeliveries(events: Parameters<typeof eventsOf>[0]): DeliveryEvent[] {
  return eventsOf(events, "delivery").filter((event) => event.remote);
}

function submittedMessage(events: Parameters<typeof eventsOf>[0]) {
  return eventsOf(events, "message").find((event) => event.message.id === "1A2B3C4D5E")?.message;
}

describe("Postfix content filter hops", () => {
  it("copy seen before the hop carries the parent", () => {
    const { events } = runPostfix([
      ...SUBMISSION,
      ...COPY_ARRIVAL,
      hop("bob@example.net"),
      copyBounce("bob@example.net"),
    ]);
    const [delivery] = remoteDeliveries(events);

    expect(delivery?.message).toBe(submittedMessage(events));
    expect(delivery?.message.saslUsername).toBe("alice@example.com");
    expect(delivery?.firstAttempt).toBe(true);
  });

  it("copy seen after the hop carries the parent", () => {
    const { events, parser } = runPostfix([
      ...SUBMISSION,
      hop("bob@example.net"),
      ...COPY_ARRIVAL,
      copyBounce("bob@example.net"),
    ]);
    const [delivery] = remoteDeliveries(events);

    expect(delivery?.message).toBe(submittedMessage(events));
    expect(parser.waitingLinks).toBe(0);
  });

  it("hop is a filter hand-off, not remote", () => {
    const { events } = runPostfix([...SUBMISSION, hop("bob@example.net")]);
    const [delivery] = eventsOf(events, "delivery");

    expect(delivery?.remote).toBe(false);
    expect(delivery?.handoff).toBe("filter");
  });

  it("parent with several recipients", () => {
    const { events } = runPostfix([
      ...SUBMISSION,
      ...COPY_ARRIVAL,
      hop("bob@example.net"),
      hop("carol@example.org"),
      copyDeferral("bob@example.net"),
      copyBounce("carol@example.org"),
      copyBounce("bob@example.net", "2B3C4D5E6F", "10:30:00"),
    ]);
    const deliveries = remoteDeliveries(events);
    const parent = submittedMessage(events);

    expect(deliveries.map((event) => event.recipient)).toEqual([
      "bob@example.net",
      "carol@example.org",
      "bob@example.net",
    ]);
    expect(deliveries.every((event) => event.message === parent)).toBe(true);
    expect(deliveries.map((event) => event.firstAttempt)).toEqual([true, true, false]);
  });

  it("expiry of the copy carries the parent", () => {
    const { events } = runPostfix([
      ...SUBMISSION,
      ...COPY_ARRIVAL,
      hop("bob@example.net"),
      copyDeferral("bob@example.net"),
      "Mar  9 09:00:00 mx1 postfix/qmgr[102]: 2B3C4D5E6F: from=<alice@example.com>, status=expired, returned to sender",
    ]);
    const expiry = eventsOf(events, "delivery").find((event) => event.status === "expired");

    expect(expiry?.message).toBe(submittedMessage(events));
  });

  it("copy without a link stays its own message", () => {
    const { events, parser } = runPostfix([
      ...SUBMISSION,
      ...COPY_ARRIVAL,
      hop("bob@example.net", "Ok, id=1234-01"),
      copyBounce("bob@example.net"),
    ]);
    // The copy's delivery waits for a hop that could still link it, until the input ends.
    parser.finish();
    const [hopEvent] = eventsOf(events, "delivery");
    const [delivery] = remoteDeliveries(events);

    expect(hopEvent?.handoff).toBe("filter");
    expect(delivery?.message.id).toBe("2B3C4D5E6F");
    expect(delivery?.message.saslUsername).toBeNull();
  });

  it("remote reply naming a queue id links nothing", () => {
    const { events, parser } = runPostfix([
      ...SUBMISSION,
      "Mar  4 10:00:01 mx1 postfix/smtp[103]: 1A2B3C4D5E: to=<bob@example.net>, relay=mx.example.net[192.0.2.20]:25, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 2B3C4D5E6F)",
      ...COPY_ARRIVAL,
      copyBounce("bob@example.net"),
    ]);
    parser.finish();
    const copy = remoteDeliveries(events)[1];

    expect(copy?.message.id).toBe("2B3C4D5E6F");
    expect(parser.waitingLinks).toBe(0);
  });

  it("copy never seen leaves no link behind", () => {
    const late = new Date(Date.UTC(2024, 2, 4, 10, 0, 1) + MAX_LINK_WAIT_MS + 2 * 3_600_000);
    const clock = late.toISOString().slice(11, 19);
    const first = runPostfix([...SUBMISSION, hop("bob@example.net")]);
    expect(first.parser.waitingLinks).toBe(1);

    // The same queue id, well after the wait, is another message.
    runPostfix(
      [
        `Mar  4 ${clock} mx1 postfix/smtpd[110]: 2B3C4D5E6F: client=mx.example.org[192.0.2.30]`,
        copyBounce("dave@example.net", "2B3C4D5E6F", clock),
      ],
      first,
    );
    const latest = remoteDeliveries(first.events).at(-1);

    expect(latest?.message.clientIp).toBe("192.0.2.30");
    expect(first.parser.waitingLinks).toBe(0);
  });

  it("caps the links that wait, dropping the oldest", () => {
    const copyIds = Array.from({ length: MAX_WAITING_LINKS + 10 }, (_, n) =>
      (0xc00000 + n).toString(16).toUpperCase(),
    );
    const run = runPostfix([
      ...SUBMISSION,
      ...copyIds.map((id, n) => hop(`user${n}@example.net`, `queued as ${id}`)),
    ]);
    expect(run.parser.waitingLinks).toBe(MAX_WAITING_LINKS);

    const first = copyIds[0] ?? "";
    const last = copyIds.at(-1) ?? "";
    runPostfix(
      [copyBounce("user0@example.net", first), copyBounce("user9@example.net", last)],
      run,
    );
    const [dropped, kept] = remoteDeliveries(run.events);

    expect(dropped?.message.id).toBe(first);
    expect(kept?.message).toBe(submittedMessage(run.events));
  });

  it("hand-off to a second instance", () => {
    const { events } = runPostfix([
      ...SUBMISSION,
      "Mar  4 10:00:01 mx1 postfix-out/smtpd[210]: 3C4D5E6F70: client=localhost[127.0.0.1]",
      "Mar  4 10:00:01 mx1 postfix/smtp[103]: 1A2B3C4D5E: to=<bob@example.net>, relay=127.0.0.1[127.0.0.1]:10026, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 3C4D5E6F70)",
      "Mar  4 10:00:02 mx1 postfix-out/smtp[211]: 3C4D5E6F70: to=<bob@example.net>, relay=mx.example.net[192.0.2.20]:25, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 2.0.0 Ok)",
    ]);
    const [delivery] = remoteDeliveries(events);

    expect(delivery?.message).toBe(submittedMessage(events));
    expect(delivery?.outgoingSource).toBe("postfix-out");
  });

  it("hand-off to a proven second instance", () => {
    // postfix-out's queue manager shows an instance of its own, whose messages other lines
    // cannot take, but a filter hop still links its copy.
    const { events } = runPostfix([
      ...SUBMISSION,
      "Mar  4 10:00:01 mx1 postfix-out/smtpd[210]: 3C4D5E6F70: client=localhost[127.0.0.1]",
      "Mar  4 10:00:01 mx1 postfix-out/qmgr[212]: 3C4D5E6F70: from=<alice@example.com>, size=2000, nrcpt=1 (queue active)",
      "Mar  4 10:00:01 mx1 postfix/smtp[103]: 1A2B3C4D5E: to=<bob@example.net>, relay=127.0.0.1[127.0.0.1]:10026, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 3C4D5E6F70)",
      "Mar  4 10:00:02 mx1 postfix-out/smtp[211]: 3C4D5E6F70: to=<bob@example.net>, relay=mx.example.net[192.0.2.20]:25, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 2.0.0 Ok)",
    ]);
    const [delivery] = remoteDeliveries(events);

    expect(eventsOf(events, "postfix-instance")[0]?.name).toBe("postfix-out");
    expect(delivery?.message).toBe(submittedMessage(events));
    expect(delivery?.outgoingSource).toBe("postfix-out");
  });

  it("chain of two hops carries the first message", () => {
    const { events } = runPostfix([
      ...SUBMISSION,
      ...COPY_ARRIVAL,
      hop("bob@example.net"),
      "Mar  4 10:00:02 mx1 postfix-out/smtpd[210]: 3C4D5E6F70: client=localhost[127.0.0.1]",
      "Mar  4 10:00:02 mx1 postfix/smtp[105]: 2B3C4D5E6F: to=<bob@example.net>, relay=127.0.0.1[127.0.0.1]:10026, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 3C4D5E6F70)",
      copyBounce("bob@example.net", "3C4D5E6F70", "10:00:03"),
    ]);
    const [delivery] = remoteDeliveries(events);

    expect(delivery?.message).toBe(submittedMessage(events));
  });

  it("lmtp hop with a queued copy", () => {
    const { events } = runPostfix([
      ...SUBMISSION,
      ...COPY_ARRIVAL,
      "Mar  4 10:00:01 mx1 postfix/lmtp[106]: 1A2B3C4D5E: to=<bob@example.net>, relay=127.0.0.1[127.0.0.1]:10024, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 2.0.0 from MTA(smtp:[127.0.0.1]:10025): 250 2.0.0 Ok: queued as 2B3C4D5E6F)",
      copyBounce("bob@example.net"),
    ]);
    const [hopEvent] = eventsOf(events, "delivery");

    expect(hopEvent?.handoff).toBe("filter");
    expect(remoteDeliveries(events)[0]?.message).toBe(submittedMessage(events));
  });
});

/** Returns the `filter-copy` events as [type of the event before, copy id or null]. */
function filterCopyReports(events: Parameters<typeof eventsOf>[0]) {
  return events.flatMap((event, index) =>
    event.type === "filter-copy" ? [[events[index - 1]?.type, event.copy?.id ?? null]] : [],
  );
}

describe("Postfix filter copy events", () => {
  it("announced copy reported once", () => {
    const { events } = runPostfix([
      ...SUBMISSION,
      ...COPY_ARRIVAL,
      hop("bob@example.net"),
      hop("carol@example.org"),
      copyBounce("bob@example.net"),
    ]);
    const [report] = eventsOf(events, "filter-copy");

    expect(filterCopyReports(events)).toEqual([["delivery", "2B3C4D5E6F"]]);
    expect(report?.message).toBe(submittedMessage(events));
    expect(report?.position.line).toBe(5);
  });

  it("late copy reported after its message", () => {
    const { events } = runPostfix([
      ...SUBMISSION,
      hop("bob@example.net"),
      ...COPY_ARRIVAL,
      hop("carol@example.org"),
    ]);
    const [report] = eventsOf(events, "filter-copy");

    expect(filterCopyReports(events)).toEqual([["message", "2B3C4D5E6F"]]);
    expect(report?.position.line).toBe(5);
  });

  it("missing copy reported at finish", () => {
    const run = runPostfix([...SUBMISSION, hop("bob@example.net"), hop("carol@example.org")]);
    expect(eventsOf(run.events, "filter-copy")).toEqual([]);

    run.parser.finish();
    const reports = eventsOf(run.events, "filter-copy");

    expect(reports).toHaveLength(1);
    expect(reports[0]?.copy).toBeNull();
    expect(reports[0]?.message).toBe(submittedMessage(run.events));
    expect(reports[0]?.position).toEqual({ file: "fixture.log", line: 4 });
    expect(run.parser.waitingLinks).toBe(0);
  });

  it("copy after the wait is missing", () => {
    const late = new Date(Date.UTC(2024, 2, 4, 10, 0, 1) + MAX_LINK_WAIT_MS + 60_000);
    const clock = late.toISOString().slice(11, 19);
    const run = runPostfix([
      ...SUBMISSION,
      hop("bob@example.net"),
      `Mar  4 ${clock} mx1 postfix/smtpd[110]: 2B3C4D5E6F: client=localhost[127.0.0.1]`,
    ]);
    const reports = eventsOf(run.events, "filter-copy");

    expect(reports).toHaveLength(1);
    expect(reports[0]?.copy).toBeNull();
    expect(reports[0]?.position.line).toBe(3);
  });

  it("stale and capped links are missing", () => {
    const copyIds = Array.from({ length: MAX_WAITING_LINKS + 10 }, (_, n) =>
      (0xc00000 + n).toString(16).toUpperCase(),
    );
    const run = runPostfix([
      ...SUBMISSION,
      ...copyIds.map((id, n) => hop(`user${n}@example.net`, `queued as ${id}`)),
    ]);
    expect(eventsOf(run.events, "filter-copy")).toHaveLength(10);

    runPostfix(["Mar  4 13:00:00 mx1 postfix/qmgr[102]: 5F6E7D8C9B: removed"], run);
    const reports = eventsOf(run.events, "filter-copy");

    expect(reports).toHaveLength(MAX_WAITING_LINKS + 10);
    expect(reports.every((report) => report.copy === null)).toBe(true);
    expect(run.parser.waitingLinks).toBe(0);
  });

  it("copy removed before its hop links", () => {
    const run = runPostfix([
      ...SUBMISSION,
      ...COPY_ARRIVAL,
      copyBounce("bob@example.net", "2B3C4D5E6F", "10:00:01"),
      "Mar  4 10:00:01 mx1 postfix/qmgr[102]: 2B3C4D5E6F: removed",
      hop("bob@example.net", "queued as 2B3C4D5E6F", "10:00:02"),
    ]);
    run.parser.finish();
    const [delivery] = remoteDeliveries(run.events);

    expect(delivery?.message).toBe(submittedMessage(run.events));
    expect(filterCopyReports(run.events)).toEqual([["delivery", "2B3C4D5E6F"]]);
  });

  it("held copy goes out unlinked", () => {
    const run = runPostfix([
      ...COPY_ARRIVAL,
      copyBounce("bob@example.net", "2B3C4D5E6F", "10:00:01"),
      "Mar  4 10:00:01 mx1 postfix/qmgr[102]: 2B3C4D5E6F: removed",
    ]);
    expect(remoteDeliveries(run.events)).toEqual([]);

    runPostfix(["Mar  4 10:00:30 mx1 postfix/qmgr[102]: 3C4D5E6F70: removed"], run);
    const [delivery] = remoteDeliveries(run.events);

    expect(delivery?.message.id).toBe("2B3C4D5E6F");
    expect(delivery?.message.saslUsername).toBeNull();
    expect(eventsOf(run.events, "filter-copy")).toEqual([]);
  });

  it("linked copy keeps no report at finish", () => {
    const run = runPostfix([...SUBMISSION, ...COPY_ARRIVAL, hop("bob@example.net")]);
    run.parser.finish();

    expect(filterCopyReports(run.events)).toEqual([["delivery", "2B3C4D5E6F"]]);
  });
});

describe("Postfix local hand-offs", () => {
  const HEAD = "Mar  4 10:00:01 mx1";

  it("sorts deliveries that stay on the host", () => {
    const { events } = runPostfix([
      `${HEAD} postfix/local[107]: 4D5E6F7081: to=<a@example.com>, relay=local, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (forwarded as 5E6F708192)`,
      `${HEAD} postfix/discard[108]: 4D5E6F7081: to=<f@example.com>, relay=none, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (example.com)`,
      `${HEAD} postfix/lmtp[109]: 4D5E6F7081: to=<d@example.com>, relay=127.0.0.1[127.0.0.1]:24, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 2.0.0 <d@example.com> nV3CFb5TZ2UlAAAAdWvz3Q Saved)`,
      `${HEAD} postfix/local[107]: 4D5E6F7081: to=<e@example.com>, relay=local, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (delivered to mailbox)`,
      `${HEAD} postfix/smtp[110]: 4D5E6F7081: to=<g@example.net>, relay=mx.example.net[192.0.2.20]:25, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 6F70819203)`,
    ]);
    const handoffs = eventsOf(events, "delivery").map((event) => event.handoff);

    expect(handoffs).toEqual(["forward", "discard", null, null, null]);
  });
});
