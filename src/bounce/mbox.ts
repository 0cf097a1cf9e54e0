/**
 * Splitting a byte stream into messages: an mbox file (messages that each start with a
 * `From ` line, RFC 4155) or a single message. Only one message is pending at a time.
 */
import type { SourceMessage } from "./input.js";
import { OVERSIZED_HEAD_BYTES } from "./limits.js";

const FROM = Buffer.from("From ");
const LF = 0x0a;

interface SplitState {
  parts: Buffer[];
  size: number;
  oversized: boolean;
  index: number;
  isMbox: boolean | null;
  /** True when the bytes seen so far end at a line end, or nothing has been seen. */
  lineStart: boolean;
  started: boolean;
  readonly name: string;
  readonly maxBytes: number;
}

/**
 * Yields each message of the stream. A stream that does not start with `From ` is one
 * message. Of a message over `maxBytes` only its head is kept (`OVERSIZED_HEAD_BYTES`, or
 * `maxBytes` when smaller), and its other bytes are dropped as they arrive. Memory stays
 * bounded by `maxBytes` plus two chunks, because a message keeps views of the chunks it spans.
 */
export async function* splitMbox(
  chunks: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array>,
  name: string,
  maxBytes: number,
): AsyncGenerator<SourceMessage> {
  const state: SplitState = {
    parts: [],
    size: 0,
    oversized: false,
    index: 0,
    isMbox: null,
    lineStart: true,
    started: false,
    name,
    maxBytes,
  };
  let pending: Buffer = Buffer.alloc(0);

  for await (const chunk of chunks) {
    const bytes = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    const data =
      pending.length === 0
        ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
        : Buffer.concat([pending, bytes]);
    state.isMbox ??= data.length >= FROM.length ? data.subarray(0, 5).equals(FROM) : null;
    if (state.isMbox === null) {
      pending = data;
      continue;
    }
    // Bytes after the last line end that could be the start of a "From " line wait for the
    // next chunk, so a separator split between two chunks is still found.
    const lastLf = data.lastIndexOf(LF);
    const tail = data.length - (lastLf + 1);
    const keep = state.isMbox && tail < FROM.length && lastLf >= 0 ? tail : 0;
    pending = Buffer.from(data.subarray(data.length - keep));
    yield* splitChunk(state, data.subarray(0, data.length - keep));
  }
  if (pending.length > 0) yield* splitChunk(state, pending);
  const last = take(state);
  if (last !== null) yield last;
}

function* splitChunk(state: SplitState, data: Buffer): Generator<SourceMessage> {
  let offset = 0;
  if (state.isMbox === true && state.started && state.lineStart && startsWithFrom(data, 0)) {
    const message = take(state);
    if (message !== null) yield message;
  }
  while (state.isMbox === true) {
    const boundary = nextSeparator(data, offset);
    if (boundary < 0) break;
    append(state, data.subarray(offset, boundary + 1));
    const message = take(state);
    if (message !== null) yield message;
    offset = boundary + 1;
  }
  append(state, data.subarray(offset));
  if (data.length > 0) {
    state.started = true;
    state.lineStart = data[data.length - 1] === LF;
  }
}

/**
 * Returns the index of the line end before the next separator line, or -1. A separator is
 * `From sender date` (RFC 4155); a body line that merely starts with "From " has no time of
 * day, so it is no separator. A line cut off by the end of the chunk is taken as one.
 */
function nextSeparator(data: Buffer, from: number): number {
  let at = data.indexOf("\nFrom ", from, "latin1");
  while (at >= 0) {
    const end = data.indexOf(LF, at + 1);
    const line = data.subarray(at + 1, end < 0 ? Math.min(data.length, at + 200) : end);
    if (end < 0 || /^From \S+ .*\d\d?:\d\d/.test(line.toString("latin1"))) return at;
    at = data.indexOf("\nFrom ", at + 1, "latin1");
  }
  return -1;
}

function startsWithFrom(data: Buffer, at: number): boolean {
  return data.subarray(at, at + FROM.length).equals(FROM);
}

function append(state: SplitState, data: Buffer): void {
  if (data.length === 0) return;
  state.size += data.length;
  if (state.size > state.maxBytes) {
    if (!state.oversized) state.parts = [headOf([...state.parts, data], state.maxBytes)];
    state.oversized = true;
    return;
  }
  // A view, not a copy: every chunk is a buffer of its own that nothing else writes to.
  state.parts.push(data);
}

/** Copies the first bytes of an oversized message, so that its chunks can be freed. */
function headOf(parts: readonly Buffer[], maxBytes: number): Buffer {
  const head = Buffer.concat(parts);
  return Buffer.from(head.subarray(0, Math.min(OVERSIZED_HEAD_BYTES, maxBytes)));
}

function take(state: SplitState): SourceMessage | null {
  const { size, oversized, parts } = state;
  state.parts = [];
  state.size = 0;
  state.oversized = false;
  if (size === 0) return null;

  state.index++;
  const label = state.isMbox === true ? `${state.name}#${state.index}` : state.name;
  let raw: Buffer = parts.length === 1 && parts[0] !== undefined ? parts[0] : Buffer.concat(parts);
  if (state.isMbox === true) raw = stripFromLine(raw);
  return oversized ? { name: label, raw, truncatedFrom: size } : { name: label, raw };
}

// The mbox "From " separator line is not part of the message. ">From " quoting in bodies is
// kept: it changes no header and no reply text.
function stripFromLine(raw: Buffer): Buffer {
  if (!startsWithFrom(raw, 0)) return raw;
  const end = raw.indexOf(LF);
  return end < 0 ? Buffer.alloc(0) : raw.subarray(end + 1);
}
