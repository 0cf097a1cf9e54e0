import { forEachValue, normaliseReply, VALUE_MARK } from "./normalise.js";
import type { ExplainedReply } from "./types.js";

/**
 * A bounded memo of explained replies, keyed on the reply with its per-transaction values cut
 * out. A hit rebuilds the fields that contain values (text, hosts and IPs) from the new
 * values, so two replies that differ only in IP, address or session id are explained once.
 *
 * An entry is used only after a check: when a reply is met a second time, the same reply with
 * every value changed is explained in full and must give what the rebuilt entry gives. Replies
 * whose meaning depends on a value (which the check detects) are marked and always explained
 * in full. A reply met only once is never checked, which halves the work on inputs where most
 * replies differ, such as a folder of bounces from many servers.
 */

/** Pieces of a field: literal text, or the index of a value of the reply. */
type Template = readonly (string | number)[];

interface TemplatedEntry {
  readonly reusable: true;
  readonly explained: ExplainedReply;
  readonly text: Template;
  readonly remoteHost: Template | null;
  readonly remoteIp: Template | null;
  readonly judgedIp: Template | null;
}

/** A reply explained once and not checked yet, with the values cut out of it. */
interface UncheckedEntry {
  readonly reusable: "unchecked";
  readonly explained: ExplainedReply;
  readonly values: readonly string[];
}

type MemoEntry = TemplatedEntry | UncheckedEntry | { readonly reusable: false };

/** Explains a reply in full, without the memo. */
export type ExplainFunction = (text: string) => ExplainedReply;

/** Memo limits. */
export interface ReplyMemoOptions {
  /** Maximum number of distinct replies kept; the oldest goes first. */
  readonly maxEntries: number;
  /** Longer texts (whole bounces, say) bypass the memo. */
  readonly maxTextLength: number;
}

/** Memo of one classifier; see the module comment for what makes an entry reusable. */
export class ReplyMemo {
  // Keyed by context (what the hints say), then by the normalised reply, so the long key is
  // never copied into a longer string.
  readonly #entries = new Map<string, Map<string, MemoEntry>>();
  readonly #order: (readonly [string, string])[] = [];
  readonly #options: ReplyMemoOptions;

  constructor(options: ReplyMemoOptions) {
    this.#options = options;
  }

  /** Number of stored replies. */
  get size(): number {
    return this.#order.length;
  }

  /** Returns the explanation of `text` from the memo, or computes and stores it. */
  explain(text: string, context: string, explainFully: ExplainFunction): ExplainedReply {
    if (text.length > this.#options.maxTextLength) return explainFully(text);

    const { key, values } = normaliseReply(text);
    const byKey = this.#entries.get(context);
    let entry = byKey?.get(key);
    if (byKey !== undefined && entry?.reusable === "unchecked") {
      entry = makeEntry(entry.explained, key, entry.values, explainFully);
      byKey.set(key, entry);
    }
    if (entry !== undefined) {
      return entry.reusable === true ? rebuild(entry, values) : explainFully(text);
    }

    const explained = explainFully(text);
    this.#store(context, key, { reusable: "unchecked", explained, values });
    return explained;
  }

  #store(context: string, key: string, entry: MemoEntry): void {
    if (this.#order.length >= this.#options.maxEntries) {
      const oldest = this.#order.shift();
      if (oldest !== undefined) this.#entries.get(oldest[0])?.delete(oldest[1]);
    }
    let byKey = this.#entries.get(context);
    if (byKey === undefined) {
      byKey = new Map();
      this.#entries.set(context, byKey);
    }
    byKey.set(key, entry);
    this.#order.push([context, key]);
  }
}

function makeEntry(
  explained: ExplainedReply,
  key: string,
  values: readonly string[],
  explainFully: ExplainFunction,
): MemoEntry {
  const entry = templateEntry(explained, values);
  if (entry === null) return { reusable: false };

  // Check: change every value, explain that reply in full, and compare with the rebuilt entry.
  const changedValues = values.map(changeValue);
  const changedText = fillKey(key, changedValues);
  if (normaliseReply(changedText).key !== key) return { reusable: false };
  const expected = explainFully(changedText);
  const rebuilt = rebuild(entry, changedValues);
  return JSON.stringify(rebuilt) === JSON.stringify(expected) ? entry : { reusable: false };
}

