import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { readLogs } from "../../../src/logs/pipeline.js";
import { BinarySample } from "../../../src/logs/reader/notes.js";
import { resolveTimeZone } from "../../../src/time/zone.js";
import { HOUR, PostfixLog, T0 } from "../../helpers/postfix-fixture.js";
import { loginRecords } from "../../helpers/login-records.js";

const UTC = resolveTimeZone("UTC");

function postfixText(): Buffer {
  const log = new PostfixLog();
  for (let hour = 0; hour < 3; hour++) {
    log.submit({
      time: T0 + hour * HOUR,
      account: "alice@example.com",
      clientIp: "192.0.2.10",
      recipients: [{ address: `friend${hour}@example.net` }],
    });
  }
  return Buffer.from(log.text(), "latin1");
}

// Feeds `bytes` to a sample in chunks that end at `cuts` (byte offsets).
function sampleOf(bytes: Buffer, cuts: number[]): BinarySample {
  const sample = new BinarySample();
  let start = 0;
  for (const cut of [...cuts, bytes.length]) {
    if (!sample.complete) sample.add(bytes.subarray(start, cut));
    start = cut;
  }
  return sample;
}

// Chunks as a slow pipe delivers them: `first` bytes, then the rest.
function slowPipe(bytes: Buffer, first: number): Readable {
  return Readable.from([bytes.subarray(0, first), bytes.subarray(first)]);
}

describe("BinarySample", () => {
  it("finds binary bytes after small chunks", () => {
    const records = loginRecords(50);
    for (const cuts of [[], [10], [1, 2, 3, 4], [10, 20, 4000]]) {
      const sample = sampleOf(records, cuts);
      expect(sample.looksBinary(), `chunks end at ${cuts.join(",")}`).toBe(true);
      expect(sample.complete).toBe(true);
    }
  });

  it("passes over leading NULs across chunks", () => {
    const text = postfixText();
    const input = Buffer.concat([Buffer.alloc(70_000), text]);
    for (const cuts of [[], [10], [65_536], [69_999, 70_005]]) {
      expect(sampleOf(input, cuts).looksBinary()).toBe(false);
    }
    const binary = Buffer.concat([Buffer.alloc(70_000), loginRecords(20)]);
    expect(sampleOf(binary, [5, 65_536]).looksBinary()).toBe(true);
  });

  it("stays false for a mail log", () => {
    const text = postfixText();
    const sample = sampleOf(text, [10, 11]);

    expect(sample.looksBinary()).toBe(false);
  });

  it("stays false for json-seq records", () => {
    const record = `\u001e{"MESSAGE":"connect from unknown[192.0.2.1]"}\n`;
    const sample = sampleOf(Buffer.from(record.repeat(40), "latin1"), [4096]);

    expect(sample.looksBinary()).toBe(false);
    expect(sample.binaryReason()).toBeNull();
  });

  it("names an input of only NULs", () => {
    const nuls = Buffer.alloc(200_000);
    for (const cuts of [[], [10], [65_536, 131_072]]) {
      expect(sampleOf(nuls, cuts).binaryReason()).toBe("it contains only NUL bytes");
    }
  });

  it("names NULs with line ends", () => {
    const lines = Buffer.from("\0\0\0\n\0\0\r\n\n", "latin1");

    expect(sampleOf(lines, [2]).binaryReason()).toBe("it contains only NUL bytes and line ends");
  });

  it("gives no reason for blank lines", () => {
    expect(sampleOf(Buffer.from("\n\n\r\n", "latin1"), []).binaryReason()).toBeNull();
    expect(sampleOf(Buffer.alloc(0), []).binaryReason()).toBeNull();
  });

  it("gives no reason for NULs before text", () => {
    const input = Buffer.concat([Buffer.alloc(70_000), Buffer.from("\n"), postfixText()]);

    expect(sampleOf(input, [65_536]).binaryReason()).toBeNull();
  });

  it("keeps a copy of the bytes", () => {
    const chunk = loginRecords(5);
    const sample = new BinarySample();
    sample.add(chunk);
    chunk.fill(0x41);

    expect(sample.looksBinary()).toBe(true);
  });
});

describe("binary note on a slow pipe", () => {
  it("names stdin after a 10-byte first chunk", async () => {
    const input = Buffer.concat([loginRecords(50), postfixText()]);
    const summary = await readLogs(["-"], [], { timeZone: UTC, stdin: slowPipe(input, 10) });

    expect(summary.inputs[0]?.notes).toHaveLength(1);
    expect(summary.inputs[0]?.notes[0]).toContain("standard input looks like a binary file");
  });

  it("gives no note for text on a slow pipe", async () => {
    const stdin = slowPipe(postfixText(), 10);
    const summary = await readLogs(["-"], [], { timeZone: UTC, stdin });

    expect(summary.inputs[0]?.notes).toEqual([]);
  });
});
