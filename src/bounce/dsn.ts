/**
 * Parsing of RFC 3464 delivery status fields: the `message/delivery-status` part of a DSN,
 * or the same fields written into a plain-text bounce.
 */
import type { BounceAction } from "./types.js";

/** The fields of one DSN, names lower-cased, values unfolded. */
export interface DeliveryStatus {
  /** Per-message fields (RFC 3464 section 2.2): `reporting-mta`, `arrival-date`, … */
  readonly message: ReadonlyMap<string, string>;
  /** Per-recipient field groups (section 2.3), in order. */
  readonly recipients: readonly ReadonlyMap<string, string>[];
}

const FIELD = /^([A-Za-z][A-Za-z0-9-]*)[ \t]*:[ \t]*(.*)$/;

/**
 * Parses delivery status fields. Groups are separated by blank lines; a `Final-Recipient`
 * or `Original-Recipient` in a group that already has that field starts a new group, because
 * some MTAs leave out the blank lines.
 */
export function parseDeliveryStatus(text: string): DeliveryStatus {
  const groups: Map<string, string>[] = [];
  let current = new Map<string, string>();
  let lastName: string | null = null;

  for (const line of text.split("\n")) {
    if (/^[ \t]+\S/.test(line) && lastName !== null) {
      current.set(lastName, `${current.get(lastName) ?? ""} ${line.trim()}`);
      continue;
    }
    const field = FIELD.exec(line.trimEnd());
    if (field === null) {
      if (line.trim() === "" && current.size > 0) {
        groups.push(current);
        current = new Map();
      }
      lastName = null;
      continue;
    }
    const name = (field[1] ?? "").toLowerCase();
    if (startsRecipient(name, current)) {
      groups.push(current);
      current = new Map();
    }
    if (!current.has(name)) current.set(name, (field[2] ?? "").trim());
    lastName = current.get(name) === (field[2] ?? "").trim() ? name : null;
  }
  if (current.size > 0) groups.push(current);
  return splitGroups(groups);
}

function startsRecipient(name: string, group: ReadonlyMap<string, string>): boolean {
  if (name !== "final-recipient" && name !== "original-recipient") return false;
  return group.has(name);
}

/**
 * Sorts groups into per-message fields and recipients. When no group names a recipient, a
 * group with `Action` or `Status` is still a recipient's, because RFC 3464 section 2.3 puts
 * those fields only in per-recipient groups. The reader then finds the address elsewhere.
 */
function splitGroups(groups: readonly Map<string, string>[]): DeliveryStatus {
  const named = (group: ReadonlyMap<string, string>): boolean =>
    group.has("final-recipient") || group.has("original-recipient");
  const unnamed = !groups.some(named);
  const isRecipient = (group: ReadonlyMap<string, string>): boolean =>
    named(group) || (unnamed && (group.has("action") || group.has("status")));
  const message = new Map<string, string>();
  for (const group of groups.filter((candidate) => !isRecipient(candidate))) {
    for (const [name, value] of group) if (!message.has(name)) message.set(name, value);
  }
  return { message, recipients: groups.filter(isRecipient) };
}

/**
 * Returns the address of a typed recipient field (`rfc822; addr`, `utf-8; addr`), without
 * angle brackets. The `\x{HEX}` escapes of the `utf-8` type are decoded.
 */
export function typedAddress(value: string | undefined): string | null {
  if (value === undefined) return null;
  const bare = value.replace(/^[^;]*;/, "").trim();
  const address = bare.replace(/^<|>$/g, "").trim();
  if (address === "") return null;
  return fieldType(value) === "utf-8" ? withUtf8Escapes(address) : address;
}

// RFC 6533 section 3: the `utf-8` address type may write a character as `\x{HEXPOINT}`
// (utf-8-addr-xtext and utf-8-addr-unitext), which keeps the field 7-bit. An escape names
// either a code point outside ASCII or one of the few ASCII characters that xtext cannot
// carry bare.
const UTF8_ESCAPE = /\\x\{([0-9A-Fa-f]{2,6})\}/g;

