/**
 * Decompression of bounce inputs that are gzip files (`.eml.gz`, a rotated mbox), found by
 * the gzip magic number of RFC 1952 rather than by the file name.
 */
import { Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import { isGzipMagic, isZlibError } from "../input/compression.js";

type Chunks = AsyncIterable<Uint8Array | string> | Iterable<Uint8Array>;

/** Yields the bytes of a stream, gunzipped when its first two bytes are the gzip magic. */
export async function* gunzipWhenGzip(chunks: AsyncIterable<Uint8Array | string>) {
  const iterator = chunks[Symbol.asyncIterator]();
  let head = Buffer.alloc(0);
  while (head.length < 2) {
    const next = await iterator.next();
    if (next.done === true) {
      if (head.length > 0) yield head;
      return;
    }
    head = Buffer.concat([head, toBuffer(next.value)]);
  }

  const all = withHead(head, iterator);
  if (isGzipMagic(head)) yield* gunzip(all);
  else yield* all;
}

/**
 * Yields the gunzipped bytes of gzip data. Several members in a row are read as one stream,
 * as `gzip -d` does. Damaged or cut-short data throws after the bytes before the damage.
 */
export async function* gunzip(chunks: Chunks): AsyncGenerator<Buffer> {
  const input = Readable.from(chunks);
  const output = createGunzip();
  input.on("error", (error) => output.destroy(error));
  input.pipe(output);
  try {
    for await (const chunk of output) yield chunk as Buffer;
  } catch (error) {
    if (!isZlibError(error)) throw error;
    throw new Error(
      `the gzip data is damaged or cut short (${error.message}), so the messages after the damage are missing`,
      { cause: error },
    );
  } finally {
    input.destroy();
    output.destroy();
  }
}

async function* withHead(
  head: Buffer,
  iterator: AsyncIterator<Uint8Array | string>,
): AsyncGenerator<Buffer> {
  yield head;
  for (;;) {
    const next = await iterator.next();
    if (next.done === true) return;
    yield toBuffer(next.value);
  }
}

function toBuffer(chunk: Uint8Array | string): Buffer {
  if (typeof chunk === "string") return Buffer.from(chunk);
  return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}
