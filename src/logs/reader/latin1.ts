// `Buffer#latin1Slice` is what `toString("latin1", …)` calls after checking its arguments
// and looking up the encoding; calling it directly saves about a tenth of the read time.
// It is not a documented API, so `toString` is used where a Node release lacks it.
interface Latin1Sliceable {
  latin1Slice(start: number, end: number): string;
}
const hasLatin1Slice =
  typeof (Buffer.prototype as Partial<Latin1Sliceable>).latin1Slice === "function";

/**
 * Decodes `buffer[start, end)` as latin1: every byte becomes the char with the same code, so
 * decoding never throws and the string is as long as the bytes.
 */
export const decodeLatin1: (buffer: Buffer, start: number, end: number) => string = hasLatin1Slice
  ? (buffer, start, end) => (buffer as unknown as Latin1Sliceable).latin1Slice(start, end)
  : (buffer, start, end) => buffer.toString("latin1", start, end);
