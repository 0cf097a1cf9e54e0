/**
 * Standard input with the text of a named file, read once: `cat mail.log | delist logs -
 * mail.log` would otherwise count every line twice. Standard input is compared with the files
 * as it is read, so memory is bounded by the first 64 KiB and a chunk for each file that
 * starts with them, whatever the size of standard input. When it differs,
 * the bytes that matched are read again from the file, which is still open, in place of the
 * bytes of standard input that the comparison consumed.
 */
import type { FileHandle } from "node:fs/promises";
import { open } from "node:fs/promises";
import { Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import { CHUNK_BYTES } from "./parts.js";
import { detectCompression, fileChunks } from "./read.js";
import type { SameContentInput } from "./same-content.js";
import type { FileSource, PlannedInput } from "./sources.js";

// Bytes of standard input compared with the start of every file before a file is followed
// further. Logs start with timestamps, so few files share their first 64 KiB.
const HEAD_BYTES = 64 * 1024;

/** The result of `dropSameStdin`. */
export interface StdinCheck {
  /** The plan without `-` when it repeats a file, else the plan unchanged. */
  readonly unique: PlannedInput[];
  /** Set when `-` was dropped. */
  readonly duplicate: SameContentInput | null;
  /**
   * The stream to read for `-`: the bytes of standard input, with those that the comparison
   * consumed put back. Undefined when `stdin` was undefined.
   */
  readonly stdin: AsyncIterable<Buffer> | undefined;
}

/**
 * Drops `-` from `plan` when its content is the text of a named regular file, or the start
 * of it (a copy taken while the file grew). The file's raw bytes and, for gzip, its
 * decompressed text are compared. Standard input that goes on after the end of every such
 * file is read as usual.
 *
 * NOTE: gzip data on standard input is compared as raw bytes only, so `gzip -c mail.log |
 * delist logs - mail.log` still reads the lines twice.
 */
export async function dropSameStdin(
  plan: readonly PlannedInput[],
  stdin: AsyncIterable<Buffer | string> | undefined,
): Promise<StdinCheck> {
  const files = plan.filter(
    (input): input is FileSource =>
      input.type === "file" && input.sizeBytes !== null && input.sizeBytes > 0,
  );
  const hasStdin = plan.some((input) => input.type === "stdin");
  if (stdin === undefined || !hasStdin || files.length === 0) {
    return { unique: [...plan], duplicate: null, stdin: stdin && asBuffers(stdin) };
  }

  const compared = await compareStdin(files, asBuffers(stdin)[Symbol.asyncIterator]());
  if (compared.sameAs === null) {
    return { unique: [...plan], duplicate: null, stdin: compared.replay };
  }
  const unique = plan.filter((input) => input.type !== "stdin");
  return { unique, duplicate: { name: "-", sameAs: compared.sameAs.name }, stdin: undefined };
}

// The outcome of a comparison: the file that standard input repeats, or the bytes to read.
type Comparison =
  | { readonly sameAs: FileSource; readonly replay?: undefined }
  | { readonly sameAs: null; readonly replay: AsyncIterable<Buffer> };

async function compareStdin(
  files: readonly FileSource[],
  stdin: AsyncIterator<Buffer>,
): Promise<Comparison> {
  const head = await readHead(stdin);
  if (head.failure !== undefined || head.bytes.length === 0) {
    return { sameAs: null, replay: replayed([head.bytes], stdin, head.failure) };
  }

  let views = await viewsStartingWith(files, head.bytes);
  let offset = head.bytes.length;
  for (;;) {
    if (views.length === 0) return { sameAs: null, replay: replayed([head.bytes], stdin) };
    let next: IteratorResult<Buffer>;
    try {
      next = await stdin.next();
    } catch (failure) {
      return keepOne(views, offset, [], stdin, { error: failure });
    }
    if (next.done === true) {
      const [first, ...rest] = views;
      await closeAll(rest);
      await first?.close();
      return first === undefined
        ? { sameAs: null, replay: replayed([head.bytes], stdin) }
        : { sameAs: first.file };
    }

    const chunk = next.value;
    const matching: FileView[] = [];
    const differing: FileView[] = [];
    for (const view of views) {
      const same = await view.continuesWith(chunk);
      (same ? matching : differing).push(view);
    }
    if (matching.length === 0) return keepOne(differing, offset, [chunk], stdin);
    await closeAll(differing);
    views = matching;
    offset += chunk.length;
  }
}

// Replays the first `offset` bytes from one of `views`, which all matched them, then `pending`
// and the rest of standard input, and closes the other views.
async function keepOne(
  views: readonly FileView[],
  offset: number,
  pending: readonly Buffer[],
  stdin: AsyncIterator<Buffer>,
  failure?: { readonly error: unknown },
): Promise<Comparison> {
  const [kept, ...rest] = views;
  await closeAll(rest);
  if (kept === undefined) return { sameAs: null, replay: replayed(pending, stdin, failure) };
  return { sameAs: null, replay: kept.replay(offset, pending, stdin, failure) };
}

// Reads at least `HEAD_BYTES` of standard input, fewer only at its end or at a read error.
async function readHead(
  stdin: AsyncIterator<Buffer>,
): Promise<{ readonly bytes: Buffer; readonly failure?: { readonly error: unknown } }> {
  const chunks: Buffer[] = [];
  let length = 0;
  try {
    while (length < HEAD_BYTES) {
      const next = await stdin.next();
      if (next.done === true) break;
      chunks.push(next.value);
      length += next.value.length;
    }
  } catch (error) {
    return { bytes: Buffer.concat(chunks), failure: { error } };
  }
  return { bytes: Buffer.concat(chunks) };
}

// The views of `files` (raw bytes, and the text of gzip files) that start with `head`, opened
// and read past it. A file that cannot be read now is left out, and reading it later reports
// the error.
async function viewsStartingWith(files: readonly FileSource[], head: Buffer): Promise<FileView[]> {
  const views: FileView[] = [];
  for (const file of files) {
    let handle: FileHandle;
    try {
      handle = await open(file.path, "r");
    } catch {
      continue;
    }
    const kept = await viewsOfFile(file, handle, head);
    if (kept.length === 0) await handle.close();
    else views.push(...kept);
  }
  return views;
}

async function viewsOfFile(
  file: FileSource,
  handle: FileHandle,
  head: Buffer,
): Promise<FileView[]> {
  const magic = Buffer.alloc(6);
  let bytesRead: number;
  try {
    ({ bytesRead } = await handle.read(magic, 0, magic.length, 0));
  } catch {
    return [];
  }
  const gzip = detectCompression(magic.subarray(0, bytesRead)) === "gzip";
  const shared = { handle, open: gzip ? 2 : 1 };
  const views = [new FileView(file, shared, false)];
  if (gzip) views.push(new FileView(file, shared, true));

  const kept: FileView[] = [];
  for (const view of views) {
    if (await view.continuesWith(head)) kept.push(view);
    else await view.close();
  }
  return kept;
}

async function closeAll(views: readonly FileView[]): Promise<void> {
  for (const view of views) await view.close();
}

// One way to read a file's text from its start: its raw bytes, or its decompressed gzip data.
// Views of one file share its handle, which closes with the last view.
class FileView {
  private reader: ChunkReader;

  constructor(
    readonly file: FileSource,
    private readonly shared: { readonly handle: FileHandle; open: number },
    private readonly gzip: boolean,
  ) {
    this.reader = this.newReader();
  }

  /** Returns whether the view's next bytes equal `bytes`, reading past them. */
  async continuesWith(bytes: Buffer): Promise<boolean> {
    try {
      const next = await this.reader.read(bytes.length);
      return next.equals(bytes);
    } catch {
      return false;
    }
  }

  /**
   * Yields the first `length` bytes of the view, then `pending`, then the rest of `stdin`,
   * and raises `failure` at the end when standard input failed. Closes the view when done.
   */
  async *replay(
    length: number,
    pending: readonly Buffer[],
    stdin: AsyncIterator<Buffer>,
    failure?: { readonly error: unknown },
  ): AsyncGenerator<Buffer, void, undefined> {
    try {
      await this.reader.close();
      this.reader = this.newReader();
      for (let left = length; left > 0;) {
        const chunk = await this.reader.read(Math.min(left, CHUNK_BYTES));
        if (chunk.length === 0) {
          throw new Error(
            `${this.file.name} became shorter while standard input was compared with it, so ` +
              `the start of standard input could not be read again`,
          );
        }
        left -= chunk.length;
        yield chunk;
      }
    } finally {
      await this.close();
    }
    yield* replayed(pending, stdin, failure);
  }

  /** Stops reading the view, and closes the file after its last view. */
  async close(): Promise<void> {
    await this.reader.close();
    this.shared.open -= 1;
    if (this.shared.open === 0) await this.shared.handle.close();
  }

  private newReader(): ChunkReader {
    const raw = Readable.from(fileChunks(this.shared.handle, 0), { objectMode: false });
    if (!this.gzip) return new ChunkReader([raw]);
    const gunzip = createGunzip({ chunkSize: CHUNK_BYTES });
    // `pipe` does not pass a read error on, so the reader would never see it.
    raw.on("error", (error) => gunzip.destroy(error));
    return new ChunkReader([raw, raw.pipe(gunzip)]);
  }
}

// Reads the last of `streams` in pieces of a requested length, and destroys them all on close.
class ChunkReader {
  private readonly chunks: AsyncIterator<Buffer>;
  private rest: Buffer = Buffer.alloc(0);

  constructor(private readonly streams: readonly Readable[]) {
    const last = streams[streams.length - 1];
    if (last === undefined) throw new RangeError("a ChunkReader needs at least one stream");
    this.chunks = asBuffers(last)[Symbol.asyncIterator]();
  }

  /** Returns the next `length` bytes, fewer only at the end of the stream. */
  async read(length: number): Promise<Buffer> {
    const parts: Buffer[] = [this.rest];
    let have = this.rest.length;
    while (have < length) {
      const next = await this.chunks.next();
      if (next.done === true) break;
      parts.push(next.value);
      have += next.value.length;
    }
    const joined = parts.length === 1 ? this.rest : Buffer.concat(parts);
    this.rest = joined.subarray(Math.min(length, joined.length));
    return joined.subarray(0, Math.min(length, joined.length));
  }

  async close(): Promise<void> {
    for (const stream of this.streams) stream.destroy();
    await this.chunks.return?.(undefined).catch(() => undefined);
  }
}

// Yields `pending`, then the rest of `stdin`, then raises `failure` when given.
async function* replayed(
  pending: readonly Buffer[],
  stdin: AsyncIterator<Buffer>,
  failure?: { readonly error: unknown },
): AsyncGenerator<Buffer, void, undefined> {
  for (const chunk of pending) if (chunk.length > 0) yield chunk;
  if (failure !== undefined) throw failure.error;
  for (let next = await stdin.next(); next.done !== true; next = await stdin.next()) {
    yield next.value;
  }
}

// The chunks of a stream as Buffers; text chunks are taken as latin1, as `readSource` does.
async function* asBuffers(
  stream: AsyncIterable<Buffer | string>,
): AsyncGenerator<Buffer, void, undefined> {
  for await (const chunk of stream) {
    yield typeof chunk === "string" ? Buffer.from(chunk, "latin1") : chunk;
  }
}
