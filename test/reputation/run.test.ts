import dgram from "node:dgram";
import { afterEach, describe, expect, it } from "vitest";
import { createDnsContext } from "../../src/dns/context.js";
import { offlineResolver } from "../../src/dns/system.js";
import { wireResolver } from "../../src/dns/wire.js";
import { checkBlocklists, parseBlocklistConfig } from "../../src/reputation/index.js";
import { forbidRealNetwork } from "../dns/guard.js";
import { startDnsServer, type TestDnsServer } from "../dns/server.js";
import { fakeListsHandler, serverContext } from "./fake-lists.js";

forbidRealNetwork();

let server: TestDnsServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

const IPV6_NAME =
  "5.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.zen.spamhaus.org";

describe("blocklist run", () => {
  it("asks IPv6 addresses in nibble form", async () => {
    server = await startDnsServer(
      fakeListsHandler({
        "zen.spamhaus.org": {
          kind: "normal",
          listed: { [IPV6_NAME.replace(".zen.spamhaus.org", "")]: ["127.0.0.3"] },
        },
        "bl.spamcop.net": { kind: "normal" },
      }),
    );
    const dns = serverContext(server);
    const report = await checkBlocklists({ ips: ["2001:DB8::25"], domains: [] }, dns, {
      lists: ["spamhaus-zen", "spamcop-scbl"],
    });
    expect(server.queries.map((q) => q.name)).toContain(IPV6_NAME);
    expect(report.results.map((r) => [r.target, r.list, r.status])).toEqual([
      ["2001:db8::25", "spamhaus-zen", "listed"],
    ]);
    expect(report.results[0]?.targetKind).toBe("ipv6");
    expect(report.results[0]?.query).toBe(IPV6_NAME);
  });

  it("sends each query name once per run", async () => {
    server = await startDnsServer(fakeListsHandler({ "bl.spamcop.net": { kind: "normal" } }));
    const dns = serverContext(server);
    const report = await checkBlocklists(
      { ips: ["192.0.2.25", "::ffff:192.0.2.25", "127.0.0.2", "192.0.2.25"], domains: [] },
      dns,
      { lists: ["spamcop-scbl"] },
    );
    const names = server.queries.map((q) => q.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names.sort()).toEqual([
      "1.0.0.127.bl.spamcop.net",
      "2.0.0.127.bl.spamcop.net",
      "25.2.0.192.bl.spamcop.net",
    ]);
    expect(report.results.map((r) => [r.target, r.status])).toEqual([
      ["192.0.2.25", "not-listed"],
      ["127.0.0.2", "listed"],
    ]);
  });

  it("asks Spamhaus in its DQS zone with a key", async () => {
    const key = "abcdefgh12345678";
    server = await startDnsServer(
      fakeListsHandler({
        [`${key}.zen.dq.spamhaus.net`]: { kind: "normal", listed: { "25.2.0.192": ["127.0.0.2"] } },
      }),
    );
    const dns = serverContext(server);
    const report = await checkBlocklists({ ips: ["192.0.2.25"], domains: [] }, dns, {
      lists: ["spamhaus-zen"],
      dqsKey: key.toUpperCase(),
    });
    expect(server.queries.map((q) => q.name)).toContain(`25.2.0.192.${key}.zen.dq.spamhaus.net`);
    expect(report.results[0]?.status).toBe("listed");
    expect(report.results[0]?.query).toBe("25.2.0.192.<dqs-key>.zen.dq.spamhaus.net");
    expect(JSON.stringify(report)).not.toContain(key);
  });

  it("skips lists that refuse a public resolver", async () => {
    server = await startDnsServer(
      fakeListsHandler({
        "zen.spamhaus.org": { kind: "normal" },
        "bl.spamcop.net": { kind: "normal" },
      }),
    );
    const dns = serverContext(server);
    const report = await checkBlocklists({ ips: ["192.0.2.25"], domains: [] }, dns, {
      lists: ["spamhaus-zen", "spamcop-scbl"],
      resolverAddresses: ["8.8.8.8"],
    });
    expect(report.results.map((r) => [r.list, r.status, r.refusal])).toEqual([
      ["spamhaus-zen", "refused", "public-resolver"],
      ["spamcop-scbl", "not-listed", null],
    ]);
    expect(server.queries.some((q) => q.name.endsWith("spamhaus.org"))).toBe(false);
    const notice = report.notices.find((n) => n.kind === "public-resolver");
    expect(notice?.message).toContain("Google Public DNS");
    expect(notice?.advice).toContain("--spamhaus-dqs-key");
  });

  it("reports an unreachable resolver once", async () => {
    const socket = dgram.createSocket("udp4");
    await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
    const port = socket.address().port;
    await new Promise<void>((resolve) => socket.close(() => resolve()));
    const dns = createDnsContext({
      resolver: wireResolver({
        servers: [{ host: "127.0.0.1", port }],
        timeoutMs: 200,
        retries: 0,
      }),
      timeoutMs: 600,
    });
    const report = await checkBlocklists({ ips: ["192.0.2.25", "192.0.2.26"], domains: [] }, dns, {
      lists: ["spamcop-scbl", "psbl", "barracuda-brbl"],
      concurrency: 1,
    });
    expect(report.unreachable).toBe(true);
    expect(dns.stats().queries).toBe(1);
    expect(report.notices.filter((n) => n.kind === "dns-unreachable")).toHaveLength(1);
    expect(report.results.every((r) => r.status === "error")).toBe(true);
    expect(report.readiness.status).toBe("not-checked");
  });

  it("sends nothing when offline", async () => {
    const dns = createDnsContext({ resolver: offlineResolver() });
    const report = await checkBlocklists({ ips: ["192.0.2.25"], domains: ["example.com"] }, dns);
    expect(report.unreachable).toBe(true);
    expect(report.results.length).toBeGreaterThan(0);
    for (const result of report.results) {
      expect(result.status).toBe("error");
      expect(result.meaning).toContain("--offline sent no DNS queries");
    }
    expect(report.notices.map((n) => n.kind)).toEqual(["offline"]);
    expect(report.notices[0]?.advice).not.toContain("--resolver");
  });

  it("flags a defunct list from a config", async () => {
    server = await startDnsServer(
      fakeListsHandler({ "dnsbl.sorbs.net": { kind: "wildcard", code: "127.0.0.2" } }),
    );
    const dns = serverContext(server);
    const config = parseBlocklistConfig(
      JSON.stringify({
        lists: [
          {
            id: "old-sorbs",
            zone: "dnsbl.sorbs.net",
            targets: ["ipv4"],
            codes: { "127.0.0.2": "listed" },
          },
        ],
      }),
      "config.json",
    );
    const report = await checkBlocklists({ ips: ["192.0.2.25"], domains: [] }, dns, {
      config,
      lists: ["old-sorbs", "sorbs"],
    });
    expect(server.queries).toEqual([]);
    expect(report.results).toEqual([]);
    expect(report.lists.map((l) => [l.id, l.health])).toEqual([
      ["old-sorbs", "defunct"],
      ["sorbs", "defunct"],
    ]);
    expect(report.notices.map((n) => [n.kind, n.list])).toEqual([
      ["list-retired", "old-sorbs"],
      ["list-retired", "sorbs"],
    ]);
  });

  it("asks a list added in a config", async () => {
    server = await startDnsServer(
      fakeListsHandler({
        "bl.example.net": { kind: "normal", listed: { "25.2.0.192": ["127.0.0.5"] } },
      }),
    );
    const dns = serverContext(server);
    const config = parseBlocklistConfig(
      JSON.stringify({
        lists: [
          {
            id: "example-bl",
            zone: "bl.example.net",
            targets: ["ipv4"],
            codes: { "127.0.0.2-127.0.0.5": "a spam source" },
            delisting: "https://bl.example.net/remove",
            relevance: "high",
          },
        ],
      }),
      "config.json",
    );
    const report = await checkBlocklists({ ips: ["192.0.2.25"], domains: [] }, dns, {
      config,
      lists: ["example-bl"],
    });
    expect(report.results.map((r) => [r.list, r.status, r.meaning, r.delisting])).toEqual([
      ["example-bl", "listed", "a spam source", "https://bl.example.net/remove"],
    ]);
    expect(report.finding?.severity).toBe("critical");
    expect(report.readiness.status).toBe("fail");
  });
});
