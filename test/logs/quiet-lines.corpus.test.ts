import { createHash } from "node:crypto";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createLogParsers } from "../../src/logs/parsers.js";
import { readLogs } from "../../src/logs/pipeline.js";
import type { RecordParser } from "../../src/logs/record.js";
import { resolveTimeZone } from "../../src/time/zone.js";
import { corpusPath, corpusRoot } from "../helpers/corpus.js";
import { eventDigest, withoutQuietLines } from "./quiet-lines.js";

const root = corpusRoot();

function filesUnder(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true })
    .flatMap((entry) => {
      const path = join(folder, entry.name);
      return entry.isDirectory() ? filesUnder(path) : [path];
    })
    .sort();
}

// Reads `path` with every parser, or with parsers that name no quiet prefixes, and returns the
// totals and a hash of every event.
async function readWith(path: string, plain: boolean) {
  const hash = createHash("sha256");
  let events = 0;
  const parsers: RecordParser[] = createLogParsers((event) => {
    events += 1;
    hash.update(eventDigest(event));
  });
  const summary = await readLogs([path], plain ? parsers.map(withoutQuietLines) : parsers, {
    timeZone: resolveTimeZone("UTC"),
    year: 2024,
  });
  const { totals, earliestTime, latestTime } = summary;
  return { totals, earliestTime, latestTime, events, hash: hash.digest("hex") };
}

describe.skipIf(root === null)("quiet lines on the corpus", () => {
  const files =
    root === null
      ? []
      : [
          ...filesUnder(corpusPath(root, "logs", "real")),
          ...filesUnder(corpusPath(root, "logs", "scenarios")).filter((path) =>
            path.endsWith(".log"),
          ),
        ];

  it("finds the corpus logs", () => {
    expect(files.length).toBeGreaterThan(300);
  });

  it.each(files.map((path) => [path.slice(path.indexOf("logs/") + 5), path]))(
    "reads %s as records would",
    async (_name, path) => {
      const quiet = await readWith(path, false);
      const plain = await readWith(path, true);
      expect(quiet).toEqual(plain);
    },
  );
});
