/**
 * Gzip data that follows plain text in one stream, as `cat mail.log mail.log.2.gz | delist
 * diagnose -` produces. The reader decodes such a stream in parts: the text up to the start of
 * the gzip member, then the rest as gzip. Plain text after gzip data starts another text part.
 */

const LF = 10;

// The first three bytes of a gzip member: the magic number 1f 8b and compression method 8
// (deflate, the only one RFC 1952 defines).
const MEMBER_HEAD = Buffer.from([0x1f, 0x8b, 0x08]);
const GZIP_ID1 = 0x1f;

/** The position of gzip data that follows plain text. */
export interface GzipAfterText {
  /** Bytes of plain text before the gzip member. */
  readonly textBytes: number;
  /** The rest of the chunk that contains the member start, from that start on. */
  readonly rest: Buffer;
}

/**
 * Passes on the plain text of `chunks` and stops at the first gzip member that starts a
 * line. After the stop, `found` is set and `chunks` is left open, so the caller reads the rest
 * from `found.rest` and then from `chunks`. The search costs one `indexOf` per chunk, because
 * log text has no 1f byte.
 */
export class GzipMemberScan {
  found: GzipAfterText | null = null;

  private textBytes = 0;
  // Whether the text passed on so far ends with a line feed, so that a member may start next.
  private afterLineFeed = false;

  /** Yields the chunks, the last one cut before a gzip member, and stops there. */
  async *text(chunks: AsyncIterator<Buffer>): AsyncGenerator<Buffer, void, undefined> {
    // Bytes at the end of the previous chunk that may begin a member header, held back
    // until the next chunk shows whether they do.
    let partialHeader: Buffer | null = null;
    for (;;) {
      const next = await chunks.next();
      if (next.done === true) {
        if (partialHeader !== null) yield partialHeader;
        return;
      }
      const chunk: Buffer =
        partialHeader === null ? next.value : Buffer.concat([partialHeader, next.value]);
      partialHeader = null;
      const start = this.memberStart(chunk);
      if (start !== null) {
        if (start > 0) yield chunk.subarray(0, start);
        this.found = { textBytes: this.textBytes + start, rest: chunk.subarray(start) };
        return;
      }
      const partial = this.partialMemberBytes(chunk);
      const text = partial > 0 ? chunk.subarray(0, chunk.length - partial) : chunk;
      if (partial > 0) partialHeader = chunk.subarray(chunk.length - partial);
      this.textBytes += text.length;
      if (text.length === 0) continue;
      this.afterLineFeed = text[text.length - 1] === LF;
      yield text;
    }
  }

  // The position in `chunk` where a gzip member starts a line, or null.
  private memberStart(chunk: Buffer): number | null {
    if (this.afterLineFeed && startsWith(chunk, 0, MEMBER_HEAD)) return 0;
    return memberAfterLineFeed(chunk);
  }

  // How many bytes at the end of `chunk` (0 to 2) start a line and match the start of a
  // member header, so that the header may go on in the next chunk.
  private partialMemberBytes(chunk: Buffer): number {
    return partialMemberBytes(chunk, this.afterLineFeed);
  }
}

/**
 * Returns the start of `bytes`, the first bytes of plain text, up to the first gzip member
 * that starts a line in them. When `complete` is false the text goes on after `bytes`, so
 * the start of a member header at their end is left out too.
 */
export function textBeforeMember(bytes: Buffer, complete: boolean): Buffer {
  const start = memberAfterLineFeed(bytes);
  if (start !== null) return bytes.subarray(0, start);
  const partial = complete ? 0 : partialMemberBytes(bytes, false);
  return bytes.subarray(0, bytes.length - partial);
}

// The position in `chunk` after a line feed where a gzip member starts, or null.
function memberAfterLineFeed(chunk: Buffer): number | null {
  let position = chunk.indexOf(GZIP_ID1);
  while (position >= 0) {
    if (position > 0 && chunk[position - 1] === LF && startsWith(chunk, position, MEMBER_HEAD)) {
      return position;
    }
    position = chunk.indexOf(GZIP_ID1, position + 1);
  }
  return null;
}

// How many bytes at the end of `chunk` (0 to 2) start a line and match the start of a member
// header. `afterLineFeed` is true when the byte before the chunk was a line feed.
function partialMemberBytes(chunk: Buffer, afterLineFeed: boolean): number {
  for (let size = MEMBER_HEAD.length - 1; size > 0; size -= 1) {
    const start = chunk.length - size;
    if (start < 0) continue;
    const atLineStart = start === 0 ? afterLineFeed : chunk[start - 1] === LF;
    if (atLineStart && startsWith(chunk, start, MEMBER_HEAD.subarray(0, size))) return size;
  }
  return 0;
}

function startsWith(buffer: Buffer, position: number, prefix: Buffer): boolean {
  if (buffer.length - position < prefix.length) return false;
  return buffer.compare(prefix, 0, prefix.length, position, position + prefix.length) === 0;
}
