import { utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { blockKey, HistoryStore } from "../../src/store/index.js";
import { FakeClock } from "../helpers/clock.js";
import { useTempDirs } from "../store/helpers.js";
import { NEVER, testMonitor, type LogLines } from "./harness.js";

const tempDir = useTempDirs();
const IP = "192.0.2.1";
const MINUTE = 60_000;
const T0 = Date.UTC(2024, 2, 4, 0, 0, 0);
// The monitor reads the log a day after its first line.
const NOW = T0 + 24 * 60 * MINUTE;
const TIMEOUT = "connect to gmail-smtp-in.l.google.com[192.0.2.27]:25: Connection timed out";

/** Formats a syslog time stamp in UTC, such as `Mar  4 00:10:02`. */
function stamp(time: number): string {
  const date = new Date(time);
  const month = date.toLocaleString("en-US", { month: "short", timeZone: "UTC" });
  const day = String(date.getUTCDate()).padStart(2, " ");
  return `${month} ${day} ${date.toISOString().slice(11, 19)}`;
}

/**
 * Builds Postfix lines of `count` messages to Gmail ten minutes apart, each deferred because
 * the connection timed out, and each followed by a delivery to a small receiver.
 */
function timeoutLines(count: number): string {
  const lines: string[] = [];
  for (let index = 0; index < count; index++) {
    const time = T0 + index * 10 * MINUTE;
    const gmailId = `4A${String(index).padStart(4, "0")}`;
    const otherId = `5B${String(index).padStart(4, "0")}`;
    lines.push(
      `${stamp(time)} mail postfix/smtp[1001]: ${gmailId}: to=<user${index}@gmail.com>, ` +
        `relay=none, delay=30, delays=0.1/0/30/0, dsn=4.4.1, status=deferred (${TIMEOUT})`,
      `${stamp(time + MINUTE)} mail postfix/smtp[1002]: ${otherId}: to=<bob${index}@example.net>, ` +
        `relay=mx.example.net[198.51.100.25]:25, delay=1, delays=0.1/0/0.4/0.5, dsn=2.0.0, ` +
        `status=sent (250 2.0.0 OK)`,
    );
  }
  return `${lines.join("\n")}\n`;
}

function logWarnings(logs: LogLines): LogLines {
  return logs.filter((line) => line["level"] === 40);
}

describe("log with an unreachable provider", () => {
  it("records no block and warns", async () => {
    const dir = tempDir();
    const path = join(dir, "mail.log");
    writeFileSync(path, timeoutLines(12));
    // Syslog time stamps have no year, so the reader takes it from the file's modification time.
    utimesSync(path, NOW / 1000, NOW / 1000);
    const store = HistoryStore.open(":memory:");
    const { monitor, logs } = testMonitor({
      store,
      clock: new FakeClock(NOW),
      cwd: dir,
      config: {
        ips: [IP],
        logs: ["mail.log"],
        logsFromStart: true,
        schedules: { blocklists: NEVER, dns: NEVER, probes: NEVER, logs: NEVER },
      },
    });

    // The log was read in full: the outage is an open incident, not an unchecked target.
    expect(await monitor.runJob("logs")).toBe("complete");

    expect(store.states.get(blockKey("gmail", IP))).toBeNull();
    expect(store.incidents.changes({ key: blockKey("gmail", IP) })).toEqual([]);
    const [warning, ...others] = logWarnings(logs).filter((line) => line["providers"]);
    expect(others).toEqual([]);
    expect(warning?.["providers"]).toEqual(["gmail"]);
    expect(warning?.["since"]).toEqual({ gmail: new Date(T0).toISOString().replace(".000", "") });
    expect(warning?.["connectionFailures"]).toEqual({ gmail: 12 });
    expect(String(warning?.["msg"])).toMatch(/^this server could not connect to Gmail: /);
    expect(String(warning?.["msg"])).toContain("no block state was recorded");
    store.close();
  });
});
