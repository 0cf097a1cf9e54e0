import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach } from "vitest";
import { writeTemporaryLog } from "./postfix-fixture.js";

/** Writers of temporary test input. What they write is removed after each test. */
export interface TemporaryFiles {
  /**
   * Writes `content` to a file called `name` (default `mail.log`) in a fresh folder and
   * returns the file's path.
   */
  readonly file: (content: string | Buffer, name?: string) => string;
  /**
   * Writes `files`, a map from a path inside the folder to its content, into one fresh folder
   * and returns the folder's path. Subfolders in a path are created.
   */
  readonly folder: (files: Readonly<Record<string, string | Buffer>>) => string;
}

/**
 * Creates writers of temporary files, with an `afterEach` hook that removes what they wrote.
 * Call it at the top level of a test file or inside `describe`, where vitest accepts hooks.
 */
export function temporaryFiles(): TemporaryFiles {
  const removals: Array<() => void> = [];
  afterEach(() => {
    for (const remove of removals.splice(0)) remove();
  });

  return {
    file: (content, name) => {
      const written = writeTemporaryLog(content, name);
      removals.push(written.remove);
      return written.path;
    },
    folder: (files) => {
      const folder = mkdtempSync(join(tmpdir(), "delist-test-"));
      removals.push(() => rmSync(folder, { recursive: true, force: true }));
      for (const [name, content] of Object.entries(files)) {
        const path = join(folder, name);
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(path, content);
      }
      return folder;
    },
  };
}
