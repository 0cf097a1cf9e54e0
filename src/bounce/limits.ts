/** The size limit on messages read, and the note for a message over it. */

/**
 * Largest message read, in bytes (32 MiB). Receivers refuse messages above 10–50 MB, so a
 * returned message is rarely larger, and the MIME parser keeps a whole message and its
 * decoded parts in memory, several times its size: the cap bounds that memory.
 */
export const MAX_MESSAGE_BYTES = 32 * 1024 * 1024;

/**
 * How much of a message over the limit is read (1 MiB). Servers put the delivery report
 * before the returned message, and the report parts of a bounce take a few kilobytes, so the
 * head of an oversized bounce still contains its results.
 */
export const OVERSIZED_HEAD_BYTES = 1024 * 1024;

/** Returns the note for a message over the size limit that was read only in part. */
export function truncatedNote(name: string, sizeBytes: number, headBytes: number): string {
  return (
    `read only the first ${formatMiB(headBytes)} of "${name}" (${formatMiB(sizeBytes)}, over ` +
    `the limit of ${formatMiB(MAX_MESSAGE_BYTES)}): a bounce's delivery report comes before ` +
    `the returned message, so its results are complete unless the report itself was longer`
  );
}

/** Returns the error for a message over the size limit whose head contains no result. */
export function truncatedWithoutResults(
  name: string,
  sizeBytes: number,
  headBytes: number,
): string {
  return (
    `no delivery report in the first ${formatMiB(headBytes)} of "${name}" ` +
    `(${formatMiB(sizeBytes)}, over the limit of ${formatMiB(MAX_MESSAGE_BYTES)}); ` +
    `if it is a bounce, save its report part alone as an .eml file and read that`
  );
}

function formatMiB(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}
