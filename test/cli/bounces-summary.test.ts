import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCommand } from "../helpers/cli.js";
import { schemaValidator } from "../helpers/schema.js";
import * as fixture from "../bounce/fixtures.js";

interface InputSummary {
  readonly name: string;
  readonly messages: number;
  readonly skipped: number;
  readonly errors: string[];
  readonly skippedMessages: { name: string; error: string }[];
}

interface Summary {
  readonly schemaVersion: number;
  readonly messages: number;
  readonly recipients: number;
  readonly skipped: number;
  readonly unreadable: number;
  readonly inputs: InputSummary[];
  readonly results: Record<string, unknown>[];
}

let dir: string;
let folder: string;
const validate = schemaValidator("bounces.schema.json");

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "delist-cli-bounces-summary-"));
  folder = relative(process.cwd(), join(dir, "bounces"));
  mkdirSync(folder);
  writeFileSync(join(folder, "dsn.eml"), fixture.POSTFIX_DSN);
  writeFileSync(join(folder, "arf.eml"), fixture.ARF);
  writeFileSync(join(folder, "notes.txt"), "shopping list\n- bread\n");
  writeFileSync(join(folder, "empty.eml"), "");
  symlinkSync(join(dir, "absent.eml"), join(folder, "gone.eml"));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function summaryOf(...args: string[]): Promise<{ code: number; summary: Summary }> {
  const result = await runCommand(["bounces", "--format", "json", "--summary", ...args]);
  return { code: result.code, summary: JSON.parse(result.stdout) as Summary };
}

describe("bounces --summary", () => {
  it("counts skipped messages in JSON", async () => {
    const { code, summary } = await summaryOf(folder);

    expect(code).toBe(1);
    expect(summary.schemaVersion).toBe(1);
    expect(summary.messages).toBe(2);
    expect(summary.recipients).toBe(3);
    expect(summary.skipped).toBe(3);
    expect(summary.unreadable).toBe(0);
    expect(summary.results).toHaveLength(3);
  });

  it("names each skipped file", async () => {
    const { summary } = await summaryOf(folder);
    const names = summary.inputs.flatMap((input) => input.skippedMessages.map((m) => m.name));

    expect(names.sort()).toEqual(
      ["empty.eml", "gone.eml", "notes.txt"].map((name) => join(folder, name)),
    );
    expect(summary.inputs).toHaveLength(5);
  });

  it("matches the schema", async () => {
    const { summary } = await summaryOf(folder);

    expect(validate(summary)).toEqual([]);
  });

  it("reports an unusable named input", async () => {
    const { code, summary } = await summaryOf(join(folder, "notes.txt"));

    expect(code).toBe(2);
    expect(summary.unreadable).toBe(1);
    expect(summary.skipped).toBe(0);
    expect(summary.inputs[0]?.errors[0]).toContain("not a mail message");
    expect(validate(summary)).toEqual([]);
  });

  it("keeps the plain array without --summary", async () => {
    const result = await runCommand(["bounces", "--format", "json", folder]);
    const output = JSON.parse(result.stdout) as unknown;

    expect(Array.isArray(output)).toBe(true);
    expect(output).toHaveLength(3);
    expect(validate(output)).toEqual([]);
  });

  it("rejects --summary with text output", async () => {
    const result = await runCommand(["bounces", "--summary", folder]);

    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain("--summary works with --format json only");
  });
});
