import { appendFileSync, renameSync, truncateSync, unlinkSync, writeFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { rotatedCopyName } from "../../../src/logs/reader/changes.js";
import { readChanging as readChangingIn } from "./read-changing.js";
import { makeTempDir, type TempDir } from "./temp-dir.js";

let dir: TempDir;
beforeEach(async () => {
  dir = await makeTempDir();
});
afterEach(async () => {
  await dir.remove();
});

const TEXT = "one\ntwo\nthree\n";

function readChanging(name: string, content: string, onFirstLine: (path: string) => void) {
  return readChangingIn(dir, name, content, onFirstLine);
}

describe("change while reading", () => {
  it("finds nothing in an unchanged file", async () => {
    const { result } = await readChanging("mail.log", TEXT, () => undefined);
    expect(result.change).toBeNull();
    expect(result.error).toBeNull();
  });

  it("finds nothing in a file that grew", async () => {
    const { result } = await readChanging("mail.log", TEXT, (path) => appendFileSync(path, "x\n"));
    expect(result.change).toBeNull();
  });

  it("reports a copytruncate", async () => {
    const { lines, result } = await readChanging("mail.log", TEXT, (path) => truncateSync(path, 0));
    expect(lines).toEqual(["one", "two", "three"]);
    expect(result.change?.code).toBe("truncated");
    expect(result.change?.message).toBe(
      "mail.log was truncated while it was read (logrotate copytruncate?), so lines after " +
        "byte 14 may be missing. Run delist again on mail.log.1 and mail.log.",
    );
  });

  it("reports a truncation before the end", async () => {
    // Larger than the read-ahead, so that reading stops at the truncation.
    const line = "Mar  4 09:00:00 mx1 postfix/qmgr[1]: 1A2B3C4D5E: removed\n";
    const count = Math.ceil((8 * 1024 * 1024) / line.length);
    const { lines, result } = await readChanging("mail.log", line.repeat(count), (path) =>
      truncateSync(path, 0),
    );
    expect(lines.length).toBeLessThan(count);
    expect(result.bytes).toBeLessThan(count * line.length);
    expect(result.change?.code).toBe("truncated");
    expect(result.change?.message).toContain(`byte ${result.bytes.toLocaleString("en-US")} may`);
  });

  it("reports a file renamed and created anew", async () => {
    const { lines, result } = await readChanging("mail.log", TEXT, (path) => {
      renameSync(path, `${path}.1`);
      writeFileSync(path, "four\n");
    });
    expect(lines).toEqual(["one", "two", "three"]);
    expect(result.change?.code).toBe("replaced");
    expect(result.change?.message).toBe(
      "mail.log was replaced by a new file while it was read (log rotation?), so the lines " +
        "written to the new mail.log were not read. Run delist again on mail.log.1 and mail.log.",
    );
  });

  it("reports a file renamed away", async () => {
    const { result } = await readChanging("mail.log", TEXT, (path) => unlinkSync(path));
    expect(result.change?.code).toBe("removed");
    expect(result.change?.message).toContain("If it was rotated, run delist again on mail.log.1");
  });

  it("names the rotated copy of a numbered file", async () => {
    const { result } = await readChanging("mail.log.1", TEXT, (path) => truncateSync(path, 2));
    expect(result.change?.code).toBe("truncated");
    expect(result.change?.message).toContain("on mail.log.2 and mail.log.1.");
  });
});

describe("rotatedCopyName", () => {
  it("numbers the next copy", () => {
    expect(rotatedCopyName("mail.log")).toBe("mail.log.1");
    expect(rotatedCopyName("/var/log/mail.log")).toBe("/var/log/mail.log.1");
    expect(rotatedCopyName("mail.log.1")).toBe("mail.log.2");
    expect(rotatedCopyName("mail.log.9.gz")).toBe("mail.log.10.gz");
  });

  it("gives no name for dated copies", () => {
    expect(rotatedCopyName("maillog-20240301")).toBeNull();
    expect(rotatedCopyName("maillog-2024-03-01.gz")).toBeNull();
  });
});
