/** One entry of `journalctl -o json` output, reduced to what the parsers use. */
export interface JournalEntry {
  readonly time: number;
  readonly host: string;
  readonly program: string;
  readonly pid: number | null;
  readonly message: string;
}

/**
 * Parses one line of `journalctl -o json`. `__REALTIME_TIMESTAMP` is a string of microseconds
 * since the epoch, and `MESSAGE` is an array of byte values when the message is not valid
 * UTF-8. Returns null for a line that is not such an object.
 */
export function parseJournalLine(text: string): JournalEntry | null {
  let entry: unknown;
  try {
    entry = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof entry !== "object" || entry === null) return null;
  const fields = entry as Record<string, unknown>;

  const micros = Number(fields["__REALTIME_TIMESTAMP"]);
  const message = journalMessage(fields["MESSAGE"]);
  if (!Number.isFinite(micros) || message === null) return null;

  const pid = Number(fields["SYSLOG_PID"] ?? fields["_PID"]);
  return {
    time: Math.floor(micros / 1000),
    host: stringField(fields["_HOSTNAME"]),
    program: stringField(fields["SYSLOG_IDENTIFIER"]) || stringField(fields["_COMM"]),
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
