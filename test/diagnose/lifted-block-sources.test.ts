import { describe, expect, test } from "vitest";
import { OFFLINE_DIAGNOSE, runCommand } from "../helpers/cli.js";
import { diagnoseText } from "../helpers/diagnose-text.js";
import { temporaryFiles } from "../helpers/temporary-files.js";

const temporary = temporaryFiles();

const MINUTE = 60_000;
const T0 = Date.UTC(2026, 2, 4, 8, 0, 0);

const GMAIL_HOST = "H=gmail-smtp-in.l.google.com [192.0.2.27]";
const GMAIL_UNSOLICITED =
  "SMTP error from remote mail server after end of data: 550-5.7.1 [203.0.113.5      12] Our system has detected that this message is\\n550-5.7.1 likely unsolicited mail. To reduce the amount of spam sent to Gmail,\\n550-5.7.1 this message has been blocked. For more information, go to\\n550 5.7.1  https://support.google.com/mail/?p=UnsolicitedMessageError d1si1 - gsmtp";
const POSTFIX_RELAY =
  "relay=gmail-smtp-in.l.google.com[192.0.2.27]:25, delay=1, delays=0.1/0/0.4/0.5";
const POSTFIX_UNSOLICITED =
  "dsn=5.7.1, status=bounced (host gmail-smtp-in.l.google.com[192.0.2.27] said: 550-5.7.1 [203.0.113.5      12] Gmail has detected that this message is likely 550-5.7.1 unsolicited mail. To reduce the amount of spam sent to Gmail, this message 550-5.7.1 has been blocked. 550 5.7.1 d1si1 - gsmtp (in reply to end of DATA command))";
const POSTFIX_SENT = "dsn=2.0.0, status=sent (250 2.0.0 OK 1709 - gsmtp)";

/**
 * One Exim message to Gmail: its minute after T0, its outcome, and the interface it left from
 * (`I=`), or null for a line without one. A `session` outcome is a rejection logged for the
 * whole SMTP session, which Exim writes without `I=`.
 */
interface EximMessage {
  readonly minute: number;
  readonly outcome: "sent" | "rejected" | "session";
  readonly interface: string | null;
}

function eximStamp(minute: number): string {
  return new Date(T0 + minute * MINUTE).toISOString().slice(0, 19).replace("T", " ");
}

/** Writes an Exim main log of one arrival and one delivery line per message, in time order. */
function eximLog(messages: readonly EximMessage[]): string {
  return [...messages]
    .sort((a, b) => a.minute - b.minute)
    .flatMap(({ minute, outcome, interface: address }, index) => {
      const id = `1rA${String(index).padStart(3, "0")}-${String(index).padStart(6, "0")}-01`;
      const stamp = eximStamp(minute);
      const to = `u${index}@gmail.com`;
      const field = address === null ? "" : ` I=[${address}]:45001`;
      const line =
        outcome === "sent"
          ? `=> ${to} R=dnslookup T=remote_smtp ${GMAIL_HOST}${field} C="250 2.0.0 OK 1709 - gsmtp"`
          : outcome === "rejected"
            ? `** ${to} R=dnslookup T=remote_smtp ${GMAIL_HOST}${field}: ${GMAIL_UNSOLICITED}`
            : `${GMAIL_HOST}: ${GMAIL_UNSOLICITED}`;
      return [
        `${stamp} ${id} <= news@example.com U=www P=local S=2000 id=${index}@example.com`,
        `${stamp} ${id} ${line}`,
      ];
    })
    .join("\n")
    .concat("\n");
}

/** Returns `count` Exim messages with one outcome and interface, one every `stepMinutes`. */
function eximSeries(
  start: number,
  count: number,
  stepMinutes: number,
  outcome: EximMessage["outcome"],
  address: string | null,
): EximMessage[] {
  return Array.from({ length: count }, (_, index) => ({
    minute: start + index * stepMinutes,
    outcome,
    interface: address,
  }));
}

