import { describe, expect, it } from "vitest";
import {
  blockKey,
  blocklistKey,
  describeChange,
  HistoryStore,
  type Incident,
  type StateKind,
} from "../../src/store/index.js";

const START = Date.parse("2024-03-01T00:00:00Z");
const CLOSED_AT = START + 3_600_000;
const REASON = {
  reason: "target removed from the configuration",
  target: "192.0.2.5",
  setting: "ips",
};

/** Opens an incident of `key` by observing `value` at START and returns it. */
function openIncident(store: HistoryStore, kind: StateKind, key: string, value: string): Incident {
  store.states.observe(
    { key, kind, subject: key, value, at: START, runId: null, evidence: { source: "test" } },
    [],
  );
  const incident = store.incidents.latest(key);
  if (incident === null) throw new Error(`no incident opened for ${key}`);
  return incident;
}

describe("HistoryStore.closeRemovedTarget", () => {
  it("closes the incident with a change", () => {
    const store = HistoryStore.open(":memory:");
    const key = blocklistKey("192.0.2.5", "spamhaus-zen");
    const incident = openIncident(store, "blocklist", key, "listed");

    const change = store.closeRemovedTarget(incident, CLOSED_AT, REASON);

    expect(change.change).toBe("target-removed");
    expect(change.previous).toBe("listed");
    expect(change.value).toBe("unwatched");
    expect(change.incidentId).toBe(incident.id);
    expect(change.at).toBe(CLOSED_AT);
    expect(store.incidents.latest(key)?.closedAt).toBe(CLOSED_AT);
    expect(store.incidents.latest(key)?.closeEvidence).toEqual(REASON);
    expect(store.incidents.changes().map((recorded) => recorded.change)).toEqual([
      "listed",
      "target-removed",
    ]);
    expect(describeChange("target-removed", key, "unwatched")).toBe(
      `Incident closed: ${key}, target removed from the configuration.`,
    );
    store.close();
  });

  it("queues no alert", () => {
    const store = HistoryStore.open(":memory:");
    const key = blocklistKey("192.0.2.5", "spamhaus-zen");
    store.states.observe(
      {
        key,
        kind: "blocklist",
        subject: key,
        value: "listed",
        at: START,
        runId: null,
        evidence: {},
      },
      ["webhook"],
    );
    const incident = store.incidents.latest(key);
    if (incident === null) throw new Error("no incident opened");

    store.closeRemovedTarget(incident, CLOSED_AT, REASON);

    expect(store.alerts.all().map((alert) => alert.payload.change)).toEqual(["listed"]);
    store.close();
  });

  it("forgets the state and its progress", () => {
    const store = HistoryStore.open(":memory:");
    const key = blockKey("gmail", "192.0.2.5");
    const incident = openIncident(store, "block", key, "blocked");
    store.liftProgress.save(
      key,
      { lastBlockAt: START, deliveries: 3, lastDeliveryAt: null, failedAfter: false },
      START,
    );

    store.closeRemovedTarget(incident, CLOSED_AT, REASON);

    expect(store.states.get(key)).toBeNull();
    expect(store.liftProgress.get(key)).toBeNull();
    store.close();
  });

  it("opens a new incident when re-added", () => {
    const store = HistoryStore.open(":memory:");
    const key = blocklistKey("192.0.2.5", "spamhaus-zen");
    const incident = openIncident(store, "blocklist", key, "listed");
    store.closeRemovedTarget(incident, CLOSED_AT, REASON);

    const change = store.states.observe(
      {
        key,
        kind: "blocklist",
        subject: key,
        value: "listed",
        at: CLOSED_AT + 60_000,
        runId: null,
        evidence: {},
      },
      [],
    );

    expect(change?.change).toBe("listed");
    expect(change?.incidentId).not.toBe(incident.id);
    expect(store.incidents.latest(key)?.closedAt).toBeNull();
    store.close();
  });
});
