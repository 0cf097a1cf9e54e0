import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readLogs } from "../../../src/logs/pipeline.js";
import { createPostfixParser } from "../../../src/logs/postfix/index.js";
import { SAMPLE_CHARS, type ReadSummary } from "../../../src/logs/reader/summary.js";
import { resolveTimeZone } from "../../../src/time/zone.js";
import { makeTempDir, type TempDir } from "./temp-dir.js";

// Docker's json-file logs write a NUL character of a line as `\u0000` inside the JSON string,
// so the file has no NUL byte. Such lines count in `withNul` as plain lines with NUL bytes do.

const MARCH_2024 = Date.UTC(2024, 2, 10);
const QMGR = "Mar  4 09:15:01 mx1 postfix/qmgr[102]: 1A2B3C4D5E: removed";
const DELIVERY =
  "Mar  4 09:15:02 mx1 postfix/smtp[103]: 1A2B3C4D5E: to=<bob@gmail.com>, " +
  "relay=gmail-smtp-in.l.google.com[192.0.2.200]:25, delay=1, " +
  "delays=0.1/0/0.5/0.4, dsn=2.0.0, status=sent (250 2.0.0 OK gsmtp)";
// The offset in `DELIVERY` after `1A2B3C4D5E:`.
const AFTER_QUEUE_ID = DELIVERY.indexOf(" to=");

let dir: TempDir;
beforeEach(async () => {
  dir = await makeTempDir();
});
afterEach(async () => {
  await dir.remove();
});

function record(log: string): string {
  return JSON.stringify({ log, stream: "stdout", time: "2024-03-04T09:15:02.000000000Z" });
}

async function read(name: string, text: string): Promise<ReadSummary> {
  await dir.write(name, text, MARCH_2024);
  const parsers = [createPostfixParser(() => undefined)];
  return readLogs([name], parsers, { timeZone: resolveTimeZone("UTC"), cwd: dir.path });
}

function withNuls(at: number, count: number): string {
  return `${DELIVERY.slice(0, at)}${"\u0000".repeat(count)}${DELIVERY.slice(at)}`;
}

describe("escaped NUL in json-file logs", () => {
  it.each([
    ["in the middle", withNuls(AFTER_QUEUE_ID, 2)],
    ["at the start", withNuls(0, 8)],
    ["at the end", withNuls(DELIVERY.length, 1)],
  ])("counts a NUL %s", async (_, log) => {
    const text = `${record(`${QMGR}\n`)}\n${record(`${log}\n`)}\n`;

    const summary = await read("docker.log", text);

    expect(summary.totals.lines).toBe(2);
    expect(summary.totals.nul).toBe(1);
  });

  it("samples the decoded line", async () => {
    const log = withNuls(AFTER_QUEUE_ID, 2);
    const summary = await read("docker.log", `${record(`${log}\n`)}\n`);

    expect(summary.totals.unparsed).toBe(1);
    expect(summary.unparsedSamples).toHaveLength(1);
    expect(summary.unparsedSamples[0]?.line).toBe(1);
    expect(summary.unparsedSamples[0]?.text).toBe(log.slice(0, SAMPLE_CHARS));
  });

  it("matches a plain line with NUL bytes", async () => {
    const log = withNuls(AFTER_QUEUE_ID, 2);
    const json = await read("docker.log", `${record(`${log}\n`)}\n`);
    const plain = await read("plain.log", `${log}\n`);

    expect(json.totals.nul).toBe(plain.totals.nul);
    expect(json.totals.unparsed).toBe(plain.totals.unparsed);
    expect(json.unparsedSamples[0]?.text).toBe(plain.unparsedSamples[0]?.text);
  });

  it("counts a NUL that ends a part", async () => {
    const cut = 60;
    const first = `${DELIVERY.slice(0, cut)}\u0000`;
    const text = `${record(first)}\n${record(`${DELIVERY.slice(cut)}\n`)}\n`;

    const summary = await read("docker.log", text);

    expect(summary.totals.lines).toBe(2);
    expect(summary.totals.nul).toBe(1);
    expect(summary.unparsedSamples[0]?.text.startsWith(first)).toBe(true);
  });

  it("counts nothing without a NUL", async () => {
    const summary = await read("docker.log", `${record(`${DELIVERY}\n`)}\n`);

    expect(summary.totals.nul).toBe(0);
    expect(summary.totals.parsed).toBe(1);
  });
});
