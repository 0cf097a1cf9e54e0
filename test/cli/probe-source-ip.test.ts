import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { forbidRealNetwork } from "../dns/guard.js";
import { runProbe } from "../helpers/probe-command.js";
import { startGmailLikeServer, type GmailLikeServer } from "../probe/gmail-like-server.js";
import { useTempDirs } from "../store/helpers.js";

forbidRealNetwork();

const tempDir = useTempDirs();

let server: GmailLikeServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

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
});
