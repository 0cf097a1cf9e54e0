/**
 * The status of one blocklist look-up and the test for an unchecked one. This module imports
 * nothing, so that `diagnose` can summarise blocklist results without loading the blocklist
 * catalogue and look-ups, which an offline run never uses.
 */

/**
 * What one answer means. `refused`, `timeout`, `error` and `not-checked` say the target could
 * not be checked on that list, and are never counted as clean. `not-checked` is for a name
 * outside the zone files of an offline run (`--zone`), which hold no data for that list.
 */
export type BlocklistStatus =
  "listed" | "not-listed" | "refused" | "timeout" | "error" | "not-checked";

export const BLOCKLIST_STATUSES: readonly BlocklistStatus[] = [
  "listed",
  "not-listed",
  "refused",
  "timeout",
  "error",
  "not-checked",
];

/** True when the status means that the target could not be checked on the list. */
export function isUncheckedStatus(status: BlocklistStatus): boolean {
  return status !== "listed" && status !== "not-listed";
}
