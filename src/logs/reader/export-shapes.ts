/**
 * Names the output modes of journalctl that give no line delist can read, from the first
 * lines of an input that framed as no record, so that the message can ask for a mode that
 * delist reads.
 */

/** The shape of an input's unread lines and how to export the log again. */
export interface ExportShape {
  /** Description of the lines, which follows "It looks like" in a message. */
  readonly description: string;
  /** A full sentence on how to get the log in a shape that delist reads. */
  readonly fix: string;
}

const REEXPORT = "Export it again with `journalctl -o short-iso` or `journalctl -o json`.";

/**
 * The journalctl commands that get the Postfix lines on both Debian and Red Hat systems, and
 * why `-u postfix` alone is not enough. Debian runs the daemons in the instance unit
 * `postfix@-.service`, and its `postfix.service` only starts the instances. journalctl takes
 * a glob after `-u`, and facility 2 is mail (RFC 5424).
 */
export const JOURNAL_ADVICE =
  "`journalctl -u 'postfix*' -o json` (Debian and Ubuntu log the daemons under the unit " +
  "postfix@-.service, so `-u postfix` shows only its start and stop), or " +
  "`journalctl SYSLOG_FACILITY=2 -o json` for every mail line";

/**
 * The sentence that names where each MTA usually writes its main log and how to read the
 * journal. The empty-input error and `delist diagnose --help` print it.
 */
export const MAIN_LOG_ADVICE =
  "Give the MTA's main log: /var/log/mail.log or maillog (Postfix, Sendmail), " +
  "/var/log/exim4/mainlog or exim_mainlog (Exim), or for Postfix " +
  `${JOURNAL_ADVICE}.`;

const NO_ENTRIES: ExportShape = {
  description: "journalctl output of only `-- No entries --`: the journal query matched nothing",
  fix: `Query the journal with ${JOURNAL_ADVICE}.`,
};

const SHORT_MONOTONIC: ExportShape = {
  description: "`journalctl -o short-monotonic` output, whose times count from boot, not dates",
  fix: REEXPORT,
};

const JSON_PRETTY: ExportShape = {
  description: "`journalctl -o json-pretty` output, which spreads each entry over many lines",
  fix: REEXPORT,
};

const EXPORT: ExportShape = {
  description: "`journalctl -o export` output, which writes one field a line",
  fix: REEXPORT,
};

const CAT: ExportShape = {
  description: "`journalctl -o cat` output: mail log messages without time, host or program",
  fix: REEXPORT,
};

// `[ 1248.596853] ` before the host.
const MONOTONIC_STAMP = /^\[ *\d+\.\d+\] /;
// A field line of `json-pretty`: `\t"__CURSOR" : "…",`, also without the space before `:`.
const PRETTY_FIELD = /^\s+"(?:__[A-Z_]+|MESSAGE|_HOSTNAME|SYSLOG_IDENTIFIER|PRIORITY)" ?: /;
// A field line of `export`: `__REALTIME_TIMESTAMP=…`, `MESSAGE=…`.
const EXPORT_FIELD = /^(?:__CURSOR|__REALTIME_TIMESTAMP|__MONOTONIC_TIMESTAMP|_BOOT_ID|MESSAGE)=/;
// A Postfix message without its header: a queue id (short or long form) or a client line.
const POSTFIX_MESSAGE =
  /^(?:[0-9A-F]{6,}: |[0-9A-Za-z]{10,}z[0-9A-Za-z]+: |(?:connect|disconnect) from |NOQUEUE: )/;

/** Returns the journalctl mode that `lines`, the first unread lines of an input, look like. */
export function exportShapeOf(lines: readonly string[]): ExportShape | null {
  if (lines.some((line) => line.trim() === "-- No entries --")) return NO_ENTRIES;
  if (lines.some((line) => MONOTONIC_STAMP.test(line))) return SHORT_MONOTONIC;
  if (lines.some((line) => PRETTY_FIELD.test(line))) return JSON_PRETTY;
  if (lines.some((line) => EXPORT_FIELD.test(line))) return EXPORT;
  if (lines.some((line) => POSTFIX_MESSAGE.test(line))) return CAT;
  return null;
}
