import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, test } from "vitest";
import { POSTFIX_DSN } from "../bounce/fixtures.js";
import { GMAIL_UNSOLICITED, HOUR, PostfixLog, SENT, T0 } from "../helpers/postfix-fixture.js";

const REPOSITORY = fileURLToPath(new URL("../../", import.meta.url));
const LOADED_MODULES = join(REPOSITORY, "test", "cli", "loaded-modules.mjs");

/**
 * Module paths that a run without bounces and without a history database must not load,
 * such as `diagnose --offline LOG`: the bounce readers, the blocklist look-ups and the SQLite
 * store.
 */
const FORBIDDEN = [
  /^src\/bounce\//,
  /^src\/reputation\//,
  /^src\/store\//,
  // Packages match wherever node_modules is: a symlinked one lies outside the repository.
  /(^|\/)node_modules\/better-sqlite3\//,
  /(^|\/)node_modules\/postal-mime\//,
];

/**
 * Modules under FORBIDDEN that every command loads: the store's IP spelling of removal
 * requests and its default path, which need no SQLite, and the blocklist status test, which
 * imports nothing.
 */
const ALLOWED = [/^src\/store\/(types|paths)\.ts$/, /^src\/reputation\/status\.ts$/];

/**
 * The blocklist catalogue and look-ups, which `diagnose --offline` and `explain` must not load.
 * src/reputation/status.ts imports nothing, and diagnose uses its test of unchecked results.
 */
const BLOCKLIST_MODULES = [/^src\/reputation\/(?!status\.ts$)/];

/**
 * Modules that set up DNS or send queries: the resolvers, the DNS wire format, the HTTPS
 * client for MTA-STS and the DNS checks. src/dns/names.ts only checks the syntax of names and
 * IP addresses, and the store's IP spelling uses it.
 */
const DNS_MODULES = [
  /^src\/dns\/(?!names\.ts$)/,
  /^src\/auth\//,
  /^src\/cli\/dns-setup\.ts$/,
  /(^|\/)node_modules\/dns-packet\//,
  /(^|\/)node_modules\/mailauth\//,
];

/** The bounce readers: MIME parsing and the decoder of pasted bounces. */
const BOUNCE_MODULES = [/^src\/bounce\/(?!paste-detect\.ts$)/, /(^|\/)node_modules\/postal-mime\//];

const directories: string[] = [];
afterEach(() => {
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true });
});

function temporaryDirectory(): string {
  const directory = mkdtempSync(join(tmpdir(), "delist-startup-"));
  directories.push(directory);
  return directory;
}

/** Builds a short log: mail to Gmail delivered, then rejected as unsolicited. */
function smallLog(): string {
  const log = new PostfixLog();
  for (let hour = 0; hour < 4; hour++) {
    log.submit({
      time: T0 + hour * HOUR,
      account: "alice@example.com",
      clientIp: "198.51.100.10",
      recipients: [{ address: "bob@gmail.com", outcome: hour < 2 ? SENT : GMAIL_UNSOLICITED }],
    });
  }
  return log.text();
}

