import type { BounceResult } from "./types.js";

/**
 * Drops the recipient results that an earlier bounce message of the run already gave, so a
 * bounce saved twice (in two folders, or twice in one mbox) counts once. Two results are the
 * same when their messages have the same Message-ID and returned queue id and the recipient
 * is the same address, compared without case.
 * NOTE: a bounce message without a Message-ID is never taken for a copy, because two
 * different bounces could then look the same.
 */
export class DuplicateBounceFilter {
  /** Results dropped because an earlier message gave them. */
  dropped = 0;
  private readonly seen = new Set<string>();

  /** Returns the results of one message that no earlier message gave, and remembers them. */
  keepNew(messageId: string | null, results: BounceResult[]): BounceResult[] {
    if (messageId === null || results.length === 0) return results;
    const keys = results.map(
      (result) => `${messageId}\n${result.queueId ?? ""}\n${result.recipient.toLowerCase()}`,
    );
    // Keys of this message are added after the check, so a message that names one recipient
    // twice keeps both of its results.
    const unseen = results.filter((_, index) => !this.seen.has(keys[index] ?? ""));
    for (const key of keys) this.seen.add(key);
    this.dropped += results.length - unseen.length;
    return unseen;
  }
}

/** Returns the note on the results dropped as copies of earlier ones, or null for none. */
export function duplicateNote(dropped: number): string | null {
  if (dropped === 0) return null;
  const results =
    dropped === 1 ? "1 recipient result" : `${dropped.toLocaleString("en-US")} recipient results`;
  return (
    `Dropped ${results} of bounce messages given twice (the same Message-ID, queue id and ` +
    "recipient as an earlier message), so each bounce counts once."
  );
}
