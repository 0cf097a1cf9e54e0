import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, test } from "vitest";
import { painter } from "../../src/report/colour.js";
import { renderDiagnosisMarkdown } from "../../src/report/markdown.js";
import { renderDiagnosisText } from "../../src/report/text.js";
import { corpusPath, corpusRoot } from "../helpers/corpus.js";
import { diagnoseFiles } from "../helpers/diagnose-text.js";
import { schemaValidator } from "../helpers/schema.js";

const root = corpusRoot();
const realDir = root === null ? "" : corpusPath(root, "logs", "real");
const validateDiagnosis = schemaValidator("diagnose.schema.json");

function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? listFiles(path) : [path];
  });
}

function newlineCount(path: string): number {
  const bytes = readFileSync(path);
  let count = 0;
  for (const byte of bytes) if (byte === 10) count += 1;
  return bytes.length > 0 && bytes[bytes.length - 1] !== 10 ? count + 1 : count;
}

// Every file of the real-log corpus, test fixtures and expectation files included: whatever
// a user points delist at, it must read to the end and report, never throw.
const files = root === null ? [] : listFiles(realDir).sort();

describe.skipIf(root === null)("diagnose on every real log", () => {
  test("the corpus has its 314 files", () => {
    expect(files.length).toBeGreaterThanOrEqual(314);
  });

  test.each(files.map((file) => [relative(realDir, file), file]))("%s", async (_name, file) => {
    const diagnosis = await diagnoseFiles([file], { year: 2024 });

    expect(diagnosis.input.lines).toBe(newlineCount(file));
    expect(validateDiagnosis(JSON.parse(JSON.stringify(diagnosis)))).toEqual([]);
    expect(renderDiagnosisText(diagnosis, painter(false)).length).toBeGreaterThan(0);
    expect(renderDiagnosisMarkdown(diagnosis).length).toBeGreaterThan(0);
  });
});
