import { Readable } from "node:stream";
import { deflateRawSync, gunzipSync, gzipSync, constants as zlibConstants } from "node:zlib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { analyseLogs, inputReport } from "../../../src/diagnose/run.js";
import { readLogs } from "../../../src/logs/pipeline.js";
import { LineSplitter } from "../../../src/logs/reader/lines.js";
import { readSource } from "../../../src/logs/reader/read.js";
import type { FileSource } from "../../../src/logs/reader/sources.js";
import { resolveTimeZone } from "../../../src/time/zone.js";
import { HOUR, PostfixLog, T0 } from "../../helpers/postfix-fixture.js";
import { makeTempDir, type TempDir } from "./temp-dir.js";

const UTC = resolveTimeZone("UTC");

let dir: TempDir;
beforeEach(async () => {
  dir = await makeTempDir();
});
afterEach(async () => {
  await dir.remove();
});

// Lines of varied length, so that the text compresses about as well as a mail log.
function logText(count: number): string {
  const lines = Array.from(
    { length: count },
    (_, index) => `line ${index} from mx.example.com ${"x".repeat((index * 7919) % 80)}`,
  );
  return `${lines.join("\n")}\n`;
}

// Bytes that are not text: control bytes, a NUL and invalid UTF-8.
const JUNK = Buffer.from([
  0x17, 0x03, 0x9f, 0x00, 0x41, 0xfe, 0x02, 0x88, 0x10, 0x7f, 0x05, 0x99, 0x01,
]);

async function readGzipFile(name: string, content: Buffer) {
  const path = await dir.write(name, content);
  const source: FileSource = {
    type: "file",
    name,
    path,
    sizeBytes: content.length,
    modifiedMs: 0,
    continuesPrevious: false,
  };
  const splitter = new LineSplitter(() => undefined);
  const result = await readSource(source, splitter);
  return { lines: splitter.lines, result };
}

// Reads `content` as stdin, in chunks of 64 KiB like a pipe.
async function readGzipStdin(content: Buffer) {
  const chunks: Buffer[] = [];
  for (let start = 0; start < content.length; start += 65_536) {
    chunks.push(content.subarray(start, start + 65_536));
  }
  const splitter = new LineSplitter(() => undefined);
  const result = await readSource({ type: "stdin", name: "-" }, splitter, {
    stdin: Readable.from(chunks),
  });
  return { lines: splitter.lines, result };
}

// A gzip member whose deflate data stops at a block boundary after `text`, followed by a
// block header of the reserved type 3, which zlib rejects as "invalid block type".
function memberWithBadBlock(text: string): Buffer {
  const header = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]);
  const blocks = deflateRawSync(text, { finishFlush: zlibConstants.Z_SYNC_FLUSH });
  return Buffer.concat([header, blocks, Buffer.from([0x06, 0xff, 0xff, 0xff])]);
}

describe("gzip trailing data", () => {
  it("reads every line before junk", async () => {
    const content = Buffer.concat([gzipSync(logText(7000)), JUNK]);
    const { lines, result } = await readGzipFile("one.gz", content);

    expect(lines).toBe(7000);
    expect(result.error).toBeNull();
    expect(result.trailingData?.bytes).toBe(JUNK.length);
    expect(result.trailingData?.message).toContain("13 bytes of trailing data");
    expect(result.trailingData?.message).toContain("one.gz");
  });

  it("notes zero bytes after the stream", async () => {
    const content = Buffer.concat([gzipSync(logText(7000)), Buffer.alloc(10)]);
    const { lines, result } = await readGzipFile("zeros.gz", content);

    expect(lines).toBe(7000);
    expect(result.error).toBeNull();
    expect(result.trailingData?.bytes).toBe(10);
  });

  it("reads two members before junk", async () => {
    const member = gzipSync(logText(7000));
    const content = Buffer.concat([member, member, JUNK]);
    const { lines, result } = await readGzipFile("multi.gz", content);

    expect(lines).toBe(14_000);
    expect(result.error).toBeNull();
    expect(result.trailingData?.bytes).toBe(JUNK.length);
    expect(result.decompressedBytes).toBe(2 * Buffer.byteLength(logText(7000)));
  });

  it("counts one junk byte after a zero", async () => {
    const content = Buffer.concat([gzipSync(logText(100)), Buffer.from([0, 0x41])]);
    const { lines, result } = await readGzipFile("padded.gz", content);

    expect(lines).toBe(100);
    expect(result.trailingData?.bytes).toBe(2);
  });

  it("counts junk longer than a read", async () => {
    const junk = Buffer.alloc(3 * 1024 * 1024, JUNK);
    const content = Buffer.concat([gzipSync(logText(7000)), junk]);
    const { lines, result } = await readGzipFile("long-junk.gz", content);

    expect(lines).toBe(7000);
    expect(result.error).toBeNull();
    expect(result.trailingData?.bytes).toBe(junk.length);
  });

  it("reads junk on stdin as a file", async () => {
    const content = Buffer.concat([gzipSync(logText(7000)), JUNK]);
    const { lines, result } = await readGzipStdin(content);

    expect(lines).toBe(7000);
    expect(result.error).toBeNull();
    expect(result.trailingData?.bytes).toBe(JUNK.length);
    expect(result.trailingData?.message).toContain(
      "trailing data after the gzip stream in standard input",
    );
  });

  it("gives no note for a clean stream", async () => {
    const { lines, result } = await readGzipFile("clean.gz", gzipSync(logText(7000)));

    expect(lines).toBe(7000);
    expect(result.error).toBeNull();
    expect(result.trailingData).toBeNull();
  });
});

