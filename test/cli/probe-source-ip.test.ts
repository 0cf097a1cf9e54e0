import { existsSync } from "node:fs";
import { createServer, type AddressInfo, type Server } from "node:net";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { forbidRealNetwork } from "../dns/guard.js";
import { runCommand } from "../helpers/cli.js";
import { runProbe } from "../helpers/probe-command.js";
import { startGmailLikeServer, type GmailLikeServer } from "../probe/gmail-like-server.js";
import { useTempDirs } from "../store/helpers.js";

forbidRealNetwork();

const tempDir = useTempDirs();

let server: GmailLikeServer | null = null;
let ipv6Server: Server | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
  await new Promise((resolve) => (ipv6Server === null ? resolve(null) : ipv6Server.close(resolve)));
  ipv6Server = null;
});

/** Starts a TCP server on [::1] that counts connections and closes each at once. */
async function startIpv6Listener(): Promise<{ port: number; connections: () => number }> {
  let connections = 0;
  const listener = createServer((socket) => {
    connections++;
    socket.destroy();
  });
  ipv6Server = listener;
  await new Promise<void>((resolve) => listener.listen(0, "::1", resolve));
  return { port: (listener.address() as AddressInfo).port, connections: () => connections };
}

describe("probe --source-ip", () => {
  // NOTE: assumes that the test machine has no interface with 192.0.2.99, an address of the
  // documentation range 192.0.2.0/24.
  it("rejects an address of another host", async () => {
    server = await startGmailLikeServer("accepted");
    const db = join(tempDir(), "h.sqlite");
    const result = await runProbe(db, server.port, ["--source-ip", "192.0.2.99"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('invalid --source-ip "192.0.2.99"');
    expect(result.stderr).toContain("not an address of this host");
    expect(server.connections).toBe(0);
    expect(existsSync(db)).toBe(false);
  });

  it("json rejection names the address", async () => {
    server = await startGmailLikeServer("accepted");
    const db = join(tempDir(), "h.sqlite");
    const args = ["--source-ip", "192.0.2.99", "--format", "json"];
    const result = await runProbe(db, server.port, args);
    expect(result.code).toBe(2);
    const json = JSON.parse(result.stdout) as { rejection: { reason: string; message: string } };
    expect(json.rejection.reason).toBe("usage-error");
    expect(json.rejection.message).toContain("192.0.2.99");
  });

  it("connects from a local address", async () => {
    server = await startGmailLikeServer("accepted");
    const result = await runProbe(join(tempDir(), "h.sqlite"), server.port, [
      "--source-ip",
      "127.0.0.1",
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("connected from 127.0.0.1");
    expect(server.connections).toBe(1);
  });

  it("rejects IPv6 source for IPv4 mx", async () => {
    server = await startGmailLikeServer("accepted");
    const db = join(tempDir(), "h.sqlite");
    const result = await runProbe(db, server.port, ["--source-ip", "::1"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('invalid --source-ip "::1"');
    expect(result.stderr).toContain("is an IPv6 address");
    expect(result.stderr).toContain(`--mx "127.0.0.1:${server.port}" is an IPv4 address`);
    expect(result.stderr).toContain("leave out --source-ip");
    expect(server.connections).toBe(0);
    expect(existsSync(db)).toBe(false);
  });

  it("rejects IPv4 source for IPv6 mx", async () => {
    const listener = await startIpv6Listener();
    const db = join(tempDir(), "h.sqlite");
    const result = await runCommand([
      "probe",
      "--to",
      "someone@gmail.com",
      "--helo",
      "mail.example.com",
      "--mx",
      `[::1]:${listener.port}`,
      "--source-ip",
      "127.0.0.1",
      "--offline",
      "--db",
      db,
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('invalid --source-ip "127.0.0.1"');
    expect(result.stderr).toContain("is an IPv4 address");
    expect(result.stderr).toContain(`--mx "[::1]:${listener.port}" is an IPv6 address`);
    expect(listener.connections()).toBe(0);
    expect(existsSync(db)).toBe(false);
  });

  it("connects from ::1 to an IPv6 mx", async () => {
    const listener = await startIpv6Listener();
    const result = await runCommand([
      "probe",
      "--to",
      "someone@gmail.com",
      "--helo",
      "mail.example.com",
      "--mx",
      `[::1]:${listener.port}`,
      "--source-ip",
      "::1",
      "--offline",
      "--db",
      join(tempDir(), "h.sqlite"),
    ]);
    expect(result.stderr).not.toContain("invalid --source-ip");
    expect(listener.connections()).toBe(1);
  });
});
