import { truncateSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { analyseLogs, truncatedWhileRead } from "../../src/diagnose/run.js";
import { resolveTimeZone } from "../../src/time/zone.js";
import { PostfixLog, T0 } from "../helpers/postfix-fixture.js";
import { temporaryFiles } from "../helpers/temporary-files.js";

const temporary = temporaryFiles();

// About 3 MiB of log, so the reader is still busy after its first chunk.
function bigLog(): { path: string } {
  const log = new PostfixLog();
  for (let index = 0; index < 6000; index++) {
    log.submit({
      time: T0 + index * 1000,
      account: "alice@example.com",
      clientIp: "198.51.100.20",
      recipients: [{ address: `friend${index}@example.net` }],
    });
  }
  return { path: temporary.file(log.text()) };
}

describe("truncatedWhileRead", () => {
  it("is true when the log was cut short during the read", async () => {
    const file = bigLog();
    let cut = false;
    const run = await analyseLogs([file.path], {
      timeZone: resolveTimeZone("UTC"),
      onProgress: () => {
        if (cut) return;
        cut = true;
        truncateSync(file.path, 0);
      },
    });
    expect(run.summary.inputs[0]?.changedWhileRead?.code).toBe("truncated");
    expect(truncatedWhileRead(run)).toBe(true);
  });

  it("is false for a log read whole", async () => {
    const file = bigLog();
    const run = await analyseLogs([file.path], { timeZone: resolveTimeZone("UTC") });
    expect(run.summary.inputs[0]?.changedWhileRead).toBeNull();
    expect(truncatedWhileRead(run)).toBe(false);
  });
});
