import { describe, expect, test } from "vitest";
import type { DeliveryEvent, LogEvent } from "../../../src/logs/events.js";
import { createSendmailParser } from "../../../src/logs/sendmail/index.js";
import { diagnoseText } from "../../helpers/diagnose-text.js";
import { runParser } from "../exim/frame.js";

const GMAIL = "relay=gmail-smtp-in.l.google.com. [192.0.2.27]";
const REPLY =
  "421-4.7.28 [192.0.2.1      15] Gmail has detected an unusual rate of unsolicited mail originating from your IP address. 421 4.7.28 To protect our users from spam, mail sent from your IP address has been temporarily rate limited. - gsmtp";

const ARRIVAL = [
  "Dec 29 09:10:00 mx sm-mta[4001]: 5BT9A0ff004001: from=<fay@example.com>, size=800, class=0, nrcpts=2, msgid=<s3@example.com>, bodytype=8BITMIME, proto=ESMTPSA, daemon=MTA-MSA, relay=laptop.example.com [192.0.2.13]",
  "Dec 29 09:10:00 mx sm-mta[4001]: 5BT9A0ff004001: AUTH=server, relay=laptop.example.com [192.0.2.13], authid=fay, mech=PLAIN, bits=0",
  `Dec 29 09:10:02 mx sm-mta[4002]: 5BT9A0ff004001: to=<gus@gmail.com>,<hal@gmail.com>, delay=00:00:02, xdelay=00:00:02, mailer=esmtp, pri=120800, ${GMAIL}, dsn=4.7.28, stat=Deferred: ${REPLY}`,
];

/** Retries once a day across the new year; hal@gmail.com is delivered on the second one. */
const RETRIES = [
  `Dec 30 09:40:00 mx sm-mta[501]: 5BT9A0ff004001: to=<gus@gmail.com>, delay=1+00:30:00, xdelay=00:00:01, mailer=esmtp, pri=210800, ${GMAIL}, dsn=4.7.28, stat=Deferred: ${REPLY}`,
  `Dec 31 09:40:00 mx sm-mta[502]: 5BT9A0ff004001: to=<hal@gmail.com>, delay=2+00:30:00, xdelay=00:00:01, mailer=esmtp, pri=300800, ${GMAIL}, dsn=2.0.0, stat=Sent (OK 1735638000 y1si1 - gsmtp)`,
  `Jan  3 09:40:00 mx sm-mta[505]: 5BT9A0ff004001: to=<gus@gmail.com>, delay=5+00:30:00, xdelay=00:00:01, mailer=esmtp, pri=570800, ${GMAIL}, dsn=4.7.28, stat=Deferred: ${REPLY}`,
];

const RETURN_TO_FAY =
  "Jan  3 09:40:00 mx sm-mta[505]: 5C39e0gg000505: to=<fay@example.com>, delay=00:00:00, xdelay=00:00:00, mailer=local, pri=31800, dsn=2.0.0, stat=Sent";

function timeoutLine(kind: string): string {
  return `Jan  3 09:40:00 mx sm-mta[505]: 5BT9A0ff004001: 5C39e0gg000505: ${kind}`;
}

function deliveries(events: LogEvent[], status: DeliveryEvent["status"]): DeliveryEvent[] {
  return events.filter(
    (event): event is DeliveryEvent => event.type === "delivery" && event.status === status,
  );
}

function parse(lines: string[]): LogEvent[] {
  const run = runParser(createSendmailParser, lines, { year: 2024 });
  expect(run.outcomes.unparsed).toBe(0);
  return run.events;
}

const EXIM_REPLY = `SMTP error from remote mail server after pipelined end of data: ${REPLY}`;

/** Arrival, deferrals on three days and the queue timeout, in Sendmail's and in Exim's log. */
function sameExpiry(): { sendmail: string[]; exim: string[] } {
  const days = ["01", "02", "03"];
  const sendmail = [
    "Mar  1 09:10:00 mx sm-mta[4001]: 5219A0ff004001: from=<fay@example.com>, size=800, class=0, nrcpts=1, msgid=<s3@example.com>, proto=ESMTPSA, daemon=MTA-MSA, relay=laptop.example.com [192.0.2.13]",
    "Mar  1 09:10:00 mx sm-mta[4001]: 5219A0ff004001: AUTH=server, relay=laptop.example.com [192.0.2.13], authid=fay@example.com, mech=PLAIN, bits=0",
    ...days.map(
      (day) =>
        `Mar  ${Number(day)} 09:40:00 mx sm-mta[4002]: 5219A0ff004001: to=<gus@gmail.com>, delay=00:30:00, xdelay=00:00:01, mailer=esmtp, pri=120800, ${GMAIL}, dsn=4.7.28, stat=Deferred: ${REPLY}`,
    ),
    "Mar  3 09:40:00 mx sm-mta[4002]: 5219A0ff004001: 5239A0gg004002: DSN: Cannot send message for 2 days",
  ];
  const exim = [
    "2025-03-01 09:10:00 1tA006-000007-AA <= fay@example.com H=(laptop) [192.0.2.13]:50004 P=esmtpsa A=dovecot_login:fay@example.com S=800 id=s3@example.com for gus@gmail.com",
    ...days.map(
      (day) =>
        `2025-03-${day} 09:40:00 1tA006-000007-AA == gus@gmail.com R=dnslookup T=remote_smtp defer (-46) H=gmail-smtp-in.l.google.com [192.0.2.27]: ${EXIM_REPLY}`,
    ),
    "2025-03-03 09:40:00 1tA006-000007-AA ** gus@gmail.com R=dnslookup T=remote_smtp H=gmail-smtp-in.l.google.com [192.0.2.27]: retry timeout exceeded",
    "2025-03-03 09:40:00 1tA006-000007-AA Completed",
  ];
  return { sendmail, exim };
}

