/**
 * The wording of a file that cannot be read, shared by every input: logs, bounces, zone
 * files, DNS recordings and the monitor configuration. The message names the file, states
 * what failed in plain words (not an errno code) and what to do.
 */

/** The failure of one input, as a stable code the CLI and JSON output can key on. */
export type InputErrorCode =
  /** The path does not exist. */
  | "not-found"
  /** The file exists but may not be read (EACCES, EPERM). */
  | "permission-denied"
  /** A glob pattern that matches no file, or a directory without log files. */
  | "no-match"
  /** Compressed with xz, zstd or bzip2, which delist does not decompress. */
  | "unsupported-compression"
  /**
   * The gzip data is truncated or damaged. The lines before the fault were read, and after
   * damage inside the data (not a cut) they may end in garbage.
   */
  | "corrupt-gzip"
  /** Almost no line has a log format that delist reads, while other inputs were read. */
  | "no-log-format"
  /** Any other read failure (I/O error, a path component that is not a directory…). */
  | "read-failed";

/** A per-input problem: the code and a sentence that names the input and what to do. */
export interface InputError {
  readonly code: InputErrorCode;
  readonly message: string;
}

/**
 * Maps a Node file-system error on opening or reading `name` to an input error. `fileKind`
 * names the kind of file in the message ("the zone file"), for inputs that an option names.
 */
export function fileError(name: string, error: unknown, fileKind?: string): InputError {
  const subject = fileKind === undefined ? `"${name}"` : `${fileKind} "${name}"`;
  const code = errorCode(error);
  if (code === "ENOENT") {
    return {
      code: "not-found",
      message: `cannot read ${subject}: file not found; check the path and the working directory`,
    };
  }
  if (code === "EACCES" || code === "EPERM") {
    return {
      code: "permission-denied",
      message:
        `cannot read ${subject}: permission denied; run delist as a user that may read it ` +
        `(for example with sudo) or copy the file to a readable place`,
    };
  }
  if (code === "EISDIR") {
    return {
      code: "read-failed",
      message: `cannot read ${subject}: it is a directory; give the path of a file`,
    };
  }
  const detail = error instanceof Error ? error.message : String(error);
  return {
    code: "read-failed",
    message: `cannot read ${subject}: ${detail}; check that it is a readable file`,
  };
}

/**
 * A file named by an option that could not be read, with the message of `fileError`. It is
 * a TypeError, as Node's own invalid-argument errors are (ERR_INVALID_ARG_VALUE): the
 * argument names no readable file, and callers that report invalid arguments as usage
 * errors (the CLI) report this one with them.
 */
export class InputFileError extends TypeError {
  override readonly name = "InputFileError";
  readonly code: InputErrorCode;

  constructor(error: InputError, options?: ErrorOptions) {
    super(error.message, options);
    this.code = error.code;
  }
}

function errorCode(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null || !("code" in error)) return undefined;
  return typeof error.code === "string" ? error.code : undefined;
}
