import type { AuthFailureEvent, EventSink, LoginEvent } from "../events.js";
import { positionOf, type LogRecord, type ParseOutcome, type RecordParser } from "../record.js";

/**
 * Creates the parser for Dovecot's mailbox logins and authentication failures, the
 * context for a compromised account:
 *
 * - `imap-login: Login: user=<alice@example.com>, method=PLAIN, rip=198.51.100.7, …`
 *   (Dovecot 2.4 writes `Logged in:`) as `login`
 * - `imap-login: Disconnected (auth failed, 2 attempts in 6 secs): user=<…>, rip=…` and
 *   the other `(auth failed, …)` variants as one `auth-failure` per attempt
 *
 * In Dovecot 2.x a login process writes its `(auth failed, …)` line for every IMAP, POP3,
 * submission and ManageSieve session with failed attempts. With `auth_verbose = yes` the auth
 * process also writes passdb lines for each attempt, such as `auth:
 * passwd-file(alice@example.com,198.51.100.10): Password mismatch` or `pam(…): unknown user`.
 * Those lines repeat attempts that another line already counts. For a mailbox login it is the
 * login process line. For SMTP AUTH through Dovecot it is the MTA's own line (Postfix `SASL
 * LOGIN authentication failed`, Exim `authenticator failed`). So passdb lines are ignored,
 * like everything else of Dovecot.
 */
export function createDovecotParser(sink: EventSink): RecordParser {
  return {
    accepts: isDovecotProgram,
    parse: (record) => parseDovecot(record, sink),
    finish: () => undefined,
  };
}

/** True for the syslog programs of Dovecot's own lines: `dovecot`, `dovecot/…` and `*-login`. */
export function isDovecotProgram(program: string): boolean {
  return program === "dovecot" || program.startsWith("dovecot/") || program.endsWith("-login");
}

const LOGIN_MARKERS = ["Login: ", "Logged in: "];
const AUTH_FAILED = "(auth failed";

/**
 * Maximum number of failures counted from one login process line. It bounds the events that a
 * damaged or forged count can emit, and attempts beyond it are not counted.
 */
const MAX_ATTEMPTS_PER_LINE = 100;

function parseDovecot(record: LogRecord, sink: EventSink): ParseOutcome {
  const text = record.message;
  const login = loginProcess(record);
  if (login === null) return "ignored";
  if (text.includes(AUTH_FAILED)) return emitFailures(record, sink);
  if (LOGIN_MARKERS.some((marker) => text.includes(marker))) return emitLogin(record, login, sink);
  return "ignored";
}

/** Returns the protocol of a `*-login` process line (`imap`, `pop3`, `submission`), or null. */
function loginProcess(record: LogRecord): string | null {
  if (record.program.endsWith("-login")) return record.program.slice(0, -6).replace(/^.*\//, "");
  const end = record.message.indexOf("-login: ");
  if (end <= 0 || record.message.lastIndexOf(" ", end) >= 0) return null;
  return record.message.slice(0, end);
}

function emitLogin(record: LogRecord, protocol: string, sink: EventSink): ParseOutcome {
  const username = field(record.message, "user=<", ">");
  if (username === null || username === "") return "unparsed";
  const event: LoginEvent = {
    type: "login",
    time: record.time,
    position: positionOf(record),
    username,
    clientIp: field(record.message, "rip=", ","),
    protocol,
    mta: null,
  };
  sink(event);
  return "parsed";
}

function emitFailures(record: LogRecord, sink: EventSink): ParseOutcome {
  const username = field(record.message, "user=<", ">");
  const clientIp = field(record.message, "rip=", ",");
  const attempts = Math.min(attemptsOf(record.message), MAX_ATTEMPTS_PER_LINE);
  for (let attempt = 0; attempt < attempts; attempt++) {
    const event: AuthFailureEvent = {
      type: "auth-failure",
      time: record.time,
      position: positionOf(record),
      clientIp,
      username: username === "" ? null : username,
      program: record.program,
      mta: null,
    };
    sink(event);
  }
  return "parsed";
}

/**
 * Reads the failed attempts of a session, `N` of `(auth failed, N attempts in S secs)`, or 1
 * when the line gives no count.
 */
function attemptsOf(text: string): number {
  const at = text.indexOf(AUTH_FAILED) + AUTH_FAILED.length;
  const match = /^, (\d+) attempts?\b/.exec(text.slice(at, at + 32));
  const attempts = match?.[1] === undefined ? 1 : Number(match[1]);
  return attempts > 0 ? attempts : 1;
}

/** Returns the text between `key` and `end` (or the end of the text), or null. */
function field(text: string, key: string, end: string): string | null {
  const at = text.indexOf(key);
  if (at < 0) return null;
  const stop = text.indexOf(end, at + key.length);
  return text.slice(at + key.length, stop < 0 ? text.length : stop);
}
