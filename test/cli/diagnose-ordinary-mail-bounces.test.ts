import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { runCommand } from "../helpers/cli.js";
import { PostfixLog } from "../helpers/postfix-fixture.js";
import * as fixture from "../bounce/fixtures.js";

const OFFLINE = ["diagnose", "--offline", "--timezone", "UTC", "--year", "2024"];

let directory: string;
let log: string;
let plainMail: string;
let bounces: string;

beforeAll(() => {
  directory = mkdtempSync(join(tmpdir(), "delist-diagnose-plain-mail-"));
  const mail = new PostfixLog();
  mail.submitHourly({ hours: 6 });
  log = join(directory, "mail.log");
  writeFileSync(log, mail.text());
  plainMail = join(directory, "plain.eml");
  writeFileSync(plainMail, fixture.PLAIN_MAIL);
  bounces = join(directory, "dsn.eml");
  writeFileSync(bounces, fixture.POSTFIX_DSN);
});

afterAll(() => {
  rmSync(directory, { recursive: true, force: true });
});

/** Returns the text with every run of white space made one space, so wrapping does not matter. */
function oneLine(text: string): string {
  return text.replace(/\s+/g, " ");
}

describe("diagnose --bounces with ordinary mail", () => {
  test("says the folder has no bounce", async () => {
    const result = await runCommand([...OFFLINE, "--bounces", plainMail, "--", log]);
    const text = oneLine(result.stdout);

    expect(text).toContain(
      "Read 1 message from 1 file, but no bounce, complaint report or automatic reply with a recipient",
    );
    expect(text).toContain("check that --bounces names the folder where bounces arrive.");
    expect(text).not.toContain("Read 1 bounce message");
  });

  test("keeps the count for real bounces", async () => {
    const result = await runCommand([...OFFLINE, "--bounces", bounces, "--", log]);
    const text = oneLine(result.stdout);

    expect(text).toContain("Read 1 bounce message from 1 file:");
    expect(text).not.toContain("names the folder where bounces arrive");
  });
});
