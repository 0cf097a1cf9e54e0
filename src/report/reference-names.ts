/**
 * Shorter file names for the `file:line` references of the text report, so that a reference to
 * a log deep in a folder tree fits on an 80-column line. JSON and Markdown keep the names as
 * given.
 */

import { basename, relative, resolve } from "node:path";
import type { Diagnosis } from "../diagnose/types.js";
import { STDIN_NAME } from "../logs/reader/input-names.js";
import { mapStrings } from "./log-text.js";
import { columns } from "./wrap.js";

/**
 * Names longer than this many columns are written without their folder in references, when no
 * other input has the same base name. The longest reference then still fits on a line after
 * the report's deepest text indent of 17 columns, for names of up to 40 columns and a line
 * number of up to 7 digits.
 */
const MAX_NAME_COLUMNS = 40;

/** A name given on the command line and the shorter name that references use for it. */
export interface ShortName {
  readonly given: string;
  readonly short: string;
  /** True when `short` is the base name alone, which the report must then explain. */
  readonly folderDropped: boolean;
}

/**
 * Chooses a shorter name for each input: the name relative to `cwd` when that is shorter, and
 * the base name when the name is still longer than `MAX_NAME_COLUMNS` and no other input has
 * the same base name. Standard input and names that cannot be shortened are left out.
 */
export function shortInputNames(names: readonly string[], cwd: string | null): ShortName[] {
  const files = names.filter((name) => name !== STDIN_NAME);
  const baseCounts = new Map<string, number>();
  for (const name of files) {
    baseCounts.set(basename(name), (baseCounts.get(basename(name)) ?? 0) + 1);
  }
  const shortNames: ShortName[] = [];
  for (const given of files) {
    const fromCwd = cwd === null ? given : relative(cwd, resolve(cwd, given));
    const nearer = fromCwd !== "" && fromCwd.length < given.length ? fromCwd : given;
    const base = basename(given);
    const dropFolder =
      columns(nearer) > MAX_NAME_COLUMNS && baseCounts.get(base) === 1 && base !== "";
    const short = dropFolder ? base : nearer;
    if (short !== given) shortNames.push({ given, short, folderDropped: dropFolder });
  }
  return shortNames;
}

/**
 * Returns a copy of `diagnosis` whose strings name each input by its short name where they
 * refer to it: a string that is the name, or a `name:` followed by a line number. The list of
 * inputs keeps the names as given, so that read errors name the path that failed.
 */
export function withShortReferences(diagnosis: Diagnosis, names: readonly ShortName[]): Diagnosis {
  if (names.length === 0) return diagnosis;
  // Longer names first, so that `/a/mail.log.1` is not rewritten by the rule for `/a/mail.log`.
  const ordered = [...names].sort((a, b) => b.given.length - a.given.length);
  const shorten = (text: string): string => {
    let result = text;
    for (const name of ordered) {
      if (result === name.given) return name.short;
      if (result.includes(`${name.given}:`)) result = replaceReferences(result, name);
    }
    return result;
  };
  const shortened = mapStrings({ ...diagnosis, input: { ...diagnosis.input, files: [] } }, shorten);
  return {
    ...(shortened as Diagnosis),
    input: { ...(shortened as Diagnosis).input, files: diagnosis.input.files },
  };
}

// Replaces each `given:` that a digit follows, and that no other path character precedes.
function replaceReferences(text: string, name: ShortName): string {
  const pattern = new RegExp(`(?<![\\w./-])${escapeRegExp(name.given)}:(?=\\d)`, "g");
  return text.replace(pattern, `${name.short}:`);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * Builds the sentence that names the full path of each input that references name without its
 * folder, or returns null when there is none. Relative names need no such sentence.
 */
export function droppedFoldersSentence(names: readonly ShortName[]): string | null {
  const dropped = names.filter((name) => name.folderDropped).map((name) => name.given);
  if (dropped.length === 0) return null;
  const files = dropped.length === 1 ? "this file" : "these files";
  return `Line references name ${files} without the folder: ${dropped.join(", ")}.`;
}
