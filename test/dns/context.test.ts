import { describe, expect, it } from "vitest";
import { createDnsContext, type DnsTraceEvent } from "../../src/dns/context.js";
import type { DnsResult, RecordType, Resolver } from "../../src/dns/types.js";
import { offlineResolver } from "../../src/dns/system.js";
import { zoneResolver } from "../../src/dns/zone.js";
import { parseZoneFile } from "../../src/dns/zone-file.js";

function countingResolver(inner: Resolver): Resolver & { calls: number } {
  const wrapper = {
    description: "counting",
    calls: 0,
    resolve<T extends RecordType>(name: string, type: T): Promise<DnsResult<T>> {
      wrapper.calls++;
      return inner.resolve(name, type);
    },
  };
  return wrapper;
}

const zone = parseZoneFile("$ORIGIN example.com.\n@ 60 IN A 192.0.2.1\n", "inline.zone");

describe("DNS context", () => {
  it("caches answers for their TTL", async () => {
    let now = 0;
    const resolver = countingResolver(zoneResolver(zone));
    const dns = createDnsContext({ resolver, now: () => now });
    await dns.lookup("example.com", "A");
    await dns.lookup("EXAMPLE.com.", "A");
    now = 61_000;
    await dns.lookup("example.com", "A");
    expect(resolver.calls).toBe(2);
    expect(dns.stats()).toMatchObject({ queries: 2, cacheHits: 1 });
  });

  it("caches NXDOMAIN and counts failures", async () => {
    const resolver = countingResolver(zoneResolver(zone));
    const dns = createDnsContext({ resolver, now: () => 0 });
    await dns.lookup("missing.example.com", "TXT");
    await dns.lookup("missing.example.com", "TXT");
    expect(resolver.calls).toBe(1);
    expect(dns.stats().failures).toEqual({ nxdomain: 1 });
  });

  it("rejects names over the DNS limits without a query", async () => {
    const resolver = countingResolver(zoneResolver(zone));
    const dns = createDnsContext({ resolver });
    const result = await dns.lookup(`${"a".repeat(64)}.example.com`, "A");
    expect(result.ok ? "answer" : result.kind).toBe("invalid-name");
    expect(resolver.calls).toBe(0);
  });

  it("traces every lookup", async () => {
    const events: DnsTraceEvent[] = [];
    const dns = createDnsContext({ resolver: zoneResolver(zone), trace: (e) => events.push(e) });
    await dns.lookup("example.com", "A");
    await dns.lookup("example.com", "A");
    expect(events.map((e) => [e.name, e.type, e.outcome, e.cached])).toEqual([
      ["example.com", "A", "answer", false],
      ["example.com", "A", "answer", true],
    ]);
    expect(events[0]?.detail).toBe("192.0.2.1");
  });

  it("times out a resolver that never answers", async () => {
    const hanging: Resolver = { description: "hang", resolve: () => new Promise(() => undefined) };
    const dns = createDnsContext({ resolver: hanging, timeoutMs: 50 });
    const result = await dns.lookup("example.com", "A");
    expect(result.ok ? "answer" : result.kind).toBe("timeout");
    expect(dns.unreachable()).toBe(true);
  });

  it("keeps offline failures apart from unreachable", async () => {
    const dns = createDnsContext({ resolver: offlineResolver() });
    const first = await dns.lookup("example.com", "A");
    const second = await dns.lookup("example.com", "TXT");
    expect(first.ok ? "answer" : first.kind).toBe("offline");
    expect(second.ok ? "answer" : second.kind).toBe("offline");
    expect(dns.offline()).toBe(true);
    expect(dns.unreachable()).toBe(true);
    expect(dns.stats().failures).toEqual({ offline: 2 });
    // Nothing was sent, so the footer of `check --offline` must not claim queries.
    expect(dns.stats().queries).toBe(0);
  });

  it("is not offline after a network timeout", async () => {
    const hanging: Resolver = { description: "hang", resolve: () => new Promise(() => undefined) };
    const dns = createDnsContext({ resolver: hanging, timeoutMs: 50 });
    await dns.lookup("example.com", "A");
    expect(dns.offline()).toBe(false);
  });
});
