import { existsSync } from "node:fs";
import { join } from "node:path";

/**
 * Returns the shared test corpus root from `DELIST_CORPUS`, or null when the variable is
 * unset (corpus suites are then skipped). When the variable is set, missing data is an
 * error, so CI cannot pass by silently skipping the real-input suites.
 */
export function corpusRoot(): string | null {
  const root = process.env["DELIST_CORPUS"];
  if (root === undefined || root === "") return null;
  if (!existsSync(root)) {
    throw new Error(`DELIST_CORPUS is set to "${root}", but that folder does not exist`);
  }
  return root;
}

/** Returns a path inside the corpus and fails when it is missing. */
export function corpusPath(root: string, ...parts: string[]): string {
  const path = join(root, ...parts);
  if (!existsSync(path)) {
    throw new Error(`corpus file missing: ${path} (is DELIST_CORPUS pointing at the corpus?)`);
  }
  return path;
}
