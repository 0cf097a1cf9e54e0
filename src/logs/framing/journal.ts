/** One entry of `journalctl -o json` output, reduced to what the parsers use. */
export interface JournalEntry {
  readonly time: number;
  readonly host: string;
  /** `SYSLOG_IDENTIFIER`, else `_COMM`, or "" without either. */
  readonly program: string;
  /** The systemd unit (`_SYSTEMD_UNIT`), such as `postfix@-.service`, or "". */
  readonly unit: string;
  readonly pid: number | null;
  readonly message: string;
}

/**
 * One line of Docker's json-file log driver
 * (`{"log":"…\n","stream":"stdout","time":"2024-03-04T09:04:08.596853123Z"}`): the line the
 * container wrote, without its line end, and the RFC 3339 time at which Docker read it.
 */
export interface ContainerJsonLine {
  readonly log: string;
  readonly time: string;
  /** The `stream` field (`stdout` or `stderr`), or "" when it is missing or not a string. */
  readonly stream: string;
  /**
   * True when `log` did not end in `\n`: Docker split a long line there, and the next object
   * of the same stream continues it.
   */
  readonly isPartial: boolean;
}

/**
 * Parses one line of `journalctl -o json` or of Docker's json-file log driver. Returns null
 * for a line that is neither.
 */
export function parseJsonLogLine(text: string): JournalEntry | ContainerJsonLine | null {
  let entry: unknown;
  try {
    entry = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof entry !== "object" || entry === null) return null;
  const fields = entry as Record<string, unknown>;
  const log = fields["log"];
  const time = fields["time"];
  if (typeof log === "string" && typeof time === "string") {
    const stream = fields["stream"];
    return {
      log: withoutLineEnd(log),
      time,
      stream: typeof stream === "string" ? stream : "",
      isPartial: !log.endsWith("\n"),
    };
  }
  return journalEntryOf(fields);
}

/**
 * Parses one line of `journalctl -o json`. `__REALTIME_TIMESTAMP` is a string of microseconds
 * since the epoch, and `MESSAGE` is an array of byte values when the message is not valid
 * UTF-8. Returns null for a line that is not such an object.
 */
export function parseJournalLine(text: string): JournalEntry | null {
  const parsed = parseJsonLogLine(text);
  return parsed === null || "log" in parsed ? null : parsed;
}

function journalEntryOf(fields: Record<string, unknown>): JournalEntry | null {
  const micros = Number(fields["__REALTIME_TIMESTAMP"]);
  const message = journalMessage(fields["MESSAGE"]);
  if (!Number.isFinite(micros) || message === null) return null;

  const pid = Number(fields["SYSLOG_PID"] ?? fields["_PID"]);
  return {
    time: Math.floor(micros / 1000),
    host: stringField(fields["_HOSTNAME"]),
    program: stringField(fields["SYSLOG_IDENTIFIER"]) || stringField(fields["_COMM"]),
    unit: stringField(fields["_SYSTEMD_UNIT"]),
    pid: Number.isInteger(pid) ? pid : null,
    message,
  };
}

function journalMessage(value: unknown): string | null {
  if (typeof value === "string") return value;
  if (Array.isArray(value) && value.every((byte) => typeof byte === "number")) {
    // The rest of delist reads log bytes as latin1, so byte arrays are decoded the same way.
    return Buffer.from(value as number[]).toString("latin1");
  }
  return null;
}

function stringField(value: unknown): string {
  return typeof value === "string" ? value : "";
}

function withoutLineEnd(text: string): string {
  if (text.endsWith("\r\n")) return text.slice(0, -2);
  return text.endsWith("\n") ? text.slice(0, -1) : text;
}
