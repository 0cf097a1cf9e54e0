import type dnsPacket from "dns-packet";
import { afterEach, describe, expect, it } from "vitest";
import { checkSpf } from "../../../src/auth/spf/check.js";
import { createDnsContext, type DnsContext } from "../../../src/dns/context.js";
import { serverResolver } from "../../../src/dns/system.js";
import { zoneResolver } from "../../../src/dns/zone.js";
import { parseZoneFile } from "../../../src/dns/zone-file.js";
import { forbidRealNetwork } from "../../dns/guard.js";
import { startDnsServer, type TestDnsServer, type TestReply } from "../../dns/server.js";

forbidRealNetwork();

let server: TestDnsServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

const codes = (problems: readonly { code: string }[]): string[] => problems.map((p) => p.code);

/**
 * Starts a DNS server on 127.0.0.1 that publishes `record` at example.com and answers each
 * include target from `targets`; other names get NXDOMAIN.
 */
async function serverDns(
  record: string,
  targets: Readonly<Record<string, (transport: "udp" | "tcp") => TestReply>>,
): Promise<DnsContext> {
  server = await startDnsServer((question, transport) => {
    const name = question.name.toLowerCase();
    if (name === "example.com" && question.type === "TXT") {
      const answer: dnsPacket.Answer = { type: "TXT", name, data: record };
      return { answers: [answer] };
    }
    return targets[name]?.(transport) ?? { rcode: "NXDOMAIN" };
  });
  // A short wait keeps the dropped queries quick, and the other queries return at once.
  return createDnsContext({
    resolver: serverResolver(server.address, { timeoutMs: 300, retries: 0 }),
    timeoutMs: 300,
  });
}

const TWO_INCLUDES = "v=spf1 include:_spf.provider.example include:_spf2.provider.example -all";

describe("SPF check after DNS failures", () => {
  it("keeps includes that time out or get SERVFAIL", async () => {
    const dns = await serverDns(TWO_INCLUDES, {
      "_spf.provider.example": () => ({ drop: true }),
      "_spf2.provider.example": () => ({ rcode: "SERVFAIL" }),
    });
    const check = await checkSpf("example.com", [], null, dns);
    expect(check.evidence.correctedRecord).toBeNull();
    expect(check.verdict).toBe("not-checked");
    expect(codes(check.problems)).toEqual(["spf-dns-error", "spf-dns-error"]);
    expect(check.problems.map((p) => p.severity)).toEqual(["warning", "warning"]);
    expect(check.problems[0]?.message).toMatch(/include:_spf\.provider\.example .* not checked/);
    expect(check.problems[1]?.message).toMatch(/SERVFAIL/);
  });

  it("gives temperror, not fail, for a sending IP", async () => {
    const dns = await serverDns(TWO_INCLUDES, {
      "_spf.provider.example": () => ({ drop: true }),
      "_spf2.provider.example": () => ({ rcode: "SERVFAIL" }),
    });
    const check = await checkSpf("example.com", ["192.0.2.1"], null, dns);
    expect(check.evidence.result).toEqual({ "192.0.2.1": "temperror" });
    expect(check.verdict).toBe("not-checked");
    expect(check.evidence.correctedRecord).toBeNull();
    expect(check.problems.filter((p) => p.severity === "error")).toEqual([]);
    expect(codes(check.problems)).toContain("spf-temperror");
  });

  it("keeps an include whose TCP retry fails", async () => {
    const dns = await serverDns("v=spf1 ip4:198.51.100.7 include:_spf.provider.example -all", {
      "_spf.provider.example": (transport) =>
        transport === "udp" ? { truncateUdp: true } : { drop: true },
    });
    const check = await checkSpf("example.com", ["192.0.2.1"], null, dns);
    expect(server?.queries.map((q) => q.transport)).toContain("tcp");
    expect(check.evidence.result).toEqual({ "192.0.2.1": "temperror" });
    expect(check.evidence.correctedRecord).toBeNull();
    expect(check.verdict).toBe("not-checked");
  });

  it("keeps a failed include when correcting other terms", async () => {
    const dns = await serverDns("v=spf1 ptr include:_spf.provider.example -all", {
      "_spf.provider.example": () => ({ rcode: "REFUSED" }),
    });
    const check = await checkSpf("example.com", ["192.0.2.1"], null, dns);
    expect(codes(check.problems)).toContain("spf-ptr");
    expect(check.evidence.correctedRecord).toBe("v=spf1 include:_spf.provider.example -all");
  });

  it("still drops an include with no SPF record", async () => {
    const dns = await serverDns("v=spf1 ip4:192.0.2.1 include:_spf.provider.example -all", {
      "_spf.provider.example": () => ({ answers: [] }),
    });
    const check = await checkSpf("example.com", ["192.0.2.1"], null, dns);
    expect(codes(check.problems)).toContain("spf-include-none");
    expect(check.verdict).toBe("fail");
    expect(check.evidence.correctedRecord).toBe("v=spf1 ip4:192.0.2.1 -all");
  });

  it("counts no void lookup for a failed a term", async () => {
    const dns = await serverDns("v=spf1 a:mail.provider.example mx:provider.example -all", {
      "mail.provider.example": () => ({ rcode: "SERVFAIL" }),
      "provider.example": () => ({ drop: true }),
    });
    const check = await checkSpf("example.com", [], null, dns);
    expect(check.evidence.voidLookups).toBe(0);
    expect(codes(check.problems)).toEqual(["spf-dns-error", "spf-dns-error"]);
    expect(check.problems[0]?.message).toMatch(/^a:mail\.provider\.example .* the A query/);
    expect(check.problems[1]?.message).toMatch(/^mx:provider\.example .* the MX query/);
  });

  it("passes an IP matched before a failed include", async () => {
    const dns = await serverDns("v=spf1 ip4:192.0.2.1 include:_spf.provider.example -all", {
      "_spf.provider.example": () => ({ rcode: "SERVFAIL" }),
    });
    const check = await checkSpf("example.com", ["192.0.2.1"], null, dns);
    expect(check.evidence.result).toEqual({ "192.0.2.1": "pass" });
    expect(check.verdict).toBe("warn");
    expect(check.evidence.correctedRecord).toBeNull();
  });
});

describe("SPF check from zone files", () => {
  const ZONE = `$ORIGIN example.com.
@ IN TXT "v=spf1 ip4:192.0.2.1 include:_spf.example.net include:_gone.example.com -all"
`;

  function zoneFilesDns(): DnsContext {
    const origins = new Set<string>();
    const zone = parseZoneFile(ZONE, "example.zone", new Map(), [], origins);
    return createDnsContext({ resolver: zoneResolver(zone, "zone example.zone", origins) });
  }

  it("keeps an include outside the zone files", async () => {
    const check = await checkSpf("example.com", ["192.0.2.1"], null, zoneFilesDns());
    const outside = check.problems.find((p) => p.message.includes("_spf.example.net"));
    expect(outside?.code).toBe("spf-dns-error");
    expect(outside?.message).toMatch(/_spf\.example\.net is not in the zone files/);
    expect(outside?.fix).toBeNull();
    expect(check.evidence.correctedRecord).toBe(
      "v=spf1 ip4:192.0.2.1 include:_spf.example.net -all",
    );
  });

  it("drops a missing include inside the zone", async () => {
    const check = await checkSpf("example.com", ["192.0.2.1"], null, zoneFilesDns());
    const inside = check.problems.find((p) => p.message.includes("_gone.example.com"));
    expect(inside?.code).toBe("spf-include-none");
    expect(check.verdict).toBe("fail");
  });
});
