import { mkdtemp, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A folder under the system temp folder for one test, removed by `remove`. */
export interface TempDir {
  readonly path: string;
  /** Writes a file (relative path) and, when given, sets its modification time. */
  write(name: string, content: string | Buffer, modifiedMs?: number): Promise<string>;
  remove(): Promise<void>;
}

/** Creates a fresh temp folder named `delist-test-…`. */
export async function makeTempDir(): Promise<TempDir> {
  const path = await mkdtemp(join(tmpdir(), "delist-test-"));
  return {
    path,
    async write(name, content, modifiedMs) {
      const file = join(path, name);
      await writeFile(file, content);
      if (modifiedMs !== undefined) await utimes(file, modifiedMs / 1000, modifiedMs / 1000);
      return file;
    },
    remove: () => rm(path, { recursive: true, force: true }),
  };
}
