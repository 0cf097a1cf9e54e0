import dgram from "node:dgram";
import type dnsPacket from "dns-packet";
import { afterEach, describe, expect, it } from "vitest";
import { createDnsContext } from "../../src/dns/context.js";
import { dnsFailure } from "../../src/dns/types.js";
import { blocklistKey, dnsKey, HistoryStore } from "../../src/store/index.js";
import { forbidRealNetwork } from "../dns/guard.js";
import {
  startDnsServer,
  tableHandler,
  type TestDnsServer,
  type TestHandler,
} from "../dns/server.js";
import { FakeClock } from "../helpers/clock.js";
import { fakeListsHandler, type ZoneBehaviour } from "../reputation/fake-lists.js";
import { advanceTo, NEVER, testMonitor, type LogLines } from "./harness.js";

forbidRealNetwork();

const START = Date.parse("2024-03-01T00:00:00Z");
const MINUTE = 60_000;
const IP = "192.0.2.25";
const REVERSE_NAME = "25.2.0.192.in-addr.arpa";

let server: TestDnsServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

/** Builds a config with one IP and one domain that queries the DNS server at `resolver`. */
function configFor(resolver: string, schedules: Record<string, string> = {}): unknown {
  return {
    ips: [IP],
    domains: ["example.com"],
    blocklists: { lists: ["spamhaus-zen", "spamcop-scbl"] },
    dns: { resolver, timeoutMs: 100 },
    schedules: { blocklists: NEVER, dns: NEVER, probes: NEVER, logs: NEVER, ...schedules },
  };
}

const dropAll: TestHandler = () => ({ drop: true });

/** The records of example.com, whose mail host 192.0.2.25 has a confirmed PTR name. */
const EXAMPLE_RECORDS: Record<string, readonly dnsPacket.Answer[]> = {
  "TXT example.com": [
    { type: "TXT", name: "example.com", ttl: 300, data: "v=spf1 ip4:192.0.2.25 -all" },
  ],
  "MX example.com": [
    {
      type: "MX",
      name: "example.com",
      ttl: 300,
      data: { preference: 10, exchange: "mail.example.com" },
    },
  ],
  "A mail.example.com": [{ type: "A", name: "mail.example.com", ttl: 300, data: IP }],
  "TXT _dmarc.example.com": [
    { type: "TXT", name: "_dmarc.example.com", ttl: 300, data: "v=DMARC1; p=reject" },
  ],
  [`PTR ${REVERSE_NAME}`]: [
    { type: "PTR", name: REVERSE_NAME, ttl: 300, data: "mail.example.com" },
  ],
};

/** Answers example.com and the blocklist zones in `zones`. */
function exampleHandler(zones: Readonly<Record<string, ZoneBehaviour>>): TestHandler {
  const lists = fakeListsHandler(zones);
  const records = tableHandler(EXAMPLE_RECORDS);
  const listZones = Object.keys(zones);
  return (question, transport) => {
    const name = question.name.toLowerCase();
    if (listZones.some((zone) => name.endsWith(`.${zone}`))) return lists(question, transport);
    return records(question, transport);
  };
}

function warnings(logs: LogLines, job: string): LogLines {
  return logs.filter((line) => line["level"] === 40 && line["job"] === job);
}

function lastLine(logs: LogLines, message: string): Record<string, unknown> {
  const line = logs.filter((entry) => entry["msg"] === message).at(-1);
  if (line === undefined) throw new Error(`no log line "${message}"`);
  return line;
}

