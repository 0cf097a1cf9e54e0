import { describe, expect, test } from "vitest";
import { forbidRealNetwork } from "../dns/guard.js";
import { OFFLINE_DIAGNOSE, runCommand } from "../helpers/cli.js";
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
  ])("selector %s is invalid", async (_name, selector) => {
    const result = await runCommand(["check", "example.com", "--offline", "--selector", selector]);

    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain(`delist: invalid --selector "${selector}": a DKIM selector`);
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
