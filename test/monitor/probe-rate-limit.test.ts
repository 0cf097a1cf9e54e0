import { afterEach, describe, expect, it } from "vitest";
import { HistoryStore } from "../../src/store/index.js";
import { forbidRealNetwork } from "../dns/guard.js";
import { FakeClock } from "../helpers/clock.js";
import { startGmailLikeServer, type GmailLikeServer } from "../probe/gmail-like-server.js";
import { NEVER, testMonitor } from "./harness.js";

forbidRealNetwork();

const START = Date.parse("2024-03-01T00:00:00Z");
const MINUTE = 60_000;

let server: GmailLikeServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

describe("probe skipped by the rate limit", () => {
  it("logs its times in ISO 8601", async () => {
    server = await startGmailLikeServer("accepted");
    const store = HistoryStore.open(":memory:");
    const clock = new FakeClock(START);
    const { monitor, logs } = testMonitor({
      store,
      clock,
      config: {
        probes: [
          {
            to: "postmaster-check@gmail.com",
            mx: `127.0.0.1:${server.port}`,
            minIntervalMinutes: 90,
          },
        ],
        schedules: { blocklists: NEVER, dns: NEVER, probes: NEVER, logs: NEVER },
      },
    });

    await monitor.runJob("probes");
    clock.set(START + 10 * MINUTE);
    await monitor.runJob("probes");

    expect(server.connections).toBe(1);
    const skipped = logs.find((line) => line["msg"] === "probe skipped: rate limit");
    expect(skipped?.["lastAt"]).toBe("2024-03-01T00:00:00.000Z");
    expect(skipped?.["nextAllowedAt"]).toBe("2024-03-01T01:30:00.000Z");
    store.close();
  });
});
