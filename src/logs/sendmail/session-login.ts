import { tableKey } from "../exim/message-table.js";
import type { LogRecord } from "../record.js";

/**
 * SMTP AUTH logins that Sendmail logs before the message has a queue id. When the client
 * authenticates, the SMTP server process writes `AUTH=server, relay=…, authid=anna, mech=PLAIN,
 * bits=0` with no id (sendmail 8's srvrsmtp.c passes `NOQID`, at LogLevel 9 and above). The
 * `from=` line of each message of that session follows from the same process. So the login is
 * kept per session, keyed by host and process id, and given to every message that process
 * receives until the session ends.
 */

/**
 * How long a login is kept without a line of its process: 1 hour, in ms. Sendmail closes
 * a session after `Timeout.command` (1 hour by default) without a command, so a longer gap
 * means the process id now serves another session.
 */
export const SESSION_IDLE_LIMIT_MS = 60 * 60 * 1000;

/**
 * Default maximum number of sessions kept. The cap is a guess, far above the few hundred SMTP
 * sessions a busy server runs at once. One kept login takes about 310 bytes of heap (measured
 * on Node 20.20 with 100,000 logins of 20-character names), so 10,000 take about 3 MB.
 */
export const MAX_OPEN_SESSIONS = 10_000;

// Session lines that end the SMTP session of their process.
const SESSION_END_TEXT = [
  "did not issue MAIL/EXPN/VRFY/ETRN",
  "lost input channel",
  "timeout waiting for input",
];

/** The login of one SMTP session. */
interface SessionLogin {
  readonly account: string;
  /** Client address of the `AUTH=server` line; null when it had none. */
  readonly clientIp: string | null;
  /** Log time of the latest line of the session, in ms. */
  lastSeen: number;
}

/**
 * The logins of open SMTP sessions, by host and process id. Past `maxSessions` the least
 * recently active are evicted, and each new login first drops the logins idle for longer than
 * `SESSION_IDLE_LIMIT_MS`.
 */
export class SessionLogins {
  /** Sessions in order of their latest line, least recent first. */
  private readonly sessions = new Map<string, SessionLogin>();
  private evictedCount = 0;

  constructor(private readonly maxSessions: number = MAX_OPEN_SESSIONS) {}

  get size(): number {
    return this.sessions.size;
  }

  /** Number of sessions evicted for the cap, before their login timed out. */
  get evicted(): number {
    return this.evictedCount;
  }

  /**
   * Stores `account` as the login of the session that `record` belongs to, in place of an
   * earlier login of the same process. Returns false when the record has no process id,
   * because then its session cannot be identified.
   */
  open(record: LogRecord, account: string, clientIp: string | null): boolean {
    const key = sessionKey(record);
    if (key === null) return false;

    this.dropIdle(record.time);
    this.sessions.delete(key);
    this.sessions.set(key, { account, clientIp, lastSeen: record.time });
    this.dropOverCap();
    return true;
  }

  /**
   * Returns the login of the session that received the message of `record` (a `from=` line
   * from client `clientIp`), or null. A login from another client address, or one idle for
   * too long, belongs to an earlier session of a reused process id, so it is dropped and the
   * message gets null.
   */
  accountFor(record: LogRecord, clientIp: string | null): string | null {
    if (this.sessions.size === 0) return null;
    const key = sessionKey(record);
    const session = key === null ? undefined : this.sessions.get(key);
    if (key === null || session === undefined) return null;

    const idle = record.time - session.lastSeen > SESSION_IDLE_LIMIT_MS;
    const otherClient =
      session.clientIp !== null && clientIp !== null && session.clientIp !== clientIp;
    this.sessions.delete(key);
    if (idle || otherClient) return null;

    session.lastSeen = Math.max(session.lastSeen, record.time);
    this.sessions.set(key, session);
    return session.account;
  }

  /** Drops the login of the session that `record` belongs to. */
  close(record: LogRecord): void {
    const key = sessionKey(record);
    if (key !== null) this.sessions.delete(key);
  }

  clear(): void {
    this.sessions.clear();
  }

  // The map is in order of activity, so idle sessions are at its front.
  private dropIdle(time: number): void {
    for (const [key, session] of this.sessions) {
      if (time - session.lastSeen <= SESSION_IDLE_LIMIT_MS) return;
      this.sessions.delete(key);
    }
  }

  private dropOverCap(): void {
    for (const key of this.sessions.keys()) {
      if (this.sessions.size <= this.maxSessions) return;
      this.sessions.delete(key);
      this.evictedCount += 1;
    }
  }
}

/**
 * True when the text from `start` ends the SMTP session of its process: a client that left
 * without a message, a lost connection or a time-out.
 */
export function endsSession(text: string, start: number): boolean {
  return SESSION_END_TEXT.some((end) => text.includes(end, start));
}

function sessionKey(record: LogRecord): string | null {
  return record.pid === null ? null : tableKey(record.host, String(record.pid));
}
