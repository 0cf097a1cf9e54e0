import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCommand } from "../helpers/cli.js";
import * as fixture from "../bounce/fixtures.js";

const HINT = "Check that you gave the folder or mbox where bounces arrive.";

let plainDir: string;
let mixedDir: string;

beforeAll(() => {
  plainDir = mkdtempSync(join(tmpdir(), "delist-cli-plain-mail-"));
  writeFileSync(join(plainDir, "one.eml"), fixture.PLAIN_MAIL);
  writeFileSync(join(plainDir, "two.eml"), fixture.PLAIN_MAIL);
  mixedDir = mkdtempSync(join(tmpdir(), "delist-cli-mixed-mail-"));
  writeFileSync(join(mixedDir, "dsn.eml"), fixture.POSTFIX_DSN);
  writeFileSync(join(mixedDir, "plain.eml"), fixture.PLAIN_MAIL);
});

afterAll(() => {
  rmSync(plainDir, { recursive: true, force: true });
  rmSync(mixedDir, { recursive: true, force: true });
});

/** Returns the text output joined into one line, so that a check does not depend on wrapping. */
function oneLine(text: string): string {
  return text.replace(/\s+/g, " ");
}

describe("bounces on ordinary mail", () => {
  it("says no message is a bounce", async () => {
    const result = await runCommand(["bounces", plainDir]);
    const text = oneLine(result.stdout);

    expect(result.stdout).toContain("0 recipients in 2 messages from 2 inputs (2 not a bounce)");
    expect(text).toContain("None of the 2 messages is a bounce, delivery status notification");
    expect(text).toContain(HINT);
    for (const line of result.stdout.split("\n")) expect(line.length).toBeLessThanOrEqual(80);
  });

  it("words one message alone", async () => {
    const result = await runCommand(["bounces", join(plainDir, "one.eml")]);
    expect(oneLine(result.stdout)).toContain("The message is not a bounce,");
  });

  it("gives no hint beside a bounce", async () => {
    const result = await runCommand(["bounces", mixedDir]);
    expect(result.stdout).toContain("(1 not a bounce)");
    expect(oneLine(result.stdout)).not.toContain(HINT);
  });

  it("keeps JSON an empty array", async () => {
    const result = await runCommand(["bounces", plainDir, "--format", "json"]);
    expect(JSON.parse(result.stdout)).toEqual([]);
  });
});
