import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { forbidRealNetwork } from "../dns/guard.js";
import { OFFLINE_DIAGNOSE, runCommand, type CliRun } from "../helpers/cli.js";
import { PostfixLog } from "../helpers/postfix-fixture.js";
import { senderZone } from "../helpers/sender-dns.js";
import { temporaryFiles } from "../helpers/temporary-files.js";

// Every command line below keeps DNS offline or on a zone file even if an option swallowed the
// next word, and the guard fails any test that sends a query all the same.
forbidRealNetwork();

const files = temporaryFiles();

/** Builds the expected start of the error for `option` that took `value` as its value. */
function tookOption(option: string, value: string): string {
  return `delist: ${option} took the option "${value}" as its value: give ${option} a value before`;
}

describe("check with an option as a value", () => {
  test("--selector taking --zone", async () => {
    const zone = files.file(senderZone(), "example.zone");
    const result = await runCommand([
      "check",
      "example.com",
      "--offline",
      "--selector",
      "--zone",
      zone,
    ]);

    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe(
      `${tookOption("--selector", "--zone")} --zone (--selector <selector...> --zone ...), ` +
        "or leave --selector out\n",
    );
  });

  test("--selector taking --offline", async () => {
    const zone = files.file(senderZone(), "example.zone");
    const result = await runCommand([
      "check",
      "example.com",
      "--zone",
      zone,
      "--selector",
      "--offline",
    ]);

    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain(tookOption("--selector", "--offline"));
  });

  test("--selector before the domain", async () => {
    const zone = files.file(senderZone(), "example.zone");
    const result = await runCommand([
      "check",
      "--offline",
      "--selector",
      "--zone",
      zone,
      "example.com",
    ]);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain(tookOption("--selector", "--zone"));
    expect(result.stderr).not.toContain("missing required argument");
  });

  test.each([
    ["-f", ["-f", "json"], "-f"],
    ["-fjson", ["-fjson"], "-f"],
    ["--format=json", ["--format=json"], "--format"],
    ["--help", ["--help"], "--help"],
  ])("--selector taking %s", async (_name, words, option) => {
    const result = await runCommand(["check", "example.com", "--offline", "--selector", ...words]);

    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain(tookOption("--selector", words[0] ?? ""));
    expect(result.stderr).toContain(`before ${option} (`);
  });

  test("--selector taking --", async () => {
    const result = await runCommand(["check", "--offline", "--selector", "--", "example.com"]);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'delist: --selector took "--", the end of the options, as its value: give --selector a ' +
        "value before --",
    );
  });

  test("--ip taking --offline", async () => {
    const zone = files.file(senderZone(), "example.zone");
    const result = await runCommand(["check", "example.com", "--zone", zone, "--ip", "--offline"]);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain(tookOption("--ip", "--offline"));
    expect(result.stderr).toContain("(--ip <ip...> --offline ...), or leave --ip out");
  });

  test("--zone taking --offline", async () => {
    const zone = files.file(senderZone(), "example.zone");
    const result = await runCommand(["check", "example.com", "--zone", "--offline", zone]);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain(tookOption("--zone", "--offline"));
  });

  test.each([
    ["starting with a hyphen", "-x"],
    ["with a later label starting with a hyphen", "s1.-x"],
    ["empty", ""],
    ["with a space", "bad selector"],
    ["with a slash", "s1/2024"],
    ["with an empty label", "s1..k"],
  ])("selector %s is invalid", async (_name, selector) => {
    const result = await runCommand(["check", "example.com", "--offline", "--selector", selector]);

    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain(`delist: invalid --selector "${selector}": `);
    expect(result.stderr).toContain("a DKIM selector is a DNS name such as default or s1");
  });

  test("selector with a space names the space", async () => {
    const result = await runCommand([
      "check",
      "example.com",
      "--offline",
      "--selector",
      "bad selector",
    ]);

    expect(result.stderr).toContain('the label "bad selector" contains a space');
  });

  test("selectors after the domain still work", async () => {
    const zone = files.file(senderZone(), "example.zone");
    const result = await runCommand([
      "check",
      "example.com",
      "--selector",
      "s-1",
      "default",
      "--zone",
      zone,
      "-f",
      "json",
    ]);
    const json = JSON.parse(result.stdout) as { dkim: { selector: string }[] };

    expect(result.stderr).not.toContain("took");
    expect(json.dkim.map((key) => key.selector)).toEqual(["s-1", "default"]);
  });
});

