import { afterEach, describe, expect, it } from "vitest";
import { checkSenders } from "../../src/auth/report.js";
import { createDnsContext, type DnsContext } from "../../src/dns/context.js";
import { serverResolver } from "../../src/dns/system.js";
import { forbidRealNetwork } from "../dns/guard.js";
import { startDnsServer, tableHandler, type TestDnsServer } from "../dns/server.js";

forbidRealNetwork();

let server: TestDnsServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

/** Creates a DNS context that queries `dnsServer` and waits at most 200 ms for each reply. */
function serverDns(dnsServer: TestDnsServer): DnsContext {
  return createDnsContext({
    resolver: serverResolver(dnsServer.address, { timeoutMs: 200, retries: 0 }),
    timeoutMs: 600,
  });
}

const MAIL = [{ selector: "mail", source: "found" as const }];

describe("SPF, DKIM and DMARC readiness text", () => {
  it("spells not-checked as words", async () => {
    // SERVFAIL for the include leaves SPF not checked, and the selector has no key.
    const answers = tableHandler({
      "TXT example.com": [
        { type: "TXT", name: "example.com", data: "v=spf1 include:_spf.example.net -all" },
      ],
      "TXT _dmarc.example.com": [
        { type: "TXT", name: "_dmarc.example.com", data: "v=DMARC1; p=reject" },
      ],
    });
    server = await startDnsServer((question, transport) =>
      question.name === "_spf.example.net" ? { rcode: "SERVFAIL" } : answers(question, transport),
    );
    const report = await checkSenders(
      { domains: ["example.com"], ips: ["192.0.2.10"], selectors: { "example.com": MAIL } },
      { dns: serverDns(server), fetcher: null },
    );
    const item = report.readiness.find((entry) => entry.id === "spf-dkim-dmarc");

    expect(item?.status).toBe("fail");
    expect(item?.detail).toBe("example.com: SPF not checked, DKIM fail, DMARC p=reject");
  });

  it("asks to check the log's selector again", async () => {
    const answers = tableHandler({
      "TXT example.com": [{ type: "TXT", name: "example.com", data: "v=spf1 ip4:192.0.2.10 -all" }],
      "TXT _dmarc.example.com": [
        { type: "TXT", name: "_dmarc.example.com", data: "v=DMARC1; p=reject" },
      ],
    });
    server = await startDnsServer((question, transport) =>
      question.name.includes("._domainkey.") ? { drop: true } : answers(question, transport),
    );
    const dns = serverDns(server);
    const report = await checkSenders(
      { domains: ["example.com"], ips: ["192.0.2.10"], selectors: { "example.com": MAIL } },
      { dns, fetcher: null },
    );
    const item = report.readiness.find((entry) => entry.id === "spf-dkim-dmarc");

    expect(item?.status).toBe("not-checked");
    expect(item?.detail).toContain("DKIM not checked: the DNS query timed out");
    expect(item?.detail).toContain("`delist check example.com --selector mail`");
    expect(item?.detail).not.toContain("SELECTOR");
  });
});
