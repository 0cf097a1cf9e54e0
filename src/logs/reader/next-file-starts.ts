/**
 * The first record times of the later files of a rotated set. Two files of a set can repeat
 * lines only where their times meet, so an older file's fingerprints are stored only from the
 * first record of the files after it (see `RecordFingerprints.startInput`).
 */
import type { TimeZone } from "../../time/zone.js";
import { frameSet } from "./dry-run.js";
import type { FileSource, PlannedInput } from "./sources.js";

/**
 * Returns, for each file of the rotated set that starts at `plan[index]`, the earliest first
 * record time of the files after it in the set, in ms. The map is empty unless that set is
 * the run's last file set, because the files of an earlier set are compared in full with the
 * sets after it. A file without records adds no time. A FIFO, which cannot be read twice,
 * gives -Infinity to the files before it, so they store all their records.
 *
 * Each file is framed alone from its own modification time (see `frameSet`), so a classic
 * syslog stamp can get another year than the read gives it. `RecordFingerprints` allows for
 * that.
 */
export async function nextFileStarts(
  plan: readonly PlannedInput[],
  index: number,
  timeZone: TimeZone,
): Promise<Map<FileSource, number>> {
  const starts = new Map<FileSource, number>();
  const files = rotatedSetAt(plan, index);
  if (files.length < 2 || !isLastFileSet(plan, index)) return starts;

  let earliest = Infinity;
  for (let position = files.length - 1; position >= 0; position--) {
    const file = files[position] as FileSource;
    starts.set(file, earliest);
    if (position === 0) break;
    if (file.sizeBytes === null) {
      earliest = -Infinity;
      continue;
    }
    if (earliest === -Infinity) continue;
    const first = await frameSet([file], timeZone, (_framer, record) => record.time);
    if (first !== null && first < earliest) earliest = first;
  }
  return starts;
}

// The files of the rotated set that starts at `plan[index]`, oldest first, without the files
// that failed to open. Empty when `plan[index]` does not start a set of files.
function rotatedSetAt(plan: readonly PlannedInput[], index: number): FileSource[] {
  const first = plan[index];
  if (first?.type !== "file" || first.continuesPrevious) return [];
  const files = [first];
  for (const next of plan.slice(index + 1)) {
    if (next.type === "failed") continue;
    if (next.type !== "file" || !next.continuesPrevious) break;
    files.push(next);
  }
  return files;
}

// Whether no file set starts after `plan[index]`. Standard input counts as a file set.
function isLastFileSet(plan: readonly PlannedInput[], index: number): boolean {
  return !plan
    .slice(index + 1)
    .some((input) => input.type === "stdin" || (input.type === "file" && !input.continuesPrevious));
}
