import { appendFileSync, statSync, truncateSync } from "node:fs";
import { open } from "node:fs/promises";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FINGERPRINT_BYTES, ReadFingerprint } from "../../../src/logs/reader/changes.js";
import { readChanging } from "./read-changing.js";
import { makeTempDir, type TempDir } from "./temp-dir.js";

let dir: TempDir;
beforeEach(async () => {
  dir = await makeTempDir();
});
afterEach(async () => {
  await dir.remove();
});

const OLD_LINE = "Mar  4 09:00:00 mx1 postfix/qmgr[1]: 1A2B3C4D5E: removed\n";
const NEW_LINE = "Mar  4 09:30:00 mx1 postfix/qmgr[2]: 6F7A8B9C0D: removed\n";

// More lines than the reader reads ahead, so that reading is still going on at the first line.
const LARGE_COUNT = Math.ceil((8 * 1024 * 1024) / OLD_LINE.length);

describe("truncation followed by growth", () => {
  it("reports a file rewritten past the position", async () => {
    const { lines, result } = await readChanging(dir, "mail.log", "one\ntwo\nthree\n", (path) => {
      truncateSync(path, 0);
      appendFileSync(path, "four\nfive\nsix\nseven\neight\n");
    });
    expect(lines.slice(0, 3)).toEqual(["one", "two", "three"]);
    expect(result.error).toBeNull();
    expect(result.change?.code).toBe("truncated");
    expect(result.change?.message).toBe(
      "mail.log was truncated and written again while it was read (logrotate copytruncate?), " +
        "so lines may be missing and lines written after the truncation may be mixed in. " +
        "Run delist again on mail.log.1 and mail.log.",
    );
  });

  it("reports a rewrite the size misses", async () => {
    let logPath = "";
    const { lines, result } = await readChanging(
      dir,
      "mail.log",
      OLD_LINE.repeat(LARGE_COUNT),
      (path) => {
        logPath = path;
        truncateSync(path, 0);
        appendFileSync(path, NEW_LINE.repeat(LARGE_COUNT + 1000));
      },
    );
    // The reader goes on at its old position, in the new lines or at their end: a read that
    // runs in the thread pool between the truncation and the rewrite finds the file empty.
    // Either way the file is no smaller than the bytes read, so its size shows no truncation.
    expect(lines).toContain(OLD_LINE.trimEnd());
    expect(statSync(logPath).size).toBeGreaterThanOrEqual(result.bytes);
    expect(result.change?.code).toBe("truncated");
    expect(result.change?.message).toContain("truncated and written again");
  });

  it("finds nothing in a large file that grew", async () => {
    const { lines, result } = await readChanging(
      dir,
      "mail.log",
      OLD_LINE.repeat(LARGE_COUNT),
      (path) => appendFileSync(path, NEW_LINE.repeat(LARGE_COUNT)),
    );
    expect(lines).toHaveLength(2 * LARGE_COUNT);
    expect(result.change).toBeNull();
  });
});

describe("ReadFingerprint", () => {
  const CONTENT = OLD_LINE.repeat(Math.ceil((4 * FINGERPRINT_BYTES) / OLD_LINE.length));

  // Writes CONTENT to a file and adds it to a fingerprint in chunks of `chunkBytes`. Then runs
  // `change` on the file and returns whether the fingerprint still matches it.
  async function matchesAfter(chunkBytes: number, change: (path: string) => void) {
    const path = await dir.write("mail.log", CONTENT);
    const fingerprint = new ReadFingerprint();
    const bytes = Buffer.from(CONTENT);
    for (let start = 0; start < bytes.length; start += chunkBytes) {
      fingerprint.add(bytes.subarray(start, start + chunkBytes));
    }
    change(path);
    const handle = await open(path, "r");
    try {
      return await fingerprint.matches(handle);
    } finally {
      await handle.close();
    }
  }

  it("matches an unchanged file", async () => {
    expect(await matchesAfter(1000, () => undefined)).toBe(true);
    expect(await matchesAfter(bytesOf(CONTENT), () => undefined)).toBe(true);
  });

  it("matches a file that grew", async () => {
    const grow = (path: string) => appendFileSync(path, NEW_LINE.repeat(500));
    expect(await matchesAfter(1000, grow)).toBe(true);
    expect(await matchesAfter(FINGERPRINT_BYTES + 1, grow)).toBe(true);
  });

  it("finds new bytes at the start", async () => {
    const rewrite = (path: string) => {
      truncateSync(path, 0);
      appendFileSync(path, NEW_LINE.repeat(500));
    };
    expect(await matchesAfter(1000, rewrite)).toBe(false);
    expect(await matchesAfter(bytesOf(CONTENT), rewrite)).toBe(false);
  });

  it("finds new bytes before the position", async () => {
    // Truncated past the first bytes that the fingerprint keeps, so only the end differs.
    const rewrite = (path: string) => {
      truncateSync(path, 2 * FINGERPRINT_BYTES);
      appendFileSync(path, NEW_LINE.repeat(500));
    };
    expect(await matchesAfter(1000, rewrite)).toBe(false);
    expect(await matchesAfter(bytesOf(CONTENT), rewrite)).toBe(false);
  });

  it("finds a file shorter than the position", async () => {
    expect(await matchesAfter(1000, (path) => truncateSync(path, 100))).toBe(false);
  });

  it("matches when nothing was read", async () => {
    const path = await dir.write("mail.log", CONTENT);
    const handle = await open(path, "r");
    try {
      expect(await new ReadFingerprint().matches(handle)).toBe(true);
    } finally {
      await handle.close();
    }
  });
});

function bytesOf(text: string): number {
  return Buffer.byteLength(text);
}
