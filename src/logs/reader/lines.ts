import { decodeLatin1 } from "./latin1.js";

/** Default maximum length of one line, in bytes; longer lines are truncated and counted. */
export const DEFAULT_MAX_LINE_BYTES = 64 * 1024;

/**
 * Receives each line without its line break, with its 1-based number. A record that a long
 * NUL run cut short comes before the rest of its line, with the same number (see `NulMark`).
 */
export type LineHandler = (text: string, lineNumber: number) => void;

/** The NUL state of the bytes that a `ByteLineHandler` gets. */
export type NulMark = typeof NO_NUL | typeof HAS_NUL | typeof CUT_BY_NUL_RUN;
/** The bytes contain no NUL. */
export const NO_NUL = 0;
/** The bytes contain at least one NUL. */
export const HAS_NUL = 1;
/**
 * The bytes are the start of a line that a NUL run longer than the line limit cut short, and
 * other bytes follow the run on the same line. They are no line of their own, so the line
 * after the run gets the same line number.
 */
export const CUT_BY_NUL_RUN = 2;

/**
 * Receives each line as the bytes `buffer[start, end)`, without its line break, with its
 * 1-based number and its `NulMark`. The buffer may contain other lines too, so a handler that
 * keeps a line's bytes after the call should copy them rather than keep the whole buffer alive.
 */
export type ByteLineHandler = (
  buffer: Buffer,
  start: number,
  end: number,
  lineNumber: number,
  nul: NulMark,
) => void;

const LF = 10;
const CR = 13;
const NUL = 0;

/**
 * Splits a byte stream into lines on `\n` only. A lone `\r` inside a line is kept, because
 * real logs carry raw CRs inside records (multi-line SMTP replies); one `\r` right before the
 * `\n` is dropped for CRLF files. A final line without `\n` is still a line. A stream whose
 * first chunk has no `\n` but a `\r` followed by another byte has old Mac line ends (CR
 * only), and is split on `\r` instead, so that it does not read as one overlong line.
 *
 * The handler gets each line as bytes. `LineSplitter` decodes them as latin1 first: every byte
 * becomes the char with the same code, so decoding never throws and never changes the length,
 * and byte-oriented matching (ASCII keywords, addresses) works on any input. Text meant for
 * people goes through `decodeForDisplay`.
 *
 * A line longer than `maxLineBytes` is cut to that length and counted in `overlongLines`, and
 * only that much of it is ever buffered, so a binary file cannot exhaust memory. Lines with
 * NUL bytes are counted in `nulLines`. A line that starts with a run of NULs and would be
 * longer than `maxLineBytes` loses the run before the limit applies. A crash can leave such
 * a run where the file system had allocated blocks that were never written, and the first
 * record after the restart follows it without a line break. Shorter lines keep their NULs,
 * which the framer skips. A run longer than `maxLineBytes` after other bytes of a line is
 * dropped too, because the crash also cut the record it was writing. When more bytes follow
 * the run before the line break, the bytes before the run go to the handler first, marked
 * `CUT_BY_NUL_RUN`, and the bytes after it are read as the line. Line numbers count line
 * breaks only, as `wc -l` and `sed -n Np` do, so both parts get the same number. A shorter run
 * inside a line stays in the line, and the caller can look for a record after it.
 */
export class ByteLineSplitter {
  /** Lines delivered so far, blank ones included. */
  lines = 0;
  /** Lines cut to `maxLineBytes`. */
  overlongLines = 0;
  /** Lines that contain at least one NUL byte. */
  nulLines = 0;
  /** True once the stream was found to end its lines with a lone `\r`. */
  crLineEnds = false;
  /** True when `end` delivered a last line with text but without a line end. */
  lastLineUnterminated = false;

  // The start of a line that has not ended yet: views into earlier chunks, at most
  // `maxLineBytes + 1` bytes of them, the full length seen so far, the leading NULs dropped
  // from it, whether it had a NUL, and the length of the NUL run that starts the bytes kept.
  private pending: Buffer[] = [];
  private pendingKept = 0;
  private pendingLength = 0;
  private pendingNulsDropped = 0;
  private pendingNul = false;
  private pendingLeadingNuls = 0;
  // The NUL run at the end of the pending line (all of it, kept or not).
  private pendingTrailingNuls = 0;
  // The length of the pending line before a NUL run longer than the limit that follows other
  // bytes of the line, or -1. Those bytes are a cut record once text follows the run.
  private pendingCutLength = -1;
  private separator = LF;
  private decided = false;

  constructor(
    private readonly onLine: ByteLineHandler,
    private readonly maxLineBytes: number = DEFAULT_MAX_LINE_BYTES,
  ) {
    checkMaxLineBytes(maxLineBytes);
  }

