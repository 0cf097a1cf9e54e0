import type { ReadStream } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createLogParsers } from "../../../src/logs/parsers.js";
import { readLogs } from "../../../src/logs/pipeline.js";
import type { ReadSummary } from "../../../src/logs/reader/summary.js";
import { resolveTimeZone } from "../../../src/time/zone.js";
import { makeTempDir, type TempDir } from "./temp-dir.js";

// The search for a cut line reads files with `createReadStream`, and the read itself with a
// file handle, so the streams opened per path count the searches of each file.
const searches = vi.hoisted(() => new Map<string, ReadStream[]>());
vi.mock("node:fs", async (importOriginal) => {
  const fs = await importOriginal<typeof import("node:fs")>();
  const createReadStream = (path: string, options?: Parameters<typeof fs.createReadStream>[1]) => {
    const stream = fs.createReadStream(path, options);
    searches.set(path, [...(searches.get(path) ?? []), stream]);
    return stream;
  };
  return { ...fs, default: { ...fs, createReadStream }, createReadStream };
});

let dir: TempDir;
beforeEach(async () => {
  dir = await makeTempDir();
  searches.clear();
});
afterEach(async () => {
  await dir.remove();
});

const MARCH_5 = Date.UTC(2024, 2, 5);
const MIB = 1024 * 1024;

const BOUNCE =
  "Mar  4 10:05:02 mx1 postfix/smtp[103]: 1B0000000B: to=<carol@outlook.com>, " +
  "relay=outlook-com.olc.protection.outlook.com[192.0.2.201]:25, delay=1, " +
  "delays=0.1/0/0.5/0.4, dsn=5.7.1, status=bounced (host " +
  "outlook-com.olc.protection.outlook.com[192.0.2.201] said: 550 5.7.1 Unfortunately, " +
  "messages from [198.51.100.1] weren't sent. (in reply to MAIL FROM command))";

// A copy taken while the MTA wrote the bounce line, which ends 40 bytes before its end.
const CUT_LOG =
  "Mar  4 10:05:01 mx1 postfix/qmgr[102]: 1B0000000B: from=<alice@example.com>, size=1300, " +
  `nrcpt=1 (queue active)\n${BOUNCE.slice(0, -40)}`;

// `connect from` lines from `hour`:00:00 on Mar 4, ten a second, of at least `bytes` in all.
function connectLines(hour: number, bytes: number): string {
  const lines: string[] = [];
  let size = 0;
  for (let index = 0; size < bytes; index++) {
    const time = Date.UTC(2024, 2, 4, hour, 0, Math.floor(index / 10));
    const clock = new Date(time).toISOString().slice(11, 19);
    const line = `Mar  4 ${clock} mx1 postfix/smtpd[100]: connect from client.example.net[192.0.2.10]\n`;
    lines.push(line);
    size += line.length;
  }
  return lines.join("");
}

async function read(inputs: readonly string[]): Promise<ReadSummary> {
  const parsers = createLogParsers(() => undefined);
  return readLogs(inputs, parsers, { timeZone: resolveTimeZone("UTC"), year: 2024, cwd: dir.path });
}

// The bytes that the searches for a cut line read from `name`.
function bytesSearched(name: string): number {
  const streams = searches.get(join(dir.path, name)) ?? [];
  return streams.reduce((sum, stream) => sum + stream.bytesRead, 0);
}

describe("cut line search reads", () => {
  it("skips a file read before", async () => {
    await dir.write("early.log", connectLines(6, 1000), MARCH_5);
    await dir.write("cut.log", CUT_LOG, MARCH_5);

    const summary = await read(["early.log", "cut.log"]);

    expect(searches.get(join(dir.path, "early.log"))).toBeUndefined();
    expect(summary.inputs.map((input) => input.copiedLines)).toEqual([0, 0]);
    expect(summary.inputs[1]?.notes[0]).toContain("which was counted");
  });

  it("searches a file read before", async () => {
    const full = `${CUT_LOG.slice(0, CUT_LOG.indexOf("\n") + 1)}${BOUNCE}\n`;
    await dir.write("full.log", full, MARCH_5);
    await dir.write("cut.log", CUT_LOG, MARCH_5);

    const summary = await read(["full.log", "cut.log"]);

    expect(searches.get(join(dir.path, "full.log"))?.length).toBe(1);
    expect(summary.inputs.map((input) => input.copiedLines)).toEqual([0, 2]);
  });

  it("stops at lines past the cut time", async () => {
    await dir.write("cut.log", CUT_LOG, MARCH_5);
    await dir.write("later.log", connectLines(12, 4 * MIB), MARCH_5);

    const summary = await read(["cut.log", "later.log"]);

    expect(searches.get(join(dir.path, "later.log"))?.length).toBe(1);
    expect(bytesSearched("later.log")).toBeLessThanOrEqual(2 * MIB);
    expect(summary.inputs[0]?.notes[0]).toContain("which was counted");
  });

  it("finds a whole line after a chunk", async () => {
    const before = connectLines(8, 3 * MIB);
    await dir.write("cut.log", CUT_LOG, MARCH_5);
    await dir.write("full.log", `${before}${BOUNCE}\n${connectLines(12, 2 * MIB)}`, MARCH_5);

    const summary = await read(["cut.log", "full.log"]);

    expect(bytesSearched("full.log")).toBeGreaterThan(3 * MIB);
    expect(bytesSearched("full.log")).toBeLessThan(5 * MIB);
    expect(summary.inputs[0]?.copiedLines).toBe(1);
    expect(summary.inputs[0]?.notes.at(-1)).toContain("so it was left out as a copy");
  });
});
