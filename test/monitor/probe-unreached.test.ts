import { afterEach, describe, expect, it } from "vitest";
import { blockKey, HistoryStore } from "../../src/store/index.js";
import { forbidRealNetwork } from "../dns/guard.js";
import { startDnsServer, tableHandler, type TestDnsServer } from "../dns/server.js";
import { FakeClock } from "../helpers/clock.js";
import {
  JUDGED_IP,
  startGmailLikeServer,
  type GmailLikeServer,
} from "../probe/gmail-like-server.js";
import { useTempDirs } from "../store/helpers.js";
import { closedPort, NEVER, testMonitor, type LogLines } from "./harness.js";

forbidRealNetwork();

const tempDir = useTempDirs();
const START = Date.parse("2024-03-01T00:00:00Z");
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const MX_HOST = "mx.example.com";

let smtp: GmailLikeServer | null = null;
let dnsServer: TestDnsServer | null = null;
afterEach(async () => {
  await smtp?.close();
  await dnsServer?.close();
  smtp = null;
  dnsServer = null;
});

/** Builds a monitor with one probe of a Gmail address through `mx`, asking DNS at `resolver`. */
function probeMonitor(store: HistoryStore, clock: FakeClock, mx: string, resolver?: string) {
  return testMonitor({
    store,
    clock,
    cwd: tempDir(),
    config: {
      probes: [
        {
          to: "postmaster-check@gmail.com",
          from: "postmaster@example.com",
          helo: "mail.example.com",
          mx,
          timeoutMs: 500,
        },
      ],
      ...(resolver === undefined ? {} : { dns: { resolver, timeoutMs: 100 } }),
      schedules: { probes: NEVER, blocklists: NEVER, dns: NEVER, logs: NEVER },
    },
  });
}

function probeWarnings(logs: LogLines): LogLines {
  return logs.filter((line) => line["level"] === 40 && line["job"] === "probes");
}

