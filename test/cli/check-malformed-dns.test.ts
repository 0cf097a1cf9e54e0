import { afterEach, describe, expect, test } from "vitest";
import { forbidRealNetwork } from "../dns/guard.js";
import { startDnsServer, type TestDnsServer } from "../dns/server.js";
import { runCommand } from "../helpers/cli.js";

forbidRealNetwork();

let server: TestDnsServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

/** Starts a server on 127.0.0.1 that answers every query with a DNS header and one stray byte. */
async function malformedServer(): Promise<TestDnsServer> {
  return startDnsServer(() => ({
    rewrite: (reply) => Buffer.concat([reply.subarray(0, 12), Buffer.from([0x03])]),
  }));
}

describe("DNS server with malformed answers", () => {
  test("check names unreadable answers", async () => {
    server = await malformedServer();
    const args = ["check", "example.com", "--ip", "192.0.2.5", "--selector", "s1"];
    const result = await runCommand([
      ...args,
      "--resolver",
      server.address,
      "--timeout-ms",
      "2000",
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("no DNS query got a readable answer");
    expect(result.stderr).toContain("unreadable answer of 13 bytes over UDP");
    expect(result.stderr).toContain("sent answers that are not valid DNS messages");
    expect(result.stderr).not.toContain("timed out");
    expect(result.stderr).not.toContain("--timeout-ms");
  });

  test("blocklists names unreadable answers", async () => {
    server = await malformedServer();
    const args = ["blocklists", "192.0.2.5", "--resolver", server.address];
    const result = await runCommand([...args, "--timeout-ms", "2000"]);
    expect(result.code).toBe(2);
    expect(result.stdout).toContain("unreadable answer of 13 bytes over UDP");
    expect(result.stdout).not.toContain("answered no query");
    expect(result.stderr).toContain("sent answers that are not valid DNS messages");
  });
});
