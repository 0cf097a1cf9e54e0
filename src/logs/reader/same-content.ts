/**
 * Inputs with the same log text, read once. Older syslog setups write the same mail lines to
 * mail.log and mail.info, a copy of a log next to the log is common, and logrotate with
 * `delaycompress` or a hand-run gzip can leave `mail.log.1` next to `mail.log.1.gz`.
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { open, type FileHandle } from "node:fs/promises";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import { detectCompression } from "./read.js";
import type { FileSource, PlannedInput } from "./sources.js";

/** A file left unread because another input has the same text. */
export interface SameContentInput {
  readonly name: string;
  readonly sameAs: string;
}

// The size of a gzip file's text is stored modulo 2^32 (ISIZE, RFC 1952 section 2.3.1), so
// plain files are grouped by their size modulo 2^32 too.
const SIZE_MODULUS = 2 ** 32;

// A gzip member is at least a 10-byte header and an 8-byte trailer (RFC 1952 section 2.3).
const MIN_GZIP_BYTES = 18;

const READ_BYTES = 1024 * 1024;

// Enough of the start of a file for `detectCompression` to tell gzip from other formats.
const MAGIC_BYTES = 6;

/** A file with the size of its text: its size when plain, its ISIZE when gzip. */
interface SizedFile {
  readonly file: FileSource;
  readonly gzip: boolean;
  /** The size of the text modulo 2^32. */
  readonly textSize: number;
}

/**
 * Removes files whose text equals another file's, so that no line is counted twice. Files
 * are grouped by the size of their text (for gzip, the ISIZE in the last 4 bytes). Files in
 * a group of two or more are compared by a SHA-256 of the whole text, which for gzip means
 * decompressing it. Of equal files the first plain one is kept, else the first one.
 * A gzip file of several members stores only its last member's size, so it rarely meets its
 * plain copy in a group. A damaged gzip file fails to decompress here and is kept, and
 * reading it reports the damage.
 */
export async function dropSameContent(
  plan: readonly PlannedInput[],
): Promise<{ unique: PlannedInput[]; duplicates: SameContentInput[] }> {
  const duplicateOf = new Map<FileSource, FileSource>();
  for (const group of await groupByTextSize(plan)) {
    for (const same of await groupByFingerprint(group)) {
      const kept = same.find((sized) => !sized.gzip) ?? same[0];
      if (kept === undefined) continue;
      for (const sized of same) {
        if (sized !== kept) duplicateOf.set(sized.file, kept.file);
      }
    }
  }
  const duplicates = [...duplicateOf].map(([file, first]) => ({
    name: file.name,
    sameAs: first.name,
  }));
  return { unique: withoutFiles(plan, duplicateOf), duplicates };
}

// The groups of two or more files whose text has the same size.
async function groupByTextSize(plan: readonly PlannedInput[]): Promise<SizedFile[][]> {
  const files = plan.filter(
    (input): input is FileSource =>
      input.type === "file" && input.sizeBytes !== null && input.sizeBytes > 0,
  );
  if (files.length < 2) return [];

  const bySize = new Map<number, SizedFile[]>();
  for (const file of files) {
    const sized = await sizeOfText(file);
    if (sized === null) continue;
    const group = bySize.get(sized.textSize) ?? [];
    group.push(sized);
    bySize.set(sized.textSize, group);
  }
  return [...bySize.values()].filter((group) => group.length >= 2);
}

// The groups of two or more files of one size group whose text has the same SHA-256.
async function groupByFingerprint(group: readonly SizedFile[]): Promise<SizedFile[][]> {
  const byFingerprint = new Map<string, SizedFile[]>();
  for (const sized of group) {
    const fingerprint = await fingerprintOf(sized);
    if (fingerprint === null) continue;
    const same = byFingerprint.get(fingerprint) ?? [];
    same.push(sized);
    byFingerprint.set(fingerprint, same);
  }
  return [...byFingerprint.values()].filter((same) => same.length >= 2);
}

// Reads the magic bytes and, for gzip, the ISIZE. Null when the file cannot be read now
// (reading it later reports the error) or is too short to be a whole gzip file.
async function sizeOfText(file: FileSource): Promise<SizedFile | null> {
  const size = file.sizeBytes ?? 0;
  let handle: FileHandle;
  try {
    handle = await open(file.path, "r");
  } catch {
    return null;
  }
  try {
    const head = Buffer.alloc(Math.min(size, MAGIC_BYTES));
    await handle.read(head, 0, head.length, 0);
    if (detectCompression(head) !== "gzip") {
      return { file, gzip: false, textSize: size % SIZE_MODULUS };
    }
    if (size < MIN_GZIP_BYTES) return null;
    const trailer = Buffer.alloc(4);
    await handle.read(trailer, 0, trailer.length, size - trailer.length);
    return { file, gzip: true, textSize: trailer.readUInt32LE(0) };
  } catch {
    return null;
  } finally {
    await handle.close();
  }
}

// The SHA-256 of the file's text, or null when it cannot be read now or its gzip data is
// damaged.
async function fingerprintOf(sized: SizedFile): Promise<string | null> {
  const hash = createHash("sha256");
  const sink = async (chunks: AsyncIterable<Buffer>): Promise<void> => {
    for await (const chunk of chunks) hash.update(chunk);
  };
  try {
    const stream = createReadStream(sized.file.path, { highWaterMark: READ_BYTES });
    if (sized.gzip) await pipeline(stream, createGunzip({ chunkSize: READ_BYTES }), sink);
    else await pipeline(stream, sink);
  } catch {
    return null;
  }
  return hash.digest("hex");
}

// `plan` without `dropped`. When a dropped file began a rotated set, the next file of the set
// begins it in its place, so that the framer does not carry the year over from another set.
function withoutFiles(
  plan: readonly PlannedInput[],
  dropped: ReadonlyMap<FileSource, FileSource>,
): PlannedInput[] {
  const kept: PlannedInput[] = [];
  let setStartDropped = false;
  for (const input of plan) {
    if (input.type === "file" && dropped.has(input)) {
      if (!input.continuesPrevious) setStartDropped = true;
      continue;
    }
    if (input.type === "file" && setStartDropped && input.continuesPrevious) {
      kept.push({ ...input, continuesPrevious: false });
    } else {
      kept.push(input);
    }
    setStartDropped = false;
  }
  return kept;
}
