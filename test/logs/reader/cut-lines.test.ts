import { gzipSync } from "node:zlib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { LogEvent } from "../../../src/logs/events.js";
import { createLogParsers } from "../../../src/logs/parsers.js";
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

// Two messages, each with one delivery attempt. Outlook.com rejects the second one.
const LOG_LINES = [
  "Mar  4 10:00:01 mx1 postfix/qmgr[102]: 1A0000000A: from=<alice@example.com>, size=1200, nrcpt=1 (queue active)",
  "Mar  4 10:00:02 mx1 postfix/smtp[103]: 1A0000000A: to=<bob@example.net>, relay=mx.example.net[192.0.2.20]:25, delay=1, delays=0.1/0/0.5/0.4, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 9Z9Z9Z)",
  "Mar  4 10:00:02 mx1 postfix/qmgr[102]: 1A0000000A: removed",
  "Mar  4 10:05:01 mx1 postfix/qmgr[102]: 1B0000000B: from=<alice@example.com>, size=1300, nrcpt=1 (queue active)",
  "Mar  4 10:05:02 mx1 postfix/smtp[103]: 1B0000000B: to=<carol@outlook.com>, relay=outlook-com.olc.protection.outlook.com[192.0.2.201]:25, delay=1, delays=0.1/0/0.5/0.4, dsn=5.7.1, status=bounced (host outlook-com.olc.protection.outlook.com[192.0.2.201] said: 550 5.7.1 Unfortunately, messages from [198.51.100.1] weren't sent. Please contact your Internet service provider since part of their network is on our block list (S3150). (in reply to MAIL FROM command))",
  "Mar  4 10:05:03 mx1 postfix/qmgr[102]: 1B0000000B: removed",
];
const FULL_LOG = LOG_LINES.map((line) => `${line}\n`).join("");

// A copy taken while the MTA wrote the bounce line: it ends 60 bytes before that line's end.
const CUT_LOG = FULL_LOG.slice(0, FULL_LOG.indexOf("\nMar  4 10:05:03") - 60);

interface Read {
  readonly summary: ReadSummary;
  readonly events: LogEvent[];
}

async function read(inputs: readonly string[]): Promise<Read> {
  const events: LogEvent[] = [];
  const parsers = createLogParsers((event) => events.push(event));
  const summary = await readLogs(inputs, parsers, {
    timeZone: resolveTimeZone("UTC"),
    year: 2024,
    cwd: dir.path,
  });
  return { summary, events };
}

function deliveries(events: readonly LogEvent[]): number {
  return events.filter((event) => event.type === "delivery").length;
}

function notesOf(summary: ReadSummary, name: string): readonly string[] {
  return summary.inputs.find((input) => input.name === name)?.notes ?? [];
}

describe("cut last lines", () => {
  it("leaves out a cut line read first", async () => {
    await dir.write("full.log", FULL_LOG);
    await dir.write("cut.log", CUT_LOG);

    const { summary, events } = await read(["cut.log", "full.log"]);

    expect(deliveries(events)).toBe(2);
    expect(summary.inputs.map((input) => input.copiedLines)).toEqual([1, 4]);
    expect(notesOf(summary, "cut.log")).toEqual([
      "cut.log ended without a line end after line 5, a record cut short. full.log has the whole line, so it was left out as a copy.",
    ]);
    expect(summary.copiedInputs[0]?.earlierInputs).toEqual(["full.log"]);
  });

  it("leaves out a cut line read last", async () => {
    await dir.write("full.log", FULL_LOG);
    await dir.write("cut.log", CUT_LOG);

    const { summary, events } = await read(["full.log", "cut.log"]);

    expect(deliveries(events)).toBe(2);
    expect(summary.inputs.map((input) => input.copiedLines)).toEqual([0, 5]);
    expect(notesOf(summary, "cut.log")[0]).toContain("so it was left out as a copy");
  });

  it("leaves out a damaged gzip copy's cut line", async () => {
    const gzip = gzipSync(FULL_LOG);
    await dir.write("full.log", FULL_LOG);
    // Without its trailer and last deflate bytes, the data ends inside the bounce line.
    await dir.write("cut.log.gz", gzip.subarray(0, gzip.length - 40));

    const { summary, events } = await read(["cut.log.gz", "full.log"]);

    expect(summary.inputs[0]?.error).not.toBeNull();
    expect(deliveries(events)).toBe(2);
    expect(notesOf(summary, "cut.log.gz").at(-1)).toContain("so it was left out as a copy");
  });

  it("counts a cut line no file has whole", async () => {
    // The other log's bounce line has another recipient, so the cut line starts no line of it.
    await dir.write("other.log", FULL_LOG.replace("carol@outlook.com", "dave@outlook.com"));
    await dir.write("cut.log", CUT_LOG);

    const { summary, events } = await read(["cut.log", "other.log"]);

    expect(summary.inputs.map((input) => input.copiedLines)).toEqual([0, 4]);
    expect(deliveries(events)).toBe(3);
    expect(notesOf(summary, "cut.log")[0]).toContain("which was counted");
  });
});
