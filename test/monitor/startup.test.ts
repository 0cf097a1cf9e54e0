import { describe, expect, it } from "vitest";
import { HistoryStore } from "../../src/store/index.js";
import { FakeClock } from "../helpers/clock.js";
import { useTempDirs } from "../store/helpers.js";
import { testMonitor } from "./harness.js";

const tempDir = useTempDirs();

describe("monitor start", () => {
  it("warns about unset secret variables", async () => {
    const store = HistoryStore.open(":memory:");
    const { monitor, logs } = testMonitor({
      store,
      clock: new FakeClock(Date.parse("2024-03-01T00:00:00Z")),
      cwd: tempDir(),
      config: {
        logs: ["mail.log"],
        blocklists: { spamhausDqsKeyEnv: "DQS_KEY" },
        alerts: {
          email: {
            host: "127.0.0.1",
            passwordEnv: "SMTP_PASSWORD",
            from: "delist@example.com",
            to: ["postmaster@example.com"],
          },
        },
      },
    });
    await monitor.runOnce();
    const warnings = logs.filter((line) => line["level"] === 40);
    const byVariable = new Map(warnings.map((line) => [line["variable"], line["msg"]]));
    expect(byVariable.get("SMTP_PASSWORD")).toBe("the SMTP password variable is unset or empty");
    expect(byVariable.get("DQS_KEY")).toMatch(/^the Spamhaus DQS key variable is unset/);
    store.close();
  });
});
