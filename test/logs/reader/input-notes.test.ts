import { gzipSync } from "node:zlib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readLogs } from "../../../src/logs/pipeline.js";
import { looksBinary } from "../../../src/logs/reader/notes.js";
import { resolveTimeZone } from "../../../src/time/zone.js";
import { runCommand } from "../../helpers/cli.js";
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

// Login records in the layout of Linux utmp (384 bytes each): type, pid, line, id, user,
// host, exit status, session, time and address, most of them padded with NULs.
function wtmp(records: number): Buffer {
  const buffer = Buffer.alloc(384 * records);
  for (let index = 0; index < records; index++) {
    const base = index * 384;
    buffer.writeInt32LE(7, base);
    buffer.writeInt32LE(4000 + index, base + 4);
    buffer.write(`pts/${index}`, base + 8, "latin1");
    buffer.write(`ts/${index}`, base + 40, "latin1");
    buffer.write("alice", base + 44, "latin1");
    buffer.write("192.0.2.10", base + 76, "latin1");
    buffer.writeInt32LE(1_700_000_000 + index * 60, base + 340);
    buffer.writeUInt32BE(0xc000020a, base + 348);
  }
  return buffer;
}

function postfixText(): string {
  const log = new PostfixLog();
  for (let hour = 0; hour < 3; hour++) {
    log.submit({
      time: T0 + hour * HOUR,
      account: "alice@example.com",
      clientIp: "192.0.2.10",
      recipients: [{ address: `friend${hour}@example.net` }],
    });
  }
  return log.text();
}

describe("looksBinary", () => {
  it("is true for wtmp records", () => {
    expect(looksBinary(wtmp(1))).toBe(true);
    expect(looksBinary(wtmp(40))).toBe(true);
  });

  it("is false for a mail log", () => {
    expect(looksBinary(Buffer.from(postfixText(), "latin1"))).toBe(false);
  });

  it("is false after a NUL run", () => {
    const text = Buffer.from(postfixText(), "latin1");
    expect(looksBinary(Buffer.concat([Buffer.alloc(70_000), text]))).toBe(false);
    expect(looksBinary(Buffer.alloc(100))).toBe(false);
  });

  it("is false for colour codes", () => {
    const line = "\u001b[31mMar  4 09:15:02\u001b[0m mail postfix/smtp[1]:\tsent\r\n";
    expect(looksBinary(Buffer.from(line.repeat(50), "latin1"))).toBe(false);
  });
});

describe("input notes", () => {
  it("names a binary file in a folder", async () => {
    await dir.write("mail.log", postfixText());
    await dir.write("wtmp", wtmp(40));
    const summary = await readLogs([dir.path], [], { timeZone: UTC });

    const byName = new Map(summary.inputs.map((input) => [input.name.split("/").pop(), input]));
    expect(byName.get("wtmp")?.notes).toHaveLength(1);
    expect(byName.get("wtmp")?.notes[0]).toContain("wtmp looks like a binary file");
    expect(byName.get("mail.log")?.notes).toEqual([]);
  });

  it("names a binary file inside gzip", async () => {
    await dir.write("wtmp.1.gz", gzipSync(wtmp(40)));
    const summary = await readLogs([dir.path], [], { timeZone: UTC });

    expect(summary.inputs[0]?.notes[0]).toContain("looks like a binary file");
  });

  it("notes a last line without a line end", async () => {
    const text = postfixText();
    const path = await dir.write("live.log", text.slice(0, text.length - 20));
    const summary = await readLogs([path], [], { timeZone: UTC });

    const lines = summary.inputs[0]?.lines ?? 0;
    expect(lines).toBe(text.split("\n").length - 1);
    expect(summary.inputs[0]?.notes).toHaveLength(1);
    expect(summary.inputs[0]?.notes[0]).toContain(`ended without a line end after line ${lines}`);
  });

  it("gives no note for a complete log", async () => {
    const path = await dir.write("mail.log", postfixText());
    const summary = await readLogs([path], [], { timeZone: UTC });

    expect(summary.inputs[0]?.notes).toEqual([]);
  });
});

describe("diagnose text report", () => {
  it("shows the notes and the NUL count", async () => {
    const text = postfixText();
    const middle = text.indexOf("\n", text.length / 2) + 1;
    const crashed = Buffer.concat([
      Buffer.from(text.slice(0, middle), "latin1"),
      Buffer.alloc(70_000),
      Buffer.from(text.slice(middle), "latin1"),
    ]);
    await dir.write("mail.log", crashed);
    await dir.write("wtmp", wtmp(40));
    const run = await runCommand(["diagnose", dir.path, "--offline", "--timezone", "UTC"]);
    const output = run.stdout.replace(/\s+/g, " ");

    expect(output).toContain("looks like a binary file");
    // The NUL line of the crash counts, and the lines of the binary wtmp file do not.
    expect(output).toContain("1 line contains NUL bytes, which a crash can leave.");
    expect(output).not.toContain("longer than 64 KiB");
  });

  it("reads text and gzip joined on stdin", async () => {
    const text = postfixText();
    const half = text.indexOf("\n", text.length / 2) + 1;
    const joined = Buffer.concat([
      Buffer.from(text.slice(0, half), "latin1"),
      gzipSync(text.slice(half)),
    ]);
    const plain = await runCommand(["logs", "-", "--format", "json"], text);
    const run = await runCommand(["logs", "-", "--format", "json"], joined);

    expect(run.stderr).toBe("");
    const parsed = (output: string): unknown =>
      (JSON.parse(output) as { input: { parsed: unknown } }).input.parsed;
    expect(parsed(run.stdout)).toBe(parsed(plain.stdout));
  });
});
