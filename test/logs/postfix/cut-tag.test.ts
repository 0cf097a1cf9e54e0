import { describe, expect, it } from "vitest";
import type { LogEvent } from "../../../src/logs/events.js";
import { eventsOf, runPostfix } from "./fixture.js";

const HEAD = "Mar  4 09:15:04 mx1";

// One message from pickup to its removal, and an smtpd session, with full tags.
const FULL_TAGS = [
  `${HEAD} postfix/smtpd[300]: connect from client.example.org[192.0.2.10]`,
  `${HEAD} postfix/smtpd[300]: 1A2B3C4D5E: client=client.example.org[192.0.2.10], sasl_method=PLAIN, sasl_username=alice`,
  `${HEAD} postfix/cleanup[301]: 1A2B3C4D5E: message-id=<m1@example.org>`,
  `${HEAD} postfix/qmgr[302]: 1A2B3C4D5E: from=<alice@example.org>, size=2000, nrcpt=2 (queue active)`,
  `${HEAD} postfix/smtpd[300]: disconnect from client.example.org[192.0.2.10] ehlo=1 auth=1 mail=1 rcpt=2 data=1 quit=1 commands=7`,
  `${HEAD} postfix/smtp[303]: 1A2B3C4D5E: to=<bob@example.com>, relay=mx.example.com[198.51.100.25]:25, delay=1.5, delays=0.1/0.01/0.5/0.9, dsn=5.7.26, status=bounced (host mx.example.com[198.51.100.25] said: 550 5.7.26 Unauthenticated (in reply to end of DATA command))`,
  `${HEAD} postfix/local[304]: 1A2B3C4D5E: to=<carol@mx1.example.org>, relay=local, delay=0.1, delays=0/0/0/0.1, dsn=2.0.0, status=sent (delivered to mailbox)`,
  `${HEAD} postfix/bounce[305]: 1A2B3C4D5E: sender non-delivery notification: 6F7A8B9C0D`,
  `${HEAD} postfix/qmgr[302]: 1A2B3C4D5E: removed`,
];

