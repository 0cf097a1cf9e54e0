import { afterEach, describe, expect, it } from "vitest";
import { blocklistKey, dnsKey, HistoryStore } from "../../src/store/index.js";
import { zoneDns } from "../auth/zone.js";
import { forbidRealNetwork } from "../dns/guard.js";
import { startDnsServer, type TestDnsServer } from "../dns/server.js";
import { FakeClock } from "../helpers/clock.js";
import { fakeListsHandler } from "../reputation/fake-lists.js";
import { NEVER, testMonitor } from "./harness.js";

forbidRealNetwork();

const START = Date.parse("2024-03-01T00:00:00Z");
const HOUR = 60 * 60 * 1000;

let dns: TestDnsServer | null = null;
afterEach(async () => {
  await dns?.close();
  dns = null;
});

describe("blocklist job", () => {
  it("alerts on a new listing and on delisting", async () => {
    const listed: Record<string, readonly string[]> = { "25.2.0.192": ["127.0.0.2"] };
    dns = await startDnsServer(
      fakeListsHandler({ "zen.spamhaus.org": { kind: "normal", listed } }),
    );
    const store = HistoryStore.open(":memory:");
    const clock = new FakeClock(START);
    const { monitor, logs } = testMonitor({
      store,
      clock,
      config: {
        ips: ["192.0.2.25"],
        blocklists: { lists: ["spamhaus-zen"] },
        dns: { resolver: dns.address, timeoutMs: 500 },
        schedules: { blocklists: "0 * * * *", dns: NEVER, probes: NEVER, logs: NEVER },
      },
    });
    await monitor.runJob("blocklists");
    const key = blocklistKey("192.0.2.25", "spamhaus-zen");
    expect(store.states.get(key)?.value).toBe("listed");
    expect(store.incidents.latest(key)?.closedAt).toBeNull();
    expect(store.runs.count("blocklist_results")).toBe(1);

    delete listed["25.2.0.192"];
    clock.set(START + HOUR);
    await monitor.runJob("blocklists");
    expect(store.states.get(key)?.value).toBe("not-listed");
    expect(store.incidents.latest(key)?.closedAt).toBe(START + HOUR);
    expect(store.incidents.changes().map((c) => c.change)).toEqual(["listed", "delisted"]);
    expect(logs.filter((line) => line["msg"] === "state changed")).toHaveLength(2);
    store.close();
  });

  it("changes nothing when the list times out", async () => {
    dns = await startDnsServer(fakeListsHandler({ "zen.spamhaus.org": { kind: "timeout" } }));
    const store = HistoryStore.open(":memory:");
    const { monitor } = testMonitor({
      store,
      clock: new FakeClock(START),
      config: {
        ips: ["192.0.2.25"],
        blocklists: { lists: ["spamhaus-zen"] },
        dns: { resolver: dns.address, timeoutMs: 100 },
      },
    });
    await monitor.runJob("blocklists");
    expect(store.states.list()).toEqual([]);
    expect(store.runs.count("runs")).toBe(1);
    store.close();
  });
});

describe("DNS job", () => {
  it("alerts when SPF breaks and when it is fixed", async () => {
    const zone = (spf: string) =>
      [
        "$ORIGIN example.com.",
        `@ 300 IN TXT "${spf}"`,
        "@ 300 IN MX 10 mail",
        "mail 300 IN A 192.0.2.25",
      ].join("\n");
    let current = zone("v=spf1 ip4:192.0.2.25 -all");
    const store = HistoryStore.open(":memory:");
    const clock = new FakeClock(START);
    const { monitor } = testMonitor({
      store,
      clock,
      config: { ips: ["192.0.2.25"], domains: ["example.com"] },
      createDns: () => zoneDns(current),
    });
    await monitor.runJob("dns");
    const key = dnsKey("example.com", "spf");
    expect(store.states.get(key)?.value).toBe("pass");

    current = zone("v=spf1 ip4:198.51.100.1 -all");
    clock.set(START + HOUR);
    await monitor.runJob("dns");
    expect(store.states.get(key)?.value).toBe("fail");

    current = zone("v=spf1 ip4:192.0.2.25 -all");
    clock.set(START + 2 * HOUR);
    await monitor.runJob("dns");
    const spfChanges = store.incidents.changes({ key }).map((c) => c.change);
    expect(spfChanges).toEqual(["dns-broken", "dns-fixed"]);
    expect(store.runs.count("dns_results")).toBeGreaterThanOrEqual(3 * 5);
    store.close();
  });
});
