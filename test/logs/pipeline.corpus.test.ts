import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { LogRecord, ParseOutcome, RecordParser } from "../../src/logs/record.js";
import { readLogs } from "../../src/logs/pipeline.js";
import { resolveTimeZone } from "../../src/time/zone.js";
import { corpusPath, corpusRoot } from "../helpers/corpus.js";

const root = corpusRoot();

/** Accepts every program and keeps the first and last record it saw. */
class CountingParser implements RecordParser {
  records = 0;
  first: LogRecord | null = null;
  last: LogRecord | null = null;
  accepts(): boolean {
    return true;
  }
  parse(record: LogRecord): ParseOutcome {
    this.records += 1;
    this.first ??= record;
    this.last = record;
    return "parsed";
  }
  finish(): void {}
}

function filesUnder(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true })
    .flatMap((entry) => {
      const path = join(folder, entry.name);
      return entry.isDirectory() ? filesUnder(path) : [path];
    })
    .sort();
}

// Lines as the reader must count them: one per LF, plus a final line without one.
function expectedLines(path: string): number {
  const bytes = readFileSync(path);
  let count = 0;
  for (let index = bytes.indexOf(10); index >= 0; index = bytes.indexOf(10, index + 1)) count++;
  return bytes.length > 0 && bytes[bytes.length - 1] !== 10 ? count + 1 : count;
}

interface Truth {
  lines: number;
  timestamp_format: string;
  year?: number;
  time_range: { first_utc: string; last_utc: string };
}

// The truth files give times to the second.
const toSecond = (time: number | undefined): string =>
  time === undefined
    ? "none"
    : new Date(Math.floor(time / 1000) * 1000).toISOString().replace(".000Z", "Z");

describe.skipIf(root === null)("readLogs on the corpus", () => {
  const realFiles = root === null ? [] : filesUnder(corpusPath(root, "logs", "real"));
  const scenarioFolder = root === null ? "" : corpusPath(root, "logs", "scenarios");
  const scenarios =
    root === null
      ? []
      : readdirSync(scenarioFolder)
          .filter((name) => name.endsWith(".log"))
          .sort();

  it("finds the corpus files", () => {
    expect(realFiles.length).toBeGreaterThan(300);
    expect(scenarios.length).toBeGreaterThanOrEqual(13);
  });

  it.each(realFiles.map((path) => [path.slice(path.indexOf("logs/real/") + 10), path]))(
    "reads real %s",
    async (_name, path) => {
      const summary = await readLogs([path], [new CountingParser()], {
        timeZone: resolveTimeZone("UTC"),
      });
      expect(summary.inputs).toHaveLength(1);
      expect(summary.inputs[0]?.error).toBeNull();
      expect(summary.totals.lines).toBe(expectedLines(path));
      const { blank, unrecognised, records } = summary.totals;
      expect(blank + unrecognised).toBeLessThanOrEqual(summary.totals.lines);
      expect(records).toBeGreaterThanOrEqual(0);
    },
  );

  it.each(scenarios)("frames every line of scenario %s", async (name) => {
    const path = join(scenarioFolder, name);
    const truth = JSON.parse(readFileSync(path.replace(/\.log$/, ".truth.json"), "utf8")) as Truth;
    const parser = new CountingParser();
    const summary = await readLogs([path], [parser], {
      timeZone: resolveTimeZone("UTC"),
      year: truth.timestamp_format === "rfc3164" ? truth.year : undefined,
    });

    expect(summary.totals.lines).toBe(truth.lines);
    expect(summary.totals.lines).toBe(expectedLines(path));
    expect(summary.totals.unrecognised).toBe(0);
    expect(summary.totals.blank).toBe(0);
    expect(summary.totals.records).toBe(truth.lines);
    expect(parser.records).toBe(truth.lines);
    expect(parser.first?.line).toBe(1);
    expect(toSecond(parser.first?.time)).toBe(truth.time_range.first_utc);
    expect(parser.last?.line).toBe(truth.lines);
    expect(toSecond(parser.last?.time)).toBe(truth.time_range.last_utc);
  });
});