function templateEntry(
  explained: ExplainedReply,
  values: readonly string[],
): TemplatedEntry | null {
  const text = makeTemplate(explained.text, values);
  const remoteHost = optionalTemplate(explained.remoteHost, values);
  const remoteIp = optionalTemplate(explained.remoteIp, values);
  const judgedIp = optionalTemplate(explained.judgedIp, values);
  if (
    text === null ||
    remoteHost === undefined ||
    remoteIp === undefined ||
    judgedIp === undefined
  ) {
    return null;
  }
  return { reusable: true, explained, text, remoteHost, remoteIp, judgedIp };
}

/** Null for a null field; undefined when the field cannot be expressed in the values. */
function optionalTemplate(
  field: string | null,
  values: readonly string[],
): Template | null | undefined {
  if (field === null) return null;
  return makeTemplate(field, values) ?? undefined;
}

/**
 * Expresses a field as literal pieces and indexes of the reply's values, matching the field's
 * values to the reply's in order. Returns null when a value of the field is not one of them.
 */
function makeTemplate(field: string, values: readonly string[]): Template | null {
  const pieces: (string | number)[] = [];
  let copiedTo = 0;
  let cursor = 0;
  let failed = false;
  forEachValue(field, (start, end) => {
    const value = field.slice(start, end);
    let index = values.indexOf(value, cursor);
    if (index < 0) index = values.indexOf(value);
    if (index < 0) {
      failed = true;
      return;
    }
    pieces.push(field.slice(copiedTo, start), index);
    copiedTo = end;
    cursor = index + 1;
  });
  if (failed) return null;
  pieces.push(field.slice(copiedTo));
  return pieces;
}

function fill(template: Template, values: readonly string[]): string {
  let result = "";
  for (const piece of template) result += typeof piece === "number" ? (values[piece] ?? "") : piece;
  return result;
}

// Builds the object field by field: faster than a spread on the path every memo hit takes.
// The `fix` and `findings` arrays are frozen and shared between results.
function rebuild(entry: TemplatedEntry, values: readonly string[]): ExplainedReply {
  const explained = entry.explained;
  return {
    replyCode: explained.replyCode,
    enhancedStatus: explained.enhancedStatus,
    text: fill(entry.text, values),
    stage: explained.stage,
    remoteHost: entry.remoteHost === null ? null : fill(entry.remoteHost, values),
    remoteIp: entry.remoteIp === null ? null : fill(entry.remoteIp, values),
    judgedIp: entry.judgedIp === null ? null : fill(entry.judgedIp, values),
    providerToken: explained.providerToken,
    provider: explained.provider,
    category: explained.category,
    ruleId: explained.ruleId,
    permanent: explained.permanent,
    permanenceSource: explained.permanenceSource,
    summary: explained.summary,
    fix: explained.fix,
    reference: explained.reference,
    findings: explained.findings,
  };
}

function fillKey(key: string, values: readonly string[]): string {
  const pieces = key.split(VALUE_MARK);
  let result = pieces[0] ?? "";
  for (let index = 1; index < pieces.length; index++) {
    result += (values[index - 1] ?? "") + (pieces[index] ?? "");
  }
  return result;
}

/**
 * Returns a different value of the same shape: IPv4 octets and other digits shifted by one
 * (octets wrap below 256), and addresses changed in local part and domain.
 */
function changeValue(value: string): string {
  if (/^\d{1,3}(?:\.\d{1,3}){3}$/.test(value)) {
    return value
      .split(".")
      .map((octet) => String((Number(octet) + 1) % 256))
      .join(".");
  }
  const digitsShifted = value.replace(/\d/g, (digit) => String((Number(digit) + 1) % 10));
  // An address gets another local part and another domain, so that a result that depends on
  // the recipient's domain (Gmail or Workspace behind a Google MX) fails the check.
  return value.includes("@") ? `x${digitsShifted}.invalid` : digitsShifted;
}
