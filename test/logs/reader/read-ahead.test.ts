import type { FileHandle } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { CHUNK_BYTES, fileChunks } from "../../../src/logs/reader/read.js";

/**
 * Returns a stand-in for an open file that serves `content` by position and records each read: its
 * position, and whether the read before it had ended when it began. The read at index
 * `failAt` fails instead, and `delayMs` keeps each read running for a while.
 */
function fakeFile(content: Buffer, options: { failAt?: number; delayMs?: number } = {}) {
  const reads: { position: number | null; afterPrevious: boolean }[] = [];
  let running = false;
  let ended = 0;
  const handle = {
    read: async (buffer: Buffer, offset: number, length: number, position: number | null) => {
      const index = reads.length;
      reads.push({ position, afterPrevious: !running });
      running = true;
      await new Promise((resolve) => setTimeout(resolve, options.delayMs ?? 0));
      running = false;
      ended += 1;
      if (index === options.failAt) throw new Error("EIO: i/o error, read");
      const start = position ?? 0;
      const bytesRead = content.copy(
        buffer,
        offset,
        start,
        Math.min(start + length, content.length),
      );
      return { bytesRead, buffer };
    },
  };
  return { handle: handle as unknown as FileHandle, reads, endedReads: () => ended };
}

async function collect(chunks: AsyncIterable<Buffer>): Promise<Buffer[]> {
  const all: Buffer[] = [];
  for await (const chunk of chunks) all.push(chunk);
  return all;
}

describe("fileChunks", () => {
  it("reads in order, one at a time", async () => {
    const content = Buffer.alloc(CHUNK_BYTES * 2 + 10, "a");
    content.write("end", content.length - 3);
    const file = fakeFile(content, { delayMs: 1 });

    const chunks = await collect(fileChunks(file.handle, 0));

    expect(Buffer.concat(chunks).equals(content)).toBe(true);
    expect(chunks.map((chunk) => chunk.length)).toEqual([CHUNK_BYTES, CHUNK_BYTES, 10]);
    expect(file.reads.map((read) => read.position)).toEqual([
      0,
      CHUNK_BYTES,
      CHUNK_BYTES * 2,
      CHUNK_BYTES * 2 + 10,
    ]);
    expect(file.reads.every((read) => read.afterPrevious)).toBe(true);
  });

  it("requests the next chunk early", async () => {
    const file = fakeFile(Buffer.alloc(CHUNK_BYTES * 2, "b"));
    const chunks = fileChunks(file.handle, 0);

    await chunks.next();

    expect(file.reads.map((read) => read.position)).toEqual([0, CHUNK_BYTES]);
    await chunks.return(undefined);
  });

  it("raises a read error at its chunk", async () => {
    const file = fakeFile(Buffer.alloc(CHUNK_BYTES * 3, "c"), { failAt: 1 });
    const chunks = fileChunks(file.handle, 0);

    const first = await chunks.next();
    // The failed read settles while the caller works on the first chunk. Vitest would report
    // an unhandled rejection as an error of this test.
    await new Promise((resolve) => setTimeout(resolve, 20));

    expect(first.value?.length).toBe(CHUNK_BYTES);
    await expect(chunks.next()).rejects.toThrow("EIO");
  });

  it("awaits the running read on return", async () => {
    const file = fakeFile(Buffer.alloc(CHUNK_BYTES * 3, "d"), { delayMs: 20 });
    const chunks = fileChunks(file.handle, 0);

    await chunks.next();
    await chunks.return(undefined);

    expect(file.reads).toHaveLength(2);
    expect(file.endedReads()).toBe(2);
  });

  it("drops an unrequested read error", async () => {
    const file = fakeFile(Buffer.alloc(CHUNK_BYTES * 3, "e"), { failAt: 1, delayMs: 5 });
    const chunks = fileChunks(file.handle, 0);

    await chunks.next();

    await expect(chunks.return(undefined)).resolves.toEqual({ done: true, value: undefined });
    expect(file.endedReads()).toBe(2);
  });
});
