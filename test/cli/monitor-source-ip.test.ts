import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { forbidRealNetwork } from "../dns/guard.js";
import { runCommand } from "../helpers/cli.js";
import { startGmailLikeServer, type GmailLikeServer } from "../probe/gmail-like-server.js";
import { NEVER } from "../monitor/harness.js";
import { useTempDirs } from "../store/helpers.js";

forbidRealNetwork();

const tempDir = useTempDirs();

let server: GmailLikeServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

/** Writes a configuration with one probe to the server on `port` per entry of `sourceIps`. */
function writeConfig(dir: string, port: number, sourceIps: readonly (string | null)[]): string {
  const path = join(dir, "monitor.json");
  const probes = sourceIps.map((sourceIp, index) => ({
    to: `postmaster-check${index}@gmail.com`,
    mx: `127.0.0.1:${port}`,
    helo: "mail.example.com",
    ...(sourceIp === null ? {} : { sourceIp }),
  }));
  writeFileSync(
    path,
    JSON.stringify({ probes, schedules: { blocklists: NEVER, dns: NEVER, logs: NEVER } }),
  );
  return path;
}

// NOTE: assumes that the test machine has no interface with 192.0.2.99 or 2001:db8::99,
// addresses of the documentation ranges 192.0.2.0/24 and 2001:db8::/32.
describe("monitor probe sourceIp", () => {
  it("rejects an address of another host", async () => {
    server = await startGmailLikeServer("accepted");
    const dir = tempDir();
    const config = writeConfig(dir, server.port, ["192.0.2.99"]);
    const db = join(dir, "h.sqlite");
    const result = await runCommand(["monitor", "--once", "--config", config, "--db", db]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`invalid monitor configuration ${config}:`);
    expect(result.stderr).toContain(
      'probes.0.sourceIp "192.0.2.99": it is not an address of this host.',
    );
    expect(result.stderr).toContain("or remove sourceIp to connect from the default address");
    expect(server.connections).toBe(0);
    expect(existsSync(db)).toBe(false);
  });

  it("names each probe with a bad address", async () => {
    server = await startGmailLikeServer("accepted");
    const dir = tempDir();
    const config = writeConfig(dir, server.port, ["127.0.0.1", "2001:db8::99", null]);
    const result = await runCommand([
      "monitor",
      "--once",
      "--config",
      config,
      "--db",
      join(dir, "h.sqlite"),
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('probes.1.sourceIp "2001:db8::99":');
    expect(result.stderr).not.toContain("probes.0.sourceIp");
    expect(result.stderr).not.toContain("probes.2.sourceIp");
    expect(server.connections).toBe(0);
  });

  it("rejects an address of the other family", async () => {
    server = await startGmailLikeServer("accepted");
    for (const sourceIp of ["::1", "::ffff:127.0.0.1"]) {
      const dir = tempDir();
      const config = writeConfig(dir, server.port, [sourceIp]);
      const db = join(dir, "h.sqlite");
      const result = await runCommand(["monitor", "--once", "--config", config, "--db", db]);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`invalid monitor configuration ${config}:`);
      expect(result.stderr).toContain(
        `probes.0.sourceIp "${sourceIp}": an IPv6 address, but mx "127.0.0.1:${server.port}" ` +
          "is an IPv4 address",
      );
      expect(result.stderr).toContain("give an IPv4 sourceIp");
      expect(existsSync(db)).toBe(false);
    }
    expect(server.connections).toBe(0);
  });

  it("probes from a local address", async () => {
    server = await startGmailLikeServer("accepted");
    const dir = tempDir();
    const config = writeConfig(dir, server.port, ["127.0.0.1"]);
    const db = join(dir, "h.sqlite");
    const result = await runCommand(["monitor", "--once", "--config", config, "--db", db]);
    expect(result.code).toBe(0);
    expect(result.stderr).not.toContain("invalid monitor configuration");
    expect(server.connections).toBe(1);
  });
});