  /** Splits one chunk; the chunk must not be modified afterwards (a partial line keeps a view). */
  push(chunk: Buffer): void {
    if (!this.decided) this.chooseSeparator(chunk);
    const separator = this.separator;
    const length = chunk.length;
    let start = 0;
    // Position of the next NUL at or after `start`, or `length`: one search per chunk when
    // there is none, instead of one per line.
    let nextNul = indexOrEnd(chunk.indexOf(NUL), length);

    if (this.pendingLength > 0) {
      const end = chunk.indexOf(separator);
      const stop = end < 0 ? length : end;
      this.keepPart(chunk, 0, stop, nextNul < stop);
      if (end < 0) return;
      this.emitPending();
      start = end + 1;
      if (nextNul < start) nextNul = indexOrEnd(chunk.indexOf(NUL, start), length);
    }

    while (start < length) {
      const end = chunk.indexOf(separator, start);
      if (end < 0) break;
      let hasNul = false;
      if (nextNul < end) {
        hasNul = true;
        nextNul = indexOrEnd(chunk.indexOf(NUL, end), length);
        if (end - start > this.maxLineBytes) {
          // Long runs of NULs are dropped or end the line, as for a line across chunks.
          this.keepPart(chunk, start, end, true);
          this.emitPending();
          start = end + 1;
          continue;
        }
      }
      this.emit(chunk, start, end, hasNul ? HAS_NUL : NO_NUL, false);
      start = end + 1;
    }
    if (start < length) this.keepPart(chunk, start, length, nextNul < length);
  }

  // Decides once, on the first chunk that has bytes, which byte ends lines.
  private chooseSeparator(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.decided = true;
    if (chunk.indexOf(LF) >= 0) return;
    const cr = chunk.indexOf(CR);
    if (cr >= 0 && cr < chunk.length - 1) {
      this.separator = CR;
      this.crLineEnds = true;
    }
  }

  /**
   * Delivers the last line when the input did not end with its line break. The line counts
   * like any other, because it is what `tail` shows and a file written by hand often lacks
   * the last line break. A log read while a writer appends can end inside a record, though,
   * so `lastLineUnterminated` lets the caller note that the line may be cut short.
   */
  end(): void {
    if (this.pendingLength === 0) return;
    if (this.pendingKept > this.pendingLeadingNuls) this.lastLineUnterminated = true;
    this.emitPending();
  }

  private emit(buffer: Buffer, start: number, end: number, nul: NulMark, cut: boolean): void {
    let stop = end;
    if (!cut && stop > start && buffer[stop - 1] === CR) stop -= 1;
    let overlong = cut;
    if (stop - start > this.maxLineBytes) {
      stop = start + this.maxLineBytes;
      overlong = true;
    }
    if (overlong) this.overlongLines += 1;
    if (nul === CUT_BY_NUL_RUN) {
      this.onLine(buffer, start, stop, this.lines + 1, nul);
      return;
    }
    this.lines += 1;
    if (nul === HAS_NUL) this.nulLines += 1;
    this.onLine(buffer, start, stop, this.lines, nul);
  }

  // Adds bytes to the pending line. Bytes with NULs go through `keepWithNul`, so that only
  // those pay for finding the NUL runs.
  private keepPart(chunk: Buffer, start: number, end: number, hasNul: boolean): void {
    if (hasNul) {
      this.keepWithNul(chunk, start, end);
      return;
    }
    if (end > start) {
      if (this.pendingCutLength >= 0) this.emitCutRecord();
      this.pendingTrailingNuls = 0;
    }
    this.keep(chunk, start, end, false);
  }

  // Adds bytes with NULs to the pending line, one NUL run or text between runs at a time, and
  // notes where the line was cut once a run is longer than the limit and follows other bytes.
  private keepWithNul(chunk: Buffer, start: number, end: number): void {
    let position = start;
    while (position < end) {
      const found = chunk.indexOf(NUL, position);
      const nul = found < 0 || found > end ? end : found;
      if (nul > position) {
        if (this.pendingCutLength >= 0) this.emitCutRecord();
        this.pendingTrailingNuls = 0;
        this.keep(chunk, position, nul, false);
      }
      if (nul === end) return;

      const runEnd = skipNuls(chunk, nul, end);
      this.keep(chunk, nul, runEnd, true);
      this.pendingTrailingNuls += runEnd - nul;
      const run = this.pendingTrailingNuls;
      if (run > this.maxLineBytes && this.pendingLength > run) {
        this.pendingCutLength = this.pendingLength - run;
      }
      position = runEnd;
    }
  }

