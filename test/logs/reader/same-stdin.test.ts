import { Readable } from "node:stream";
import { gzipSync } from "node:zlib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readLogs } from "../../../src/logs/pipeline.js";
import type { ReadSummary } from "../../../src/logs/reader/summary.js";
import { resolveTimeZone } from "../../../src/time/zone.js";
import { makeTempDir, type TempDir } from "./temp-dir.js";

let dir: TempDir;
beforeEach(async () => {
  dir = await makeTempDir();
});
afterEach(async () => {
  await dir.remove();
});

// Numbered lines, so that no two stretches of the text are alike. 4,000 lines are about
// 220 KiB, more than the 64 KiB that are compared before the files are followed further.
function logText(lines: number, host = "mx1"): string {
  const out: string[] = [];
  for (let line = 1; line <= lines; line += 1) {
    out.push(
      `Mar  4 09:00:00 ${host} postfix/qmgr[1]: ${line.toString(16).padStart(10, "0")}: removed\n`,
    );
  }
  return out.join("");
}

const TEXT = logText(4000);

// Standard input that delivers `bytes` in chunks of `chunkBytes`.
function stdinOf(bytes: Buffer | string, chunkBytes = 65_536): Readable {
  const buffer = typeof bytes === "string" ? Buffer.from(bytes, "latin1") : bytes;
  const chunks: Buffer[] = [];
  for (let start = 0; start < buffer.length; start += chunkBytes) {
    chunks.push(buffer.subarray(start, start + chunkBytes));
  }
  return Readable.from(chunks);
}

function read(inputs: readonly string[], stdin: Readable): Promise<ReadSummary> {
  return readLogs(inputs, [], { timeZone: resolveTimeZone("UTC"), cwd: dir.path, stdin });
}

function linesOf(text: string): number {
  return text.split("\n").length - 1;
}

describe("stdin with the text of a file", () => {
  it("is skipped before or after the file", async () => {
    await dir.write("mail.log", TEXT);
    for (const inputs of [
      ["-", "mail.log"],
      ["mail.log", "-"],
    ]) {
      const summary = await read(inputs, stdinOf(TEXT));
      expect(summary.totals.lines, inputs.join()).toBe(4000);
      expect(
        summary.inputs.map((input) => input.name),
        inputs.join(),
      ).toEqual(["mail.log"]);
      expect(summary.sameContent, inputs.join()).toEqual([{ name: "-", sameAs: "mail.log" }]);
    }
  });

  it("is skipped in small chunks", async () => {
    await dir.write("mail.log", TEXT);
    const summary = await read(["-", "mail.log"], stdinOf(TEXT, 1000));
    expect(summary.totals.lines).toBe(4000);
    expect(summary.sameContent).toEqual([{ name: "-", sameAs: "mail.log" }]);
  });

  it("is skipped for a gzip file", async () => {
    await dir.write("mail.log.1.gz", gzipSync(TEXT));
    const asText = await read(["-", "mail.log.1.gz"], stdinOf(TEXT));
    expect(asText.totals.lines).toBe(4000);
    expect(asText.sameContent).toEqual([{ name: "-", sameAs: "mail.log.1.gz" }]);

    const asGzip = await read(["-", "mail.log.1.gz"], stdinOf(gzipSync(TEXT)));
    expect(asGzip.totals.lines).toBe(4000);
    expect(asGzip.sameContent).toEqual([{ name: "-", sameAs: "mail.log.1.gz" }]);
  });

  it("is skipped when it is the file's start", async () => {
    await dir.write("mail.log", TEXT);
    for (const length of [500, 150_000]) {
      const summary = await read(["-", "mail.log"], stdinOf(TEXT.slice(0, length)));
      expect(summary.totals.lines, String(length)).toBe(4000);
      expect(summary.sameContent, String(length)).toEqual([{ name: "-", sameAs: "mail.log" }]);
    }
  });

  it("is skipped for the matching one of two files", async () => {
    const other = TEXT.slice(0, 100_000) + logText(10, "mx2");
    await dir.write("copy.log", other);
    await dir.write("mail.log", TEXT);
    const summary = await read(["copy.log", "mail.log", "-"], stdinOf(TEXT));
    expect(summary.sameContent).toEqual([{ name: "-", sameAs: "mail.log" }]);
    expect(summary.totals.lines).toBe(linesOf(other) + 4000);
  });
});

describe("stdin that differs from every file", () => {
  it("is read when it goes on", async () => {
    await dir.write("mail.log", TEXT);
    const longer = TEXT + logText(5, "mx2");
    const summary = await read(["-", "mail.log"], stdinOf(longer));

    expect(summary.sameContent).toEqual([]);
    const stdin = summary.inputs.find((input) => input.name === "-");
    expect(stdin?.lines).toBe(4005);
    expect(stdin?.bytes).toBe(longer.length);
    expect(summary.totals.lines).toBe(8005);
  });

  it("is read when it differs after the head", async () => {
    await dir.write("mail.log", TEXT);
    for (const at of [70_000, 200_000]) {
      const changed = `${TEXT.slice(0, at)}X${TEXT.slice(at + 1)}`;
      const summary = await read(["-", "mail.log"], stdinOf(changed, 4096));

      expect(summary.sameContent, String(at)).toEqual([]);
      const stdin = summary.inputs.find((input) => input.name === "-");
      expect(stdin?.bytes, String(at)).toBe(changed.length);
      expect(stdin?.decompressedBytes, String(at)).toBe(changed.length);
      expect(stdin?.lines, String(at)).toBe(4000);
      expect(summary.totals.lines, String(at)).toBe(8000);
    }
  });

  it("is read when it differs at the start", async () => {
    await dir.write("mail.log", TEXT);
    const other = logText(20, "mx2");
    const summary = await read(["mail.log", "-"], stdinOf(other));
    expect(summary.sameContent).toEqual([]);
    expect(summary.totals.lines).toBe(4020);
  });

  it("is read when empty", async () => {
    await dir.write("mail.log", TEXT);
    const summary = await read(["-", "mail.log"], stdinOf(""));
    expect(summary.sameContent).toEqual([]);
    expect(summary.inputs.map((input) => input.name)).toEqual(["-", "mail.log"]);
  });

  it("reports a read error after matching bytes", async () => {
    await dir.write("mail.log", TEXT);
    async function* failing(): AsyncGenerator<Buffer> {
      yield Buffer.from(TEXT.slice(0, 100_000), "latin1");
      await Promise.resolve();
      throw new Error("connection reset");
    }
    const summary = await read(["-", "mail.log"], Readable.from(failing()));

    expect(summary.sameContent).toEqual([]);
    const stdin = summary.inputs.find((input) => input.name === "-");
    expect(stdin?.error?.message).toContain("connection reset");
    expect(stdin?.bytes).toBe(100_000);
  });
});
