/**
 * Builds Sendmail maillogs in which each SMTP session logs its `AUTH=server` line without a
 * queue id, as Sendmail does, before the `from=` lines of its messages.
 */

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;

/** 2026-03-03 08:00 UTC, the start of every log built here. */
export const LOG_START = Date.UTC(2026, 2, 3, 8);

/** One SMTP session: a login, then `count` messages `gapMs` apart, each to one recipient. */
interface Session {
  readonly time: number;
  readonly account: string;
  readonly clientIp: string;
  readonly count: number;
  readonly gapMs: number;
  readonly recipient: (index: number) => string;
  /** True when Gmail rejects every message of the session. */
  readonly rejected: boolean;
}

/** Options of `stolenLoginLog`. */
export interface StolenLoginOptions {
  /** Office accounts besides `anna@example.com`, each logging in from its own address. */
  readonly otherAccounts: readonly string[];
}

/**
 * Builds a log of three days of office mail, in which `anna@example.com` sends 12 messages an
 * hour from 192.0.2.20 in sessions of three. From 18:00 on 5 March, the account `sales` logs
 * in from 30 new addresses and sends 600 messages to Gmail, which rejects all of them.
 */
export function stolenLoginLog(options: StolenLoginOptions): string {
  const sessions: Session[] = [];
  for (let hour = 0; hour < 72; hour++) {
    for (let quarter = 0; quarter < 4; quarter++) {
      sessions.push({
        time: LOG_START + hour * HOUR_MS + quarter * 15 * MINUTE_MS,
        account: "anna@example.com",
        clientIp: "192.0.2.20",
        count: 3,
        gapMs: 20_000,
        recipient: (index) => `contact${hour}-${quarter}-${index}@example.net`,
        rejected: false,
      });
    }
    options.otherAccounts.forEach((account, number) => {
      sessions.push({
        time: LOG_START + hour * HOUR_MS + (5 + number) * MINUTE_MS,
        account,
        clientIp: `192.0.2.${30 + number}`,
        count: 1,
        gapMs: 0,
        recipient: () => `partner${hour}@example.org`,
        rejected: false,
      });
    });
  }

  const burstStart = LOG_START + 58 * HOUR_MS;
  for (let number = 0; number < 30; number++) {
    sessions.push({
      time: burstStart + number * 8 * MINUTE_MS,
      account: "sales",
      clientIp: `198.51.100.${100 + number}`,
      count: 20,
      gapMs: 20_000,
      recipient: (index) => `target${number}-${index}@gmail.com`,
      rejected: true,
    });
  }
  return render(sessions);
}

/** Writes the sessions' lines in time order. Each session gets its own process id. */
function render(sessions: readonly Session[]): string {
  const lines: [number, string][] = [];
  let messageNumber = 0;
  sessions.forEach((session, sessionNumber) => {
    const pid = 2000 + sessionNumber;
    const relay = `[${session.clientIp}]`;
    const login = `AUTH=server, relay=${relay}, authid=${session.account}, mech=PLAIN, bits=0`;
    lines.push([session.time, `sendmail[${pid}]: ${login}`]);

    for (let index = 0; index < session.count; index++) {
      messageNumber += 1;
      const time = session.time + 1000 + index * session.gapMs;
      const queueId = `q2${String(messageNumber).padStart(6, "0")}${String(pid).padStart(6, "0")}`;
      const sender = session.account.includes("@")
        ? session.account
        : `${session.account}@example.com`;
      lines.push([
        time,
        `sendmail[${pid}]: ${queueId}: from=<${sender}>, size=4100, class=0, nrcpts=1, msgid=<${queueId}@example.com>, proto=ESMTPSA, daemon=MSA, relay=${relay}`,
      ]);
      const outcome = session.rejected
        ? "relay=gmail-smtp-in.l.google.com. [192.0.2.27], dsn=5.7.1, stat=Service unavailable"
        : "relay=mx.example.net. [198.51.100.30], dsn=2.0.0, stat=Sent (ok)";
      lines.push([
        time + 1000,
        `sendmail[${pid + 30_000}]: ${queueId}: to=<${session.recipient(index)}>, delay=00:00:01, xdelay=00:00:01, mailer=esmtp, pri=124100, ${outcome}`,
      ]);
    }
  });

  lines.sort((a, b) => a[0] - b[0]);
  return lines.map(([time, text]) => `${syslogStamp(time)} mx2 ${text}\n`).join("");
}

function syslogStamp(time: number): string {
  const date = new Date(time);
  const day = String(date.getUTCDate()).padStart(2, " ");
  return `${MONTHS[date.getUTCMonth()] ?? ""} ${day} ${date.toISOString().slice(11, 19)}`;
}
