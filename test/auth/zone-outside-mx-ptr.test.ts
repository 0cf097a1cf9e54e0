import { describe, expect, it } from "vitest";
import { reverseDnsFinding } from "../../src/auth/findings.js";
import { checkMx } from "../../src/auth/mx.js";
import { checkPtr } from "../../src/auth/ptr.js";
import { checkSenders } from "../../src/auth/report.js";
import { createDnsContext, type DnsContext } from "../../src/dns/context.js";
import { zoneResolver } from "../../src/dns/zone.js";
import { parseZoneFile } from "../../src/dns/zone-file.js";
import { forbidRealNetwork } from "../dns/guard.js";

forbidRealNetwork();

// The files hold example.com and the reverse zone of 192.0.2.0/24, but no zone of example.net
// and no ip6.arpa zone.
const ZONE = `$ORIGIN example.com.
$TTL 1h
@       IN SOA ns1 hostmaster 1 3600 900 604800 300
@       IN MX  10 mail
@       IN MX  20 mx.example.net.
@       IN TXT "v=spf1 ip4:192.0.2.25 -all"
mail    IN A   192.0.2.25
_dmarc  IN TXT "v=DMARC1; p=reject"
$ORIGIN 2.0.192.in-addr.arpa.
@       IN SOA ns1.example.com. hostmaster.example.com. 1 3600 900 604800 300
25      IN PTR mail.example.com.
`;

// The only MX of example.org is outside the zones. example.info also has an MX without address.
const OTHER_ZONES = `$ORIGIN example.org.
@       IN SOA ns1 hostmaster 1 3600 900 604800 300
@       IN MX  10 mx.example.net.
$ORIGIN example.info.
@       IN SOA ns1 hostmaster 1 3600 900 604800 300
@       IN MX  10 mx.example.net.
@       IN MX  20 nowhere
`;

/** Creates a DNS context that resolves from zone text with its origins, as `--zone` does. */
function zoneFilesDns(...texts: string[]): DnsContext {
  const origins = new Set<string>();
  const zone = new Map();
  texts.forEach((text, index) => parseZoneFile(text, `test${index}.zone`, zone, [], origins));
  return createDnsContext({ resolver: zoneResolver(zone, "test zones", origins), now: () => 0 });
}

describe("MX host outside the zone files", () => {
  it("is not checked, not FAIL", async () => {
    const check = await checkMx("example.com", zoneFilesDns(ZONE));
    expect(check.problems.map((p) => p.code)).toEqual(["mx-not-in-zone"]);
    expect(check.problems[0]?.severity).toBe("warning");
    expect(check.problems[0]?.message).toBe(
      "The MX host mx.example.net was not checked, because mx.example.net is not in the zone " +
        "files, which contain only the zones 2.0.192.in-addr.arpa, example.com.",
    );
    expect(check.problems[0]?.fix).toContain("--zone");
    expect(check.verdict).toBe("not-checked");
    expect(check.explanation).toMatch(/^not checked: mx\.example\.net is not in the zone files/);
  });

  it("keeps the hosts in the evidence", async () => {
    const check = await checkMx("example.com", zoneFilesDns(ZONE));
    expect(check.evidence.hosts.map((h) => [h.exchange, h.addresses])).toEqual([
      ["mail.example.com", ["192.0.2.25"]],
      ["mx.example.net", []],
    ]);
  });

  it("is not checked when it is the only MX", async () => {
    const check = await checkMx("example.org", zoneFilesDns(OTHER_ZONES));
    expect(check.problems.map((p) => p.code)).toEqual(["mx-not-in-zone"]);
    expect(check.verdict).toBe("not-checked");
  });

  it("leaves a host without address FAIL", async () => {
    const check = await checkMx("example.info", zoneFilesDns(OTHER_ZONES));
    expect(check.problems.map((p) => p.code)).toEqual(["mx-not-in-zone", "mx-no-address"]);
    expect(check.verdict).toBe("fail");
  });

  it("stays out of the reverse-dns finding", async () => {
    const report = await checkSenders(
      { domains: ["example.com"], ips: ["192.0.2.25"] },
      { dns: zoneFilesDns(ZONE), fetcher: null },
    );
    expect(report.findings.map((f) => f.id)).not.toContain("reverse-dns");
    expect(report.domains[0]?.mx.verdict).toBe("not-checked");
  });
});

describe("PTR outside the zone files", () => {
  it("is not checked, not FAIL", async () => {
    const check = await checkPtr(["2001:db8::25"], null, zoneFilesDns(ZONE));
    expect(check.verdict).toBe("not-checked");
    expect(check.problems.map((p) => p.code)).toEqual(["ptr-not-in-zone"]);
    expect(check.problems[0]?.severity).toBe("warning");
    expect(check.evidence.ptr[0]?.error).toMatch(/^not checked: .*ip6\.arpa is not in the zone/);
  });

  it("has a fix that names the zone files", async () => {
    const check = await checkPtr(["2001:db8::25"], null, zoneFilesDns(ZONE));
    const fix = check.problems[0]?.fix ?? "";
    expect(fix).toContain("add the reverse zone that contains");
    expect(fix).toContain(
      "5.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa",
    );
    expect(fix).toContain("or run without --zone");
    expect(fix).not.toContain("name servers");
  });

  it("keeps an IP inside the zones checked", async () => {
    const check = await checkPtr(["192.0.2.25", "2001:db8::25"], null, zoneFilesDns(ZONE));
    expect(check.evidence.ptr.map((r) => [r.ip, r.forwardConfirmed])).toEqual([
      ["192.0.2.25", true],
      ["2001:db8::25", false],
    ]);
    expect(check.problems.map((p) => p.code)).toEqual(["ptr-not-in-zone"]);
    expect(check.verdict).toBe("not-checked");
  });

  it("stays FAIL when another IP fails", async () => {
    const check = await checkPtr(["192.0.2.26", "2001:db8::25"], null, zoneFilesDns(ZONE));
    expect(check.problems.map((p) => p.code)).toEqual(["ptr-missing", "ptr-not-in-zone"]);
    expect(check.verdict).toBe("fail");
  });

  it("gives a reverse-dns finding without FAIL", async () => {
    const dns = zoneFilesDns(ZONE);
    const check = await checkPtr(["2001:db8::25"], null, dns);
    const finding = reverseDnsFinding(check);
    expect(finding?.severity).toBe("info");
    expect(finding?.role).toBe("contributing");
    expect(finding?.title).toMatch(/^Reverse DNS of 2001:db8::25 not checked: /);
    expect(finding?.fix).toHaveLength(1);
    expect(finding?.fix[0]).toContain("--zone files");
    expect(finding?.fix.join(" ")).not.toContain("name servers");
  });

  it("leaves the readiness item not checked", async () => {
    const report = await checkSenders(
      { domains: ["example.com"], ips: ["2001:db8::25"] },
      { dns: zoneFilesDns(ZONE), fetcher: null },
    );
    const item = report.readiness.find((i) => i.id === "ptr");
    expect(item?.status).toBe("not-checked");
    expect(report.reverseDns.verdict).toBe("not-checked");
    expect(report.findings.find((f) => f.id === "reverse-dns")?.severity).toBe("info");
  });
});