describe("gzip damage", () => {
  it("keeps the lines before a cut", async () => {
    const whole = gzipSync(logText(7000));
    const cut = whole.subarray(0, whole.length - 100);
    const { lines, result } = await readGzipFile("cut.gz", cut);

    const expected = linesIn(gunzipPrefix(cut));
    expect(expected).toBeLessThan(7000);
    expect(lines).toBe(expected);
    expect(result.error?.code).toBe("corrupt-gzip");
    expect(result.error?.message).toContain(
      `the ${expected.toLocaleString("en-US")} lines before the damage`,
    );
    expect(result.trailingData).toBeNull();
  });

  it("reports a bad CRC after all lines", async () => {
    const content = gzipSync(logText(7000));
    const crcOffset = content.length - 8;
    content[crcOffset] = (content[crcOffset] ?? 0) ^ 0xff;
    const { lines, result } = await readGzipFile("crc.gz", content);

    expect(lines).toBe(7000);
    expect(result.error?.code).toBe("corrupt-gzip");
    expect(result.error?.message).toContain("incorrect data check");
    expect(result.error?.message).toContain("the 7,000 lines read from it may include garbage");
  });

  it("distrusts the lines before a bad CRC", async () => {
    // Zero bytes in the middle of a deflate block decode into garbage text, and zlib finds
    // the damage only when the CRC-32 at the end of the member does not match.
    const whole = gzipSync(logText(7000));
    const middle = Math.floor(whole.length / 2);
    const content = Buffer.concat([
      whole.subarray(0, middle),
      Buffer.alloc(1000),
      whole.subarray(middle + 1000),
    ]);
    const { result } = await readGzipFile("middle.gz", content);
    const message = result.error?.message ?? "";

    expect(result.error?.code).toBe("corrupt-gzip");
    expect(message).toContain('"middle.gz" is a damaged gzip file (incorrect data check)');
    expect(message).toContain("damaged at an unknown point");
    expect(message).toContain("Its counts cannot be trusted");
    expect(message).not.toContain("before the damage");
  });

  it("splits the text before a bad block", async () => {
    // 60,000 lines are about 4 MiB of text, several output chunks before the damage.
    const { lines, result } = await readGzipFile("block.gz", memberWithBadBlock(logText(60_000)));

    expect(lines).toBe(60_000);
    expect(result.decompressedBytes).toBe(Buffer.byteLength(logText(60_000)));
    expect(result.error?.message).toContain("invalid block type");
    expect(result.error?.message).toContain("the last of those lines may be garbage");
  });

  it("splits the text before a bad block on stdin", async () => {
    const { lines, result } = await readGzipStdin(memberWithBadBlock(logText(60_000)));

    expect(lines).toBe(60_000);
    expect(result.error?.code).toBe("corrupt-gzip");
  });

  it("keeps junk after a damaged member an error", async () => {
    const whole = gzipSync(logText(7000));
    const content = Buffer.concat([whole.subarray(0, whole.length - 100), JUNK]);
    const { result } = await readGzipFile("cut-junk.gz", content);

    expect(result.error?.code).toBe("corrupt-gzip");
    expect(result.trailingData).toBeNull();
  });

  it("raises what the line handler throws", async () => {
    const path = await dir.write("bad.gz", memberWithBadBlock(logText(60_000)));
    const source: FileSource = {
      type: "file",
      name: "bad.gz",
      path,
      sizeBytes: null,
      modifiedMs: 0,
      continuesPrevious: false,
    };
    const splitter = new LineSplitter((_text, line) => {
      if (line === 59_000) throw new TypeError("parser bug");
    });

    await expect(readSource(source, splitter)).rejects.toThrow("parser bug");
  });
});

describe("trailing data note", () => {
  it("reaches the input summary and notes", async () => {
    const log = new PostfixLog();
    for (let hour = 0; hour < 24; hour++) {
      log.submit({
        time: T0 + hour * HOUR,
        account: "alice@example.com",
        clientIp: "192.0.2.10",
        recipients: [{ address: `friend${hour}@example.net` }],
      });
    }
    const path = await dir.write("mail.log.1.gz", Buffer.concat([gzipSync(log.text()), JUNK]));

    const summary = await readLogs([path], [], { timeZone: UTC });
    expect(summary.inputs[0]?.error).toBeNull();
    expect(summary.inputs[0]?.trailingData?.bytes).toBe(JUNK.length);

    const run = await analyseLogs([path], { timeZone: UTC, now: T0 + 2 * 24 * HOUR });
    const notes = inputReport(run, UTC).notes;
    expect(notes).toContain(run.summary.inputs[0]?.trailingData?.message);
    expect(inputReport(run, UTC).files[0]?.error).toBeNull();
  });
});

// The text that zlib decodes from gzip data cut short.
function gunzipPrefix(gzip: Buffer): Buffer {
  return gunzipSync(gzip, { finishFlush: zlibConstants.Z_SYNC_FLUSH });
}

function linesIn(text: Buffer): number {
  let count = 0;
  for (const byte of text) if (byte === 10) count += 1;
  return text.length > 0 && text[text.length - 1] !== 10 ? count + 1 : count;
}

describe("gzip inside gzip", () => {
  it("names a gzip file inside a gzip file", async () => {
    const content = gzipSync(gzipSync(logText(100)));
    const { lines, result } = await readGzipFile("double.gz", content);

    expect(lines).toBe(0);
    expect(result.error?.code).toBe("unsupported-compression");
    expect(result.error?.message).toContain(
      '"double.gz": it is a gzip file inside a gzip file; unpack it once',
    );
    expect(result.notes).toEqual([]);
  });

  it("names one on stdin", async () => {
    const { result } = await readGzipStdin(gzipSync(gzipSync(logText(100))));

    expect(result.error?.message).toContain(
      "cannot read standard input: it is a gzip file inside a gzip file",
    );
  });
});
