import { Writable } from "node:stream";

// Bytes accepted ahead of the consumer; this bounds the read-ahead.
const QUEUE_BYTES = 4 * 1024 * 1024;

/**
 * Wraps what the consumer (the splitter, and through it the framer and the parsers) threw: a
 * bug to raise to the caller, not a problem of the input.
 */
export class HandlerFailure extends Error {
  constructor(cause: unknown) {
    super("the line handler failed", { cause });
  }
}

/**
 * A sink that accepts chunks at once and hands them to `consume` one per turn of the event
 * loop. In between, the read stream starts its next read, so the disk or gunzip works while
 * this thread splits and frames. Without the turn, reading and framing would alternate and
 * the thread would idle during every read. Accepting stops while 4 MiB are waiting. The chunks wait in
 * this queue rather than in the Writable's own buffer, so they survive when a stream error
 * destroys the pipeline, and `consumeAll` can still split them.
 */
export class ChunkQueue extends Writable {
  private readonly queue: Buffer[] = [];
  private queuedBytes = 0;
  private waitingWrite: (() => void) | null = null;
  private scheduled = false;

  constructor(private readonly consume: (chunk: Buffer) => void) {
    super();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.queue.push(chunk);
    this.queuedBytes += chunk.length;
    if (this.queuedBytes < QUEUE_BYTES) done();
    else this.waitingWrite = done;
    this.schedule();
  }

  override _final(done: (error?: Error) => void): void {
    try {
      this.consumeAll();
    } catch (error) {
      done(new HandlerFailure(error));
      return;
    }
    done();
  }

  /** Consumes every queued chunk now: at the end, and after a stream error. */
  consumeAll(): void {
    for (let chunk = this.queue.shift(); chunk !== undefined; chunk = this.queue.shift()) {
      this.queuedBytes -= chunk.length;
      this.consume(chunk);
    }
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.consumeNext());
  }

  private consumeNext(): void {
    this.scheduled = false;
    const chunk = this.queue.shift();
    if (chunk === undefined) return;
    this.queuedBytes -= chunk.length;
    try {
      this.consume(chunk);
    } catch (error) {
      this.destroy(new HandlerFailure(error));
      return;
    }
    const waiting = this.waitingWrite;
    if (waiting !== null && this.queuedBytes < QUEUE_BYTES && !this.destroyed) {
      this.waitingWrite = null;
      waiting();
    }
    if (this.queue.length > 0) this.schedule();
  }
}
