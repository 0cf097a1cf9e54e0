import { describe, expect, test } from "vitest";
import { runCommand } from "../helpers/cli.js";
import { PostfixLog } from "../helpers/postfix-fixture.js";
import { temporaryFiles } from "../helpers/temporary-files.js";
import { POSTFIX_DSN } from "../bounce/fixtures.js";

const temporary = temporaryFiles();

interface Json {
  input: { notes: string[]; bounces: { failed: number } | null };
  providers: Record<string, { fromBounces: number }>;
  findings: Array<{ id: string }>;
}

/** Runs diagnose on a day of log from `start` and the fixture bounce of 3 March 2026. */
async function diagnose(start: number): Promise<Json> {
  const log = new PostfixLog();
  for (let index = 0; index < 20; index++) {
    log.submit({
      time: start + index * 3_600_000,
      account: "news@example.com",
      clientIp: "198.51.100.10",
      recipients: [{ address: `reader${index}@example.net` }],
    });
  }
  const logFile = temporary.file(log.text());
  const bounce = temporary.file(POSTFIX_DSN, "bounce.eml");
  const result = await runCommand([
    "diagnose",
    logFile,
    "--bounces",
    bounce,
    "--offline",
    "--format",
    "json",
  ]);
  return JSON.parse(result.stdout) as Json;
}

describe("bounces outside the log", () => {
  test("old bounce is left out", async () => {
    const json = await diagnose(Date.UTC(2026, 5, 10));
    expect(json.input.bounces?.failed).toBe(1);
    expect(
      json.input.notes.some((note) => note.startsWith("1 failed or delayed recipient from")),
    ).toBe(true);
    expect(json.providers["other"]?.fromBounces ?? 0).toBe(0);
  });

  test("bounce of the log's time counts", async () => {
    const json = await diagnose(Date.UTC(2026, 2, 3));
    expect(json.input.notes.some((note) => note.includes("failed or delayed"))).toBe(false);
    expect(json.providers["other"]?.fromBounces).toBe(1);
  });
});