describe("diagnose with an option as a value", () => {
  const log = (): string => files.file(new PostfixLog().submitHourly().text());

  test("--domain taking --zone", async () => {
    const zone = files.file(senderZone(), "example.zone");
    const result = await runCommand([...OFFLINE_DIAGNOSE, log(), "--domain", "--zone", zone]);

    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain(tookOption("--domain", "--zone"));
  });

  test("--ip taking --offline", async () => {
    const zone = files.file(senderZone(), "example.zone");
    const result = await runCommand([
      "diagnose",
      "--timezone",
      "UTC",
      "--zone",
      zone,
      log(),
      "--ip",
      "--offline",
    ]);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain(tookOption("--ip", "--offline"));
  });

  test("--bounces taking --year", async () => {
    const result = await runCommand([...OFFLINE_DIAGNOSE, log(), "--bounces", "--year", "2024"]);

    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain(tookOption("--bounces", "--year"));
    expect(result.stderr).toContain("(--bounces <paths...> --year ...)");
  });

  test("--zone taking --offline before the log", async () => {
    const zone = files.file(senderZone(), "example.zone");
    const result = await runCommand([
      "diagnose",
      "--timezone",
      "UTC",
      "--zone",
      "--offline",
      zone,
      log(),
    ]);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain(tookOption("--zone", "--offline"));
    expect(result.stderr).not.toContain("no log given");
  });
});

describe("blocklists with an option as a value", () => {
  test("--list taking --offline", async () => {
    const zone = files.file(senderZone(), "example.zone");
    const result = await runCommand([
      "blocklists",
      "192.0.2.1",
      "--zone",
      zone,
      "--list",
      "--offline",
    ]);

    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain(tookOption("--list", "--offline"));
  });
});