describe("monitor with a DNS server that drops every query", () => {
  it("warns that no blocklist check was made", async () => {
    server = await startDnsServer(dropAll);
    const store = HistoryStore.open(":memory:");
    const { monitor, logs } = testMonitor({
      store,
      clock: new FakeClock(START),
      config: configFor(server.address),
    });
    expect(await monitor.runJob("blocklists")).toBe("incomplete");

    const summary = lastLine(logs, "blocklists checked");
    expect(summary["level"]).toBe(30);
    expect(summary["listed"]).toBe(0);
    expect(summary["notChecked"]).toBe(summary["results"]);
    expect(summary["lookups"]).toBe(4);
    expect(summary["unanswered"]).toBe(4);

    const [warning, ...others] = warnings(logs, "blocklists");
    expect(others).toEqual([]);
    const message = String(warning?.["msg"]);
    expect(message).toMatch(
      `no blocklist check could be made: none of the 4 DNS lookups got an answer from the DNS ` +
        `server at ${server.address} (timed out): `,
    );
    expect(message).toContain(", and 1 more. Every target keeps its last recorded state.");
    expect(message).toContain(`Check that the DNS server at ${server.address} answers queries`);
    expect(message).toContain("raise dns.timeoutMs (now 100 ms)");
    expect(warning?.["resolver"]).toBe(server.address);
    expect(warning?.["causes"]).toEqual(["timeout"]);
    expect(warning?.["unanswered"]).toBe(4);
    expect(warning?.["lookups"]).toBe(4);
    expect(warning?.["queries"]).toHaveLength(3);
    expect(store.states.list()).toEqual([]);
    store.close();
  });

  it("warns that no DNS check was made", async () => {
    server = await startDnsServer(dropAll);
    const store = HistoryStore.open(":memory:");
    const { monitor, logs } = testMonitor({
      store,
      clock: new FakeClock(START),
      config: configFor(server.address),
    });
    expect(await monitor.runJob("dns")).toBe("incomplete");

    const summary = lastLine(logs, "DNS checked");
    expect(summary["verdict"]).toBe("not-checked");
    expect(summary["notChecked"]).toBe(summary["checks"]);
    expect(summary["unanswered"]).toBe(summary["lookups"]);
    expect(summary["unanswered"]).toBeGreaterThan(0);

    const [warning, ...others] = warnings(logs, "dns");
    expect(others).toEqual([]);
    expect(String(warning?.["msg"])).toMatch(
      /^no DNS check could be made: none of the \d+ DNS lookups got an answer from the DNS server at 127\.0\.0\.1:\d+ \(timed out\): /,
    );
    expect(store.states.list()).toEqual([]);
    store.close();
  });

  it("names an unreachable server", async () => {
    // A port that was free a moment ago: nothing listens on it.
    const socket = dgram.createSocket("udp4");
    await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
    const address = `127.0.0.1:${socket.address().port}`;
    await new Promise<void>((resolve) => socket.close(() => resolve()));
    const store = HistoryStore.open(":memory:");
    const { monitor, logs } = testMonitor({
      store,
      clock: new FakeClock(START),
      config: configFor(address),
    });
    expect(await monitor.runJob("blocklists")).toBe("incomplete");

    const [warning] = warnings(logs, "blocklists");
    expect(warning?.["causes"]).toEqual(["unreachable"]);
    expect(String(warning?.["msg"])).toContain(
      `from the DNS server at ${address} (DNS server unreachable)`,
    );
    expect(String(warning?.["msg"])).not.toContain("dns.timeoutMs");
    store.close();
  });
});

