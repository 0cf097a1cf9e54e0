import { afterEach, describe, expect, it } from "vitest";
import { blocklistKey, HistoryStore } from "../../src/store/index.js";
import { forbidRealNetwork } from "../dns/guard.js";
import { startDnsServer, type TestDnsServer } from "../dns/server.js";
import { FakeClock } from "../helpers/clock.js";
import { fakeListsHandler, type ZoneBehaviour } from "../reputation/fake-lists.js";
import { NEVER, testMonitor, type LogLines } from "./harness.js";

forbidRealNetwork();

const START = Date.parse("2024-03-01T00:00:00Z");
const IP = "192.0.2.10";

let server: TestDnsServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

function configFor(resolver: string): unknown {
  return {
    ips: [IP],
    blocklists: { lists: ["spamhaus-zen", "spamcop-scbl"] },
    dns: { resolver, timeoutMs: 300 },
    schedules: { blocklists: NEVER, dns: NEVER, probes: NEVER, logs: NEVER },
  };
}

function blocklistWarnings(logs: LogLines): LogLines {
  return logs.filter((line) => line["level"] === 40 && line["job"] === "blocklists");
}

async function runBlocklists(zones: Record<string, ZoneBehaviour>) {
  server = await startDnsServer(fakeListsHandler(zones));
  const store = HistoryStore.open(":memory:");
  const clock = new FakeClock(START);
  const { monitor, logs } = testMonitor({ store, clock, config: configFor(server.address) });
  const outcome = await monitor.runJob("blocklists");
  return { store, clock, monitor, logs, outcome };
}

describe("blocklist job with unusable lists", () => {
  it("warns when no list answers", async () => {
    const { store, logs, outcome } = await runBlocklists({
      "zen.spamhaus.org": { kind: "empty" },
      "bl.spamcop.net": { kind: "empty" },
    });
    expect(outcome).toBe("incomplete");

    const [warning, ...others] = blocklistWarnings(logs);
    expect(others).toEqual([]);
    expect(warning?.["lists"]).toEqual(["spamhaus-zen", "spamcop-scbl"]);
    expect(warning?.["checkedLists"]).toBe(0);
    const message = String(warning?.["msg"]);
    expect(message).toMatch(/^no blocklist check could be made, because /);
    expect(message).toContain("spamcop-scbl (its test entry 127.0.0.2, which must be listed");
    expect(message).toContain("remove the list from blocklists.lists");
    expect(store.states.list()).toEqual([]);
    store.close();
  });

  it("names the one list that answers nothing", async () => {
    const { store, logs, outcome } = await runBlocklists({
      "zen.spamhaus.org": { kind: "normal" },
      "bl.spamcop.net": { kind: "empty" },
    });
    expect(outcome).toBe("incomplete");

    const [warning] = blocklistWarnings(logs);
    expect(warning?.["lists"]).toEqual(["spamcop-scbl"]);
    expect(warning?.["checkedLists"]).toBe(1);
    expect(String(warning?.["msg"])).toMatch(/^1 blocklist was not checked, because /);
    expect(store.states.get(blocklistKey(IP, "spamhaus-zen"))?.value).toBe("not-listed");
    expect(store.states.get(blocklistKey(IP, "spamcop-scbl"))).toBeNull();
    store.close();
  });

  it("warns about a list answering everything", async () => {
    const { store, logs, outcome } = await runBlocklists({
      "zen.spamhaus.org": { kind: "normal" },
      "bl.spamcop.net": { kind: "wildcard", code: "127.0.0.2" },
    });
    expect(outcome).toBe("incomplete");
    const [warning] = blocklistWarnings(logs);
    expect(warning?.["lists"]).toEqual(["spamcop-scbl"]);
    expect(String(warning?.["msg"])).toContain("which must not be listed, is listed");
    store.close();
  });

  it("completes when every list answers", async () => {
    const { store, logs, outcome } = await runBlocklists({
      "zen.spamhaus.org": { kind: "normal" },
      "bl.spamcop.net": { kind: "normal" },
    });
    expect(outcome).toBe("complete");
    expect(blocklistWarnings(logs)).toEqual([]);
    store.close();
  });

  it("logs when the lists answer again", async () => {
    const zones: Record<string, ZoneBehaviour> = {
      "zen.spamhaus.org": { kind: "normal" },
      "bl.spamcop.net": { kind: "empty" },
    };
    const { store, logs, monitor, outcome } = await runBlocklists(zones);
    expect(outcome).toBe("incomplete");

    zones["bl.spamcop.net"] = { kind: "normal" };
    expect(await monitor.runJob("blocklists")).toBe("complete");
    const recovered = logs.filter((line) => line["msg"] === "every blocklist can be used again");
    expect(recovered).toHaveLength(1);
    store.close();
  });
});
