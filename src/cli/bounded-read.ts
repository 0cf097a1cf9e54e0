/** Reading a stream up to a byte limit, for inputs that have no reason to be large. */

/**
 * Reads `stream` until it ends or more than `maxBytes` arrived. Returns at most `maxBytes`
 * bytes, and `truncated` when the stream went on past them.
 */
export async function readUpTo(
  stream: NodeJS.ReadableStream,
  maxBytes: number,
): Promise<{ bytes: Buffer; truncated: boolean }> {
  const chunks: Buffer[] = [];
  let length = 0;
  // Leaving the loop early destroys the stream, so the rest of a large input is never read.
  for await (const chunk of stream) {
    const buffer = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    chunks.push(buffer);
    length += buffer.length;
    if (length > maxBytes) break;
  }
  const bytes = Buffer.concat(chunks);
  if (bytes.length <= maxBytes) return { bytes, truncated: false };
  return { bytes: bytes.subarray(0, maxBytes), truncated: true };
}
