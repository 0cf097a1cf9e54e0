import { describe, expect, test } from "vitest";
import type { Diagnosis } from "../../src/diagnose/types.js";
import { diagnoseText } from "../helpers/diagnose-text.js";

const QUOTA_REPLY = "451 4.7.1 Sending quota exceeded for this account";

/** A relay host as the logs name it. */
interface RelayHost {
  readonly host: string;
  readonly ip: string;
}

const RELAY: RelayHost = { host: "smtp.relay.example.net", ip: "192.0.2.50" };
const OTHER_RELAY: RelayHost = { host: "smtp.other-relay.example.org", ip: "192.0.2.60" };

/** Returns the relay host of message `index` and whether that relay host defers it. */
function routeOf(index: number): { relay: RelayHost; deferred: boolean } {
  if (index % 4 === 3) return { relay: OTHER_RELAY, deferred: false };
  return { relay: RELAY, deferred: index >= 20 };
}

/** Formats minute `minute` after 08:00 on 2026-03-09 as hours, minutes and seconds. */
function clock(minute: number): string {
  const hour = String(8 + Math.floor(minute / 60)).padStart(2, "0");
  return `${hour}:${String(minute % 60).padStart(2, "0")}:00`;
}

/**
 * Writes a Postfix log of 40 messages to gmail.com, one every 5 minutes. Three of every four
 * go to `RELAY` on port 587, which defers them from message 20 on, and the fourth goes to
 * `OTHER_RELAY` on port 587.
 */
function postfixLog(): string {
  const lines: string[] = [];
  for (let index = 0; index < 40; index++) {
    const stamp = `2026-03-09T${clock(index * 5)}+00:00`;
    const id = `4A${String(index).padStart(8, "0")}`;
    const { relay, deferred } = routeOf(index);
    const to = `to=<friend${index}@gmail.com>, relay=${relay.host}[${relay.ip}]:587, delay=1, delays=0.1/0/0.4/0.5`;
    lines.push(
      `${stamp} mx1 postfix/qmgr[900]: ${id}: from=<alice@example.com>, size=1000, nrcpt=1 (queue active)`,
      deferred
        ? `${stamp} mx1 postfix/smtp[901]: ${id}: ${to}, dsn=4.7.1, status=deferred (host ${relay.host}[${relay.ip}] said: ${QUOTA_REPLY} (in reply to MAIL FROM command))`
        : `${stamp} mx1 postfix/smtp[901]: ${id}: ${to}, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as ABC)`,
    );
  }
  return `${lines.join("\n")}\n`;
}

/**
 * Writes an Exim main log of the same mail as `postfixLog`, with `+outgoing_port` in
 * `log_selector`, so that `H=` ends with the port.
 */
function eximLog(): string {
  const lines: string[] = [];
  for (let index = 0; index < 40; index++) {
    const time = `2026-03-09 ${clock(index * 5)}`;
    const id = `1tJ${String(index).padStart(3, "0")}-000000-JJ`;
    const { relay, deferred } = routeOf(index);
    const route = `R=smarthost T=remote_smtp_smarthost`;
    const host = `H=${relay.host} [${relay.ip}]:587`;
    lines.push(
      `${time} ${id} <= alice@example.com H=(pc) [198.51.100.30]:40000 P=esmtpsa A=dovecot_plain:alice@example.com S=1000`,
      deferred
        ? `${time} ${id} == friend${index}@gmail.com ${route} defer (-44) ${host}: SMTP error from remote mail server after MAIL FROM:<alice@example.com>: ${QUOTA_REPLY}`
        : `${time} ${id} => friend${index}@gmail.com ${route} ${host} C="250 OK"`,
    );
  }
  return `${lines.join("\n")}\n`;
}

/**
 * Writes a Sendmail log of the same mail as `postfixLog`, sent with the `relay` mailer to a
 * `SMART_HOST` given in brackets, which Sendmail logs as `relay=[name] [ip]` without the port.
 */
function sendmailLog(): string {
  const lines: string[] = [];
  for (let index = 0; index < 40; index++) {
    const time = `Mar  9 ${clock(index * 5)}`;
    const id = `62B${String(index).padStart(6, "0")}x1`;
    const { relay, deferred } = routeOf(index);
    const to = `to=<friend${index}@gmail.com>, delay=00:00:01, xdelay=00:00:01, mailer=relay, pri=121000, relay=[${relay.host}] [${relay.ip}]`;
    lines.push(
      `${time} mx1 sm-mta[4001]: ${id}: from=<alice@example.com>, size=1000, class=0, nrcpts=1, msgid=<${id}@example.com>, proto=ESMTPSA, daemon=MTA-MSA, relay=pc.example.com [198.51.100.30]`,
      deferred
        ? `${time} mx1 sm-mta[4002]: ${id}: ${to}, dsn=4.7.1, stat=Deferred: ${QUOTA_REPLY}`
        : `${time} mx1 sm-mta[4002]: ${id}: ${to}, dsn=2.0.0, stat=Sent (Ok: queued as ABC)`,
    );
  }
  return `${lines.join("\n")}\n`;
}

/** Returns the relay host rows of a diagnosis by key, each with its label and counts. */
function relayRows(diagnosis: Diagnosis): Record<string, [string | null, number, number]> {
  return Object.fromEntries(
    Object.entries(diagnosis.providers).flatMap(([key, verdict]) =>
      verdict === undefined || verdict.relayHost === null
        ? []
        : [[key, [verdict.relayHost, verdict.sent, verdict.deferred]]],
    ),
  );
}

describe("relay host labels of each MTA", () => {
  test.each([
    ["Postfix", postfixLog],
    ["Exim", eximLog],
  ])("%s names host and port", async (_mta, log) => {
    const diagnosis = await diagnoseText(log(), { year: 2026 });

    expect(relayRows(diagnosis)).toEqual({
      "relay-host": ["smtp.relay.example.net:587", 15, 15],
      "relay-host:smtp.other-relay.example.org:587": ["smtp.other-relay.example.org:587", 10, 0],
    });
    expect(diagnosis.providers["relay-host"]?.name).toBe("relay host smtp.relay.example.net:587");
    expect(diagnosis.verdict.summary).toContain("relay host smtp.relay.example.net:587");
  });

  test("Sendmail names the bracketed host", async () => {
    const diagnosis = await diagnoseText(sendmailLog(), { year: 2026 });

    // Sendmail's `relay=` names no port, so the label is the host name alone.
    expect(relayRows(diagnosis)).toEqual({
      "relay-host": ["smtp.relay.example.net", 15, 15],
      "relay-host:smtp.other-relay.example.org": ["smtp.other-relay.example.org", 10, 0],
    });
    expect(diagnosis.verdict.summary).toContain("relay host smtp.relay.example.net");
    expect(diagnosis.verdict.summary).not.toContain("192.0.2.50");
  });
});
