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

  it("reports a missing file", async () => {
    const result = await follow(join(tempDir(), "absent.log"), null);
    expect(result.event).toBe("missing");
    expect(result.position).toBeNull();
  });
});
