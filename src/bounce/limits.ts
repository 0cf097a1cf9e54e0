/** The size limit on messages read, and the error for a message over it. */

/**
 * Largest message read, in bytes (32 MiB). Receivers refuse messages above 10–50 MB, so a
 * returned message is rarely larger, and the MIME parser keeps a whole message and its
 * decoded parts in memory, several times its size: the cap bounds that memory.
 */
export const MAX_MESSAGE_BYTES = 32 * 1024 * 1024;

/** Returns the error for a message over the size limit: what was skipped and what to do instead. */
export function oversizedError(name: string, sizeBytes: number, maxBytes: number): string {
  return (
    `skipped "${name}": the message is ${formatMiB(sizeBytes)}, over the limit of ` +
    `${formatMiB(maxBytes)}; a bounce is far smaller, so this is probably not one ` +
    `(to read it anyway, save the bounce part alone as an .eml file)`
  );
}

function formatMiB(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}
