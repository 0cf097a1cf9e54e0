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
    const asked = server.queries.map((q) => `${q.type} ${q.name}`);

    expect(json.spf.verdict).toBe("pass");
    expect(json.reverseDns.verdict).toBe("not-checked");
    expect(json.reverseDns.explanation).toBe("not checked: the DNS query timed out");
    expect(asked).toContain("TXT example.com");
    expect(asked).toContain("TXT _dmarc.example.com");
    expect(result.stderr).toContain("delist: 1 DNS query got no answer (1 timed out: PTR ");
    expect(result.stderr).not.toContain("nothing could be checked");
    expect(result.code).toBe(1);
  });
});
