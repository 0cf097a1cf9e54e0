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

async function probeAt(port: number, now: number) {
  return runProbe(
    {
      recipient: "someone@gmail.com",
      sender: "",
      helo: "mail.example.com",
      mx: { host: "127.0.0.1", port },
      sourceIp: null,
      sendTest: false,
      timeoutMs: 5_000,
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
});
