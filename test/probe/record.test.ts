import net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import {
  checkProbeRate,
  DEFAULT_PROBE_INTERVAL_MS,
  probeTarget,
  recordProbe,
  runProbe,
} from "../../src/probe/index.js";
import { createReplyClassifier } from "../../src/reply/classify.js";
import { blockKey, HistoryStore } from "../../src/store/index.js";
import { zoneDns } from "../auth/zone.js";
import { forbidRealNetwork } from "../dns/guard.js";
import { JUDGED_IP, startGmailLikeServer, type GmailLikeServer } from "./gmail-like-server.js";

forbidRealNetwork();

let server: GmailLikeServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

async function probeAt(port: number, now: number, timeoutMs = 5_000) {
  return runProbe(
    {
      recipient: "someone@gmail.com",
      sender: "",
      helo: "mail.example.com",
      mx: { host: "127.0.0.1", port },
      sourceIp: null,
      sendTest: false,
      timeoutMs,
    },
    {
      dns: zoneDns("$ORIGIN example.test.\n"),
      classifier: createReplyClassifier(),
      now: () => now,
    },
  );
}

describe("recordProbe", () => {
  it("opens and closes the incident under the judged IP", async () => {
    server = await startGmailLikeServer("rate-limited");
    const store = HistoryStore.open(":memory:");
    const target = probeTarget("someone@gmail.com", null);

    const deferred = recordProbe(store, await probeAt(server.port, 1_000), {
      target,
      forced: false,
      channels: ["webhook"],
    });
    expect(deferred.ip).toBe(JUDGED_IP);
    expect(deferred.change?.change).toBe("block-seen");

    server.phase = "accepted";
    const accepted = recordProbe(store, await probeAt(server.port, 2_000), {
      target,
      forced: false,
      channels: ["webhook"],
    });
    expect(accepted.ip).toBe(JUDGED_IP);
    expect(accepted.change?.change).toBe("block-lifted");

    const incident = store.incidents.latest(blockKey("gmail", JUDGED_IP));
    expect(incident?.closedAt).toBe(2_000);
    expect(store.probes.lastFor("gmail", JUDGED_IP)?.status).toBe("accepted");
    expect(store.alerts.all()).toHaveLength(2);
    store.close();
  });

  it("changes no state for an error probe", async () => {
    server = await startGmailLikeServer("no-such-user");
    const store = HistoryStore.open(":memory:");
    const recorded = recordProbe(store, await probeAt(server.port, 1_000), {
      target: "gmail.com from default",
      forced: false,
      channels: [],
    });
    expect(recorded.change).toBeNull();
    expect(store.states.list()).toEqual([]);
    expect(store.runs.count("probes")).toBe(1);
    store.close();
  });
});

describe("checkProbeRate", () => {
  it("allows one probe per interval", async () => {
    server = await startGmailLikeServer("accepted");
    const store = HistoryStore.open(":memory:");
    const target = probeTarget("a@Gmail.com", "192.0.2.7");
    expect(target).toBe("gmail.com from 192.0.2.7");
    expect(checkProbeRate(store, target, 0)).toEqual({ allowed: true, lastAt: null });

    recordProbe(store, await probeAt(server.port, 10_000), { target, forced: false, channels: [] });
    const early = checkProbeRate(store, target, 10_000 + DEFAULT_PROBE_INTERVAL_MS - 1);
    expect(early).toEqual({
      allowed: false,
      lastAt: 10_000,
      nextAllowedAt: 10_000 + DEFAULT_PROBE_INTERVAL_MS,
    });
    expect(checkProbeRate(store, target, 10_000 + DEFAULT_PROBE_INTERVAL_MS).allowed).toBe(true);
    expect(checkProbeRate(store, "gmail.com from default", 10_001).allowed).toBe(true);
    store.close();
  });

  it("ignores probes that got no greeting", async () => {
    const store = HistoryStore.open(":memory:");
    const target = "gmail.com from default";
    const refused = await probeAt(await closedPort(), 10_000);
    expect(refused.failedHosts).toHaveLength(1);
    recordProbe(store, refused, { target, forced: false, channels: [] });
    expect(checkProbeRate(store, target, 10_001)).toEqual({ allowed: true, lastAt: null });

    const silent = net.createServer(() => undefined);
    const silentPort = await listen(silent);
    const mute = await probeAt(silentPort, 20_000, 200);
    silent.close();
    expect(mute.banner).toBeNull();
    recordProbe(store, mute, { target, forced: false, channels: [] });
    expect(checkProbeRate(store, target, 20_001).allowed).toBe(true);
    expect(store.runs.count("probes")).toBe(2);
    store.close();
  });

  it("counts a greeted probe that ended in an error", async () => {
    const store = HistoryStore.open(":memory:");
    const target = "gmail.com from default";
    const greeter = net.createServer((socket) => socket.end("554 5.7.1 no service here\r\n"));
    const port = await listen(greeter);
    const refusedBanner = await probeAt(port, 30_000);
    greeter.close();
    expect(refusedBanner.banner).toContain("554");
    recordProbe(store, refusedBanner, { target, forced: false, channels: [] });
    expect(checkProbeRate(store, target, 30_001).allowed).toBe(false);
    store.close();
  });
});

describe("probeTarget", () => {
  it("keys an --mx override by its host", () => {
    const domainKey = probeTarget("a@gmail.com", null);
    const testKey = probeTarget("a@gmail.com", null, { host: "127.0.0.1", port: 2525 });
    expect(domainKey).toBe("gmail.com from default");
    expect(testKey).toBe("127.0.0.1:2525 from default");
    expect(probeTarget("a@gmail.com", "192.0.2.7", { host: "::1", port: 25 })).toBe(
      "[::1]:25 from 192.0.2.7",
    );
    expect(probeTarget("a@gmail.com", null, { host: "MX.Example.NET", port: 25 })).toBe(
      "mx.example.net:25 from default",
    );
  });
});

async function listen(server: net.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as net.AddressInfo).port;
}

/** Returns a port on 127.0.0.1 that nothing listens on. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  const port = await listen(server);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