/**
 * Decodes the `\x{HEX}` escapes of a `utf-8` address: those of space, `+`, `=`, `\` and of
 * Unicode scalar values above ASCII. Escapes of control characters stay as written, so that
 * none reaches the output. So do surrogates and the ASCII escapes that RFC 6533 does not allow.
 */
export function withUtf8Escapes(address: string): string {
  return address.replace(UTF8_ESCAPE, (escape, hex: string) => {
    const codePoint = Number.parseInt(hex, 16);
    const allowedAscii = codePoint === 0x20 || codePoint === 0x2b || codePoint === 0x3d;
    const isSurrogate = codePoint >= 0xd800 && codePoint <= 0xdfff;
    const aboveAscii = codePoint >= 0x80 && codePoint <= 0x10ffff && !isSurrogate;
    return allowedAscii || codePoint === 0x5c || aboveAscii
      ? String.fromCodePoint(codePoint)
      : escape;
  });
}

/** Returns the value after the type of a typed field (`dns; mx.example.com` → the host). */
export function typedValue(value: string | undefined): string | null {
  if (value === undefined) return null;
  const semicolon = value.indexOf(";");
  const bare = (semicolon < 0 ? value : value.slice(semicolon + 1)).trim();
  return bare === "" ? null : bare;
}

/** Returns the type of a typed field (`smtp` of `smtp; 550 …`), lower-cased, or null. */
export function fieldType(value: string | undefined): string | null {
  if (value === undefined) return null;
  const semicolon = value.indexOf(";");
  return semicolon < 0 ? null : value.slice(0, semicolon).trim().toLowerCase();
}

/** Returns a DSN `Action` value as a known action, or null. */
export function parseAction(value: string | undefined): BounceAction | null {
  const action = value?.trim().toLowerCase().split(/[\s(]/)[0];
  switch (action) {
    case "failed":
    case "delayed":
    case "delivered":
    case "relayed":
    case "expanded":
      return action;
    case "failure":
      return "failed";
    // Older Sendmail and Exchange write "deliverable" for a successful delivery report.
    case "deliverable":
      return "delivered";
    default:
      return null;
  }
}

// The classes of status code (RFC 3463 section 3.1) that agree with each Action. `failed`
// takes class 4 too, because an MTA gives up after temporary errors (4.4.7, retry time over).
const ACTION_STATUS_CLASSES: Readonly<Record<BounceAction, string>> = {
  failed: "45",
  delayed: "4",
  delivered: "2",
  relayed: "2",
  expanded: "2",
};

const STATUS_CLASS_NAMES: Readonly<Record<string, string>> = {
  "2": "a success code",
  "4": "a temporary failure code",
  "5": "a permanent failure code",
};

/**
 * Returns a note when a recipient's `Status` has a class that contradicts its `Action`
 * (`failed` with 2.0.0), else null. The result then follows the Action.
 */
export function statusContradiction(
  action: BounceAction | null,
  status: string | null,
): string | null {
  const statusClass = status?.[0];
  if (action === null || status === null || statusClass === undefined) return null;
  if (ACTION_STATUS_CLASSES[action].includes(statusClass)) return null;
  const name = STATUS_CLASS_NAMES[statusClass] ?? "a code of another class";
  return `Status ${status} is ${name}, but Action is ${action}, so the result follows the Action.`;
}

/** Returns the enhanced status code of a DSN `Status` field, or null. */
export function parseStatus(value: string | undefined): string | null {
  const match = /\b([245]\.\d{1,3}\.\d{1,3})\b/.exec(value ?? "");
  return match?.[1] ?? null;
}

/** Returns an RFC 5322 date as ISO 8601 UTC, or null when it does not parse. */
export function isoTime(value: string | undefined | null): string | null {
  if (value === undefined || value === null || value.trim() === "") return null;
  const time = Date.parse(value.replace(/\([^)]*\)/g, " ").trim());
  return Number.isNaN(time) ? null : new Date(time).toISOString();
}
