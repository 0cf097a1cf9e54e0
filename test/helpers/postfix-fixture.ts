import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * Builds small Postfix logs for tests: RFC 3339 timestamps in UTC, example names only,
 * real provider MX names where delist needs them. Lines are kept in time order.
 */
export class PostfixLog {
  private readonly lines: Array<{ time: number; text: string }> = [];
  private queueCounter = 0x10000;
  private pid = 1000;

  constructor(private readonly host = "mail") {}

  /** A message submitted over SMTP AUTH and its delivery attempts. */
  submit(options: {
    time: number;
    account: string;
    clientIp: string;
    recipients: Array<{ address: string; outcome?: Outcome }>;
    /** The envelope sender, when it is not the account name. */
    from?: string;
  }): string {
    const id = this.nextId();
    const { time } = options;
    this.add(
      time,
      "postfix/submission/smtpd",
      `${id}: client=unknown[${options.clientIp}], sasl_method=PLAIN, sasl_username=${options.account}`,
    );
    this.add(time, "postfix/cleanup", `${id}: message-id=<${id}@example.com>`);
    this.add(
      time,
      "postfix/qmgr",
      `${id}: from=<${options.from ?? options.account}>, size=2000, nrcpt=${options.recipients.length} (queue active)`,
    );
    this.deliver(id, time + 1000, options.recipients);
    return id;
  }

  /**
   * A message relayed without SMTP AUTH from a client that the server trusts by address, as
   * Postfix's `mynetworks` allows, so that the log names no account.
   */
  relay(options: {
    time: number;
    clientIp: string;
    /** The client's host name as smtpd logs it; `unknown` by default. */
    clientHost?: string;
    from: string;
    recipients: Array<{ address: string; outcome?: Outcome }>;
  }): string {
    const id = this.nextId();
    const { time } = options;
    const client = `${options.clientHost ?? "unknown"}[${options.clientIp}]`;
    this.add(time, "postfix/smtpd", `${id}: client=${client}`);
    this.add(time, "postfix/cleanup", `${id}: message-id=<${id}@example.com>`);
    this.add(
      time,
      "postfix/qmgr",
      `${id}: from=<${options.from}>, size=2000, nrcpt=${options.recipients.length} (queue active)`,
    );
    this.deliver(id, time + 1000, options.recipients);
    return id;
  }

  /** A message submitted locally (`pickup`), as PHP's mail() does, optionally with its script. */
  pickup(options: {
    time: number;
    uid: number;
    user: string;
    script?: string;
    recipients: Array<{ address: string; outcome?: Outcome }>;
  }): string {
    const id = this.nextId();
    const { time } = options;
    this.add(time, "postfix/pickup", `${id}: uid=${options.uid} from=<${options.user}>`);
    this.add(time, "postfix/cleanup", `${id}: message-id=<${id}@example.com>`);
    if (options.script !== undefined) {
      this.add(
        time,
        "postfix/cleanup",
        `${id}: warning: header X-PHP-Originating-Script: ${options.uid}:${options.script} from local; from=<${options.user}@example.com> to=<${options.recipients[0]?.address ?? ""}>`,
      );
    }
    this.add(
      time,
      "postfix/qmgr",
      `${id}: from=<${options.user}@example.com>, size=1500, nrcpt=${options.recipients.length} (queue active)`,
    );
    this.deliver(id, time + 1000, options.recipients);
    return id;
  }

  /**
   * Adds one message an hour from T0, submitted by alice@example.com from 198.51.100.10 to one
   * recipient each. The defaults are 24 hours, `friend<hour>@gmail.com` and delivered mail.
   */
  submitHourly(
    options: {
      hours?: number;
      recipient?: (hour: number) => string;
      outcome?: Outcome;
    } = {},
  ): this {
    const { hours = 24, recipient = (hour) => `friend${hour}@gmail.com`, outcome = SENT } = options;
    for (let hour = 0; hour < hours; hour++) {
      this.submit({
        time: T0 + hour * HOUR,
        account: "alice@example.com",
        clientIp: "198.51.100.10",
        recipients: [{ address: recipient(hour), outcome }],
      });
    }
    return this;
  }

  /** A failed SMTP AUTH login, as smtpd logs it. */
  authFailure(time: number, clientIp: string, username?: string): void {
    const who = username === undefined ? "" : `, sasl_username=${username}`;
    this.add(
      time,
      "postfix/submission/smtpd",
      `warning: unknown[${clientIp}]: SASL LOGIN authentication failed: authentication failure${who}`,
    );
  }