describe("probe job reaching no mail host", () => {
  it("warns when the connection is refused", async () => {
    const port = await closedPort();
    const store = HistoryStore.open(":memory:");
    const { monitor, logs } = probeMonitor(store, new FakeClock(START), `127.0.0.1:${port}`);

    expect(await monitor.runJob("probes")).toBe("incomplete");

    const warnings = probeWarnings(logs);
    expect(warnings).toHaveLength(1);
    const warning = warnings[0] ?? {};
    expect(warning["target"]).toBe(`127.0.0.1:${port} from default`);
    expect(warning["mxHosts"]).toEqual(["127.0.0.1 [127.0.0.1]"]);
    expect(String(warning["cause"])).toMatch(/ECONNREFUSED/);
    expect(String(warning["msg"])).toMatch(/^no probe of 127\.0\.0\.1:\d+ from default could be/);
    expect(store.states.list()).toEqual([]);
    store.close();
  });

  it("names the DNS failure of the MX host", async () => {
    dnsServer = await startDnsServer(() => ({ drop: true }));
    const store = HistoryStore.open(":memory:");
    const { monitor, logs } = probeMonitor(
      store,
      new FakeClock(START),
      `${MX_HOST}:2525`,
      dnsServer.address,
    );

    expect(await monitor.runJob("probes")).toBe("incomplete");

    const warning = probeWarnings(logs)[0] ?? {};
    expect(warning["target"]).toBe(`${MX_HOST}:2525 from default`);
    expect(warning["mxHosts"]).toEqual([MX_HOST]);
    expect(warning["unansweredQueries"]).toEqual([`A ${MX_HOST}`, `AAAA ${MX_HOST}`]);
    expect(String(warning["msg"])).toMatch(/DNS got no answer to A mx\.example\.com.*timed out/);
    store.close();
  });

  it("names SERVFAIL for the MX host", async () => {
    dnsServer = await startDnsServer(() => ({ rcode: "SERVFAIL" }));
    const store = HistoryStore.open(":memory:");
    const { monitor, logs } = probeMonitor(
      store,
      new FakeClock(START),
      `${MX_HOST}:2525`,
      dnsServer.address,
    );

    expect(await monitor.runJob("probes")).toBe("incomplete");

    const warning = probeWarnings(logs)[0] ?? {};
    expect(warning["unansweredQueries"]).toEqual([`A ${MX_HOST}`, `AAAA ${MX_HOST}`]);
    expect(String(warning["msg"])).toContain(
      `DNS got no answer to A ${MX_HOST}, AAAA ${MX_HOST} (SERVFAIL from the DNS server).`,
    );
    store.close();
  });

  it("names a failed MX look-up", async () => {
    dnsServer = await startDnsServer(() => ({ drop: true }));
    const store = HistoryStore.open(":memory:");
    const { monitor, logs } = testMonitor({
      store,
      clock: new FakeClock(START),
      cwd: tempDir(),
      config: {
        probes: [
          {
            to: "postmaster@example.com",
            from: "postmaster@example.com",
            helo: "mail.example.com",
          },
        ],
        dns: { resolver: dnsServer.address, timeoutMs: 100 },
        schedules: { probes: NEVER, blocklists: NEVER, dns: NEVER, logs: NEVER },
      },
    });

    expect(await monitor.runJob("probes")).toBe("incomplete");

    const warning = probeWarnings(logs)[0] ?? {};
    expect(warning["target"]).toBe("example.com from default");
    expect(warning["mxHosts"]).toEqual([]);
    expect(String(warning["cause"])).toMatch(/the MX look-up of example\.com failed/);
    expect(warning["unansweredQueries"]).toEqual(["MX example.com"]);
    store.close();
  });

  it("holds a repeat back and logs recovery", async () => {
    smtp = await startGmailLikeServer("blocked");
    const port = smtp.port;
    let answering = false;
    const records = tableHandler({
      [`A ${MX_HOST}`]: [{ type: "A", name: MX_HOST, ttl: 60, data: "127.0.0.1" }],
    });
    dnsServer = await startDnsServer((question, transport) =>
      answering ? records(question, transport) : { drop: true },
    );
    const store = HistoryStore.open(":memory:");
    const clock = new FakeClock(START);
    const mx = `${MX_HOST}:${port}`;
    const { monitor, logs } = probeMonitor(store, clock, mx, dnsServer.address);

    expect(await monitor.runJob("probes")).toBe("incomplete");
    clock.set(START + 10 * MINUTE);
    expect(await monitor.runJob("probes")).toBe("incomplete");
    expect(probeWarnings(logs)).toHaveLength(1);

    clock.set(START + HOUR);
    expect(await monitor.runJob("probes")).toBe("incomplete");
    expect(probeWarnings(logs)).toHaveLength(2);
    expect(probeWarnings(logs)[1]?.["repeatsHeldBack"]).toBe(1);

    // A block reply is a result: the state changes and the job is complete.
    answering = true;
    clock.set(START + 2 * HOUR);
    expect(await monitor.runJob("probes")).toBe("complete");
    expect(probeWarnings(logs)).toHaveLength(2);
    const again = logs.find((line) => line["msg"] === "probe reached a mail host again");
    expect(again?.["target"]).toBe(`${mx} from default`);
    expect(store.states.get(blockKey("gmail", JUDGED_IP))?.value).toBe("blocked");
    store.close();
  });

  it("counts a block reply as complete", async () => {
    smtp = await startGmailLikeServer("blocked");
    const store = HistoryStore.open(":memory:");
    const { monitor, logs } = probeMonitor(store, new FakeClock(START), `127.0.0.1:${smtp.port}`);

    expect(await monitor.runJob("probes")).toBe("complete");

    expect(probeWarnings(logs)).toEqual([]);
    expect(store.states.get(blockKey("gmail", JUDGED_IP))?.value).toBe("blocked");
    expect(store.incidents.changes().map((change) => change.change)).toEqual(["block-seen"]);
    store.close();
  });
});
