import { afterEach, describe, expect, it } from "vitest";
import { checkBimi } from "../../src/auth/bimi.js";
import { checkMx } from "../../src/auth/mx.js";
import { checkPtr } from "../../src/auth/ptr.js";
import { checkTlsRpt } from "../../src/auth/tls-rpt.js";
import { createDnsContext, type DnsContext } from "../../src/dns/context.js";
import { serverResolver } from "../../src/dns/system.js";
import { forbidRealNetwork } from "../dns/guard.js";
import { startDnsServer, type TestDnsServer, type TestHandler } from "../dns/server.js";
import { zoneDns } from "./zone.js";

forbidRealNetwork();

let server: TestDnsServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

/** Starts a DNS server on 127.0.0.1 that answers through `handler`, and a context asking it. */
async function serverDns(handler: TestHandler): Promise<DnsContext> {
  server = await startDnsServer(handler);
  return createDnsContext({
    resolver: serverResolver(server.address, { timeoutMs: 200, retries: 0 }),
    timeoutMs: 600,
  });
}

const zone = `$ORIGIN example.com.
@ MX 10 mail
@ MX 20 alias
mail A 192.0.2.25
mail AAAA 2001:db8::25
alias CNAME mail
_smtp._tls TXT "v=TLSRPTv1; rua=mailto:tls@example.com,https://report.example.com/tls"
default._bimi TXT "v=BIMI1; l=http://example.com/logo.png"
$ORIGIN example.net.
@ MX 0 .
$ORIGIN example.org.
@ MX 10 nowhere.example.org.
$ORIGIN 2.0.192.in-addr.arpa.
25 PTR mail.example.com.
26 PTR 192-0-2-26.dyn.example.net.
27 PTR unconfirmed.example.com.
$ORIGIN 8.b.d.0.1.0.0.2.ip6.arpa.
5.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0 PTR mail.example.com.
`;

describe("reverse DNS", () => {
  it("confirms IPv4 and IPv6 PTR names", async () => {
    const check = await checkPtr(["192.0.2.25", "2001:db8::25"], "mail.example.com", zoneDns(zone));
    expect(
      check.evidence.ptr.map((r) => [r.ip, r.names, r.forwardConfirmed, r.heloMatches]),
    ).toEqual([
      ["192.0.2.25", ["mail.example.com"], true, true],
      ["2001:db8::25", ["mail.example.com"], true, true],
    ]);
    expect(check.verdict).toBe("pass");
  });

  it("reports missing, unconfirmed and generic PTR names", async () => {
    const check = await checkPtr(["192.0.2.24", "192.0.2.26", "192.0.2.27"], null, zoneDns(zone));
    expect(check.problems.map((p) => p.code)).toEqual([
      "ptr-missing",
      "ptr-not-confirmed",
      "ptr-generic",
      "ptr-not-confirmed",
    ]);
    expect(check.verdict).toBe("fail");
  });

  it("says not checked when DNS is silent", async () => {
    const check = await checkPtr(["192.0.2.1"], null, await serverDns(() => ({ drop: true })));
    expect(check.verdict).toBe("not-checked");
    expect(check.explanation).toBe("not checked: the DNS query timed out");
    expect(check.evidence.ptr[0]?.error).toBe("not checked: the DNS query timed out");
    expect(check.evidence.ptr[0]?.names).toEqual([]);
    expect(check.problems).toEqual([]);
  });

  it("reports a SERVFAIL as not checked", async () => {
    const check = await checkPtr(
      ["192.0.2.1"],
      null,
      await serverDns(() => ({ rcode: "SERVFAIL" })),
    );
    const [result] = check.evidence.ptr;
    expect(result?.error).toBe("not checked: the server failed to answer (SERVFAIL)");
    expect(check.verdict).toBe("not-checked");
    expect(check.problems).toEqual([]);
    expect(check.explanation).toBe("not checked: the server failed to answer (SERVFAIL)");
  });

  it("keeps a failed IP apart from answered ones", async () => {
    const dns = await serverDns((question) =>
      question.name === "1.2.0.192.in-addr.arpa" ? { rcode: "SERVFAIL" } : { rcode: "NXDOMAIN" },
    );
    const check = await checkPtr(["192.0.2.1", "192.0.2.2"], null, dns);
    expect(check.evidence.ptr.map((r) => [r.ip, r.error])).toEqual([
      ["192.0.2.1", "not checked: the server failed to answer (SERVFAIL)"],
      ["192.0.2.2", null],
    ]);
    expect(check.problems.map((p) => p.code)).toEqual(["ptr-dns-error", "ptr-missing"]);
    expect(check.explanation).toBe(
      "No forward-confirmed PTR for 192.0.2.2. 192.0.2.1: not checked: the server failed to answer (SERVFAIL).",
    );
  });

  it("warns when HELO is not the PTR name", async () => {
    const check = await checkPtr(["192.0.2.25"], "localhost.localdomain", zoneDns(zone));
    expect(check.problems.map((p) => p.code)).toEqual(["helo-mismatch"]);
    expect(check.verdict).toBe("warn");
  });
});

describe("MX", () => {
  it("lists hosts and flags a CNAME", async () => {
    const check = await checkMx("example.com", zoneDns(zone));
    expect(check.evidence.hosts.map((h) => [h.exchange, h.addresses, h.alias])).toEqual([
      ["mail.example.com", ["192.0.2.25", "2001:db8::25"], false],
      ["alias.example.com", ["192.0.2.25", "2001:db8::25"], true],
    ]);
    expect(check.problems.map((p) => p.code)).toEqual(["mx-cname"]);
  });

  it("fails a null MX and a host without address", async () => {
    const dns = zoneDns(zone);
    expect((await checkMx("example.net", dns)).problems.map((p) => p.code)).toEqual(["mx-null"]);
    expect((await checkMx("example.org", dns)).problems.map((p) => p.code)).toEqual([
      "mx-no-address",
    ]);
    expect((await checkMx("example.biz", dns)).problems.map((p) => p.code)).toEqual([
      "mx-domain-unresolvable",
    ]);
  });
});

describe("TLS-RPT and BIMI", () => {
  it("reads the TLS-RPT addresses", async () => {
    const check = await checkTlsRpt("example.com", zoneDns(zone));
    expect(check.evidence.rua).toEqual([
      "mailto:tls@example.com",
      "https://report.example.com/tls",
    ]);
    expect(check.verdict).toBe("pass");
  });

  it("notes a missing TLS-RPT record", async () => {
    const check = await checkTlsRpt("example.net", zoneDns(zone));
    expect(check.problems.map((p) => [p.code, p.severity])).toEqual([["tls-rpt-none", "info"]]);
  });

  it("checks the BIMI logo URL and the DMARC policy", async () => {
    const check = await checkBimi("example.com", "none", zoneDns(zone));
    expect(check.problems.map((p) => p.code)).toEqual([
      "bimi-syntax",
      "bimi-no-certificate",
      "bimi-dmarc-policy",
    ]);
    expect(check.verdict).toBe("fail");
  });
});
