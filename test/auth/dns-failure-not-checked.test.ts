import type dnsPacket from "dns-packet";
import { afterEach, describe, expect, it } from "vitest";
import { checkDkim } from "../../src/auth/dkim/check.js";
import { checkDmarc } from "../../src/auth/dmarc/check.js";
import { checkPtr } from "../../src/auth/ptr.js";
import { checkSenders } from "../../src/auth/report.js";
import { createDnsContext, type DnsContext } from "../../src/dns/context.js";
import { serverResolver } from "../../src/dns/system.js";
import { forbidRealNetwork } from "../dns/guard.js";
import { startDnsServer, tableHandler, type TestDnsServer, type TestReply } from "../dns/server.js";

forbidRealNetwork();

let server: TestDnsServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

const txt = (name: string, ...data: string[]): dnsPacket.Answer => ({ type: "TXT", name, data });

const KEY =
  "v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAqAUpJpB4exJRNjN09jHxSEhCVCPer4BEmTxjAqF/gmscl3DfZkvUT2M0XG/WK++1UcMtKmOt1JcxH29Tsk5ZMol+DFvJvaXEyVjnqkTmPxOF/52lVXHxHsPAjFi7VVjGAmFNysHI7/C73otrsXphffXSWv6F1tqCTY4Q+G2ZiPzXkCYM1LHkUjhydSoIkwE9qFlJsNikZvB/Q0HGffcaQ9U2cH6MAYiQ609Kp0bNfFuiMeGnEyDmuCDTQrn9rfbXO6qGAhKoppifKQKjxVOQIYPDSyy5XtpnWWbI7Ib0kMxx+WPON2HwbV1u8ip/cxVqhb+ipnsOMmE/mdc4OhuJLwIDAQAB";

/** A well set up example.com: SPF, a 2048-bit key at `mail`, DMARC p=reject, PTR and A. */
const GOOD = tableHandler({
  "TXT example.com": [txt("example.com", "v=spf1 ip4:192.0.2.10 -all")],
  "TXT mail._domainkey.example.com": [txt("mail._domainkey.example.com", KEY)],
  "TXT _dmarc.example.com": [
    txt("_dmarc.example.com", "v=DMARC1; p=reject; rua=mailto:dmarc@example.com"),
  ],
  "MX example.com": [
    { type: "MX", name: "example.com", data: { preference: 10, exchange: "mail.example.com" } },
  ],
  "A mail.example.com": [{ type: "A", name: "mail.example.com", data: "192.0.2.10" }],
  "PTR 10.2.0.192.in-addr.arpa": [
    { type: "PTR", name: "10.2.0.192.in-addr.arpa", data: "mail.example.com" },
  ],
});

/**
 * Starts a DNS server on 127.0.0.1 that answers `rcode` for the names `fails` matches and
 * serves the good example.com for the rest.
 */
async function failingDns(
  fails: (name: string) => boolean,
  rcode: NonNullable<TestReply["rcode"]>,
): Promise<DnsContext> {
  server = await startDnsServer((question, transport) =>
    fails(question.name.toLowerCase()) ? { rcode } : GOOD(question, transport),
  );
  return createDnsContext({
    resolver: serverResolver(server.address, { timeoutMs: 300, retries: 0 }),
    timeoutMs: 900,
  });
}

const SELECTORS = [{ selector: "mail", source: "found" as const }];

describe.each(["SERVFAIL", "REFUSED"] as const)("%s answers", (rcode) => {
  it("leave the DKIM selector not checked", async () => {
    const dns = await failingDns((name) => name.includes("._domainkey."), rcode);
    const check = await checkDkim("example.com", SELECTORS, dns);
    expect(check.verdict).toBe("not-checked");
    expect(check.evidence.selectors[0]?.status).toBe("not-checked");
    expect(check.problems).toEqual([]);
  });

  it("leave DMARC not checked", async () => {
    const dns = await failingDns((name) => name.startsWith("_dmarc."), rcode);
    const check = await checkDmarc("example.com", dns);
    expect(check.verdict).toBe("not-checked");
    expect(check.explanation).toMatch(/^not checked: /);
    expect(check.problems).toEqual([]);
  });

  it("leave the PTR not checked", async () => {
    const dns = await failingDns((name) => name.endsWith(".in-addr.arpa"), rcode);
    const check = await checkPtr(["192.0.2.10"], null, dns);
    expect(check.verdict).toBe("not-checked");
    expect(check.problems).toEqual([]);
  });

  it("create no finding and fail no item", async () => {
    const dns = await failingDns(() => true, rcode);
    const report = await checkSenders(
      { domains: ["example.com"], ips: ["192.0.2.10"], selectors: { "example.com": SELECTORS } },
      { dns, fetcher: null },
    );
    const [domain] = report.domains;
    expect(report.findings.map((finding) => finding.id)).toEqual([]);
    expect(report.readiness.map((item) => item.status)).toEqual(["not-checked", "not-checked"]);
    expect(domain?.spf.verdict).toBe("not-checked");
    expect(domain?.dkimSummary.verdict).toBe("not-checked");
    expect(domain?.dmarc.verdict).toBe("not-checked");
    expect(domain?.requirements.filter((row) => row.status === "fail")).toEqual([]);
  });
});

describe("a failed PTR query beside an answered one", () => {
  it("is info beside a missing PTR", async () => {
    const dns = await failingDns((name) => name === "10.2.0.192.in-addr.arpa", "SERVFAIL");
    const check = await checkPtr(["192.0.2.10", "192.0.2.11"], null, dns);
    expect(check.problems.map((p) => [p.code, p.severity])).toEqual([
      ["ptr-dns-error", "info"],
      ["ptr-missing", "error"],
    ]);
    expect(check.verdict).toBe("fail");
  });
});

describe("DMARC tree walk with a refused parent", () => {
  it("keeps the record at the domain", async () => {
    const dns = await failingDns((name) => name === "_dmarc.com", "REFUSED");
    const check = await checkDmarc("example.com", dns);
    expect(check.verdict).toBe("pass");
    expect(check.evidence.policy).toBe("reject");
    expect(check.evidence.recordDomain).toBe("example.com");
    expect(check.problems.map((p) => p.code)).toEqual([]);
  });

  it("is not checked when the domain's own query fails", async () => {
    const dns = await failingDns((name) => name === "_dmarc.mail.example.com", "REFUSED");
    const check = await checkDmarc("mail.example.com", dns);
    expect(check.verdict).toBe("not-checked");
    expect(check.evidence.policy).toBeNull();
  });

  it("is not checked when a query below the record fails", async () => {
    const dns = await failingDns((name) => name === "_dmarc.mail.example.com", "SERVFAIL");
    const check = await checkDmarc("a.mail.example.com", dns);
    expect(check.verdict).toBe("not-checked");
    expect(check.evidence.queried).toEqual([
      "_dmarc.a.mail.example.com",
      "_dmarc.mail.example.com",
    ]);
  });
});
