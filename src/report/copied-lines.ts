import type { InputReport } from "../diagnose/types.js";
import { count } from "./wrap.js";

/**
 * Lists the inputs whose mail lines were left out as copies of an earlier input, with the
 * count of each, or returns null when none were.
 */
export function copiedLinesSentence(input: InputReport): string | null {
  if (input.copiedLines === 0) return null;
  const files = input.files
    .filter((file) => file.copiedLines > 0)
    .map((file) => `${file.name} ${count(file.copiedLines)}`);
  return `Mail lines copied from an earlier input, not read: ${files.join(", ")}.`;
}
