import { truncateSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { afterEach, describe, expect, test } from "vitest";
import { analyseLogs, inputReport } from "../../src/diagnose/run.js";
import { resolveTimeZone } from "../../src/time/zone.js";
import { HOUR, PostfixLog, T0, writeTemporaryLog } from "../helpers/postfix-fixture.js";

const UTC = resolveTimeZone("UTC");

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const remove of cleanups.splice(0)) remove();
});

function dayOfMail(): string {
  const log = new PostfixLog();
  for (let hour = 0; hour < 24; hour++) {
    log.submit({
      time: T0 + hour * HOUR,
      account: "alice@example.com",
      clientIp: "198.51.100.10",
      recipients: [{ address: `friend${hour}@example.net` }],
    });
  }
  return log.text();
}

describe("input notes", () => {
  test("truncated file gives a note", async () => {
    const file = writeTemporaryLog(dayOfMail(), "mail.log");
    cleanups.push(file.remove);
    let truncated = false;
    // Progress is reported after each chunk read, which is where logrotate cuts in here.
    const run = await analyseLogs([file.path], {
      timeZone: UTC,
      now: T0 + 2 * 24 * HOUR,
      onProgress: () => {
        if (truncated) return;
        truncated = true;
        truncateSync(file.path, 0);
      },
    });
    const input = inputReport(run, UTC);

    expect(run.summary.inputs[0]?.changedWhileRead?.code).toBe("truncated");
    expect(input.notes).toHaveLength(1);
    expect(input.notes[0]).toMatch(
      new RegExp(`^${escapeRegExp(file.path)} was truncated while it was read .* byte [0-9,]+ may`),
    );
    expect(input.notes[0]).toContain(`Run delist again on ${file.path}.1 and ${file.path}.`);
  });

  test("gzip copy is read once", async () => {
    const plain = writeTemporaryLog(dayOfMail(), "mail.log.1");
    const compressed = writeTemporaryLog(gzipSync(dayOfMail()), "mail.log.1.gz");
    cleanups.push(plain.remove, compressed.remove);
    const run = await analyseLogs([compressed.path, plain.path], {
      timeZone: UTC,
      now: T0 + 2 * 24 * HOUR,
    });

    expect(run.summary.inputs.map((input) => input.name)).toEqual([plain.path]);
    expect(inputReport(run, UTC).notes).toEqual([
      `Skipped ${compressed.path}: it has the same content as ${plain.path}, so its lines would have been counted twice.`,
    ]);
  });

  test("unchanged file gives no note", async () => {
    const file = writeTemporaryLog(dayOfMail(), "mail.log");
    cleanups.push(file.remove);
    const run = await analyseLogs([file.path], { timeZone: UTC, now: T0 + 2 * 24 * HOUR });

    expect(run.summary.inputs[0]?.changedWhileRead).toBeNull();
    expect(inputReport(run, UTC).notes).toEqual([]);
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
