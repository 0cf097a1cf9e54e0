/**
 * Exim's numbered parts of one log line sent to syslog. Exim's `write_syslog` (`log.c`, 4.9x)
 * sends a line that contains a line break, or that is longer than 870 characters, as several
 * syslog messages. Each starts with `[I\N] ` or `[I/N] `, part I of N: `\` when the part ended
 * at a line break and more parts follow, `/` otherwise. Only part 1 carries Exim's own stamp
 * (`syslog_timestamp`) and `[pid]`. The Exim parser joins the parts of a line with
 * `SyslogPartJoiner` and reads the joined line once.
 */

/** A numbered part: its number, the number of parts, and where its text starts. */
export interface SyslogPart {
  readonly index: number;
  readonly total: number;
  /** True for `\`, where Exim split the line at a line break, false for `/`. */
  readonly endsAtLineBreak: boolean;
  readonly textStart: number;
}

/** Returns the part that `message` starts with, or null when it starts with no part marker. */
export function syslogPartOf(message: string): SyslogPart | null {
  if (message.charCodeAt(0) !== 91) return null;
  const indexEnd = digitsEnd(message, 1);
  const separator = message.charCodeAt(indexEnd);
  if (indexEnd === 1 || (separator !== 92 && separator !== 47)) return null;

  const totalEnd = digitsEnd(message, indexEnd + 1);
  if (totalEnd === indexEnd + 1 || !message.startsWith("] ", totalEnd)) return null;
  return {
    index: Number(message.slice(1, indexEnd)),
    total: Number(message.slice(indexEnd + 1, totalEnd)),
    endsAtLineBreak: separator === 92,
    textStart: totalEnd + 2,
  };
}

// Reads at most 6 digits, so a long run of digits in junk input stops early.
function digitsEnd(text: string, start: number): number {
  let end = start;
  while (end - start < 6) {
    const code = text.charCodeAt(end);
    if (code < 48 || code > 57) break;
    end += 1;
  }
  return end;
}
