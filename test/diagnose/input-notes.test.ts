import { truncateSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { describe, expect, test } from "vitest";
import { analyseLogs, inputReport } from "../../src/diagnose/run.js";
import { resolveTimeZone } from "../../src/time/zone.js";
import { HOUR, PostfixLog, T0 } from "../helpers/postfix-fixture.js";
import { temporaryFiles } from "../helpers/temporary-files.js";

const UTC = resolveTimeZone("UTC");

const temporary = temporaryFiles();

function dayOfMail(): string {
  return new PostfixLog().submitHourly({ recipient: (hour) => `friend${hour}@example.net` }).text();
}

describe("input notes", () => {
  test("truncated file gives a note", async () => {
    const path = temporary.file(dayOfMail(), "mail.log");
    let truncated = false;
    // Progress is reported after each chunk read, which is where logrotate cuts in here.
    const run = await analyseLogs([path], {
      timeZone: UTC,
      now: T0 + 2 * 24 * HOUR,
      onProgress: () => {
        if (truncated) return;
        truncated = true;
        truncateSync(path, 0);
      },
    });
    const input = inputReport(run, UTC);

    expect(run.summary.inputs[0]?.changedWhileRead?.code).toBe("truncated");
    expect(input.notes).toHaveLength(1);
    expect(input.notes[0]).toMatch(
      new RegExp(`^${escapeRegExp(path)} was truncated while it was read .* byte [0-9,]+ may`),
    );
    expect(input.notes[0]).toContain(`Run delist again on ${path}.1 and ${path}.`);
  });

  test("gzip copy is read once", async () => {
    const plain = temporary.file(dayOfMail(), "mail.log.1");
    const compressed = temporary.file(gzipSync(dayOfMail()), "mail.log.1.gz");
    const run = await analyseLogs([compressed, plain], {
      timeZone: UTC,
      now: T0 + 2 * 24 * HOUR,
    });

    expect(run.summary.inputs.map((input) => input.name)).toEqual([plain]);
    expect(inputReport(run, UTC).notes).toEqual([
      `Skipped ${compressed}: it has the same content as ${plain}, so its lines would have been counted twice.`,
    ]);
  });

  test("unchanged file gives no note", async () => {
    const path = temporary.file(dayOfMail(), "mail.log");
    const run = await analyseLogs([path], { timeZone: UTC, now: T0 + 2 * 24 * HOUR });

    expect(run.summary.inputs[0]?.changedWhileRead).toBeNull();
    expect(inputReport(run, UTC).notes).toEqual([]);
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
