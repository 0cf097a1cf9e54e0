import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { forbidRealNetwork } from "../dns/guard.js";
import { runCommand } from "../helpers/cli.js";
import { useTempDirs } from "../store/helpers.js";
import { closedPort, NEVER } from "./harness.js";

forbidRealNetwork();

const tempDir = useTempDirs();

/** Runs `delist monitor --once` with `config` and returns the exit status and warnings. */
async function runOnce(dir: string, config: object) {
  const path = join(dir, "monitor.json");
  const schedules = { blocklists: NEVER, dns: NEVER, probes: NEVER, logs: NEVER };
  writeFileSync(path, JSON.stringify({ ...config, schedules }));
  const result = await runCommand([
    "monitor",
    "--once",
    "--config",
    path,
    "--db",
    join(dir, "h.sqlite"),
  ]);
  const warnings = result.stderr
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((line) => line["level"] === 40 && line["variable"] === undefined);
  // The warning about the missing alert channel is about the configuration, not a check.
  const checks = warnings.filter((line) => !String(line["msg"]).startsWith("no alert channel"));
  return { code: result.code, warnings: checks };
}

describe("delist monitor --once and unchecked targets", () => {
  it("exits 0 when the log is read", async () => {
    const dir = tempDir();
    const log = join(dir, "mail.log");
    writeFileSync(log, "");
    const { code, warnings } = await runOnce(dir, { logs: [log] });
    expect(warnings).toEqual([]);
    expect(code).toBe(0);
  });

  it("exits 1 for a missing log", async () => {
    const dir = tempDir();
    const log = join(dir, "mail.log");
    const { code, warnings } = await runOnce(dir, { logs: [log] });
    expect(warnings).toHaveLength(1);
    expect(String(warnings[0]?.["msg"])).toMatch(/^log file not found: not read/);
    expect(String(warnings[0]?.["msg"])).toContain("Check the path in logs of the configuration");
    expect(String(warnings[0]?.["msg"])).not.toContain("relative path");
    expect(warnings[0]?.["path"]).toBe(log);
    expect(code).toBe(1);
  });

  it("exits 1 for a gzip log", async () => {
    const dir = tempDir();
    const log = join(dir, "mail.log.gz");
    const line =
      "Mar  2 00:00:02 mail postfix/smtp[1001]: 4A1B2C3D4E: to=<a@gmail.com>, " +
      "relay=gmail-smtp-in.l.google.com[192.0.2.27]:25, delay=1, dsn=2.0.0, status=sent (250 ok)\n";
    writeFileSync(log, gzipSync(line));
    const { code, warnings } = await runOnce(dir, { logs: [log], logsFromStart: true });
    expect(warnings).toHaveLength(1);
    expect(String(warnings[0]?.["msg"])).toMatch(/^log file is gzip data, which the monitor /);
    expect(warnings[0]?.["path"]).toBe(log);
    expect(code).toBe(1);
  });

  it("exits 1 for a refused probe", async () => {
    const dir = tempDir();
    const port = await closedPort();
    const probe = { to: "postmaster-check@gmail.com", mx: `127.0.0.1:${port}`, timeoutMs: 500 };
    const { code, warnings } = await runOnce(dir, { helo: "mail.example.com", probes: [probe] });
    expect(warnings.map((line) => line["job"])).toEqual(["probes"]);
    expect(warnings[0]?.["target"]).toBe(`127.0.0.1:${port} from default`);
    expect(code).toBe(1);
  });
});
