import { HOUR, PostfixLog, T0, type Outcome } from "./postfix-fixture.js";

/** Gmail's MX as the Exim lines name it. */
const GMAIL_MX = "H=gmail-smtp-in.l.google.com [192.0.2.27]";

/**
 * Builds the Exim main log lines of one host as syslog writes them: an RFC 3339 syslog stamp,
 * the host name and `exim[pid]:`, then Exim's own stamp, message id and text. Every recipient
 * is at Gmail.
 */
export class EximSyslogLog {
  private readonly lines: Array<{ time: number; text: string }> = [];
  private counter = 0;

  constructor(private readonly host = "mx1") {}

  /** A message submitted over SMTP AUTH as `account`, with one delivery attempt. */
  submit(options: {
    time: number;
    account: string;
    clientIp: string;
    recipient: string;
    outcome: Outcome;
  }): void {
    const id = this.nextId();
    const { time, account } = options;
    this.add(
      time,
      `${id} <= ${account}@example.com H=(pc) [${options.clientIp}]:41000 P=esmtpsa A=dovecot_login:${account} S=2000 id=${id}@example.com`,
    );
    this.deliver(time + 1000, id, options.recipient, options.outcome);
  }

  /**
   * A message that a program in `directory` running as `user` submitted with
   * `/usr/sbin/sendmail`, as Exim logs it with `log_selector = +arguments`.
   */
  localSubmission(options: {
    time: number;
    directory: string;
    user: string;
    sender: string;
    recipient: string;
    outcome: Outcome;
  }): void {
    const id = this.nextId();
    const { time } = options;
    this.add(time, `cwd=${options.directory} 3 args: /usr/sbin/sendmail -t -i`);
    this.add(
      time,
      `${id} <= ${options.sender} U=${options.user} P=local S=4000 id=${id}@example.com`,
    );
    this.deliver(time + 1000, id, options.recipient, options.outcome);
  }

  /** Returns the lines with their times, for `mergeLogs`. */
  entries(): ReadonlyArray<{ time: number; text: string }> {
    return this.lines;
  }

  private deliver(time: number, id: string, recipient: string, outcome: Outcome): void {
    const reply = `SMTP error from remote mail server after end of data: ${outcome.reply}`;
    if (outcome.status === "sent") {
      this.add(
        time,
        `${id} => ${recipient} R=dnslookup T=remote_smtp ${GMAIL_MX} C="250 2.0.0 OK"`,
      );
    } else if (outcome.status === "deferred") {
      this.add(
        time,
        `${id} == ${recipient} R=dnslookup T=remote_smtp defer (-45) ${GMAIL_MX}: ${reply}`,
      );
      return;
    } else {
      this.add(time, `${id} ** ${recipient} R=dnslookup T=remote_smtp ${GMAIL_MX}: ${reply}`);
    }
    this.add(time, `${id} Completed`);
  }

  private add(time: number, text: string): void {
    const syslogStamp = new Date(time).toISOString().replace(".000Z", "+00:00");
    const eximStamp = new Date(time).toISOString().slice(0, 19).replace("T", " ");
    const pid = 3000 + this.counter;
    this.lines.push({
      time,
      text: `${syslogStamp} ${this.host} exim[${pid}]: ${eximStamp} ${text}`,
    });
  }

  private nextId(): string {
    this.counter += 1;
    return `1rh${String(this.counter).padStart(3, "0")}-${String(this.counter).padStart(6, "0")}-AB`;
  }
}

/** Merges Postfix and Exim logs with RFC 3339 stamps into one text, in time order. */
export function mergeLogs(postfix: PostfixLog, exim: EximSyslogLog): string {
  const lines = [
    ...postfix.text().trimEnd().split("\n"),
    ...exim.entries().map((entry) => entry.text),
  ];
  lines.sort((a, b) => a.slice(0, 25).localeCompare(b.slice(0, 25)));
  return `${lines.join("\n")}\n`;
}

/**
 * Sends the usual mail of both hosts from T0 for `hours` hours, all of it delivered to Gmail.
 * Account carol on Exim host mx1 sends one message at the start of each hour, and account
 * dave@example.com on Postfix host mx2 one at half past. Each uses its usual client address.
 */
export function usualMail(postfix: PostfixLog, exim: EximSyslogLog, hours: number): void {
  for (let hour = 0; hour < hours; hour++) {
    const time = T0 + hour * HOUR;
    exim.submit({
      time,
      account: "carol",
      clientIp: "198.51.100.40",
      recipient: `pal${hour}@gmail.com`,
      outcome: { status: "sent", dsn: "2.0.0", reply: "250 2.0.0 OK" },
    });
    postfix.submit({
      time: time + 30 * 60_000,
      account: "dave@example.com",
      clientIp: "198.51.100.50",
      recipients: [{ address: `bud${hour}@gmail.com` }],
    });
  }
}
