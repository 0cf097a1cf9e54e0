import { randomBytes } from "node:crypto";
import { gzipSync } from "node:zlib";
import { describe, expect, test } from "vitest";
import { OFFLINE_DIAGNOSE, runCommand } from "../helpers/cli.js";
import { GMAIL_RATE_LIMIT, PostfixLog } from "../helpers/postfix-fixture.js";
import { schemaValidator } from "../helpers/schema.js";
import { temporaryFiles } from "../helpers/temporary-files.js";

const temporary = temporaryFiles();

function healthyLog(): string {
  return new PostfixLog().submitHourly().text();
}

function blockedLog(): string {
  return new PostfixLog().submitHourly({ outcome: GMAIL_RATE_LIMIT }).text();
}

const validate = schemaValidator("diagnose.schema.json");
const validateUnusable = schemaValidator("diagnose-unusable-input.schema.json");

describe("delist diagnose", () => {
  test("healthy log exits 0", async () => {
    const result = await runCommand([...OFFLINE_DIAGNOSE, temporary.file(healthyLog())]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Verdict: OK");
    expect(result.stdout).toContain("healthy");
    expect(result.stderr).toBe("");
  });

  test("help states the exit statuses", async () => {
    const result = await runCommand(["diagnose", "--help"]);

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Exit status: 0 when .*, 1 when .*, 2 for a usage error/s);
  });

  test("blocked log exits 1", async () => {
    const result = await runCommand([...OFFLINE_DIAGNOSE, temporary.file(blockedLog())]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("Verdict: RATE-LIMITED");
    expect(result.stdout).toContain("421 4.7.28");
    expect(result.stdout).toMatch(/^ {2}- Gmail: https:\/\/\S+escalation$/m);
  });

  test("text fits 80 columns", async () => {
    const result = await runCommand([...OFFLINE_DIAGNOSE, temporary.file(blockedLog())]);
    for (const line of result.stdout.split("\n")) {
      // A single word longer than a line (a path or URL) is kept whole.
      const longestWord = Math.max(...line.split(" ").map((word) => word.length));
      if (longestWord < 60) expect(line.length, line).toBeLessThanOrEqual(80);
    }
  });

  test("JSON matches the schema", async () => {
    const result = await runCommand([
      ...OFFLINE_DIAGNOSE,
      "--format",
      "json",
      temporary.file(blockedLog()),
    ]);
    const diagnosis = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(validate(diagnosis)).toEqual([]);
    const providers = diagnosis["providers"] as Record<
      string,
      { status: string; firstBlock: { time: string } }
    >;
    expect(providers["gmail"]?.status).toBe("rate-limited");
    expect(providers["gmail"]?.firstBlock.time).toBe("2024-03-04T00:00:01Z");
  });

  test("Markdown has the sections", async () => {
    const result = await runCommand([
      ...OFFLINE_DIAGNOSE,
      "-f",
      "markdown",
      temporary.file(blockedLog()),
    ]);
    expect(result.stdout).toContain("# delist diagnosis");
    expect(result.stdout).toContain("## Providers");
    expect(result.stdout).toContain("| Gmail | rate-limited");
    expect(result.stdout).toMatch(/^- Gmail: <https:\/\/\S+escalation>\. /m);
    expect(result.stdout).toContain("## Removal readiness");
  });

  test("reads stdin and gzip", async () => {
    const fromStdin = await runCommand([...OFFLINE_DIAGNOSE, "-"], blockedLog());
    expect(fromStdin.code).toBe(1);
    expect(fromStdin.stdout).toContain("421 4.7.28");
    const gzipped = temporary.file(gzipSync(blockedLog()), "mail.log.1.gz");
    const fromGzip = await runCommand([...OFFLINE_DIAGNOSE, gzipped]);
    expect(fromGzip.stdout).toContain("421 4.7.28");
  });

  test("Read line names standard input", async () => {
    const result = await runCommand([...OFFLINE_DIAGNOSE, "-"], blockedLog());

    expect(result.stdout).toMatch(/^Read standard input: \d+ lines,/m);
    expect(result.stdout).not.toContain("Read 1 file");
  });

  test("Read line names files and stdin", async () => {
    const first = temporary.file(healthyLog(), "mail.log.2");
    const second = temporary.file(new PostfixLog().submitHourly({ hours: 2 }).text(), "mail.log.1");
    const result = await runCommand([...OFFLINE_DIAGNOSE, first, second, "-"], blockedLog());

    expect(result.stdout).toMatch(/^Read 2 files and standard input: /m);
  });

  test("time zone shifts reported times", async () => {
    const result = await runCommand([
      "diagnose",
      "--offline",
      "--format",
      "json",
      "--timezone",
      "+07:00",
      temporary.file(blockedLog()),
    ]);
    const diagnosis = JSON.parse(result.stdout) as { input: { firstTime: string } };
    // The fixture's RFC 3339 stamps carry +00:00, so the zone changes only how times print.
    expect(diagnosis.input.firstTime).toBe("2024-03-04T07:00:00+07:00");
  });

  test("missing file is an input error", async () => {
    const result = await runCommand(["diagnose", "--offline", "/nonexistent/delist/mail.log"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("/nonexistent/delist/mail.log");
  });

  test("missing file beside a good one", async () => {
    const result = await runCommand([
      ...OFFLINE_DIAGNOSE,
      "/nonexistent/delist/mail.log",
      temporary.file(blockedLog()),
    ]);
    expect(result.code).toBe(2);
    expect(result.stdout).toContain("421 4.7.28");
    expect(result.stdout).toContain("Read 1 of 2 files");
    expect(result.stderr).toContain("/nonexistent/delist/mail.log");
  });

  test("no log given is a usage error", async () => {
    const result = await runCommand(["diagnose", "--offline"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("no log given");
  });

  test.each([
    [["--format", "xml"], 'invalid --format "xml"'],
    [["--year", "24"], 'invalid --year "24"'],
    [["--timezone", "Mars/Olympus"], 'unknown time zone "Mars/Olympus"'],
    [["--timezone", ""], 'invalid --timezone ""'],
    [["--year", "0x7ea"], 'invalid --year "0x7ea"'],
    [["--year", "1000"], "give a year from 1970 to 9999"],
  ])("bad option %j", async (options, message) => {
    const result = await runCommand([
      "diagnose",
      "--offline",
      ...options,
      temporary.file(healthyLog()),
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
  });

  test.each([
    ["random bytes", () => temporary.file(randomBytes(100_000))],
    ["an empty file", () => temporary.file("")],
  ])("no mail log in %s", async (_name, input) => {
    const result = await runCommand([...OFFLINE_DIAGNOSE, input()]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain("no Postfix, Exim or Sendmail message or delivery lines found");
  });

  test.each([
    ["a text file", () => temporary.file("shopping list\n- bread\n")],
    ["a missing file", () => "/nonexistent/delist-test/mail.log"],
  ])("json without mail log in %s", async (_name, input) => {
    const result = await runCommand([...OFFLINE_DIAGNOSE, "-f", "json", input()]);
    const document = JSON.parse(result.stdout) as {
      error: { code: string; messages: string[] };
      verdict?: unknown;
    };

    expect(result.code).toBe(2);
    expect(validateUnusable(document)).toEqual([]);
    expect(document.error.code).toBe("unusable-input");
    expect(document.error.messages.length).toBeGreaterThan(0);
    expect(document.verdict).toBeUndefined();
    for (const message of document.error.messages) {
      expect(result.stderr).toContain(message);
    }
  });

  test("empty stdin is no mail log", async () => {
    const result = await runCommand(["diagnose", "--offline", "-"], "");
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("the input is empty");
  });

  test("empty argument is a usage error", async () => {
    const result = await runCommand(["diagnose", "--offline", ""]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('an argument is ""');
  });

  test("no command is a usage error", async () => {
    const result = await runCommand([]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("Usage: delist");
  });

  test("binary junk is counted, not fatal", async () => {
    const junk = Buffer.concat([randomBytes(200_000), Buffer.from(blockedLog())]);
    const result = await runCommand([
      ...OFFLINE_DIAGNOSE,
      "--format",
      "json",
      temporary.file(junk),
    ]);
    const diagnosis = JSON.parse(result.stdout) as {
      input: { unrecognised: number; lines: number };
      verdict: { status: string };
    };
    expect(result.code).toBe(1);
    expect(diagnosis.input.unrecognised).toBeGreaterThan(0);
    expect(diagnosis.verdict.status).toBe("rate-limited");
  });

  test("truncated and wrapped lines are skipped", async () => {
    const lines = blockedLog().split("\n");
    const damaged = lines.map((line, index) => (index % 5 === 2 ? line.slice(0, 40) : line));
    damaged.splice(3, 0, "orig_to=<wrapped@example.com>, relay=none, delay=1");
    const result = await runCommand([
      ...OFFLINE_DIAGNOSE,
      "--format",
      "json",
      temporary.file(damaged.join("\n")),
    ]);
    const diagnosis = JSON.parse(result.stdout) as {
      input: { unrecognised: number; unparsed: number; skippedSamples: unknown[] };
    };
    expect(diagnosis.input.unrecognised).toBeGreaterThanOrEqual(1);
    expect(diagnosis.input.unrecognised + diagnosis.input.unparsed).toBeGreaterThan(1);
    expect(diagnosis.input.skippedSamples.length).toBeGreaterThan(0);
  });
});

describe("delist logs", () => {
  test("prints per-provider statistics", async () => {
    const result = await runCommand(["logs", "--timezone", "UTC", temporary.file(blockedLog())]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Outbound by provider");
    expect(result.stdout).toContain("Gmail");
    expect(result.stdout).toContain("alice@example.com");
  });

  test("JSON lists accounts", async () => {
    const result = await runCommand([
      "logs",
      "--format",
      "json",
      "--timezone",
      "UTC",
      temporary.file(blockedLog()),
    ]);
    const statistics = JSON.parse(result.stdout) as {
      accounts: Array<{ key: string; messages: number }>;
      providers: Record<string, { deferred: number }>;
    };
    expect(statistics.accounts[0]?.key).toBe("alice@example.com");
    expect(statistics.accounts[0]?.messages).toBe(24);
    expect(statistics.providers["gmail"]?.deferred).toBe(24);
  });

  test("rejects Markdown", async () => {
    const result = await runCommand(["logs", "--format", "markdown", temporary.file(healthyLog())]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("use one of text, json");
  });
});
