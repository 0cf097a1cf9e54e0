import type dnsPacket from "dns-packet";
import { afterEach, describe, expect, test } from "vitest";
import { forbidRealNetwork } from "../dns/guard.js";
import { startDnsServer, type TestDnsServer, type TestReply } from "../dns/server.js";
import { runCommand } from "../helpers/cli.js";

forbidRealNetwork();

let server: TestDnsServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

interface CheckJson {
  domains: {
    spf: { verdict: string; explanation: string; correctedRecord: string | null };
    mx: { verdict: string; explanation: string };
  }[];
}

const txt = (name: string, data: string): dnsPacket.Answer => ({ type: "TXT", name, data });

/**
 * Starts a DNS server on 127.0.0.1 whose answers for names under truncated.example.com come
 * truncated over UDP and then get `tcpReply` over TCP. The DMARC query gets its record
 * normally, which shows that the server is reachable.
 */
async function truncatingServer(tcpReply: TestReply): Promise<TestDnsServer> {
  return startDnsServer((question, transport) => {
    const name = question.name.toLowerCase();
    if (name === "_dmarc.truncated.example.com" && question.type === "TXT")
      return { answers: [txt(name, "v=DMARC1; p=reject")] };
    if (name.endsWith("truncated.example.com")) {
      return transport === "udp" ? { truncateUdp: true } : tcpReply;
    }
    return { rcode: "NXDOMAIN" };
  });
}

describe.each([
  [
    "a closed TCP connection",
    { closeTcp: true },
    "truncated, with a failed retry over TCP",
    "allow DNS over TCP from this host to the DNS server at",
  ],
  [
    "an answer truncated over TCP too",
    { truncateTcp: true },
    "truncated over both UDP and TCP",
    "DNS over TCP works, but the DNS server at",
  ],
] as const)("check with %s", (_label, tcpReply, cause, fix) => {
  test("leaves SPF and MX not checked", async () => {
    server = await truncatingServer(tcpReply);
    const args = ["check", "truncated.example.com", "--resolver", server.address];
    const result = await runCommand([...args, "--timeout-ms", "300", "--format", "json"]);
    const domain = (JSON.parse(result.stdout) as CheckJson).domains[0];
    expect(domain?.spf.verdict).toBe("not-checked");
    expect(domain?.spf.explanation).toMatch(/^not checked: .*truncated/);
    expect(domain?.spf.correctedRecord).toBeNull();
    expect(domain?.mx.verdict).toBe("not-checked");
    expect(domain?.mx.explanation).toMatch(/truncated/);
  });

  test("names the truncation and TCP on stderr", async () => {
    server = await truncatingServer(tcpReply);
    const args = ["check", "truncated.example.com", "--resolver", server.address];
    const result = await runCommand([...args, "--timeout-ms", "300"]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/SPF +not checked/);
    expect(result.stdout).not.toMatch(/no SPF record|unreachable/i);
    expect(result.stderr).toContain(cause);
    expect(result.stderr).toContain(`${fix} ${server.address}`);
    expect(result.stderr).not.toContain("could not reach");
  });
});

test("check with every answer truncated names TCP", async () => {
  server = await startDnsServer(() => ({ truncateUdp: true, truncateTcp: true }));
  const args = ["check", "example.com", "--resolver", server.address, "--timeout-ms", "300"];
  const result = await runCommand(args);
  expect(result.code).toBe(2);
  expect(result.stderr).toContain("no DNS query got a usable answer");
  expect(result.stderr).toContain("truncated over both UDP and TCP");
  expect(result.stderr).toContain("DNS over TCP works, but the DNS server at");
  expect(result.stderr).not.toContain("allow DNS over TCP");
});

test("check with TCP truncated drops the TCP advice", async () => {
  server = await truncatingServer({ truncateTcp: true });
  const args = ["check", "truncated.example.com", "--resolver", server.address];
  const result = await runCommand([...args, "--timeout-ms", "300"]);
  expect(result.stderr).not.toContain("failed retry over TCP");
  expect(result.stderr).not.toContain("allow DNS over TCP");
  expect(result.stderr).not.toContain("make that server answer over TCP");
});
