import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import type { DnsContext } from "../../src/dns/context.js";
import { dnsFailure, type DnsResult, type RecordType } from "../../src/dns/types.js";
import { runQueries, type ScheduledQuery } from "../../src/reputation/scheduler.js";

interface FakeDns extends DnsContext {
  readonly asked: Array<{ name: string; at: number }>;
  maxInFlight: number;
}

/** A context whose every lookup takes `delayMs` and answers NXDOMAIN. */
function fakeDns(delayMs: number): FakeDns {
  let inFlight = 0;
  const dns: FakeDns = {
    description: "fake",
    asked: [],
    maxInFlight: 0,
    async lookup<T extends RecordType>(name: string, type: T): Promise<DnsResult<T>> {
      dns.asked.push({ name, at: performance.now() });
      inFlight++;
      dns.maxInFlight = Math.max(dns.maxInFlight, inFlight);
      await sleep(delayMs);
      inFlight--;
      return dnsFailure(name, type, "nxdomain", "NXDOMAIN");
    },
    stats: () => ({ queries: dns.asked.length, cacheHits: 0, failures: {} }),
    unreachable: () => false,
    offline: () => false,
    now: Date.now,
    close: async () => {},
  };
  return dns;
}

function queries(group: string, count: number): ScheduledQuery[] {
  return Array.from({ length: count }, (_, index) => ({
    group,
    name: `${index}.${group}.example`,
  }));
}

describe("blocklist query scheduler", () => {
  it("keeps to the concurrency", async () => {
    const dns = fakeDns(10);
    const answers = await runQueries(dns, [...queries("a", 20), ...queries("b", 20)], {
      concurrency: 4,
      queriesPerSecond: () => 10_000,
    });
    expect(answers.size).toBe(40);
    expect(dns.maxInFlight).toBe(4);
  });

  it("asks each name once", async () => {
    const dns = fakeDns(1);
    const known = new Map([["0.a.example", dnsFailure("0.a.example", "A", "nxdomain", "x")]]);
    const batch = [
      { group: "a", name: "0.a.example" },
      { group: "a", name: "1.a.example" },
      { group: "a", name: "1.A.example" },
      { group: "b", name: "1.a.example" },
    ];
    const answers = await runQueries(dns, batch, {
      concurrency: 8,
      queriesPerSecond: () => 1000,
      known,
    });
    expect(dns.asked.map((q) => q.name)).toEqual(["1.a.example"]);
    expect([...answers.keys()].sort()).toEqual(["0.a.example", "1.a.example"]);
  });

  it("spaces the queries of one list", async () => {
    const dns = fakeDns(1);
    await runQueries(dns, queries("slow", 5), { concurrency: 5, queriesPerSecond: () => 50 });
    const starts = dns.asked.map((q) => q.at);
    const gaps = starts.slice(1).map((start, index) => start - (starts[index] ?? 0));
    expect(gaps).toHaveLength(4);
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(18);
  });

  it("lets other lists run past a slow one", async () => {
    const dns = fakeDns(1);
    const started = performance.now();
    await runQueries(dns, [...queries("slow", 3), ...queries("fast", 30)], {
      concurrency: 4,
      queriesPerSecond: (group) => (group === "slow" ? 20 : 10_000),
    });
    const elapsed = performance.now() - started;
    const order = dns.asked.map((q) => q.name.split(".")[1]);
    const secondSlow = order.indexOf("slow", order.indexOf("slow") + 1);
    // The slow list may start a query every 50 ms; fast queries fill the gap.
    expect(secondSlow).toBeGreaterThan(4);
    expect(elapsed).toBeGreaterThanOrEqual(95);
  });

  it("returns at once with nothing to ask", async () => {
    const dns = fakeDns(1);
    const answers = await runQueries(dns, [], { concurrency: 4, queriesPerSecond: () => 1 });
    expect(answers.size).toBe(0);
  });
});