  /** Adds a Dovecot IMAP login line, as Dovecot writes it through syslog. */
  dovecotLogin(time: number, account: string, clientIp: string): void {
    this.add(
      time,
      "dovecot",
      `imap-login: Login: user=<${account}>, method=PLAIN, rip=${clientIp}, lip=192.0.2.1, TLS`,
    );
  }

  /** Any raw line, for garbage and edge cases. */
  raw(time: number, text: string): void {
    this.lines.push({ time, text });
  }

  /** Returns the log text, lines sorted by time. */
  text(): string {
    return `${[...this.lines]
      .sort((a, b) => a.time - b.time)
      .map((line) => line.text)
      .join("\n")}\n`;
  }

  private deliver(
    id: string,
    time: number,
    recipients: Array<{ address: string; outcome?: Outcome }>,
  ): void {
    for (const { address, outcome = SENT } of recipients) {
      const relay = relayFor(address);
      const result =
        outcome.status === "sent"
          ? "250 2.0.0 OK"
          : `host ${relay.host}[${relay.ip}] said: ${outcome.reply} (in reply to end of DATA command)`;
      this.add(
        time,
        "postfix/smtp",
        `${id}: to=<${address}>, relay=${relay.host}[${relay.ip}]:25, delay=1, delays=0.1/0/0.4/0.5, dsn=${outcome.dsn}, status=${outcome.status} (${result})`,
      );
    }
    this.add(time + 1000, "postfix/qmgr", `${id}: removed`);
  }

  private add(time: number, program: string, message: string): void {
    this.pid += 1;
    const stamp = new Date(time).toISOString().replace("Z", "+00:00");
    this.lines.push({ time, text: `${stamp} ${this.host} ${program}[${this.pid}]: ${message}` });
  }

  private nextId(): string {
    this.queueCounter += 7;
    return this.queueCounter.toString(16).toUpperCase().padStart(10, "0");
  }
}

/** The result of one delivery attempt. */
export interface Outcome {
  readonly status: "sent" | "deferred" | "bounced";
  readonly dsn: string;
  readonly reply: string;
}

export const SENT: Outcome = { status: "sent", dsn: "2.0.0", reply: "250 2.0.0 OK" };

export const GMAIL_RATE_LIMIT: Outcome = {
  status: "deferred",
  dsn: "4.7.28",
  reply:
    "421-4.7.28 [203.0.113.10      15] Gmail has detected an unusual rate of unsolicited mail originating 421-4.7.28 from your IP address. To protect our users from spam, mail sent from 421-4.7.28 your IP address has been temporarily rate limited. 421 4.7.28 https://support.google.com/mail/?p=UnsolicitedRateLimitError a1si2 - gsmtp",
};

export const GMAIL_UNSOLICITED: Outcome = {
  status: "bounced",
  dsn: "5.7.1",
  reply:
    "550-5.7.1 [203.0.113.10      12] Gmail has detected that this message is likely 550-5.7.1 unsolicited mail. To reduce the amount of spam sent to Gmail, this message 550 5.7.1 has been blocked. b2si3 - gsmtp",
};

export const GMAIL_NO_SUCH_USER: Outcome = {
  status: "bounced",
  dsn: "5.1.1",
  reply:
    "550-5.1.1 The email account that you tried to reach does not exist. Please try 550 5.1.1 double-checking the recipient's email address. c3si4 - gsmtp",
};

function relayFor(address: string): { host: string; ip: string } {
  if (address.endsWith("@gmail.com"))
    return { host: "gmail-smtp-in.l.google.com", ip: "192.0.2.27" };
  if (address.endsWith("@outlook.com"))
    return { host: "outlook-com.olc.protection.outlook.com", ip: "192.0.2.41" };
  if (address.endsWith("@gmx.net")) return { host: "mx00.emig.gmx.net", ip: "192.0.2.55" };
  if (address.endsWith("@yahoo.com")) return { host: "mta5.am0.yahoodns.net", ip: "192.0.2.61" };
  return { host: "mx.example.net", ip: "198.51.100.25" };
}

/** Writes `text` to a file in a fresh temporary folder; call the returned `remove` when done. */
export function writeTemporaryLog(
  text: string | Buffer,
  name = "mail.log",
): { path: string; remove: () => void } {
  const folder = mkdtempSync(join(tmpdir(), "delist-test-"));
  const path = join(folder, name);
  writeFileSync(path, text);
  return { path, remove: () => rmSync(folder, { recursive: true, force: true }) };
}

export const HOUR = 3_600_000;
export const T0 = Date.UTC(2024, 2, 4, 0, 0, 0);
