import type { AuthFailureEvent, EventSink, LoginEvent } from "../events.js";
import type { LogRecord, ParseOutcome, RecordParser } from "../record.js";

/**
 * Creates the parser for Dovecot's mailbox logins and authentication failures, the
 * context for a compromised account:
 *
 * - `imap-login: Login: user=<alice@example.com>, method=PLAIN, rip=198.51.100.7, …`
 *   (Dovecot 2.4 writes `Logged in:`) as `login`
 * - `imap-login: Disconnected (auth failed, 1 attempts in 2 secs): user=<…>, rip=…` and
 *   the other `(auth failed, …)` variants as `auth-failure`
 * - `auth: passwd-file(alice@example.com,198.51.100.10): Password mismatch`, and the
 *   `pam(…)`, `sql(…)`, `ldap(…)` passdb lines with `Password mismatch`, `password
 *   mismatch?` or `unknown user`, as `auth-failure`
 *
 * Both sides of one failed login are logged (the passdb line and the login process line),
 * so one attempt can give two events. Everything else of Dovecot is ignored.
 */
export function createDovecotParser(sink: EventSink): RecordParser {
  return {
    accepts: isDovecotProgram,
    parse: (record) => parseDovecot(record, sink),
    finish: () => undefined,
  };
}

function isDovecotProgram(program: string): boolean {
  return program === "dovecot" || program.startsWith("dovecot/") || program.endsWith("-login");
}

const LOGIN_MARKERS = ["Login: ", "Logged in: "];
const PASSDB_FAILURES = ["Password mismatch", "password mismatch", "unknown user"];

function parseDovecot(record: LogRecord, sink: EventSink): ParseOutcome {
  const text = record.message;
  const login = loginProcess(record);
  if (login !== null) {
    if (LOGIN_MARKERS.some((marker) => text.includes(marker)) && !text.includes("(auth failed")) {
      return emitLogin(record, login, sink);
    }
    if (text.includes("(auth failed")) return emitFailure(record, field(text, "user=<", ">"), sink);
  }
  if (PASSDB_FAILURES.some((failure) => text.includes(failure))) {
    return emitPassdbFailure(record, sink);
  }
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
    position: { file: record.file, line: record.line },
    username,
    clientIp: field(record.message, "rip=", ","),
    protocol,
  };
  sink(event);
  return "parsed";
}

function emitFailure(record: LogRecord, username: string | null, sink: EventSink): ParseOutcome {
  const event: AuthFailureEvent = {
    type: "auth-failure",
    time: record.time,
    position: { file: record.file, line: record.line },
    clientIp: field(record.message, "rip=", ","),
    username: username === "" ? null : username,
    program: record.program,
  };
  sink(event);
  return "parsed";
}

/** `passwd-file(user,ip): Password mismatch`, `pam(user,ip,<session>): …`, `sql(…)` */
function emitPassdbFailure(record: LogRecord, sink: EventSink): ParseOutcome {
  const match = PASSDB.exec(record.message);
  if (match === null) return "ignored";
  const event: AuthFailureEvent = {
    type: "auth-failure",
    time: record.time,
    position: { file: record.file, line: record.line },
    clientIp: match[2] === undefined || match[2] === "" ? null : match[2],
    username: match[1] === undefined || match[1] === "" ? null : match[1],
    program: record.program,
  };
  sink(event);
  return "parsed";
}

// A passdb name, then `(user,ip` and optionally `,<session>`, then `): `.
const PASSDB =
  /\b(?:passwd-file|pam|sql|ldap|checkpassword|static|passwd|shadow|lua)\(([^,()]*),([^,()]*)(?:,[^()]*)?\): /;

/** Returns the text between `key` and `end` (or the end of the text), or null. */
function field(text: string, key: string, end: string): string | null {
  const at = text.indexOf(key);
  if (at < 0) return null;
  const stop = text.indexOf(end, at + key.length);
  return text.slice(at + key.length, stop < 0 ? text.length : stop);
}
