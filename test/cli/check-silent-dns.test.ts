import type dnsPacket from "dns-packet";
import { afterEach, describe, expect, it } from "vitest";
import { forbidRealNetwork } from "../dns/guard.js";
import { startDnsServer, tableHandler, type TestDnsServer } from "../dns/server.js";
import { runCommand } from "../helpers/cli.js";

forbidRealNetwork();

let server: TestDnsServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

const SPF: Record<string, dnsPacket.Answer[]> = {
  "TXT example.com": [
    { type: "TXT", name: "example.com", ttl: 300, data: "v=spf1 ip4:192.0.2.1 -all" },
  ],
};

interface CheckJson {
  spf: { verdict: string };
  reverseDns: { verdict: string; explanation: string };
}

describe("check with a server that drops PTR queries", () => {
  it("still checks the domain", async () => {
    const answer = tableHandler(SPF);
    server = await startDnsServer((question, transport) =>
      question.type === "PTR" ? { drop: true } : answer(question, transport),
    );
    const args = ["check", "example.com", "--ip", "192.0.2.1", "--resolver", server.address];
    const result = await runCommand([...args, "--timeout-ms", "100", "--format", "json"]);
    const json = JSON.parse(result.stdout) as CheckJson;
    const received = server.queries.map((q) => `${q.type} ${q.name}`);

    expect(json.spf.verdict).toBe("pass");
    expect(json.reverseDns.verdict).toBe("not-checked");
    expect(json.reverseDns.explanation).toBe("not checked: the DNS query timed out");
    expect(received).toContain("TXT example.com");
    expect(received).toContain("TXT _dmarc.example.com");
    expect(result.stderr).toContain("delist: 1 DNS query got no answer (1 timed out: PTR ");
    expect(result.stderr).not.toContain("nothing could be checked");
    expect(result.code).toBe(1);
  });
});

describe("check with a silent server", () => {
  async function checkSilent(...extra: string[]) {
    server = await startDnsServer(() => ({ drop: true }));
    const args = ["check", "example.com", "--resolver", server.address, "--timeout-ms", "100"];
    return runCommand([...args, ...extra]);
  }

  it("gives one reason for every check", async () => {
    const result = await checkSilent();
    const checks = /^ {2}(SPF|DKIM|DMARC|MX|MTA-STS|TLS-RPT|BIMI) +not checked +(.*)$/gm;
    const reasons = [...result.stdout.matchAll(checks)].map((match) => match[2]);

    expect(reasons).toHaveLength(7);
    expect(new Set(reasons)).toEqual(new Set(["not checked: the DNS query timed out"]));
    expect(result.stdout).not.toContain("DNS unreachable");
    expect(result.code).toBe(2);
  });

  it("counts the queries sent as the footer does", async () => {
    const result = await checkSilent("--ip", "192.0.2.1");
    const footer = /^DNS: server \S+; (\d+) queries, 0 from cache\.$/m.exec(result.stdout);
    const sent = Number(footer?.[1]);
    const received = new Set(server?.queries.map((q) => `${q.type} ${q.name}`));

    // The resolver sends each query twice (one retry), so distinct queries are compared.
    expect(received.size).toBe(sent);
    expect(result.stderr).toContain(`none of the ${sent} DNS queries got an answer from `);
    expect(result.stderr).toMatch(/, so \d+ more were not sent\. First failure: PTR /);
    expect(result.code).toBe(2);
  });

  it("counts the queries sent to a closed port", async () => {
    server = await startDnsServer(() => ({ drop: true }));
    const address = server.address;
    await server.close();
    server = null;
    const args = ["check", "example.com", "--ip", "192.0.2.1", "--resolver", address];
    const result = await runCommand(args);

    // The PTR and the domain queries go out in one round, before the first refusal returns.
    const sent = /DNS: server \S+; (\d+) queries, 0 from cache\./.exec(result.stdout)?.[1];
    expect(sent).toBeDefined();
    expect(result.stderr).toContain(
      `none of the ${sent} DNS queries got an answer from the DNS server at ${address}`,
    );
    expect(result.stdout).toContain("not checked: DNS unreachable");
    expect(result.code).toBe(2);
  });
});