/** Runs the CLI from the source in a child process; returns its exit code and loaded modules. */
async function loadedModules(
  args: readonly string[],
  directory: string,
): Promise<{ code: number | null; stderr: string; modules: string[] }> {
  const output = join(directory, "modules.json");
  const child = spawn(process.execPath, [LOADED_MODULES, output, "src/cli/bin.ts", ...args], {
    cwd: REPOSITORY,
    env: {
      PATH: process.env["PATH"] ?? "",
      XDG_STATE_HOME: join(directory, "no-state"),
      NO_COLOR: "1",
    },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  expect(existsSync(output), `no module list; the child wrote: ${stderr}`).toBe(true);
  const modules = JSON.parse(readFileSync(output, "utf8")) as string[];
  return { code, stderr, modules };
}

function matching(modules: readonly string[], patterns: readonly RegExp[]): string[] {
  return modules.filter((module) => patterns.some((pattern) => pattern.test(module)));
}

function forbiddenIn(modules: readonly string[]): string[] {
  return modules.filter(
    (module) =>
      FORBIDDEN.some((pattern) => pattern.test(module)) &&
      !ALLOWED.some((pattern) => pattern.test(module)),
  );
}

describe("diagnose start-up modules", () => {
  test("offline run loads no bounce, store or blocklist module", async () => {
    const directory = temporaryDirectory();
    const log = join(directory, "mail.log");
    writeFileSync(log, smallLog());

    const run = await loadedModules(["diagnose", "--offline", "--timezone", "UTC", log], directory);

    expect(run.stderr).toBe("");
    expect([0, 1]).toContain(run.code);
    // The list is complete enough to judge: the command and its log reader ran.
    expect(run.modules).toContain("src/cli/diagnose-run.ts");
    expect(run.modules).toContain("src/diagnose/run.ts");
    expect(run.modules).toContain("src/reputation/status.ts");
    expect(forbiddenIn(run.modules)).toEqual([]);
    expect(matching(run.modules, BLOCKLIST_MODULES)).toEqual([]);
    expect(matching(run.modules, DNS_MODULES)).toEqual([]);
  });

  test("--zone loads the resolver modules", async () => {
    const directory = temporaryDirectory();
    const log = join(directory, "mail.log");
    writeFileSync(log, smallLog());
    const zone = join(directory, "example.zone");
    writeFileSync(zone, '$ORIGIN example.com.\n@ 3600 IN TXT "v=spf1 -all"\n');

    const run = await loadedModules(
      ["diagnose", log, "--offline", "--timezone", "UTC", "--zone", zone],
      directory,
    );

    expect(run.stderr).toBe("");
    expect([0, 1]).toContain(run.code);
    expect(run.modules).toContain("src/cli/dns-setup.ts");
    expect(run.modules).toContain("src/dns/zone.ts");
  });

  test("--bounces loads the bounce readers", async () => {
    const directory = temporaryDirectory();
    const bounce = join(directory, "bounce.eml");
    writeFileSync(bounce, POSTFIX_DSN);

    const run = await loadedModules(
      ["diagnose", "--offline", "--timezone", "UTC", "--bounces", bounce],
      directory,
    );

    expect(run.stderr).toBe("");
    expect([0, 1]).toContain(run.code);
    expect(run.modules).toContain("src/bounce/index.ts");
    const bounceReaders = /^src\/bounce\/|(^|\/)node_modules\/postal-mime\//;
    expect(forbiddenIn(run.modules).filter((module) => !bounceReaders.test(module))).toEqual([]);
  });
});

describe("command registration", () => {
  test("--version loads no command implementation", async () => {
    const run = await loadedModules(["--version"], temporaryDirectory());

    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    // Every command is registered, check and blocklists included.
    expect(run.modules).toContain("src/cli/check.ts");
    expect(run.modules).toContain("src/cli/blocklists.ts");
    expect(run.modules.filter((module) => module.endsWith("-run.ts"))).toEqual([]);
    expect(matching(run.modules, DNS_MODULES)).toEqual([]);
    expect(matching(run.modules, BOUNCE_MODULES)).toEqual([]);
    expect(matching(run.modules, BLOCKLIST_MODULES)).toEqual([]);
    expect(forbiddenIn(run.modules)).toEqual([]);
  });
});

describe("blocklists help modules", () => {
  test.each([
    ["help blocklists", ["help", "blocklists"]],
    ["blocklists --help", ["blocklists", "--help"]],
  ])("%s loads only the catalogue", async (_form, argv) => {
    const run = await loadedModules(argv, temporaryDirectory());

    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.modules).toContain("src/reputation/catalogue.ts");
    expect(run.modules).toContain("src/reputation/lists/spamhaus.ts");
    expect(run.modules).not.toContain("src/cli/blocklists-run.ts");
    expect(run.modules).not.toContain("src/reputation/check.ts");
    expect(matching(run.modules, DNS_MODULES)).toEqual([]);
  });
});

describe("explain start-up modules", () => {
  test("bare reply loads no bounce parser", async () => {
    const run = await loadedModules(["explain", "550 5.7.1 unsolicited"], temporaryDirectory());

    expect(run.stderr).toBe("");
    expect(run.code).toBe(1);
    expect(run.modules).toContain("src/cli/explain-run.ts");
    expect(run.modules).toContain("src/bounce/paste-detect.ts");
    expect(matching(run.modules, BOUNCE_MODULES)).toEqual([]);
    expect(matching(run.modules, BLOCKLIST_MODULES)).toEqual([]);
    expect(matching(run.modules, DNS_MODULES)).toEqual([]);
  });

  test("pasted bounce loads the bounce parser", async () => {
    const run = await loadedModules(["explain", POSTFIX_DSN], temporaryDirectory());

    expect(run.stderr).toBe("");
    expect(run.code).toBe(1);
    expect(run.modules).toContain("src/bounce/paste.ts");
    expect(run.modules.some((module) => module.includes("node_modules/postal-mime/"))).toBe(true);
    expect(matching(run.modules, BLOCKLIST_MODULES)).toEqual([]);
  });
});
