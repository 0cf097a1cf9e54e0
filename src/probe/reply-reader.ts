/** One SMTP reply as it came over the wire: the code and every line without its code. */
export interface WireReply {
  readonly code: number;
  /** The text of each line after `NNN-` or `NNN `, in order. */
  readonly lines: readonly string[];
}

/**
 * Returns the reply in wire form (`550-5.7.1 …` continuations, LF between lines). With
 * `complete` false every line is a continuation, as in a reply cut off before its last line.
 */
export function wireText(reply: WireReply, complete = true): string {
  const last = complete ? reply.lines.length - 1 : -1;
  return reply.lines
    .map((line, index) => `${reply.code}${index === last ? " " : "-"}${line}`)
    .join("\n");
}

/** A reply line that does not start with a three-digit code and a separator. */
export class SmtpProtocolError extends Error {
  override readonly name: string = "SmtpProtocolError";
}

/**
 * A reply that grew past `MAX_REPLY_BYTES`. The reader keeps its finished lines, which
 * `ReplyReader.incomplete` returns.
 */
export class ReplyTooLongError extends SmtpProtocolError {
  override readonly name = "ReplyTooLongError";
}

// No real reply comes near this size. Past it the reader stops buffering, so that a broken or
// hostile server cannot fill memory. The limit counts every byte of the open reply, line ends
// included: the finished continuation lines and the bytes after the last LF.
const MAX_REPLY_BYTES = 64 * 1024;

/**
 * Splits the bytes a server sends into replies (RFC 5321, section 4.2): lines `NNN-text` continue
 * a reply and `NNN text` (or a bare `NNN`) ends it. Lines end in CRLF; a bare LF is accepted too,
 * as most clients do.
 */
export class ReplyReader {
  private buffer: Buffer = Buffer.alloc(0);
  private lines: string[] = [];
  private code: number | null = null;
  /** Bytes of the finished lines of the open reply, LF included. */
  private replyBytes = 0;

  /**
   * Adds received bytes and returns the replies they complete, in order. Lines are decoded
   * as UTF-8, which servers with SMTPUTF8 (RFC 6531) send and which covers ASCII; invalid
   * bytes become U+FFFD. Throws a ReplyTooLongError when one reply grows past
   * `MAX_REPLY_BYTES`, however many chunks and lines it arrives in.
   */
  push(chunk: Buffer): WireReply[] {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const replies: WireReply[] = [];
    let end = this.buffer.indexOf(0x0a);
    while (end >= 0) {
      this.replyBytes += end + 1;
      if (this.replyBytes > MAX_REPLY_BYTES) throw replyTooLong();
      const line = this.buffer.toString("utf8", 0, end).replace(/\r$/, "");
      this.buffer = this.buffer.subarray(end + 1);
      const reply = this.addLine(line);
      if (reply !== null) replies.push(reply);
      end = this.buffer.indexOf(0x0a);
    }
    if (this.replyBytes + this.buffer.length > MAX_REPLY_BYTES) throw replyTooLong();
    return replies;
  }

  /**
   * Returns the lines received of a reply whose last line has not arrived, or null between
   * replies. Bytes after the last LF are not a line yet and are left out.
   */
  incomplete(): WireReply | null {
    return this.code === null ? null : { code: this.code, lines: [...this.lines] };
  }

  private addLine(line: string): WireReply | null {
    // [\s\S] and not ".", because a bare CR inside a line is text, not the end of the reply.
    const match = /^([2-5]\d\d)([ -]|$)([\s\S]*)$/.exec(line);
    if (match === null) {
      throw new SmtpProtocolError(`invalid SMTP reply line ${JSON.stringify(line.slice(0, 200))}`);
    }
    const code = Number(match[1]);
    if (this.code !== null && this.code !== code) {
      throw new SmtpProtocolError(
        `reply code changed from ${this.code} to ${code} inside a multi-line reply`,
      );
    }
    this.code = code;
    this.lines.push(match[3] ?? "");
    if (match[2] === "-") return null;
    const reply = { code, lines: this.lines };
    this.code = null;
    this.lines = [];
    this.replyBytes = 0;
    return reply;
  }
}

function replyTooLong(): ReplyTooLongError {
  return new ReplyTooLongError(
    `the server sent more than ${MAX_REPLY_BYTES} bytes without ending a reply, so the reply ` +
      `was cut at ${MAX_REPLY_BYTES / 1024} KiB`,
  );
}
