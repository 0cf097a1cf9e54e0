/**
 * Per-input problems. A run reads every input it can: a missing, unreadable or unsupported
 * file is reported with one of these and the other inputs are still read.
 */

/** What went wrong with one input, as a stable code the CLI and JSON output can key on. */
export type InputErrorCode =
  /** The path does not exist. */
  | "not-found"
  /** The file exists but may not be read (EACCES, EPERM). */
  | "permission-denied"
  /** A glob pattern that matches no file, or a directory without log files. */
  | "no-match"
  /** Compressed with xz, zstd or bzip2, which delist does not decompress. */
  | "unsupported-compression"
  /** The gzip data is truncated or damaged; the lines before the damage were read. */
  | "corrupt-gzip"
  /** Any other read failure (I/O error, a path component that is not a directory…). */
  | "read-failed";

/** A per-input problem: the code and a sentence that names the input and what to do. */
export interface InputError {
  readonly code: InputErrorCode;
  readonly message: string;
}

/** Compression formats recognised by their magic bytes but not decompressed. */
export type UnsupportedCompression = "xz" | "zstd" | "bzip2";

const DECOMPRESS_COMMAND: Readonly<Record<UnsupportedCompression, string>> = {
  xz: "xz -dc",
  zstd: "zstd -dc",
  bzip2: "bzip2 -dc",
};

/** Maps a Node file-system error on opening or reading `name` to an input error. */
export function fileError(name: string, error: unknown): InputError {
  const code = errorCode(error);
  if (code === "ENOENT") {
    return {
      code: "not-found",
      message: `cannot read "${name}": file not found; check the path and the working directory`,
    };
  }
  if (code === "EACCES" || code === "EPERM") {
    return {
      code: "permission-denied",
      message:
        `cannot read "${name}": permission denied; run delist as a user that may read it ` +
        `(for example with sudo) or copy the file to a readable place`,
    };
  }
  const detail = error instanceof Error ? error.message : String(error);
  return {
    code: "read-failed",
    message: `cannot read "${name}": ${detail}; check that it is a readable file`,
  };
}

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

/** Returns the error for gzip data that ends early or is damaged after `lines` lines. */
export function corruptGzipError(name: string, lines: number, error: unknown): InputError {
  const detail = error instanceof Error ? error.message : String(error);
  return {
    code: "corrupt-gzip",
    message:
      `"${name}" is a truncated or damaged gzip file (${detail}); the ${lines} lines before ` +
      `the damage were read. Check it with gzip -t, or copy it again if it was cut short`,
  };
}

/** Returns the error for a glob pattern or directory that yields no file. */
export function noMatchError(name: string, isDirectory: boolean): InputError {
  const message = isDirectory
    ? `directory "${name}" has no log files (only regular files directly inside it are read); ` +
      `name the files, or give a glob such as "${name}/**/*.log"`
    : `no file matches "${name}"; check the pattern and the working directory`;
  return { code: "no-match", message };
}

function errorCode(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null || !("code" in error)) return undefined;
  return typeof error.code === "string" ? error.code : undefined;
}
