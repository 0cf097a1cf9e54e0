import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkSenders, type SenderCheckReport } from "../../src/auth/report.js";
import { renderCheckText } from "../../src/auth/text.js";
import { createDnsContext } from "../../src/dns/context.js";
import { offlineResolver } from "../../src/dns/system.js";
import { forbidRealNetwork } from "../dns/guard.js";
import { runCommand } from "../helpers/cli.js";
import { SENDER_ZONE_IP, senderZone } from "../helpers/sender-dns.js";
import { zoneDns } from "./zone.js";

forbidRealNetwork();

const IP = SENDER_ZONE_IP;

const REVOKED = senderZone('default._domainkey IN TXT "v=DKIM1; k=rsa; p="');

const plain = {
  good: (text: string) => text,
  bad: (text: string) => text,
  warn: (text: string) => text,
  dim: (text: string) => text,
  bold: (text: string) => text,
};

async function check(zone: string): Promise<SenderCheckReport> {
  return checkSenders(
    { domains: ["example.com"], ips: [IP] },
    { dns: zoneDns(zone), fetcher: null },
  );
}

function failingRows(report: SenderCheckReport): string[] {
  return (report.domains[0]?.requirements ?? [])
    .filter((row) => row.status === "fail")
    .map((row) => `${row.provider} ${row.rule}`);
}

describe("check verdict without a usable DKIM key", () => {
  it("warns on a revoked key alone", async () => {
    const report = await check(REVOKED);
    const domain = report.domains[0];
    expect(domain?.dkim.map((s) => [s.selector, s.status])).toEqual([["default", "revoked"]]);
    expect(domain?.dkimSummary.verdict).toBe("warn");
    expect(domain?.dkimSummary.problems.map((p) => [p.code, p.severity])).toEqual([
      ["dkim-revoked", "info"],
      ["dkim-no-usable-key", "warning"],
    ]);
  });

  it("fails overall when a requirement row fails", async () => {
    const report = await check(REVOKED);
    expect(failingRows(report)).toEqual([
      "gmail SPF and DKIM both pass",
      "yahoo SPF and DKIM both pass",
      "outlook DKIM passes",
    ]);
    expect(report.domains[0]?.verdict).toBe("fail");
    expect(report.verdict).toBe("fail");
  });

  it("never rates a revoked key above no key", async () => {
    const none = await check(senderZone());
    const revoked = await check(REVOKED);
    expect(none.domains[0]?.dkimSummary.verdict).toBe("warn");
    expect(failingRows(none)).toEqual([]);
    expect(none.verdict).toBe("warn");
    expect(revoked.verdict).toBe("fail");
  });

  it("keeps the readiness item failing", async () => {
    const report = await check(REVOKED);
    const item = report.readiness.find((r) => r.id === "spf-dkim-dmarc");
    expect(item?.status).toBe("fail");
    expect(item?.detail).toContain("DKIM warn");
  });

  it("exits 1 from the command line", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "delist-verdict-")), "revoked.zone");
    writeFileSync(file, REVOKED);
    const result = await runCommand(["check", "example.com", "--ip", IP, "--zone", file]);
    expect(result.stdout).toContain("DKIM    warn");
    expect(result.stdout).toContain("Overall: FAIL");
    expect(result.code).toBe(1);
  });
});

describe("check requirement evidence", () => {
  const loop = senderZone(
    'default._domainkey IN TXT "v=DKIM1; k=rsa; p="',
    `@ IN TXT "v=spf1 ip4:${IP} include:_spf.example.com -all"`,
    '_spf IN TXT "v=spf1 include:_spf.example.com -all"',
  ).replace(`@ IN TXT "v=spf1 ip4:${IP} -all"\n`, "");

  it("names an SPF loop behind a passing IP", async () => {
    const report = await check(loop);
    const row = report.domains[0]?.requirements.find(
      (r) => r.provider === "outlook" && r.rule === "SPF passes",
    );
    expect(report.domains[0]?.spf.result).toEqual({ [IP]: "pass" });
    // A receiver stops at the IP's term before it reaches the loop, so the row passes.
    expect(row?.status).toBe("pass");
    expect(row?.evidence).toContain("_spf.example.com → _spf.example.com loops back");
    expect(row?.evidence).toContain("permerror");
    expect(row?.evidence).toContain(`SPF ${IP}: pass`);
  });

  it("keeps a passing IP out of neither-passes", async () => {
    const report = await check(loop);
    const finding = report.findings.find((f) => f.id === "authentication");
    expect(finding?.severity).toBe("warning");
    expect(finding?.title).not.toContain("neither SPF nor DKIM passes");
  });

  it("shows the failing IP when the record has no error", async () => {
    const report = await check(senderZone().replace(`ip4:${IP}`, "ip4:192.0.2.99"));
    const row = report.domains[0]?.requirements.find(
      (r) => r.provider === "outlook" && r.rule === "SPF passes",
    );
    expect(row?.status).toBe("fail");
    expect(row?.evidence).toBe(`SPF ${IP}: fail`);
  });
});

describe("check offline", () => {
  async function offlineReport(): Promise<SenderCheckReport> {
    const dns = createDnsContext({ resolver: offlineResolver() });
    return checkSenders({ domains: ["example.com"], ips: [IP] }, { dns, fetcher: null });
  }

  it("gives SPF no result per IP", async () => {
    const spf = (await offlineReport()).domains[0]?.spf;
    expect(spf?.verdict).toBe("not-checked");
    expect(spf?.explanation).toBe("not checked: --offline");
    expect(spf?.results).toEqual([]);
    expect(spf?.result).toEqual({});
    expect(spf?.heloResult).toBeNull();
  });

  it("prints no SPF result or lookup count", async () => {
    const report = await offlineReport();
    const context = { resolver: "none (--offline)", queries: 27, cacheHits: 0, offline: true };
    const text = renderCheckText(report, context, plain);
    expect(text).toContain("SPF     not checked  not checked: --offline");
    expect(text).not.toContain("temperror");
    expect(text).not.toContain("DNS lookups:");
    expect(text).toContain("DNS: none (--offline).\n");
    expect(text).not.toContain("queries");
  });

  it("prints the query count when online", async () => {
    const report = await check(REVOKED);
    const context = { resolver: "zone test.zone", queries: 27, cacheHits: 3 };
    const text = renderCheckText(report, context, plain);
    expect(text).toContain("DNS: zone test.zone; 27 queries, 3 from cache.");
  });
});
