import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { blockKey, HistoryStore, StoreError, storeError } from "../../src/store/index.js";
import { useTempDirs } from "./helpers.js";

const tempDir = useTempDirs();

function sqliteError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

describe("HistoryStore.open on a bad file", () => {
  it("names a file that is no database", () => {
    const path = join(tempDir(), "history.sqlite");
    writeFileSync(path, "this is a text file, not SQLite\n".repeat(200));
    expect(() => HistoryStore.open(path)).toThrow(StoreError);
    expect(() => HistoryStore.open(path)).toThrow(
      `cannot open the history database ${path}: file is not a database (SQLITE_NOTADB)`,
    );
    expect(() => HistoryStore.open(path)).toThrow(/move it away to start a new history/);
  });

  it("names a path that is a directory", () => {
    const path = tempDir();
    expect(() => HistoryStore.open(path)).toThrow(StoreError);
    expect(() => HistoryStore.open(path)).toThrow(`cannot open the history database ${path}`);
  });
});

describe("storeError", () => {
  it("explains a lock held too long", () => {
    const error = storeError(sqliteError("SQLITE_BUSY", "database is locked"), "/h.sqlite");
    expect(error).toBeInstanceOf(StoreError);
    expect((error as Error).message).toBe(
      "cannot use the history database /h.sqlite: database is locked (SQLITE_BUSY): another process held its write lock for more than 5 s; try again, or stop the process that keeps it locked",
    );
  });

  it("explains a read-only database", () => {
    const error = storeError(
      sqliteError("SQLITE_READONLY", "attempt to write a readonly database"),
      "/h.sqlite",
    );
    expect((error as Error).message).toContain("(SQLITE_READONLY): delist needs write access");
  });

  it("keeps errors without a code", () => {
    const plain = new Error("something else");
    expect(storeError(plain, "/h.sqlite")).toBe(plain);
  });
});

describe("blockKey", () => {
  it("spells IPv6 addresses one way", () => {
    expect(blockKey("gmail", "2001:DB8:0:0::5")).toBe("block:gmail:2001:db8::5");
    expect(blockKey("gmail", "::ffff:192.0.2.1")).toBe("block:gmail:192.0.2.1");
    expect(blockKey("gmail", "192.0.2.1")).toBe("block:gmail:192.0.2.1");
  });
});