describe("Sendmail queue timeout", () => {
  test("DSN expires each deferred recipient", () => {
    const lines = [...ARRIVAL, ...RETRIES, timeoutLine("DSN: Cannot send message for 5 days")];
    const events = parse([...lines, RETURN_TO_FAY]);
    const expired = deliveries(events, "expired");

    expect(expired).toHaveLength(1);
    expect(expired[0]).toMatchObject({
      recipient: "gus@gmail.com",
      remote: true,
      relayHost: "gmail-smtp-in.l.google.com",
      relayIp: "192.0.2.27",
      transport: "esmtp",
      dsn: "4.7.28",
      firstAttempt: false,
      queueExpiry: true,
    });
    expect(expired[0]?.response).toContain("421 4.7.28");
    expect(expired[0]?.position.line).toBe(lines.length);
    expect(expired[0]?.message.sender).toBe("fay@example.com");
    expect(deliveries(events, "deferred")).toHaveLength(4);
  });

  test("return to sender wording", () => {
    const lines = [...ARRIVAL, timeoutLine("return to sender: Cannot send message for 5 days")];
    const expired = deliveries(parse(lines), "expired");

    expect(expired.map((event) => event.recipient).sort()).toEqual([
      "gus@gmail.com",
      "hal@gmail.com",
    ]);
  });

  test("delay warning and return receipt expire nothing", () => {
    for (const kind of [
      "DSN: Warning: could not send message for past 4 hours",
      "DSN: Return receipt",
      "postmaster notify: Cannot send message for 5 days",
    ]) {
      const events = parse([...ARRIVAL, timeoutLine(kind)]);
      expect(deliveries(events, "expired"), kind).toEqual([]);
      expect(deliveries(events, "deferred"), kind).toHaveLength(2);
    }
  });

  test("message before the log expires as a whole", () => {
    const events = parse([timeoutLine("DSN: Cannot send message for 5 days")]);
    const expired = deliveries(events, "expired");

    expect(expired).toHaveLength(1);
    expect(expired[0]).toMatchObject({ recipient: "", remote: false, queueExpiry: true });
    expect(expired[0]?.message.id).toBe("5BT9A0ff004001");
    expect(events.filter((event) => event.type === "message")).toHaveLength(1);
    expect(events.find((event) => event.type === "message")).toMatchObject({
      message: { id: "5C39e0gg000505", isBounce: true },
    });
  });

  test("diagnose reports the expiry as lost mail", async () => {
    const lines = [...ARRIVAL, ...RETRIES, timeoutLine("DSN: Cannot send message for 5 days")];
    const diagnosis = await diagnoseText([...lines, RETURN_TO_FAY].join("\n") + "\n", {
      year: 2024,
    });
    const gmail = diagnosis.providers.gmail;
    const finding = diagnosis.findings.find((f) => f.id === "rate-limited");

    expect(gmail?.expired).toBe(1);
    expect(gmail?.deferred).toBe(4);
    expect(gmail?.sent).toBe(1);
    expect(finding?.summary).toContain(
      "Mail to 1 recipient at Gmail expired in the queue and was returned to its senders, so it was lost.",
    );
    expect(finding?.summary).not.toContain("not lost yet");
    expect(finding?.summary).not.toContain("The rest is retried");
  });

  test("diagnose retries the rest", async () => {
    const lines = [...ARRIVAL, ...RETRIES, timeoutLine("DSN: Cannot send message for 5 days")];
    const other = ARRIVAL.map((line) =>
      line.replaceAll("5BT9A0ff004001", "5BT9A0ff004009").replace("s3@", "s4@"),
    );
    const diagnosis = await diagnoseText([...other, ...lines].join("\n") + "\n", { year: 2024 });
    const finding = diagnosis.findings.find((f) => f.id === "rate-limited");

    expect(diagnosis.providers.gmail?.expired).toBe(1);
    expect(finding?.summary).toContain("The rest is retried until the queue lifetime ends.");
  });

  test("diagnose words it as Exim does", async () => {
    const logs = sameExpiry();
    const sendmail = await diagnoseText(logs.sendmail.join("\n") + "\n", { year: 2025 });
    const exim = await diagnoseText(logs.exim.join("\n") + "\n");
    const summaryOf = (diagnosis: typeof exim): string | undefined =>
      diagnosis.findings.find((f) => f.id === "rate-limited")?.summary;

    expect(sendmail.providers.gmail?.expired).toBe(1);
    expect(exim.providers.gmail?.expired).toBe(1);
    expect(sendmail.verdict.summary).toBe(exim.verdict.summary);
    expect(summaryOf(sendmail)).toBe(summaryOf(exim));
    expect(summaryOf(sendmail)).toContain("so it was lost");
    expect(summaryOf(exim)).not.toContain("The rest is retried");
  });
});