  // Emits the pending bytes before a long NUL run as a cut record, because text follows the
  // run, and keeps the run as the start of the rest of the line. The run is longer than the
  // limit, so it is dropped as a leading run would be.
  private emitCutRecord(): void {
    const run = this.pendingTrailingNuls;
    this.emitPendingPart(this.pendingCutLength, CUT_BY_NUL_RUN);
    this.pendingLength = run;
    this.pendingNulsDropped = run;
    this.pendingNul = true;
    this.pendingTrailingNuls = run;
  }

  private keep(chunk: Buffer, start: number, end: number, hasNul: boolean): void {
    this.pendingLength += end - start;
    if (hasNul) this.pendingNul = true;
    let from = start;
    // The line is now known to be longer than the limit, so the NUL run at its start is dropped.
    if (this.pendingLength > this.maxLineBytes) {
      if (this.pendingLeadingNuls > 0) this.dropLeadingNuls();
      if (this.pendingKept === 0 && hasNul) {
        from = skipNuls(chunk, start, end);
        this.pendingNulsDropped += from - start;
      }
    }
    const room = this.maxLineBytes + 1 - this.pendingKept;
    const kept = Math.min(end - from, room);
    if (kept > 0) {
      const onlyNulsKept = this.pendingLeadingNuls === this.pendingKept;
      if (onlyNulsKept && hasNul) {
        this.pendingLeadingNuls += skipNuls(chunk, from, from + kept) - from;
      }
      this.pending.push(chunk.subarray(from, from + kept));
      this.pendingKept += kept;
    }
  }

  // Removes the NUL run at the start of the bytes kept of the pending line.
  private dropLeadingNuls(): void {
    let remaining = this.pendingLeadingNuls;
    while (remaining > 0) {
      const first = this.pending[0];
      if (first === undefined) break;
      if (first.length <= remaining) {
        this.pending.shift();
        remaining -= first.length;
      } else {
        this.pending[0] = first.subarray(remaining);
        remaining = 0;
      }
    }
    this.pendingKept -= this.pendingLeadingNuls;
    this.pendingNulsDropped += this.pendingLeadingNuls;
    this.pendingLeadingNuls = 0;
  }

  // Emits the pending line. A long NUL run at its end, after other bytes, is left out.
  private emitPending(): void {
    const cutLength = this.pendingCutLength;
    const length = cutLength >= 0 ? cutLength : this.pendingLength;
    this.emitPendingPart(length, this.pendingNul ? HAS_NUL : NO_NUL);
  }

  // Emits the first `length` bytes of the pending line (counting dropped NULs) and clears it.
  private emitPendingPart(length: number, nul: NulMark): void {
    const parts = this.pending;
    const buffer = parts.length === 1 && parts[0] ? parts[0] : Buffer.concat(parts);
    // Beyond `maxLineBytes + 1` bytes the line is overlong even after dropping a `\r`.
    const textLength = length - this.pendingNulsDropped;
    const cut = textLength > this.pendingKept;
    const end = cut ? this.maxLineBytes : textLength;
    this.emit(buffer, 0, end, nul, cut);

    this.pending = [];
    this.pendingKept = 0;
    this.pendingLength = 0;
    this.pendingNulsDropped = 0;
    this.pendingNul = false;
    this.pendingLeadingNuls = 0;
    this.pendingTrailingNuls = 0;
    this.pendingCutLength = -1;
  }
}

/** A `ByteLineSplitter` that hands each line on as latin1 text. */
export class LineSplitter extends ByteLineSplitter {
  constructor(onLine: LineHandler, maxLineBytes: number = DEFAULT_MAX_LINE_BYTES) {
    super((buffer, start, end, lineNumber) => {
      onLine(decodeLatin1(buffer, start, end), lineNumber);
    }, maxLineBytes);
  }
}

/** @throws RangeError unless `maxLineBytes` is a positive integer. */
export function checkMaxLineBytes(maxLineBytes: number): void {
  if (!Number.isInteger(maxLineBytes) || maxLineBytes < 1) {
    throw new RangeError(`invalid maxLineBytes ${maxLineBytes}: use a positive integer`);
  }
}

/** Returns the position of the first byte at or after `start` that is not NUL, or `end`. */
export function skipNuls(buffer: Buffer, start: number, end: number): number {
  let position = start;
  while (position < end && buffer[position] === NUL) position += 1;
  return position;
}

/**
 * Returns the start of the text after the last NUL run of `buffer[start, end)` when other
 * bytes come before that run and after it, else `start`.
 */
export function textAfterInnerNulRun(buffer: Buffer, start: number, end: number): number {
  const lastNul = buffer.lastIndexOf(0, end - 1);
  if (lastNul < start || lastNul === end - 1) return start;
  let runStart = lastNul;
  while (runStart > start && buffer[runStart - 1] === 0) runStart -= 1;
  return runStart === start ? start : lastNul + 1;
}

function indexOrEnd(index: number, length: number): number {
  return index < 0 ? length : index;
}