describe("monitor without dns.resolver", () => {
  it("names the system resolver", async () => {
    // A resolver that returns a timeout at once replaces the system's, so that the test
    // sends nothing. The message lists the system's DNS servers, which differ between hosts.
    const store = HistoryStore.open(":memory:");
    const { monitor, logs } = testMonitor({
      store,
      clock: new FakeClock(START),
      config: { ips: [IP], dns: { timeoutMs: 100 } },
      createDns: () =>
        createDnsContext({
          resolver: {
            description: "system",
            resolve: (name, type) =>
              Promise.resolve(dnsFailure(name, type, "timeout", "no answer within 100 ms")),
          },
        }),
    });
    expect(await monitor.runJob("dns")).toBe("incomplete");

    const [warning] = warnings(logs, "dns");
    expect(warning?.["resolver"]).toBe("system");
    const message = String(warning?.["msg"]);
    expect(message).toMatch(/^no DNS check could be made: /);
    expect(message).toMatch(/ from the system resolver( at [^(]+?)? \(timed out\): /);
    expect(message).toMatch(/Check that the system resolver( at .+?)? answers queries/);
    expect(message).toContain("or set dns.resolver to a DNS server that does.");
    store.close();
  });
});

describe("monitor with a DNS server that refuses every query", () => {
  it("names the refusal as the cause", async () => {
    server = await startDnsServer(() => ({ rcode: "REFUSED" }));
    const store = HistoryStore.open(":memory:");
    const { monitor, logs } = testMonitor({
      store,
      clock: new FakeClock(START),
      config: configFor(server.address),
    });
    expect(await monitor.runJob("dns")).toBe("incomplete");

    const [warning] = warnings(logs, "dns");
    expect(warning?.["causes"]).toEqual(["refused"]);
    expect(String(warning?.["msg"])).toMatch(/^no DNS check could be made: /);
    expect(String(warning?.["msg"])).toContain("(refused by the DNS server): ");
    expect(String(warning?.["msg"])).not.toContain("dns.timeoutMs");
    store.close();
  });
});

describe("monitor with a DNS server that sends SERVFAIL", () => {
  it("warns that no DNS check was made", async () => {
    server = await startDnsServer(() => ({ rcode: "SERVFAIL" }));
    const store = HistoryStore.open(":memory:");
    const { monitor, logs } = testMonitor({
      store,
      clock: new FakeClock(START),
      config: configFor(server.address),
    });
    expect(await monitor.runJob("dns")).toBe("incomplete");

    const summary = lastLine(logs, "DNS checked");
    expect(summary["notChecked"]).toBe(summary["checks"]);
    expect(summary["unanswered"]).toBe(summary["lookups"]);
    expect(summary["unanswered"]).toBeGreaterThan(0);

    const [warning, ...others] = warnings(logs, "dns");
    expect(others).toEqual([]);
    const message = String(warning?.["msg"]);
    expect(warning?.["causes"]).toEqual(["servfail"]);
    expect(warning?.["unanswered"]).toBe(summary["lookups"]);
    expect(message).toMatch(
      /^no DNS check could be made: none of the \d+ DNS lookups got an answer from the DNS server at 127\.0\.0\.1:\d+ \(SERVFAIL from the DNS server\): /,
    );
    expect(message).toContain(
      `Check that the DNS server at ${server.address} can reach the name servers of these names`,
    );
    expect(message).not.toContain("dns.timeoutMs");
    expect(store.states.list()).toEqual([]);
    store.close();
  });

  it("names SERVFAIL apart from a timeout", async () => {
    const zones: Record<string, ZoneBehaviour> = {
      "zen.spamhaus.org": { kind: "servfail" },
      "bl.spamcop.net": { kind: "timeout" },
    };
    server = await startDnsServer(exampleHandler(zones));
    const store = HistoryStore.open(":memory:");
    const { monitor, logs } = testMonitor({
      store,
      clock: new FakeClock(START),
      config: configFor(server.address),
    });
    expect(await monitor.runJob("blocklists")).toBe("incomplete");

    const summary = lastLine(logs, "blocklists checked");
    expect(summary["notChecked"]).toBe(summary["results"]);
    expect(summary["unanswered"]).toBe(summary["lookups"]);

    const [warning, ...others] = warnings(logs, "blocklists");
    expect(others).toEqual([]);
    expect(warning?.["causes"]).toEqual(["timeout", "servfail"]);
    const message = String(warning?.["msg"]);
    expect(message).toContain("(timed out, SERVFAIL from the DNS server): ");
    expect(message).toContain("raise dns.timeoutMs (now 100 ms)");
    expect(store.states.list()).toEqual([]);
    store.close();
  });
});

describe("monitor with answers truncated over UDP and TCP", () => {
  it("names the truncation and TCP", async () => {
    server = await startDnsServer(() => ({ truncateUdp: true, truncateTcp: true }));
    const store = HistoryStore.open(":memory:");
    const { monitor, logs } = testMonitor({
      store,
      clock: new FakeClock(START),
      config: configFor(server.address),
    });
    expect(await monitor.runJob("dns")).toBe("incomplete");

    const [warning] = warnings(logs, "dns");
    const message = String(warning?.["msg"]);
    expect(warning?.["causes"]).toEqual(["truncated"]);
    expect(message).toContain("(answer truncated over both UDP and TCP): ");
    expect(message).toContain(
      `DNS over TCP works, but the DNS server at ${server.address} sent its TCP answers`,
    );
    expect(message).not.toContain("allow DNS over TCP");
    expect(message).not.toContain("dns.timeoutMs");
    store.close();
  });
});

describe("monitor with a DNS server that drops some queries", () => {
  it("counts the blocklist lookups without answer", async () => {
    const zones: Record<string, ZoneBehaviour> = {
      "zen.spamhaus.org": { kind: "normal" },
      "bl.spamcop.net": { kind: "normal" },
    };
    server = await startDnsServer(exampleHandler(zones));
    const store = HistoryStore.open(":memory:");
    const clock = new FakeClock(START);
    const { monitor, logs } = testMonitor({ store, clock, config: configFor(server.address) });
    expect(await monitor.runJob("blocklists")).toBe("complete");
    const spamcop = blocklistKey(IP, "spamcop-scbl");
    expect(store.states.get(spamcop)?.value).toBe("not-listed");
    expect(lastLine(logs, "blocklists checked")["unanswered"]).toBe(0);
    expect(warnings(logs, "blocklists")).toEqual([]);

    zones["bl.spamcop.net"] = { kind: "timeout" };
    clock.set(START + 10 * MINUTE);
    expect(await monitor.runJob("blocklists")).toBe("incomplete");

    const summary = lastLine(logs, "blocklists checked");
    expect(summary["results"]).toBe(2);
    expect(summary["notChecked"]).toBe(1);
    expect(summary["lookups"]).toBe(5);
    expect(summary["unanswered"]).toBe(2);
    const [warning] = warnings(logs, "blocklists");
    expect(warning?.["queries"]).toEqual([
      "A 1.0.0.127.bl.spamcop.net",
      "A 2.0.0.127.bl.spamcop.net",
    ]);
    expect(String(warning?.["msg"])).toBe(
      `2 of 5 DNS lookups of the blocklist check got no answer from the DNS server at ` +
        `${server.address} (timed out): A 1.0.0.127.bl.spamcop.net, A 2.0.0.127.bl.spamcop.net. ` +
        `The targets that needed them keep their last recorded state. Check that the DNS ` +
        `server at ${server.address} answers queries from this host, raise dns.timeoutMs ` +
        `(now 100 ms), or set dns.resolver to another DNS server.`,
    );
    expect(store.states.get(spamcop)?.value).toBe("not-listed");
    expect(store.states.get(blocklistKey(IP, "spamhaus-zen"))?.value).toBe("not-listed");
    expect(store.incidents.changes()).toEqual([]);
    store.close();
  });

  it("keeps a list's refusal apart", async () => {
    // 127.255.255.254 is Spamhaus's code for a query through a public or open resolver.
    const zones: Record<string, ZoneBehaviour> = {
      "zen.spamhaus.org": { kind: "error-code", code: "127.255.255.254" },
      "bl.spamcop.net": { kind: "normal" },
    };
    server = await startDnsServer(exampleHandler(zones));
    const store = HistoryStore.open(":memory:");
    const { monitor, logs } = testMonitor({
      store,
      clock: new FakeClock(START),
      config: configFor(server.address),
    });
    // The list answered, so the run is incomplete through the list's warning, not the DNS one.
    expect(await monitor.runJob("blocklists")).toBe("incomplete");

    const summary = lastLine(logs, "blocklists checked");
    expect(summary["notChecked"]).toBe(1);
    expect(summary["unanswered"]).toBe(0);
    const [warning, ...others] = warnings(logs, "blocklists");
    expect(others).toEqual([]);
    expect(warning?.["lists"]).toEqual(["spamhaus-zen"]);
    expect(warning?.["unanswered"]).toBeUndefined();
    expect(String(warning?.["msg"])).toMatch(/^1 blocklist was not checked, because /);
    store.close();
  });

  it("counts the DNS lookups without answer", async () => {
    const records = tableHandler(EXAMPLE_RECORDS);
    server = await startDnsServer((question, transport) =>
      question.type === "PTR" ? { drop: true } : records(question, transport),
    );
    const store = HistoryStore.open(":memory:");
    const { monitor, logs } = testMonitor({
      store,
      clock: new FakeClock(START),
      config: configFor(server.address),
    });
    expect(await monitor.runJob("dns")).toBe("incomplete");

    const summary = lastLine(logs, "DNS checked");
    expect(summary["notChecked"]).toBe(1);
    expect(summary["unanswered"]).toBeGreaterThan(0);
    expect(summary["unanswered"]).toBeLessThan(Number(summary["lookups"]));
    const [warning] = warnings(logs, "dns");
    expect(warning?.["queries"]).toEqual([`PTR ${REVERSE_NAME}`]);
    expect(String(warning?.["msg"])).toMatch(
      new RegExp(
        `^${String(summary["unanswered"])} of ${String(summary["lookups"])} DNS lookups of the ` +
          `DNS check got no answer from the DNS server at 127\\.0\\.0\\.1:\\d+ \\(timed out\\): ` +
          `PTR ${REVERSE_NAME.replaceAll(".", "\\.")}\\. The targets that needed them keep`,
      ),
    );
    expect(store.states.get(dnsKey("example.com", "spf"))?.value).toBe("pass");
    expect(store.states.get(dnsKey(IP, "ptr"))).toBeNull();
    store.close();
  });
});

describe("long-running monitor with a silent DNS server", () => {
  it("holds back repeats and logs the recovery", async () => {
    let silent = true;
    const answering = exampleHandler({
      "zen.spamhaus.org": { kind: "normal" },
      "bl.spamcop.net": { kind: "normal" },
    });
    server = await startDnsServer((question, transport) =>
      silent ? { drop: true } : answering(question, transport),
    );
    const store = HistoryStore.open(":memory:");
    const clock = new FakeClock(START);
    const { monitor, logs } = testMonitor({
      store,
      clock,
      config: configFor(server.address, { blocklists: "*/10 * * * *" }),
    });
    const controller = new AbortController();
    const running = monitor.run(controller.signal);
    try {
      await monitor.whenIdle(0);
      await advanceTo(clock, monitor, START + 50 * MINUTE);
      expect(logs.filter((line) => line["msg"] === "blocklists checked")).toHaveLength(6);
      expect(warnings(logs, "blocklists")).toHaveLength(1);

      // The repeat interval is one hour, so the warning comes again with the count held back.
      await advanceTo(clock, monitor, START + 60 * MINUTE);
      const repeated = warnings(logs, "blocklists");
      expect(repeated).toHaveLength(2);
      expect(repeated[1]?.["repeatsHeldBack"]).toBe(5);
      expect(repeated[1]?.["msg"]).toBe(repeated[0]?.["msg"]);

      silent = false;
      await advanceTo(clock, monitor, START + 80 * MINUTE);
      const recovered = logs.filter((line) => line["msg"] === "DNS answered every lookup again");
      expect(recovered).toHaveLength(1);
      expect(recovered[0]?.["job"]).toBe("blocklists");
      expect(recovered[0]?.["level"]).toBe(30);
      expect(warnings(logs, "blocklists")).toHaveLength(2);
      expect(store.states.get(blocklistKey(IP, "spamhaus-zen"))?.value).toBe("not-listed");

      // After the recovery, a new silence is logged at once.
      silent = true;
      await advanceTo(clock, monitor, START + 90 * MINUTE);
      expect(warnings(logs, "blocklists")).toHaveLength(3);
    } finally {
      controller.abort();
      await running;
      store.close();
    }
  });
});
