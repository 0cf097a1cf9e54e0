/**
 * Byte-level tests shared by the readers of logs and of bounce messages, which both take
 * gzip input by its content rather than by its file name.
 */

/** True when the bytes start with the gzip magic number 1f 8b (RFC 1952, section 2.3.1). */
export function isGzipMagic(head: Uint8Array): boolean {
  return head[0] === 0x1f && head[1] === 0x8b;
}

/** True for an error of Node's zlib, whose codes start with `Z_` (`Z_DATA_ERROR`, `Z_BUF_ERROR`). */
export function isZlibError(error: unknown): error is Error & { code: string } {
  if (!(error instanceof Error) || !("code" in error)) return false;
  return typeof error.code === "string" && error.code.startsWith("Z_");
}
