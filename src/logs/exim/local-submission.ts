import type { LogRecord } from "../record.js";

/** The working directory and command line of a process that called Exim. */
export interface Caller {
  readonly workingDirectory: string;
  readonly command: string;
  readonly time: number;
}

/** How long a `cwd=` line of a logged pid waits for its arrival: one hour of log time, in ms. */
const PID_WAIT_MS = 60 * 60 * 1000;

/** Upper bound on `cwd=` lines without pid waiting at once, so junk input stays cheap. */
const MAX_WAITING = 64;

/**
 * Pairs `cwd=… N args: …` lines (`log_selector = +arguments`, on by default on cPanel) with
 * the local arrival they precede. Exim writes the line when a process starts, so the process
 * that runs `/usr/sbin/sendmail -t -i` for a PHP script logs its directory before its `<=`.
 * With `+pid` the arrival must come from the same pid. Without it, the next local arrival in
 * the same second takes the oldest waiting line. That is right unless two scripts submit in
 * the same second and finish in the opposite order.
 */
export class CallerTracker {
  private readonly byPid = new Map<number, Caller>();
  private withoutPid: Caller[] = [];

  /** Reads a `cwd=` line (the record's message); returns false when it does not parse. */
  note(record: LogRecord): boolean {
    const caller = parseCwdLine(record.message, record.time);
    if (caller === null) return false;
    if (isEximItself(caller)) return true;

    if (record.pid !== null) {
      this.byPid.set(record.pid, caller);
    } else {
      if (this.withoutPid.length >= MAX_WAITING) this.withoutPid.shift();
      this.withoutPid.push(caller);
    }
    return true;
  }

  /** Returns and removes the caller of a local arrival, or null when none is waiting. */
  claim(record: LogRecord): Caller | null {
    if (record.pid !== null) {
      const caller = this.byPid.get(record.pid);
      if (caller === undefined) return null;
      this.byPid.delete(record.pid);
      return record.time - caller.time <= PID_WAIT_MS ? caller : null;
    }

    const second = Math.floor(record.time / 1000);
    while (this.withoutPid.length > 0) {
      const caller = this.withoutPid.shift();
      if (caller !== undefined && Math.floor(caller.time / 1000) === second) return caller;
    }
    return null;
  }

  /** Drops callers that waited longer than an hour of log time for their arrival. */
  sweep(time: number): void {
    for (const [pid, caller] of this.byPid) {
      if (time - caller.time > PID_WAIT_MS) this.byPid.delete(pid);
    }
    this.withoutPid = this.withoutPid.filter((caller) => time - caller.time <= PID_WAIT_MS);
  }

  clear(): void {
    this.byPid.clear();
    this.withoutPid = [];
  }
}

/**
 * Parses `cwd=/home/acct/public_html 3 args: /usr/sbin/sendmail -t -i`. The directory may
 * contain spaces, so the argument count before ` args: ` ends it.
 */
export function parseCwdLine(message: string, time: number): Caller | null {
  const args = message.indexOf(" args: ");
  if (!message.startsWith("cwd=") || args < 0) return null;
  const countStart = message.lastIndexOf(" ", args - 1);
  if (countStart < 4 || !isDigits(message, countStart + 1, args)) return null;

  return {
    workingDirectory: message.slice(4, countStart),
    command: message.slice(args + 7),
    time,
  };
}

// Exim's own processes: queue runners (`-q…`), the daemon (`-bd`), deliveries (`-Mc`), and
// processes started in the spool directory, such as those that send the bounces Exim makes.
function isEximItself(caller: Caller): boolean {
  const command = caller.command;
  return (
    caller.workingDirectory.startsWith("/var/spool/exim") ||
    command.includes(" -q") ||
    command.includes(" -bd") ||
    command.includes(" -M")
  );
}

function isDigits(text: string, start: number, end: number): boolean {
  if (end <= start) return false;
  for (let i = start; i < end; i++) {
    const code = text.charCodeAt(i);
    if (code < 48 || code > 57) return false;
  }
  return true;
}
