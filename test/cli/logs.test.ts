import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { runCommand } from "../helpers/cli.js";
import { GMAIL_RATE_LIMIT, HOUR, PostfixLog, T0 } from "../helpers/postfix-fixture.js";
import { schemaValidator } from "../helpers/schema.js";
import { temporaryFiles } from "../helpers/temporary-files.js";

const EXAMPLE = fileURLToPath(new URL("../../examples/postfix", import.meta.url));
const validate = schemaValidator("logs.schema.json");
const validateUnusable = schemaValidator("diagnose-unusable-input.schema.json");

const temporary = temporaryFiles();

/** Builds a day of mail from one account and a PHP script, every Gmail message deferred. */
function mixedLog(): string {
  const log = new PostfixLog();
  for (let hour = 0; hour < 24; hour++) {
    log.submit({
      time: T0 + hour * HOUR,
      account: "alice@example.com",
      clientIp: "198.51.100.10",
      recipients: [
        { address: `friend${hour}@gmail.com`, outcome: GMAIL_RATE_LIMIT },
        { address: `partner${hour}@outlook.com` },
      ],
    });
    log.pickup({
      time: T0 + hour * HOUR + 60_000,
      uid: 33,
      user: "www-data",
      script: "/var/www/example.com/contact.php",
      recipients: [{ address: `reader${hour}@example.net` }],
    });
    log.authFailure(T0 + hour * HOUR + 120_000, "203.0.113.7", "bob@example.com");
  }
  return log.text();
}

describe("delist logs", () => {
  test("JSON of a fixture matches the schema", async () => {
    const result = await runCommand([
      "logs",
      "--format",
      "json",
      "--timezone",
      "UTC",
      temporary.file(mixedLog()),
    ]);
    const statistics = JSON.parse(result.stdout) as {
      localSources: unknown[];
      lifecycle: unknown[];
    };

    expect(validate(statistics)).toEqual([]);
    expect(statistics.localSources.length).toBeGreaterThan(0);
  });

  test("JSON of the example matches the schema", async () => {
    const result = await runCommand(["logs", "--format", "json", "--timezone", "UTC", EXAMPLE]);
    const statistics = JSON.parse(result.stdout) as { lifecycle: unknown[]; accounts: unknown[] };

    expect(validate(statistics)).toEqual([]);
    expect(statistics.lifecycle.length).toBeGreaterThan(0);
    expect(statistics.accounts.length).toBeGreaterThan(0);
  });

  test("schema rejects a wrong shape", async () => {
    const result = await runCommand([
      "logs",
      "--format",
      "json",
      "--timezone",
      "UTC",
      temporary.file(mixedLog()),
    ]);
    const statistics = JSON.parse(result.stdout) as Record<string, unknown>;

    expect(validate({ ...statistics, days: [{ day: "yesterday" }] })).not.toEqual([]);
    expect(validate({ ...statistics, providers: { nowhere: {} } })).not.toEqual([]);
  });

  test("blocked example exits 0", async () => {
    const result = await runCommand(["logs", "--timezone", "UTC", EXAMPLE]);

    expect(result.code).toBe(0);
    expect(result.stdout).toContain("421 4.7.28");
  });

  test("unreadable input exits 2 after the statistics", async () => {
    const result = await runCommand([
      "logs",
      "--timezone",
      "UTC",
      temporary.file(mixedLog()),
      "/nonexistent/delist/typo.log",
    ]);

    expect(result.code).toBe(2);
    expect(result.stdout).toContain("Outbound by provider");
    expect(result.stdout).toContain("Error: /nonexistent/delist/typo.log: cannot read");
    expect(result.stderr).toContain("file not found");
  });

  test.each([
    ["a text file", () => temporary.file("shopping list\n- bread\n")],
    [
      "a binary file",
      () =>
        temporary.file(
          Buffer.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((byte) => [0, byte]).flat()),
        ),
    ],
    ["a missing file", () => "/nonexistent/delist-test/mail.log"],
  ])("JSON of %s is an error document", async (_name, input) => {
    const result = await runCommand(["logs", "--timezone", "UTC", "-f", "json", input()]);
    const document = JSON.parse(result.stdout) as {
      error: { code: string; messages: string[] };
      providers?: unknown;
    };

    expect(result.code).toBe(2);
    expect(validateUnusable(document)).toEqual([]);
    expect(document.error.code).toBe("unusable-input");
    expect(document.error.messages.length).toBeGreaterThan(0);
    expect(document.providers).toBeUndefined();
    for (const message of document.error.messages) {
      expect(result.stderr).toContain(message);
    }
  });

  test("unusable text input leaves stdout empty", async () => {
    const result = await runCommand(["logs", "--timezone", "UTC", temporary.file("x\n")]);

    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain("no Postfix, Exim or Sendmail message or delivery lines");
  });

  test("help states exit statuses and schema", async () => {
    const result = await runCommand(["logs", "--help"]);

    // The help is wrapped at 80 columns, so phrases may run over a line break.
    const help = result.stdout.replace(/\s+/g, " ");
    expect(result.code).toBe(0);
    expect(help).toMatch(/Exit status: 0 when the logs were read/);
    expect(help).toContain("2 for a usage error or when an input could not be read");
    expect(help).toContain("docs/logs.schema.json");
    expect(help).toContain("docs/diagnose-unusable-input.schema.json");
  });

  test("help offers only the formats that logs accepts", async () => {
    const help = await runCommand(["logs", "--help"]);
    expect(help.stdout).toContain("output format: text or json");
    expect(help.stdout).not.toContain("markdown");
    const markdown = await runCommand(["logs", "--format", "markdown", EXAMPLE]);
    expect(markdown.code).toBe(2);
    expect(markdown.stderr).toContain('invalid --format "markdown": use one of text, json');
    const diagnoseHelp = await runCommand(["diagnose", "--help"]);
    expect(diagnoseHelp.stdout).toMatch(/output format: text, json or\s+markdown/);
  });

  test("text fits 80 columns", async () => {
    for (const input of [EXAMPLE, temporary.file(mixedLog())]) {
      const result = await runCommand(["logs", "--timezone", "UTC", input]);
      for (const line of result.stdout.split("\n")) {
        expect(line.length, line).toBeLessThanOrEqual(80);
        expect(line, "trailing spaces").toBe(line.trimEnd());
      }
    }
  });

  test("overlong line is named in text", async () => {
    const long = `${new Date(T0 + 1000).toISOString()} mail postfix/cleanup[5]: 0000099999: warning: header Subject: ${"x".repeat(70_000)}`;
    const text = mixedLog().replace("\n", `\n${long}\n`);
    const result = await runCommand(["logs", "--timezone", "UTC", temporary.file(text)]);

    expect(result.stdout.replace(/\s+/g, " ")).toContain(
      "1 line was longer than 64 KiB, so only its first 64 KiB was read.",
    );
  });

  test("overlong lines are counted in text", async () => {
    const long = `${new Date(T0 + 1000).toISOString()} mail postfix/cleanup[5]: 0000099999: warning: header Subject: ${"x".repeat(70_000)}`;
    // A second queue id, because a line repeated within a second counts once.
    const text = mixedLog().replace(
      "\n",
      `\n${long}\n${long.replace("0000099999", "0000099998")}\n`,
    );
    const result = await runCommand(["logs", "--timezone", "UTC", temporary.file(text)]);

    expect(result.stdout.replace(/\s+/g, " ")).toContain(
      "2 lines were longer than 64 KiB, so only the first 64 KiB of each was read.",
    );
  });
});