describe("one-value options with an option as a value", () => {
  const log = (): string => files.file(new PostfixLog().submitHourly().text());

  // Where the command has --offline, it is the word taken, so that a regression that lets the
  // option keep it sends its queries to the guard instead of the system resolver.
  const cases: ReadonlyArray<[string, () => string[], string, string]> = [
    ["check --helo", () => ["check", "example.com", "--helo", "--offline"], "--helo", "--offline"],
    [
      "check --message",
      () => ["check", "example.com", "--message", "--offline"],
      "--message",
      "--offline",
    ],
    [
      "check --resolver",
      () => ["check", "example.com", "--resolver", "--offline"],
      "--resolver",
      "--offline",
    ],
    [
      "check --timeout-ms",
      () => ["check", "example.com", "--timeout-ms", "--offline"],
      "--timeout-ms",
      "--offline",
    ],
    [
      "check --dns-replay",
      () => ["check", "example.com", "--dns-replay", "--offline"],
      "--dns-replay",
      "--offline",
    ],
    [
      "check --dns-record",
      () => ["check", "example.com", "--dns-record", "--offline"],
      "--dns-record",
      "--offline",
    ],
    [
      "check --org-domain",
      () => ["check", "example.com", "--org-domain", "--offline"],
      "--org-domain",
      "--offline",
    ],
    ["check -f", () => ["check", "example.com", "-f", "--offline"], "--format", "--offline"],
    [
      "diagnose --helo",
      () => ["diagnose", "--timezone", "UTC", log(), "--helo", "--offline"],
      "--helo",
      "--offline",
    ],
    [
      "diagnose --db",
      () => ["diagnose", "--timezone", "UTC", log(), "--db", "--offline"],
      "--db",
      "--offline",
    ],
    [
      "diagnose --year",
      () => ["diagnose", "--timezone", "UTC", log(), "--year", "--offline"],
      "--year",
      "--offline",
    ],
    [
      "diagnose --timezone",
      () => ["diagnose", log(), "--timezone", "--offline"],
      "--timezone",
      "--offline",
    ],
    [
      "diagnose --format",
      () => ["diagnose", "--timezone", "UTC", log(), "--format", "--offline"],
      "--format",
      "--offline",
    ],
    [
      "diagnose --spamhaus-dqs-key",
      () => ["diagnose", "--timezone", "UTC", log(), "--spamhaus-dqs-key", "--offline"],
      "--spamhaus-dqs-key",
      "--offline",
    ],
    [
      "logs --year",
      () => ["logs", "--timezone", "UTC", log(), "--year", "--no-progress"],
      "--year",
      "--no-progress",
    ],
    [
      "blocklists --config",
      () => ["blocklists", "192.0.2.1", "--config", "--offline"],
      "--config",
      "--offline",
    ],
    [
      "blocklists --concurrency",
      () => ["blocklists", "192.0.2.1", "--concurrency", "--offline"],
      "--concurrency",
      "--offline",
    ],
    [
      "probe --helo",
      () => ["probe", "--to", "postmaster@example.com", "--helo", "--offline"],
      "--helo",
      "--offline",
    ],
    [
      "probe --mx",
      () => ["probe", "--to", "postmaster@example.com", "--mx", "--offline"],
      "--mx",
      "--offline",
    ],
    [
      "probe --to",
      () => ["probe", "--offline", "--to", "--from=postmaster@example.com"],
      "--to",
      "--from=postmaster@example.com",
    ],
    [
      "removal request --ip",
      () => ["removal", "request", "--provider", "gmail", "--ip", "--format", "json"],
      "--ip",
      "--format",
    ],
    [
      "removal status --provider",
      () => ["removal", "status", "--provider", "--ip", "192.0.2.1"],
      "--provider",
      "--ip",
    ],
    ["history --since", () => ["history", "--since", "--format", "json"], "--since", "--format"],
    [
      "explain --format",
      () => ["explain", "--format", "--", "550 5.7.1 blocked"],
      "--format",
      "--",
    ],
    ["bounces -f", () => ["bounces", "-f", "--summary"], "--format", "--summary"],
    ["monitor --config", () => ["monitor", "--config", "--once"], "--config", "--once"],
  ];

  test.each(cases)("%s taking an option", async (_name, argv, option, value) => {
    const result = await runCommand(argv());

    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    if (value === "--") {
      expect(result.stderr).toContain(`delist: ${option} took "--", the end of the options,`);
    } else {
      expect(result.stderr).toContain(tookOption(option, value));
    }
  });

  test("check --helo message", async () => {
    const result = await runCommand(["check", "example.com", "--helo", "--offline"]);

    expect(result.stderr).toBe(
      `${tookOption("--helo", "--offline")} --offline (--helo <name> --offline ...), ` +
        "or leave --helo out\n",
    );
  });

  test("--timezone with a negative offset", async () => {
    const result = await runCommand([
      ...OFFLINE_DIAGNOSE.slice(0, 2),
      log(),
      "--timezone",
      "-07:00",
    ]);

    expect(result.stderr).not.toContain("took");
    expect(result.code).not.toBe(2);
  });

  function removalRequest(db: string, note: string[]): Promise<CliRun> {
    return runCommand([
      "removal",
      "request",
      "--provider",
      "gmail",
      "--ip",
      "192.0.2.1",
      "--db",
      db,
      ...note,
      "-f",
      "json",
    ]);
  }

  test.each([["--force"], ["-f"], ["--db"], ["--"]])("removal --note taking %s", async (value) => {
    const db = join(files.folder({}), "history.sqlite");
    const result = await removalRequest(db, ["--note", value]);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--note took ");
    expect(result.stdout).toBe("");
    expect(existsSync(db)).toBe(false);
  });

  test.each([["--force please"], ["--ticket 42"], ["-1"]])(
    "removal --note %s is kept",
    async (note) => {
      const db = join(files.folder({}), "history.sqlite");
      const result = await removalRequest(db, ["--note", note]);
      const json = JSON.parse(result.stdout) as { request: { note: string; forced: boolean } };

      expect(result.code).toBe(0);
      expect(json.request.note).toBe(note);
      expect(json.request.forced).toBe(false);
    },
  );

  test("removal --note then --force", async () => {
    const db = join(files.folder({}), "history.sqlite");
    await removalRequest(db, ["--note", "first"]);
    const result = await removalRequest(db, ["--note", "ticket 7", "--force"]);
    const json = JSON.parse(result.stdout) as { request: { note: string; forced: boolean } };

    expect(result.code).toBe(0);
    expect(json.request.forced).toBe(true);
    expect(json.request.note).toBe("ticket 7");
  });
});

describe("diagnose --domain and --ip taking a log", () => {
  test.each([
    ["--domain", "example.com"],
    ["--ip", "192.0.2.1"],
  ])("%s taking an existing file", async (option, value) => {
    const first = files.file(new PostfixLog().submitHourly().text());
    const other = files.file(new PostfixLog().submitHourly().text(), "other.log");
    const result = await runCommand([
      "diagnose",
      "--timezone",
      "UTC",
      first,
      option,
      value,
      other,
      "--offline",
    ]);

    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe(
      `delist: ${option} took "${other}" as one of its values: put the logs before options ` +
        "that take several values, or end the option with --\n",
    );
  });

  test("--domain taking the only log", async () => {
    const only = files.file(new PostfixLog().submitHourly().text());
    const result = await runCommand([...OFFLINE_DIAGNOSE, "--domain", "example.com", only]);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain("delist: no log given");
    expect(result.stderr).toContain(`delist: --domain took "${only}" as one of its values`);
  });

  test("--domain naming no file", async () => {
    const result = await runCommand([
      ...OFFLINE_DIAGNOSE,
      files.file(new PostfixLog().submitHourly().text()),
      "--domain",
      "example.com",
    ]);

    expect(result.stderr).not.toContain("took");
    expect(result.code).not.toBe(2);
  });
});
