import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { forbidRealNetwork } from "../dns/guard.js";
import { runCommand } from "../helpers/cli.js";
import { startGmailLikeServer, type GmailLikeServer } from "../probe/gmail-like-server.js";
import { NEVER } from "../monitor/harness.js";
import { useTempDirs } from "../store/helpers.js";

// A probe without helo in the configuration would send the host name, so the test sets a bare one.
vi.mock("node:os", async (importOriginal) => ({
  ...(await importOriginal<typeof import("node:os")>()),
  hostname: () => "mailhost",
}));

forbidRealNetwork();

const tempDir = useTempDirs();

let server: GmailLikeServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

function writeConfig(dir: string, port: number, helo: Record<string, string>): string {
  const path = join(dir, "monitor.json");
  const probe = { to: "postmaster-check@gmail.com", mx: `127.0.0.1:${port}` };
  writeFileSync(
    path,
    JSON.stringify({
      probes: [{ ...probe, ...(helo["probe"] === undefined ? {} : { helo: helo["probe"] }) }],
      ...(helo["top"] === undefined ? {} : { helo: helo["top"] }),
      schedules: { blocklists: NEVER, dns: NEVER, logs: NEVER },
    }),
  );
  return path;
}

/** Returns the monitor's warnings about an EHLO name. */
function heloWarnings(stderr: string): string[] {
  return stderr
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((line) => line["level"] === 40)
    .map((line) => String(line["msg"]))
    .filter((message) => message.includes("EHLO"));
}

describe("monitor probe EHLO name", () => {
  it("bare host name rejects the config", async () => {
    server = await startGmailLikeServer("accepted");
    const dir = tempDir();
    const config = writeConfig(dir, server.port, {});
    const db = join(dir, "h.sqlite");
    const result = await runCommand(["monitor", "--once", "--config", config, "--db", db]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`invalid monitor configuration ${config}:`);
    expect(result.stderr).toContain("helo: missing, so probes.0.helo would default to");
    expect(result.stderr).toContain('host name "mailhost"');
    expect(server.connections).toBe(0);
    expect(existsSync(db)).toBe(false);
  });

  it("top-level helo is used", async () => {
    server = await startGmailLikeServer("accepted");
    const dir = tempDir();
    const config = writeConfig(dir, server.port, { top: "mail.example.com" });
    const db = join(dir, "h.sqlite");
    const result = await runCommand(["monitor", "--once", "--config", config, "--db", db]);
    expect(result.code).toBe(0);
    expect(server.connections).toBe(1);
    expect(heloWarnings(result.stderr)).toEqual([]);
  });

  it("bare configured helo warns", async () => {
    server = await startGmailLikeServer("accepted");
    const dir = tempDir();
    const config = writeConfig(dir, server.port, { top: "mail.example.com", probe: "mailhost" });
    const db = join(dir, "h.sqlite");
    const result = await runCommand(["monitor", "--once", "--config", config, "--db", db]);
    expect(result.code).toBe(0);
    expect(server.connections).toBe(1);
    const warnings = heloWarnings(result.stderr);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(
      'the EHLO name "mailhost" of probes.0.helo is not fully qualified',
    );
  });
});
