import { appendFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { followLog, type FollowPosition } from "../../src/logs/follow.js";
import { useTempDirs } from "../store/helpers.js";

const tempDir = useTempDirs();

async function follow(path: string, position: FollowPosition | null, fromStart = false) {
  let text = "";
  const starts: string[] = [];
  const result = await followLog(
    path,
    position,
    (file, _modifiedMs, chunk, startFile) => {
      if (startFile) starts.push(file);
      text += chunk.toString();
    },
    { fromStart },
  );
  return { ...result, text, starts };
}

describe("followLog", () => {
  it("starts at the end, then reads appended lines", async () => {
    const path = join(tempDir(), "mail.log");
    writeFileSync(path, "old 1\nold 2\n");
    const first = await follow(path, null);
    expect(first.event).toBe("started");
    expect(first.text).toBe("");

    appendFileSync(path, "new 1\nnew 2\npart");
    const second = await follow(path, first.position);
    expect(second.event).toBe("appended");
    expect(second.text).toBe("new 1\nnew 2\n");

    appendFileSync(path, "ial\n");
    const third = await follow(path, second.position);
    expect(third.text).toBe("partial\n");
  });

  it("reads from the start when asked", async () => {
    const path = join(tempDir(), "mail.log");
    writeFileSync(path, "line 1\n");
    const result = await follow(path, null, true);
    expect(result.text).toBe("line 1\n");
    expect(result.position?.offset).toBe(7);
  });

  it("finds the rest of a renamed file", async () => {
    const dir = tempDir();
    const path = join(dir, "mail.log");
    writeFileSync(path, "a 1\n");
    const start = await follow(path, null, true);
    appendFileSync(path, "a 2\n");
    renameSync(path, join(dir, "mail.log.1"));
    writeFileSync(path, "b 1\n");

    const result = await follow(path, start.position);
    expect(result.event).toBe("rotated");
    expect(result.text).toBe("a 2\nb 1\n");
    expect(result.starts).toEqual([join(dir, "mail.log.1"), path]);
  });

  it("reads rotated gzip archives in order", async () => {
    const dir = tempDir();
    const path = join(dir, "mail.log");
    writeFileSync(path, "a 1\n");
    const start = await follow(path, null, true);
    // While the monitor is down: a 2 is logged, the file rotates twice and is compressed.
    writeFileSync(join(dir, "mail.log.2.gz"), gzipSync("a 1\na 2\n"));
    writeFileSync(join(dir, "mail.log.1"), "b 1\n");
    writeFileSync(path, "c 1\n");

    const result = await follow(path, start.position);
    expect(result.event).toBe("rotated");
    expect(result.text).toBe("a 2\nb 1\nc 1\n");
    expect(result.files).toEqual([join(dir, "mail.log.2.gz"), join(dir, "mail.log.1"), path]);
  });

  it("reports a file whose old copy is gone", async () => {
    const dir = tempDir();
    const path = join(dir, "mail.log");
    writeFileSync(path, "a 1\n");
    const start = await follow(path, null, true);
    rmSync(path);
    writeFileSync(path, "b 1\n");
    const result = await follow(path, start.position);
    expect(result.event).toBe("lost");
    expect(result.text).toBe("b 1\n");
  });

  it("reads a truncated file from its start", async () => {
    const path = join(tempDir(), "mail.log");
    const head = `${"x".repeat(1100)}\n`;
    writeFileSync(path, `${head}tail line\n`);
    const start = await follow(path, null, true);
    writeFileSync(path, head);

    const result = await follow(path, start.position);
    expect(result.event).toBe("truncated");
    expect(result.text).toBe(head);
  });

  describe("after a check of an empty file", () => {
    // The first check reads a line. The log then rotates by rename, and the second check finds
    // the new log empty, as after a nightly rotation. Lines are appended and the log rotates
    // again before the next check, so the appended lines are in mail.log.1.
    async function rotateAfterEmptyCheck(dir: string) {
      const path = join(dir, "mail.log");
      writeFileSync(path, "a 1\n");
      const start = await follow(path, null, true);
      renameSync(path, join(dir, "mail.log.1"));
      writeFileSync(path, "");
      const empty = await follow(path, start.position);
      appendFileSync(path, "b 1\nb 2\n");
      renameSync(join(dir, "mail.log.1"), join(dir, "mail.log.2"));
      renameSync(path, join(dir, "mail.log.1"));
      writeFileSync(path, "c 1\n");
      return { path, empty };
    }

    it("saves a position without fingerprint bytes", async () => {
      const { empty } = await rotateAfterEmptyCheck(tempDir());
      expect(empty.event).toBe("rotated");
      expect(empty.text).toBe("");
      expect(empty.position?.fingerprintBytes).toBe(0);
      expect(empty.position?.offset).toBe(0);
      expect(empty.position?.fileId).toMatch(/^\d+:\d+:\d+$/);
    });

    it("finds the renamed copy by file id", async () => {
      const dir = tempDir();
      const { path, empty } = await rotateAfterEmptyCheck(dir);
      const result = await follow(path, empty.position);
      expect(result.event).toBe("rotated");
      expect(result.text).toBe("b 1\nb 2\nc 1\n");
      expect(result.files).toEqual([join(dir, "mail.log.1"), path]);
    });

    it("reports lost without a file id", async () => {
      const { path, empty } = await rotateAfterEmptyCheck(tempDir());
      const position = empty.position === null ? null : { ...empty.position, fileId: null };
      const result = await follow(path, position);
      expect(result.event).toBe("lost");
      expect(result.text).toBe("c 1\n");
    });

    it("reports lost when the copy was compressed", async () => {
      const dir = tempDir();
      const { path, empty } = await rotateAfterEmptyCheck(dir);
      writeFileSync(join(dir, "mail.log.1.gz"), gzipSync("b 1\nb 2\n"));
      rmSync(join(dir, "mail.log.1"));
      const result = await follow(path, empty.position);
      expect(result.event).toBe("lost");
      expect(result.text).toBe("c 1\n");
    });

    it("reads lines appended to the same file", async () => {
      const path = join(tempDir(), "mail.log");
      writeFileSync(path, "");
      const empty = await follow(path, null, true);
      expect(empty.position?.fingerprintBytes).toBe(0);
      appendFileSync(path, "a 1\n");
      const result = await follow(path, empty.position);
      expect(result.event).toBe("appended");
      expect(result.text).toBe("a 1\n");
      expect(result.position?.fingerprintBytes).toBe(4);
      expect(result.position?.fileId).toBe(empty.position?.fileId);
    });

    it("stays quiet while the file stays empty", async () => {
      const path = join(tempDir(), "mail.log");
      writeFileSync(path, "");
      const empty = await follow(path, null);
      const result = await follow(path, empty.position);
      expect(result.event).toBe("appended");
      expect(result.bytes).toBe(0);
    });
  });

  it("reports a missing file", async () => {
    const result = await follow(join(tempDir(), "absent.log"), null);
    expect(result.event).toBe("missing");
    expect(result.position).toBeNull();
  });
});
