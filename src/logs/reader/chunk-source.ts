/**
 * The raw chunks of one input, read once and shared by the parts of a stream that joins plain
 * text and gzip data. A part that stops inside a chunk puts the rest back for the next part.
 */

/**
 * A chunk stream with a read position and chunks put back in front of it. A read error is
 * kept and raised again by every later read.
 */
export class ChunkSource {
  /** Raw bytes handed out so far, less the bytes put back. */
  position = 0;
  /** Called with each chunk handed out, put-back chunks included when handed out again. */
  onChunk: ((chunk: Buffer) => void) | null = null;

  private readonly putBack: Buffer[] = [];
  private lastRead: Promise<unknown> = Promise.resolve();
  private failure: { readonly error: unknown } | null = null;

  constructor(private readonly raw: AsyncIterator<Buffer>) {}

  /** Returns the next chunk, or null at the end of the input. */
  next(): Promise<Buffer | null> {
    const read = this.take();
    this.lastRead = read.catch((error: unknown) => {
      this.failure = { error };
    });
    return read;
  }

  /**
   * Waits for a read that a closed reader may have left running, because `pipeline` stops at
   * a stage's error without waiting for the chunk that it requested from its source. Once the
   * read is settled, `position` and `onChunk` include that chunk.
   */
  async settle(): Promise<void> {
    await this.lastRead;
  }

  /** Puts `chunks` back, in order, so that the next calls of `next` return them first. */
  unshift(...chunks: Buffer[]): void {
    const nonEmpty = chunks.filter((chunk) => chunk.length > 0);
    for (const chunk of nonEmpty) this.position -= chunk.length;
    this.putBack.unshift(...nonEmpty);
  }

  /**
   * Returns at least `size` bytes from the read position, fewer only at the end of the input,
   * without moving the position.
   */
  async peek(size: number): Promise<Buffer> {
    const chunks: Buffer[] = [];
    let length = 0;
    while (length < size) {
      const chunk = await this.next();
      if (chunk === null) break;
      chunks.push(chunk);
      length += chunk.length;
    }
    this.unshift(...chunks);
    return chunks.length === 1 ? (chunks[0] ?? Buffer.alloc(0)) : Buffer.concat(chunks);
  }

  /**
   * Yields the chunks from the read position on. Closing the generator (as `pipeline` does
   * when a stage fails) leaves the source open, so the next part can go on reading it.
   */
  async *chunks(): AsyncGenerator<Buffer, void, undefined> {
    for (let chunk = await this.next(); chunk !== null; chunk = await this.next()) {
      yield chunk;
    }
  }

  /** Reads the rest of the input and drops it, so that the byte counter below counts it. */
  async drain(): Promise<void> {
    for (let chunk = await this.next(); chunk !== null; chunk = await this.next()) {
      // Only the count of the bytes is needed.
    }
  }

  /** Closes the raw stream without reading the rest. */
  async close(): Promise<void> {
    this.putBack.length = 0;
    await this.raw.return?.(undefined);
  }

  private async take(): Promise<Buffer | null> {
    if (this.failure !== null) throw this.failure.error;
    const chunk = this.putBack.shift() ?? (await this.nextRaw());
    if (chunk === null) return null;
    this.position += chunk.length;
    this.onChunk?.(chunk);
    return chunk;
  }

  private async nextRaw(): Promise<Buffer | null> {
    const next = await this.raw.next();
    return next.done === true ? null : next.value;
  }
}
