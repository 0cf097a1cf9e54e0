import { getEventListeners } from "node:events";
import { describe, expect, it } from "vitest";
import { HistoryStore } from "../../src/store/index.js";
import { FakeClock } from "../helpers/clock.js";
import { useTempDirs } from "../store/helpers.js";
import { advanceTo, NEVER, testMonitor } from "./harness.js";

const tempDir = useTempDirs();
const START = Date.parse("2024-03-01T00:00:00Z");
const MINUTE = 60_000;

describe("sleep abort listeners", () => {
  it("leaves no abort listener per cycle", async () => {
    const store = HistoryStore.open(":memory:");
    const clock = new FakeClock(START);
    const { monitor } = testMonitor({
      store,
      clock,
      cwd: tempDir(),
      config: {
        logs: ["mail.log"],
        schedules: { blocklists: NEVER, dns: NEVER, probes: NEVER, logs: "* * * * *" },
      },
    });
    const controller = new AbortController();
    const running = monitor.run(controller.signal);
    await monitor.whenIdle(0);
    const before = getEventListeners(controller.signal, "abort").length;

    await advanceTo(clock, monitor, START + 30 * MINUTE);
    expect(monitor.cycleCount).toBeGreaterThan(20);
    expect(getEventListeners(controller.signal, "abort").length).toBe(before);

    controller.abort();
    await running;
    store.close();
  });

  it("drops listener after timely wake", async () => {
    const clock = new FakeClock(START);
    const controller = new AbortController();
    const sleeping = clock.sleep(MINUTE, controller.signal);
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(1);

    clock.set(START + MINUTE);
    await sleeping;
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
  });
});
