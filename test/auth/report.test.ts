import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { checkSenders } from "../../src/auth/report.js";
import { createDnsContext } from "../../src/dns/context.js";
import { serverResolver } from "../../src/dns/system.js";
import { forbidRealNetwork } from "../dns/guard.js";
import { startDnsServer, type TestDnsServer } from "../dns/server.js";
import { EXAMPLE_ZONE, zoneDns } from "./zone.js";

forbidRealNetwork();

let server: TestDnsServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

const zone = readFileSync(EXAMPLE_ZONE, "utf8");

describe("sender checks", () => {
  it("passes a well set-up domain", async () => {
    const report = await checkSenders(
      {
        domains: ["example.com"],
        ips: ["192.0.2.25", "2001:db8::25"],
        helo: "mail.example.com",
        selectors: { "example.com": [{ selector: "s2048", source: "given" }] },
      },
      { dns: zoneDns(zone), fetcher: null },
    );
    expect(report.domains[0]?.spf.result).toEqual({ "192.0.2.25": "pass", "2001:db8::25": "pass" });
    expect(report.domains[0]?.dkim.map((s) => [s.selector, s.status])).toEqual([
      ["s2048", "valid"],
    ]);
    expect(report.findings).toEqual([]);
    expect(report.readiness.map((item) => [item.id, item.status])).toEqual([
      ["spf-dkim-dmarc", "pass"],
      ["ptr", "pass"],
    ]);
    expect(report.verdict).toBe("pass");
  });

  it("builds authentication and reverse-dns findings", async () => {
    const report = await checkSenders(
      {
        domains: ["example.net"],
        ips: ["192.0.2.26"],
        selectors: { "example.net": [{ selector: "old", source: "given" }] },
      },
      { dns: zoneDns(zone), fetcher: null },
    );
    expect(report.findings.map((f) => [f.id, f.severity])).toEqual([
      ["authentication", "critical"],
      ["reverse-dns", "critical"],
    ]);
    const evidence = report.findings[0]?.evidence as { correctedSpf: Record<string, string> };
    expect(evidence.correctedSpf["example.net"]).toBe("v=spf1 ip4:192.0.2.26 ~all");
    expect(report.readiness.map((item) => [item.id, item.status])).toEqual([
      ["spf-dkim-dmarc", "fail"],
      ["ptr", "fail"],
    ]);
    expect(
      report.domains[0]?.requirements.find(
        (r) => r.provider === "gmail" && r.rule.startsWith("DKIM key"),
      )?.status,
    ).toBe("fail");
  });

  it("says not checked within seconds when DNS is silent", async () => {
    server = await startDnsServer(() => ({ drop: true }));
    const dns = createDnsContext({
      resolver: serverResolver(server.address, { timeoutMs: 200, retries: 1 }),
      timeoutMs: 600,
    });
    const started = Date.now();
    const report = await checkSenders(
      { domains: ["example.com", "example.org"], ips: ["192.0.2.25"] },
      { dns, fetcher: null },
    );
    const domain = report.domains[0];
    expect(Date.now() - started).toBeLessThan(3000);
    expect([
      domain?.spf.verdict,
      domain?.dkimSummary.verdict,
      domain?.dmarc.verdict,
      domain?.mx.verdict,
      report.reverseDns.verdict,
    ]).toEqual(["not-checked", "not-checked", "not-checked", "not-checked", "not-checked"]);
    expect(domain?.spf.explanation).toBe("not checked: the DNS query timed out");
    expect(domain?.mtaSts.explanation).toBe("not checked: the DNS query timed out");
    expect(domain?.bimi.explanation).toBe("not checked: the DNS query timed out");
    expect(report.verdict).toBe("not-checked");
    expect(report.findings).toEqual([]);
  });

  it("keeps a failed PTR query out of the findings", async () => {
    server = await startDnsServer((question) =>
      question.type === "PTR" ? { rcode: "SERVFAIL" } : { rcode: "NXDOMAIN" },
    );
    const dns = createDnsContext({
      resolver: serverResolver(server.address, { timeoutMs: 200, retries: 0 }),
      timeoutMs: 600,
    });
    const report = await checkSenders(
      { domains: ["example.com"], ips: ["192.0.2.1"] },
      { dns, fetcher: null },
    );
    const reverse = report.findings.find((f) => f.id === "reverse-dns");
    expect(report.ptr[0]?.error).toBe("not checked: the server failed to answer (SERVFAIL)");
    expect(reverse).toBeUndefined();
    expect(report.readiness.find((item) => item.id === "ptr")?.status).toBe("not-checked");
  });

  it("puts MX errors under authentication", async () => {
    server = await startDnsServer(() => ({ rcode: "NXDOMAIN" }));
    const dns = createDnsContext({
      resolver: serverResolver(server.address, { timeoutMs: 200, retries: 0 }),
      timeoutMs: 600,
    });
    const report = await checkSenders(
      { domains: ["example.com"], ips: ["192.0.2.1"] },
      { dns, fetcher: null },
    );
    const auth = report.findings.find((f) => f.id === "authentication");
    const mxFix = "Publish an MX or A record for example.com";
    expect(auth?.fix.some((step) => step.startsWith(mxFix))).toBe(true);
    const reverse = report.findings.find((f) => f.id === "reverse-dns");
    expect(reverse?.title).toBe("No forward-confirmed reverse DNS for 192.0.2.1");
    expect(reverse?.fix.join("\n")).not.toContain("MX");
  });
});
