import type { FatalErrorEvent } from "../events.js";
import type { LogRecord } from "../record.js";

/**
 * An Exim line that Exim sent to syslog in numbered parts (see `syslogPartOf`), kept by the
 * Exim parser until its later parts come. A configuration error keeps its event,
 * whose reason the later parts give. Any other entry keeps the record of part 1 without its
 * part marker, and whether part 1 ended at a line break.
 */
export type SplitLine =
  | { readonly kind: "config-error"; readonly event: FatalErrorEvent }
  | { readonly kind: "entry"; readonly record: LogRecord; readonly endsAtLineBreak: boolean };

/**
 * Builds the record of a split entry's first line: part 1, followed by the text of the later
 * parts up to their first line break when Exim split that line at 870 characters. `text` is
 * the text of the later parts, with `\n` where Exim split at a line break.
 *
 * The lines after the first are the `Envelope-from:`, `Envelope-to:` and header lines of a
 * reject-log entry, which Exim's `log_write` (4.9x) sends to syslog with the entry. They are
 * left out, as the header lines of Exim's own reject log are.
 *
 * NOTE: with `syslog_duplication` on, Exim's default, `log_write` also sends the main-log copy
 * of a reject to syslog, so a reject read through syslog counts twice, split or not.
 */
export function firstLineRecord(
  line: Extract<SplitLine, { kind: "entry" }>,
  text: string,
): LogRecord {
  if (line.endsAtLineBreak || text === "") return line.record;
  const lineBreak = text.indexOf("\n");
  const rest = lineBreak < 0 ? text : text.slice(0, lineBreak);
  return { ...line.record, message: line.record.message + rest };
}