/** Writes Postfix delivery lines to Gmail, each with its minute, syslog tag and outcome. */
function postfixLog(lines: readonly (readonly [number, string, "sent" | "rejected"])[]): string {
  return lines
    .map(([minute, tag, outcome], index) => {
      const stamp = new Date(T0 + minute * MINUTE).toISOString().replace(".000Z", "+00:00");
      const id = (0x100000 + index).toString(16).toUpperCase();
      const result = outcome === "sent" ? POSTFIX_SENT : POSTFIX_UNSOLICITED;
      return `${stamp} mx1 ${tag}[${3000 + index}]: ${id}: to=<u${index}@gmail.com>, ${POSTFIX_RELAY}, ${result}`;
    })
    .join("\n")
    .concat("\n");
}

/** Returns `count` Postfix lines of one tag and outcome, one every `stepMinutes` from `start`. */
function postfixSeries(
  start: number,
  count: number,
  stepMinutes: number,
  tag: string,
  outcome: "sent" | "rejected",
): (readonly [number, string, "sent" | "rejected"])[] {
  return Array.from({ length: count }, (_, index) => [start + index * stepMinutes, tag, outcome]);
}

/**
 * Moves the Postfix lines of `log` before minute `until` to IPv6, so that their relay and the
 * address that Gmail's rejection names are IPv6 addresses.
 */
function overIpv6(log: string, until: number): string {
  const end = T0 + until * MINUTE;
  return log
    .split("\n")
    .map((line) =>
      Date.parse(line.slice(0, 25)) < end
        ? line
            .replaceAll("[192.0.2.27]", "[2001:db8:4860::1b]")
            .replace("[203.0.113.5 ", "[2001:db8::5 ")
        : line,
    )
    .join("\n");
}

// Five rejections from 08:00, then 25 deliveries from 08:10, one every 7 minutes, which span
// 2 hours 48 minutes: enough to lift a block when they left the same way.
const REJECTIONS_FROM_5 = eximSeries(0, 5, 1, "rejected", "203.0.113.5");

