import type { Outcome, PostfixLog } from "./postfix-fixture.js";

/** The relay that `PostfixLog` uses for every domain that is not a named provider's. */
const OTHER_RELAY = "mx.example.net[198.51.100.25]:25";

export const GREYLISTED: Outcome = {
  status: "deferred",
  dsn: "4.2.0",
  reply:
    "450 4.2.0 <user@example.net>: Recipient address rejected: Greylisted, please try again later",
};

export const NO_SUCH_USER: Outcome = {
  status: "bounced",
  dsn: "5.1.1",
  reply:
    "550 5.1.1 <user@example.org>: Recipient address rejected: User unknown in virtual mailbox table",
};

/** A blocklist rejection, which counts as a block signal. */
export const BLOCKLISTED: Outcome = {
  status: "bounced",
  dsn: "5.7.1",
  reply: "554 5.7.1 Service unavailable; Client host [203.0.113.10] blocked using zen.spamhaus.org",
};

export const YAHOO_DEFERRAL: Outcome = {
  status: "deferred",
  dsn: "4.7.0",
  reply:
    "421 4.7.0 [TSS04] Messages from 203.0.113.10 temporarily deferred due to unexpected volume or user complaints - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes",
};

/** A recipient and the results of its attempts, one every ten minutes. */
export interface RetriedRecipient {
  readonly address: string;
  readonly outcomes: readonly Outcome[];
}

/**
 * Adds a message queued at `time` from alice@example.com whose recipients, all at domains that
 * are no named provider's, get one attempt every ten minutes, as Postfix logs retries from the
 * deferred queue. The message is removed after the last attempt.
 */
export function retriedMessage(
  log: PostfixLog,
  id: string,
  time: number,
  recipients: readonly RetriedRecipient[],
): void {
  log.raw(
    time,
    line(
      time,
      "postfix/qmgr",
      `${id}: from=<alice@example.com>, size=2000, nrcpt=${recipients.length} (queue active)`,
    ),
  );
  let last = time;
  for (const { address, outcomes } of recipients) {
    outcomes.forEach((outcome, index) => {
      const at = time + 1000 + index * RETRY_MS;
      last = Math.max(last, at);
      log.raw(at, line(at, "postfix/smtp", attemptText(id, address, outcome)));
    });
  }
  log.raw(last + 1000, line(last + 1000, "postfix/qmgr", `${id}: removed`));
}

const RETRY_MS = 600_000;

function attemptText(id: string, address: string, outcome: Outcome): string {
  const result =
    outcome.status === "sent"
      ? outcome.reply
      : `host mx.example.net[198.51.100.25] said: ${outcome.reply} (in reply to RCPT TO command)`;
  return (
    `${id}: to=<${address}>, relay=${OTHER_RELAY}, delay=600, delays=599/0/0.4/0.5, ` +
    `dsn=${outcome.dsn}, status=${outcome.status} (${result})`
  );
}

function line(time: number, program: string, message: string): string {
  const stamp = new Date(time).toISOString().replace("Z", "+00:00");
  return `${stamp} mail ${program}[4242]: ${message}`;
}
