import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { LogEvent } from "../../../src/logs/events.js";
import { createLogParsers } from "../../../src/logs/parsers.js";
import { readLogs } from "../../../src/logs/pipeline.js";
import {
  isEximPanicLog,
  isEximRejectLog,
  isRejectLogHeaderLine,
} from "../../../src/logs/reader/exim-log-files.js";
import type { ReadSummary, ReadTotals } from "../../../src/logs/reader/summary.js";
import { resolveTimeZone } from "../../../src/time/zone.js";
import {
  EXIM_REJECTS,
  eximLogIn,
  eximMainLines,
  eximRejectLog,
} from "../../helpers/exim-shapes.js";
import { makeTempDir, type TempDir } from "./temp-dir.js";

let dir: TempDir;
beforeEach(async () => {
  dir = await makeTempDir();
});
afterEach(async () => {
  await dir.remove();
});

const REJECT_LOG_LINES = 11;
const HEADER_LINES = 9;

function mainLog(): string {
  const lines = [...eximMainLines(), ...EXIM_REJECTS].sort((a, b) => a.seconds - b.seconds);
  return eximLogIn("mainlog", lines);
}

async function read(inputs: readonly string[]): Promise<{ summary: ReadSummary; rejects: number }> {
  const events: LogEvent[] = [];
  const parsers = createLogParsers((event) => events.push(event));
  const summary = await readLogs(inputs, parsers, {
    timeZone: resolveTimeZone("UTC"),
    cwd: dir.path,
  });
  return { summary, rejects: events.filter((event) => event.type === "reject").length };
}

// The counts of the report's Read line add up to the lines read.
function expectLinesAddUp(totals: ReadTotals): void {
  const { parsed, ignored, unparsed, withoutParser, copiedLines, blank, unrecognised } = totals;
  const counted = parsed + ignored + unparsed + withoutParser + copiedLines + blank + unrecognised;
  expect(counted).toBe(totals.lines);
}

describe("Exim reject log beside the main log", () => {
  it("leaves out the whole reject log", async () => {
    await dir.write("mainlog", mainLog());
    await dir.write("rejectlog", eximRejectLog());
    const { summary, rejects } = await read(["."]);

    expect(rejects).toBe(EXIM_REJECTS.length);
    expect(summary.inputs.map((input) => [input.name, input.copiedLines])).toEqual([
      ["mainlog", 0],
      ["rejectlog", REJECT_LOG_LINES],
    ]);
    expect(summary.copiedInputs[0]?.headerLines).toBe(HEADER_LINES);
    expect(summary.totals.unrecognised).toBe(0);
    expect(summary.totals.rejectLogHeaderLines).toBe(0);
    expect(summary.unrecognisedSamples).toEqual([]);
    expectLinesAddUp(summary.totals);
  });

  it("reads cPanel and rotated names", async () => {
    await dir.write("exim_mainlog.1", mainLog());
    await dir.write("exim_rejectlog.1", eximRejectLog());
    const { summary, rejects } = await read(["exim_rejectlog.1", "exim_mainlog.1"]);

    expect(rejects).toBe(EXIM_REJECTS.length);
    expect(summary.totals.copiedLines).toBe(REJECT_LOG_LINES);
  });

  it("reads rejects outside the main log's time", async () => {
    const early = eximMainLines().filter((line) => line.seconds < 300);
    await dir.write("mainlog", eximLogIn("mainlog", early));
    await dir.write("rejectlog", eximRejectLog());
    const { summary, rejects } = await read(["."]);

    expect(rejects).toBe(EXIM_REJECTS.length);
    expect(summary.totals.copiedLines).toBe(0);
    expect(summary.totals.rejectLogHeaderLines).toBe(HEADER_LINES);
    expect(summary.totals.unrecognised).toBe(0);
    expectLinesAddUp(summary.totals);
  });
});

describe("Exim reject log with a partly copied entry", () => {
  it("counts headers of the read entry", async () => {
    const early = [...eximMainLines(), ...EXIM_REJECTS].filter((line) => line.seconds < 1000);
    await dir.write(
      "mainlog",
      eximLogIn(
        "mainlog",
        early.sort((a, b) => a.seconds - b.seconds),
      ),
    );
    await dir.write("rejectlog", eximRejectLog());
    const { summary } = await read(["."]);

    expect(summary.totals.copiedLines).toBe(1);
    expect(summary.totals.rejectLogHeaderLines).toBe(HEADER_LINES);
    expectLinesAddUp(summary.totals);
  });
});

describe("Exim reject log alone", () => {
  it("counts header lines as ignored", async () => {
    await dir.write("rejectlog", eximRejectLog());
    const { summary, rejects } = await read(["rejectlog"]);

    expect(rejects).toBe(EXIM_REJECTS.length);
    expect(summary.totals.rejectLogHeaderLines).toBe(HEADER_LINES);
    expect(summary.totals.ignored).toBe(HEADER_LINES);
    expect(summary.totals.unrecognised).toBe(0);
    expectLinesAddUp(summary.totals);
  });

  it("keeps lines before the first entry unrecognised", async () => {
    await dir.write("rejectlog", `F From: <b@spam.example>\n${eximRejectLog()}`);
    const { summary } = await read(["rejectlog"]);

    expect(summary.totals.unrecognised).toBe(1);
    expect(summary.totals.rejectLogHeaderLines).toBe(HEADER_LINES);
  });

  it("keeps header lines of other files unrecognised", async () => {
    await dir.write("reject.txt", eximRejectLog());
    const { summary } = await read(["reject.txt"]);

    expect(summary.totals.unrecognised).toBe(HEADER_LINES);
    expect(summary.totals.rejectLogHeaderLines).toBe(0);
  });
});

describe("Exim log file names", () => {
  it.each([
    ["/var/log/exim4/rejectlog", true],
    ["/var/log/exim4/rejectlog.01", true],
    ["/var/log/exim_rejectlog.2.gz", true],
    ["/var/log/exim4/mainlog", false],
    ["/var/log/exim4/paniclog", false],
  ])("%s is a reject log: %s", (path, expected) => {
    expect(isEximRejectLog(path)).toBe(expected);
  });

  it.each([
    ["/var/log/exim4/paniclog", true],
    ["/var/log/exim_paniclog.1", true],
    ["/var/log/exim4/rejectlog", false],
  ])("%s is a panic log: %s", (path, expected) => {
    expect(isEximPanicLog(path)).toBe(expected);
  });
});

describe("isRejectLogHeaderLine", () => {
  it.each([
    "Envelope-from: <b@spam.example>",
    "Envelope-to: <info@example.net>",
    "    <sales@example.net>",
    "P Received: from [198.51.100.20]",
    "\tby mx1.example.net with esmtp",
    "  Subject: Offer",
    "* X-Deleted: yes",
    "*** truncated ***",
  ])("accepts %j", (text) => {
    expect(isRejectLogHeaderLine(text)).toBe(true);
  });

  it.each(["Received: from x", "garbage", "2024-03-04 x", "{}"])("rejects %j", (text) => {
    expect(isRejectLogHeaderLine(text)).toBe(false);
  });
});
