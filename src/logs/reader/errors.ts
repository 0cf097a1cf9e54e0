/**
 * Per-input problems. A run reads every input it can: a missing, unreadable or unsupported
 * file is reported with one of these and the other inputs are still read.
 */
import type { InputError } from "../../input/file-error.js";
import { inputNameInText, STDIN_NAME } from "./input-names.js";
import { globExample } from "./notes.js";

export { fileError, type InputError, type InputErrorCode } from "../../input/file-error.js";

/** Compression formats recognised by their magic bytes but not decompressed. */
export type UnsupportedCompression = "xz" | "zstd" | "bzip2";

const DECOMPRESS_COMMAND: Readonly<Record<UnsupportedCompression, string>> = {
  xz: "xz -dc",
  zstd: "zstd -dc",
  bzip2: "bzip2 -dc",
};

/** Returns the error for a file compressed in a format delist does not read (by magic bytes). */
export function unsupportedCompressionError(
  name: string,
  format: UnsupportedCompression,
): InputError {
  const command = DECOMPRESS_COMMAND[format];
  return {
    code: "unsupported-compression",
    message:
      `cannot read "${name}": it is compressed with ${format}, which delist does not ` +
      `decompress; decompress it first, or pipe it in: ${command} '${name}' | delist <command> -`,
  };
}

/**
 * Returns the error for gzip data whose text is gzip data again, as `gzip` of a `.gz` file
 * makes. delist gunzips one layer only.
 */
export function nestedGzipError(name: string): InputError {
  const message =
    name === STDIN_NAME
      ? "cannot read standard input: it is a gzip file inside a gzip file; decompress it " +
        "once more before delist, as in zcat FILE | zcat | delist <command> -"
      : `cannot read "${name}": it is a gzip file inside a gzip file; unpack it once with ` +
        `gunzip, or pipe it in: zcat '${name}' | delist <command> -`;
  return { code: "unsupported-compression", message };
}

/**
 * Returns the error for gzip data that ends early or is damaged, after `lines` lines were read.
 * Only a cut (zlib's "unexpected end of file") leaves every line read intact. Damage inside a
 * deflate block decodes into garbage text until zlib finds a fault, and a failed checksum is
 * found only at the end of the member, so the lines before such an error may include garbage.
 * NOTE: zlib does not report where the damage starts, so those lines stay in the counts.
 */
export function corruptGzipError(name: string, lines: number, error: unknown): InputError {
  const detail = error instanceof Error ? error.message : String(error);
  if (detail === ZLIB_CUT) return truncatedGzipError(name, lines, detail);
  const damage =
    name === STDIN_NAME
      ? `${inputNameInText(name)} has damaged gzip data`
      : `"${name}" is a damaged gzip file`;
  const count = lines === 1 ? "1 line" : `${lines.toLocaleString("en-US")} lines`;
  const read = CHECKSUM_FAULTS.has(detail)
    ? `its checksum does not match its text, so the data was damaged at an unknown point, ` +
      `and the ${count} read from it may include garbage. Its counts cannot be trusted`
    : `zlib found the damage after ${count}, but damaged data decodes into garbage until ` +
      `zlib finds the fault, so the last of those lines may be garbage`;
  return {
    code: "corrupt-gzip",
    message: `${damage} (${detail}): ${read}. Check it with gzip -t and copy it again from its source`,
  };
}

// The error for gzip data cut short, whose lines before the cut were all read intact.
function truncatedGzipError(name: string, lines: number, detail: string): InputError {
  const damage =
    name === STDIN_NAME
      ? `${inputNameInText(name)} has truncated or damaged gzip data`
      : `"${name}" is a truncated or damaged gzip file`;
  const before =
    lines === 1
      ? "the 1 line before the damage was read"
      : `the ${lines.toLocaleString("en-US")} lines before the damage were read`;
  return {
    code: "corrupt-gzip",
    message:
      `${damage} (${detail}); ${before}. Check it ` +
      `with gzip -t, or copy it again if it was cut short`,
  };
}

// The zlib message for gzip data that ends inside a member.
const ZLIB_CUT = "unexpected end of file";
// The zlib messages for a gzip trailer whose CRC-32 or length does not match the text.
const CHECKSUM_FAULTS = new Set(["incorrect data check", "incorrect length check"]);

/**
 * Returns the error for a character or block device such as `/dev/zero`, which never ends or
 * contains no text log, so it is rejected before it is opened.
 */
export function deviceError(name: string, kind: "character" | "block"): InputError {
  return {
    code: "read-failed",
    message:
      `cannot read "${name}": it is a ${kind} device, not a log file; give the path of a ` +
      `log file, or pipe the log into delist and give - as the input`,
  };
}

/** Returns the error for a glob pattern or directory that yields no file. */
export function noMatchError(name: string, isDirectory: boolean): InputError {
  const message = isDirectory
    ? `directory "${name}" has no log files (only regular files directly inside it are read); ` +
      `name the files, or give a glob such as ${globExample(name)}`
    : `no file matches "${name}"; check the pattern and the working directory`;
  return { code: "no-match", message };
}