// The same lines as rsyslog's `programname` writes them: `postfix/smtp` becomes `postfix`.
const CUT_TAGS = FULL_TAGS.map((line) => line.replace(/ postfix\/\w+\[/, " postfix["));

describe("Postfix tags cut to postfix", () => {
  it("cuts every fixture tag", () => {
    expect(CUT_TAGS.every((line) => line.includes(" postfix["))).toBe(true);
  });

  it("gives the events of full tags", () => {
    const full = runPostfix(FULL_TAGS);
    const cut = runPostfix(CUT_TAGS);

    expect(cut.outcomes).toEqual(full.outcomes);
    expect(cut.events).toEqual(full.events);
  });

  it("reads remote and local deliveries", () => {
    const { events } = runPostfix(CUT_TAGS);
    const deliveries = eventsOf(events, "delivery");

    expect(deliveries.map((event) => event.transport)).toEqual(["smtp", "local"]);
    expect(deliveries[0]?.remote).toBe(true);
    expect(deliveries[0]?.status).toBe("bounced");
  });

  it("reads an LMTP socket and a pipe", () => {
    const { events, outcomes } = runPostfix([
      `${HEAD} postfix[310]: 2B3C4D5E6F: to=<dan@example.org>, relay=mx1.example.org[private/dovecot-lmtp], delay=0.1, delays=0/0/0/0.1, dsn=2.0.0, status=sent (250 2.0.0 Saved)`,
      `${HEAD} postfix[311]: 2B3C4D5E6F: to=<eve@example.org>, relay=dovecot, delay=0.1, delays=0/0/0/0.1, dsn=2.0.0, status=sent (delivered via dovecot service)`,
    ]);
    const deliveries = eventsOf(events, "delivery");

    expect(outcomes).toEqual(["parsed", "parsed"]);
    expect(deliveries.map((event) => event.transport)).toEqual(["lmtp", "pipe"]);
    expect(deliveries.map((event) => event.remote)).toEqual([false, false]);
  });

  it("keeps the postfix command lines", () => {
    const { events, outcomes } = runPostfix([
      `${HEAD} postfix[320]: starting the Postfix mail system`,
    ]);

    expect(outcomes).toEqual(["parsed"]);
    expect(eventsOf(events, "lifecycle")[0]?.action).toBe("start");
  });

  it("reads queue disk lines of local submission", () => {
    const full = [
      `${HEAD} postfix/postdrop[3001]: warning: uid=1004: No space left on device`,
      `${HEAD} postfix/sendmail[3000]: fatal: web1(1004): queue file write error`,
      `${HEAD} postfix/postdrop[3005]: warning: mail_queue_enter: create file maildrop/123456.3005: No space left on device`,
      `${HEAD} postfix/cleanup[3006]: warning: mail_queue_enter: create file incoming/123457.3006: No space left on device`,
      `${HEAD} postfix/cleanup[3006]: warning: 1A2B3C4D5E: write queue file: No space left on device`,
    ];
    const cut = full.map((line) => line.replace(/ postfix\/\w+\[/, " postfix["));
    const fullRun = runPostfix(full);
    const cutRun = runPostfix(cut);
    const spaceEvents = eventsOf(cutRun.events, "queue-space");

    expect(cut.every((line) => line.includes(" postfix["))).toBe(true);
    expect(cutRun.outcomes).toEqual(["parsed", "parsed", "parsed", "parsed", "parsed"]);
    expect(cutRun.events).toEqual(fullRun.events);
    expect(spaceEvents.map((event) => event.kind)).toEqual([
      "write-error",
      "sendmail-error",
      "write-error",
      "write-error",
      "write-error",
    ]);
    expect(spaceEvents.map((event) => event.submissionFailed)).toEqual([
      true,
      true,
      false,
      false,
      false,
    ]);
    expect(eventsOf(cutRun.events, "fatal-error")).toEqual([]);
  });

  it("keeps the postfix command's fatal lines", () => {
    const { events, outcomes } = runPostfix([
      `${HEAD} postfix[330]: fatal: open /etc/postfix/main.cf: No such file or directory`,
    ]);

    expect(outcomes).toEqual(["parsed"]);
    expect(eventsOf(events, "fatal-error")[0]?.program).toBe("postfix");
  });

  it("leaves other queued shapes unparsed", () => {
    const { outcomes } = runPostfix([`${HEAD} postfix[321]: 3C4D5E6F7A: something new`]);

    expect(outcomes).toEqual(["unparsed"]);
  });
});

describe("Postfix tags of a systemd unit's instance", () => {
  // The tag that `journalctl -o with-unit` lines of `postfix@postfix-out.service` fold to.
  const OUT_TAGS = FULL_TAGS.map((line) =>
    line.replace(/ postfix\/\w+\[/, " postfix-out/postfix["),
  );
  const OUT_FULL_TAGS = FULL_TAGS.map((line) => line.replace(/ postfix\//, " postfix-out/"));

  it("gives the events of full instance tags", () => {
    const full = runPostfix(OUT_FULL_TAGS);
    const cut = runPostfix(OUT_TAGS);
    // Every line of the unit shows its instance, and of the full tags only qmgr's lines do.
    const withoutInstance = (events: readonly LogEvent[]) =>
      events.filter((event) => event.type !== "postfix-instance");

    expect(cut.outcomes).toEqual(full.outcomes);
    expect(withoutInstance(cut.events)).toEqual(withoutInstance(full.events));
    expect(eventsOf(cut.events, "postfix-instance")[0]?.position.line).toBe(1);
  });

  it("keeps the instance of deliveries", () => {
    const { events } = runPostfix(OUT_TAGS);
    const deliveries = eventsOf(events, "delivery");

    expect(deliveries.map((event) => event.transport)).toEqual(["smtp", "local"]);
    expect(deliveries[0]?.outgoingSource).toBe("postfix-out");
    expect(eventsOf(events, "message")[0]?.message.service).toBe("postfix-out/smtpd");
  });

  it("keeps the instance of a start", () => {
    const { events } = runPostfix([
      `${HEAD} postfix-out/postfix[320]: daemon started -- version 3.7.11, configuration /etc/postfix-out`,
    ]);

    expect(eventsOf(events, "lifecycle")[0]?.program).toBe("postfix-out/master");
  });

  it.each([
    ["daemon started -- version 3.7.11, configuration /etc/postfix-out", "start"],
    ["reload -- version 3.7.11, configuration /etc/postfix-out", "reload"],
    ["terminating on signal 15", "stop"],
  ])("reads master's %s", (text, action) => {
    const { events } = runPostfix([`${HEAD} postfix-out/postfix[320]: ${text}`]);
    const [lifecycle] = eventsOf(events, "lifecycle");

    expect(lifecycle?.program).toBe("postfix-out/master");
    expect(lifecycle?.action).toBe(action);
  });

  it("keeps postfix-script's start", () => {
    const { events } = runPostfix([
      `${HEAD} postfix-out/postfix[310]: starting the Postfix mail system`,
    ]);

    expect(eventsOf(events, "lifecycle")[0]?.program).toBe("postfix-out/postfix");
  });
});

describe("Postfix fatal lines under cut tags", () => {
  it.each([
    ["postfix", "postfix/master"],
    ["postfix-out/postfix", "postfix-out/master"],
  ])("reads %s bind failure as master's", (tag, program) => {
    const { events } = runPostfix([
      `${HEAD} ${tag}[501]: fatal: bind 0.0.0.0 port 25: Address already in use`,
    ]);

    expect(eventsOf(events, "fatal-error")[0]?.program).toBe(program);
  });

  it("keeps the postfix command's own errors", () => {
    const { events } = runPostfix([
      `${HEAD} postfix[3281]: fatal: open /etc/postfix/main.cf: No such file or directory`,
    ]);

    expect(eventsOf(events, "fatal-error")[0]?.program).toBe("postfix");
  });
});
