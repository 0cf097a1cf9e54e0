import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { decodeForDisplay } from "../../src/logs/reader/display.js";
import { MAX_SAMPLE_LINES, skippedSampleLines } from "../../src/report/skipped-samples.js";
import { runCommand } from "../helpers/cli.js";
import { useTempDirs } from "../store/helpers.js";

const tempDir = useTempDirs();

/** Bytes 0 to 255 twice, as the log reader decodes them: one char per byte. */
const BINARY = Buffer.from([...Array(512).keys()].map((n) => n % 256)).toString("latin1");

function sample(text: string) {
  return { file: "/var/log/junk.bin", line: 7, time: null, text };
}

describe("skippedSampleLines", () => {
  it("escapes a binary sample", () => {
    const lines = skippedSampleLines(sample(decodeForDisplay(BINARY.slice(0, 200))));
    expect(lines[0]).toBe(
      "Skipped: /var/log/junk.bin:7: \\x00\\x01\\x02\\x03\\x04\\x05\\x06\\x07\\x08\\x09\\x0a\\x0b",
    );
    expect(lines[1]).toMatch(/^ {2}\\x0c\\x0d/);
    expect(lines.join("")).not.toMatch(/[^\x20-\x7e…]/);
    const latin1 = skippedSampleLines(sample(decodeForDisplay(BINARY.slice(0x9e, 0xa3))));
    expect(latin1).toEqual(["Skipped: /var/log/junk.bin:7: \\x9e\\x9f\\xa0\\xa1\\xa2"]);
  });

  it("cuts a long sample at three lines", () => {
    const lines = skippedSampleLines(sample(decodeForDisplay(BINARY)));
    expect(lines).toHaveLength(MAX_SAMPLE_LINES);
    expect(lines.every((line) => line.length <= 80)).toBe(true);
    expect(lines.at(-1)).toMatch(/…$/);
  });

  it("keeps letters of a text sample", () => {
    const lines = skippedSampleLines(sample("Jan 13 01:41:28 host program: Grüße an Müller"));
    expect(lines).toEqual([
      "Skipped: /var/log/junk.bin:7: Jan 13 01:41:28 host program: Grüße an Müller",
    ]);
  });

  it("wraps a text sample under its prefix", () => {
    const text = `Jan 13 01:41:28 host program: ${"word ".repeat(10)}end`;
    const lines = skippedSampleLines(sample(text));
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/^ {2}word/);
    expect(lines[1]).toMatch(/ end$/);
  });
});

describe("delist diagnose skipped samples", () => {
  it("prints binary lines escaped at 80 columns", async () => {
    const junk = join(tempDir(), "junk.bin");
    // Newlines split the bytes into lines of about 150 bytes, none of them a log line. The
    // first line is a log record, because a binary file without one is not sampled.
    const record = "Mar  4 09:00:00 mx1 postfix/qmgr[1]: 1A2B3C4D5E: removed\n";
    const lines = BINARY.replaceAll("\n", "").replace(/(.{150})/gs, "$1\n");
    writeFileSync(junk, Buffer.from(record + lines, "latin1"));
    const result = await runCommand(["diagnose", "--offline", "examples/postfix/mail.log", junk]);

    const skipped = result.stdout.slice(result.stdout.indexOf("Skipped: "));
    expect(skipped).toContain("junk.bin:2: \\x00\\x01");
    expect(skipped).not.toMatch(/[^\x20-\x7e…\n]/);
    expect(skipped.split("\n").filter((line) => line.length > 80)).toEqual([]);
  });
});
