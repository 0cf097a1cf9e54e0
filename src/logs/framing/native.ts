/**
 * Line shapes without a syslog header: Exim's native main log, supervisor logs (poste.io's
 * s6-log, TAI64N labels) and Roundcube's log. Each reader returns what follows the stamp; the
 * framer builds the record.
 */
import { bracketedStampTime, tai64nAt } from "./stamps.js";
import { EXIM_PROGRAM } from "./tags.js";

/** Program of lines from a supervisor's logger whose payload names no program. */
export const SUPERVISED_PROGRAM = "s6-log";

/** Program of Roundcube log lines. */
export const ROUNDCUBE_PROGRAM = "roundcube";

// Haraka's log levels, which poste.io's s6 logs put right after the timestamp.
const HARAKA_LEVELS = new Set([
  "[PROTOCOL]",
  "[DATA]",
  "[DEBUG]",
  "[INFO]",
  "[NOTICE]",
  "[WARN]",
  "[ERROR]",
  "[CRIT]",
  "[ALERT]",
  "[EMERG]",
]);

/** The program, pid and message start of a line without a syslog header. */
export interface NativeLine {
  readonly program: string;
  readonly pid: number | null;
  readonly messageStart: number;
}

/**
 * Reads an Exim main-log line after its stamp (`[pid] 1rhA2b-000Abc-1x <= …`). s6-log
 * (poste.io) puts two spaces after the stamp, so a line whose text starts with a space is a
 * supervised line, unless Exim's own ` DSH=` follows the stamp (see `DNSSEC_CLIENT`).
 */
export function readEximOrSupervised(text: string, start: number): NativeLine {
  if (text.startsWith(DNSSEC_CLIENT, start)) {
    return { program: EXIM_PROGRAM, pid: null, messageStart: start + 1 };
  }
  if (text.charCodeAt(start) === 32) return readSupervised(text, start + 1);
  if (text.charCodeAt(start) === 91) {
    const close = text.indexOf("] ", start);
    const value = close > 0 ? Number(text.slice(start + 1, close)) : NaN;
    if (Number.isInteger(value)) {
      let messageStart = close + 2;
      if (text.startsWith(DNSSEC_CLIENT, messageStart)) messageStart += 1;
      return { program: EXIM_PROGRAM, pid: value, messageStart };
    }
  }
  return { program: EXIM_PROGRAM, pid: null, messageStart: start };
}

/**
 * The start of Exim's reject and drop lines for a client whose host name was DNSSEC-validated,
 * with `log_selector = +dnssec`. Exim (`acl.c`, and `smtp_in.c` for drops) writes ` DS` and
 * then `H=…` with no space between them, so two spaces follow the stamp:
 * `2026-03-11 02:00:00  DSH=…`. The record's message starts at `DSH=`.
 * NOTE: this form is read from Exim's source (`log.c` writes the stamp and a space before the
 * text), not from a real log.
 */
const DNSSEC_CLIENT = " DSH=";

/**
 * Reads the payload of a line that a supervisor's logger stamped. The payload names no
 * program, so it is `haraka` when it starts with a Haraka log level, else `s6-log`.
 */
export function readSupervised(text: string, start: number): NativeLine {
  const levelEnd = text.indexOf(" ", start);
  const level = text.slice(start, levelEnd < 0 ? text.length : levelEnd);
  const program = HARAKA_LEVELS.has(level) ? "haraka" : SUPERVISED_PROGRAM;
  return { program, pid: null, messageStart: start };
}

/** A stamp's instant and the line after it. */
export interface StampedLine extends NativeLine {
  readonly time: number;
}

/** Reads `@4000000065e5a1b2c3d4e5f6 payload` (daemontools multilog, s6-log), or null. */
export function readTai64nLine(text: string): StampedLine | null {
  const time = tai64nAt(text, 0);
  if (time < 0 || text.charCodeAt(25) !== 32) return null;
  return { time, ...readSupervised(text, 26) };
}

/** Reads Roundcube's `[20-Oct-2020 14:56:10 +0100]: <session> User …`, or null. */
export function readRoundcubeLine(text: string): StampedLine | null {
  const time = bracketedStampTime(text);
  if (time < 0) return null;
  let start = text.indexOf("]") + 1;
  if (text.charCodeAt(start) === 58) start += 1;
  if (text.charCodeAt(start) === 32) start += 1;
  return { time, program: ROUNDCUBE_PROGRAM, pid: null, messageStart: start };
}