describe("lifted blocks per outgoing source", () => {
  test("Exim: other interface keeps block", async () => {
    const log = eximLog([...REJECTIONS_FROM_5, ...eximSeries(10, 25, 7, "sent", "203.0.113.6")]);
    const diagnosis = await diagnoseText(log);
    const gmail = diagnosis.providers.gmail;

    expect(gmail?.status).toBe("blocked");
    expect(gmail?.pastBlock).toBeNull();
    expect(gmail?.sent).toBe(25);
    expect(diagnosis.verdict.status).toBe("blocked");
  });

  test("Exim: other interface exits 1", async () => {
    const log = eximLog([...REJECTIONS_FROM_5, ...eximSeries(10, 25, 7, "sent", "203.0.113.6")]);
    const run = await runCommand([...OFFLINE_DIAGNOSE, "--no-progress", temporary.file(log)]);

    expect(run.code).toBe(1);
    expect(run.stdout).toContain("Verdict: BLOCKED");
    expect(run.stdout).not.toContain("has accepted 25 deliveries since");
  });

  test("Exim: same interface lifts block", async () => {
    const log = eximLog([...REJECTIONS_FROM_5, ...eximSeries(10, 25, 7, "sent", "203.0.113.5")]);
    const diagnosis = await diagnoseText(log);
    const gmail = diagnosis.providers.gmail;

    expect(gmail?.status).toBe("ok");
    expect(gmail?.pastBlock?.status).toBe("blocked");
    expect(gmail?.pastBlock?.deliveredAfter).toBe(25);
  });

  test("Exim: both interfaces must recover", async () => {
    const log = eximLog([
      ...REJECTIONS_FROM_5,
      ...eximSeries(5, 5, 1, "rejected", "203.0.113.6"),
      ...eximSeries(10, 25, 7, "sent", "203.0.113.6"),
    ]);
    const blocked = await diagnoseText(log);

    expect(blocked.providers.gmail?.pastBlock).toBeNull();

    const both = eximLog([
      ...REJECTIONS_FROM_5,
      ...eximSeries(5, 5, 1, "rejected", "203.0.113.6"),
      ...eximSeries(10, 25, 7, "sent", "203.0.113.6"),
      ...eximSeries(11, 25, 7, "sent", "203.0.113.5"),
    ]);
    const lifted = await diagnoseText(both);

    expect(lifted.providers.gmail?.status).toBe("ok");
    expect(lifted.providers.gmail?.pastBlock?.deliveredAfter).toBe(50);
  });

  test("Exim: session rejection keeps named block", async () => {
    // 203.0.113.5 recovers, then a session line without `I=`, which may concern it too.
    const recovered = [
      ...REJECTIONS_FROM_5,
      ...eximSeries(10, 25, 7, "sent", "203.0.113.5"),
      ...eximSeries(200, 25, 7, "sent", "203.0.113.6"),
    ];
    const before = await diagnoseText(eximLog(recovered));

    expect(before.providers.gmail?.status).toBe("ok");

    const log = eximLog([...recovered, ...eximSeries(190, 1, 1, "session", null)]);
    const diagnosis = await diagnoseText(log);

    expect(diagnosis.providers.gmail?.status).toBe("blocked");
    expect(diagnosis.providers.gmail?.pastBlock).toBeNull();
  });

  test("Exim: block without interface", async () => {
    // A line without `I=` concerned the host as a whole, so any of its interfaces lifts it.
    const log = eximLog([
      ...eximSeries(0, 5, 1, "rejected", null),
      ...eximSeries(10, 25, 7, "sent", "203.0.113.6"),
    ]);
    const diagnosis = await diagnoseText(log);

    expect(diagnosis.providers.gmail?.status).toBe("ok");
    expect(diagnosis.providers.gmail?.pastBlock?.deliveredAfter).toBe(25);
  });

  test("Postfix: other instance keeps block", async () => {
    const log = postfixLog([
      ...postfixSeries(0, 5, 1, "postfix-out1/smtp", "rejected"),
      ...postfixSeries(10, 25, 7, "postfix-out2/smtp", "sent"),
    ]);
    const diagnosis = await diagnoseText(log);

    expect(diagnosis.providers.gmail?.status).toBe("blocked");
    expect(diagnosis.providers.gmail?.pastBlock).toBeNull();
    expect(diagnosis.verdict.status).toBe("blocked");
  });

  test("Postfix: same instance lifts block", async () => {
    const log = postfixLog([
      ...postfixSeries(0, 5, 1, "postfix-out1/smtp", "rejected"),
      ...postfixSeries(10, 25, 7, "postfix-out1/smtp", "sent"),
    ]);
    const diagnosis = await diagnoseText(log);

    expect(diagnosis.providers.gmail?.status).toBe("ok");
    expect(diagnosis.providers.gmail?.pastBlock?.deliveredAfter).toBe(25);
  });

  test("Postfix: transport syslog_name keeps block", async () => {
    // `smtp` blocked; a master.cf transport with `-o syslog_name=postfix-ip2` delivers.
    const log = postfixLog([
      ...postfixSeries(0, 5, 1, "postfix/smtp", "rejected"),
      ...postfixSeries(10, 25, 7, "postfix-ip2/smtp", "sent"),
    ]);
    const blocked = await diagnoseText(log);

    expect(blocked.providers.gmail?.status).toBe("blocked");
    expect(blocked.providers.gmail?.pastBlock).toBeNull();

    const sameTag = postfixLog([
      ...postfixSeries(0, 5, 1, "postfix/smtp", "rejected"),
      ...postfixSeries(10, 25, 7, "postfix/smtp", "sent"),
    ]);
    const lifted = await diagnoseText(sameTag);

    expect(lifted.providers.gmail?.status).toBe("ok");
  });

  test("Postfix: IPv4 keeps IPv6 block", async () => {
    const log = postfixLog([
      ...postfixSeries(0, 5, 1, "postfix/smtp", "rejected"),
      ...postfixSeries(10, 25, 7, "postfix/smtp", "sent"),
    ]);
    const diagnosis = await diagnoseText(overIpv6(log, 10));

    expect(diagnosis.providers.gmail?.sent).toBe(25);
    expect(diagnosis.providers.gmail?.status).toBe("blocked");
    expect(diagnosis.providers.gmail?.pastBlock).toBeNull();
    expect(diagnosis.verdict.status).toBe("blocked");
  });

  test("Postfix: IPv6 lifts IPv6 block", async () => {
    const log = postfixLog([
      ...postfixSeries(0, 5, 1, "postfix/smtp", "rejected"),
      ...postfixSeries(10, 25, 7, "postfix/smtp", "sent"),
    ]);
    const diagnosis = await diagnoseText(overIpv6(log, 1000));

    expect(diagnosis.providers.gmail?.status).toBe("ok");
    expect(diagnosis.providers.gmail?.pastBlock?.deliveredAfter).toBe(25);
  });
});
