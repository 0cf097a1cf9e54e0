import { describe, expect, it } from "vitest";
import { blockKey, DAY_MS, HistoryStore } from "../../src/store/index.js";

const NOW = Date.parse("2024-06-01T00:00:00Z");
const OLD = NOW - 100 * DAY_MS;
const RECENT = NOW - DAY_MS;
const FINDING = { id: "rate-limited", severity: "warning", title: "t", evidence: {} };

function logRun(store: HistoryStore, at: number): number {
  const runId = store.runs.start("logs", at);
  store.runs.addFindings(runId, [FINDING, FINDING]);
  store.runs.finish(runId, at, "problems");
  return runId;
}

function probe(store: HistoryStore, target: string, at: number): number {
  const runId = store.runs.start("probe", at, { target });
  store.probes.add(runId, {
    target,
    recipient: `postmaster@${target}`,
    sender: "",
    provider: "gmail",
    ip: target === "gmail.com" ? "192.0.2.1" : null,
    mxHost: null,
    mxAddress: null,
    mxPort: null,
    status: "accepted",
    detail: "",
    forced: false,
    startedAt: at,
    finishedAt: at,
    result: {},
  });
  return runId;
}

describe("HistoryStore.prune", () => {
  it("deletes old run details and keeps the history", () => {
    const store = HistoryStore.open(":memory:");
    logRun(store, OLD);
    const changedRun = logRun(store, OLD + 1);
    store.states.observe(
      {
        key: blockKey("gmail", "192.0.2.1"),
        kind: "block",
        subject: "gmail 192.0.2.1",
        value: "blocked",
        at: OLD + 1,
        runId: changedRun,
        evidence: {},
      },
      [],
    );
    const listRun = store.runs.start("blocklists", OLD);
    store.runs.addBlocklistResults(listRun, [
      { target: "192.0.2.1", list: "spamhaus-zen", status: "listed", meaning: null, codes: [] },
    ]);
    const dnsRun = store.runs.start("dns", OLD);
    store.runs.addDnsResults(dnsRun, [
      { subject: "example.com", check: "spf", verdict: "pass", explanation: "" },
    ]);
    probe(store, "gmail.com", OLD);
    probe(store, "gmail.com", OLD + 1);
    probe(store, "outlook.com", OLD);
    logRun(store, RECENT);

    const pruned = store.prune(NOW - 90 * DAY_MS);

    expect(pruned).toEqual({
      findings: 4,
      blocklistResults: 1,
      dnsResults: 1,
      probes: 1,
      runs: 4,
    });
    // The recent run, the run a state change points to, and the runs of the last probes stay.
    expect(store.runs.count("runs")).toBe(4);
    expect(store.runs.count("findings")).toBe(2);
    expect(store.probes.lastOfTarget("gmail.com")?.startedAt).toBe(OLD + 1);
    expect(store.probes.lastOfTarget("outlook.com")?.startedAt).toBe(OLD);
    expect(store.incidents.changes()).toHaveLength(1);
    expect(store.incidents.changes()[0]?.runId).toBe(changedRun);
    expect(store.states.list()).toHaveLength(1);
    store.close();
  });

  it("deletes nothing newer than the cutoff", () => {
    const store = HistoryStore.open(":memory:");
    logRun(store, RECENT);
    probe(store, "gmail.com", RECENT);
    expect(store.prune(NOW - 90 * DAY_MS)).toEqual({
      findings: 0,
      blocklistResults: 0,
      dnsResults: 0,
      probes: 0,
      runs: 0,
    });
    store.close();
  });
});
