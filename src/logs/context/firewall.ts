import type { EventSink, SmtpConnectionEvent } from "../events.js";
import { positionOf, type LogRecord, type ParseOutcome, type RecordParser } from "../record.js";

/**
 * Creates the parser for Linux netfilter LOG lines (iptables, nftables, ufw, firewalld) of
 * outgoing TCP connections to port 25, the firewall side of the `smtp-bypass` finding:
 *
 *     kernel: [812.3] SMTP-OUT: IN= OUT=eth0 SRC=203.0.113.10 DST=192.0.2.26 LEN=60 …
 *       PROTO=TCP SPT=40312 DPT=25 WINDOW=64240 RES=0x00 SYN URGP=0 UID=33 GID=33
 *
 * A line becomes an event when it is TCP to destination port 25, leaves through an interface
 * (`OUT=` set) and carries no ACK flag, so that only connection openings count. `IN=` empty
 * means the host itself opened the connection; `IN=` set means it forwarded one from another
 * machine. `UID=` and `GID=` appear with iptables `--log-uid` (nftables `log flags skuid`).
 * A log prefix that names a block (`BLOCK`, `DROP`, `REJECT`, `DENY`) marks the attempt as
 * stopped by the firewall. Every other kernel line is ignored.
 */
export function createFirewallParser(sink: EventSink): RecordParser {
  return {
    accepts: (program) => program === "kernel",
    parse: (record) => parseFirewall(record, sink),
    finish: () => undefined,
  };
}

const BLOCK_WORDS = /\b(?:BLOCK(?:ED)?|DROP(?:PED)?|REJECT(?:ED)?|DENY|DENIED)\b/i;

function parseFirewall(record: LogRecord, sink: EventSink): ParseOutcome {
  const text = record.message;
  // Cheap tests first: most kernel lines are not netfilter lines at all.
  if (!text.includes("DPT=25 ") || !text.includes("PROTO=TCP")) return "ignored";
  const fields = netfilterFields(text);
  if (fields === null) return "ignored";
  const outInterface = fields.get("OUT");
  const destination = fields.get("DST");
  if (fields.get("DPT") !== "25") return "ignored";
  if (outInterface === undefined || destination === undefined || destination === "") {
    return "unparsed";
  }
  if (outInterface === "" || fields.hasFlag("ACK")) return "ignored";

  const inInterface = fields.get("IN") ?? "";
  const event: SmtpConnectionEvent = {
    type: "smtp-connection",
    time: record.time,
    position: positionOf(record),
    source: fields.get("SRC") ?? null,
    sourcePort: numberOrNull(fields.get("SPT")),
    destination,
    forwarded: inInterface !== "",
    uid: numberOrNull(fields.get("UID")),
    blocked: BLOCK_WORDS.test(fields.prefix),
    prefix: fields.prefix,
  };
  sink(event);
  return "parsed";
}

/** The `KEY=value` fields and bare flags (`SYN`, `ACK`) of a LOG line, and its prefix. */
interface NetfilterFields {
  get(key: string): string | undefined;
  /** True for a bare flag; `ACK=123` (from `--log-tcp-sequence`) is a field, not the flag. */
  hasFlag(flag: string): boolean;
  readonly prefix: string;
}

/**
 * Splits a LOG line at `IN=`, the first field the kernel writes. What comes before it is the
 * rule's `--log-prefix` (after the kernel's `[seconds.micro]` stamp, when syslog kept it).
 * Returns null when the line has no `IN=` field.
 */
function netfilterFields(text: string): NetfilterFields | null {
  const match = /(?:^|[\s\]:])IN=/.exec(text);
  if (match === null) return null;
  const fieldsStart = match.index + match[0].length - 3;
  const values = new Map<string, string>();
  const flags = new Set<string>();
  for (const part of text.slice(fieldsStart).split(" ")) {
    if (part === "") continue;
    const equals = part.indexOf("=");
    if (equals < 0) flags.add(part);
    else values.set(part.slice(0, equals), part.slice(equals + 1));
  }
  const prefix = text
    .slice(0, fieldsStart)
    .replace(/^\[\s*\d+\.\d+\]\s*/, "")
    .trim();
  return { get: (key) => values.get(key), hasFlag: (flag) => flags.has(flag), prefix };
}

function numberOrNull(value: string | undefined): number | null {
  if (value === undefined || !/^\d{1,10}$/.test(value)) return null;
  return Number(value);
}
