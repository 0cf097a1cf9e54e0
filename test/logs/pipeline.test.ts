import { Readable } from "node:stream";
import { gzipSync } from "node:zlib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { LogRecord, ParseOutcome, RecordParser } from "../../src/logs/record.js";
import { readLogs, type ReadLogsOptions } from "../../src/logs/pipeline.js";
import { createPostfixParser } from "../../src/logs/postfix/index.js";
import type { ReadProgress } from "../../src/logs/reader/summary.js";
import { resolveTimeZone } from "../../src/time/zone.js";
import { makeTempDir, type TempDir } from "./reader/temp-dir.js";

let dir: TempDir;
beforeEach(async () => {
  dir = await makeTempDir();
});
afterEach(async () => {
  await dir.remove();
});

/** Accepts `postfix/*` records; the message decides the outcome (`ignored …`, `unparsed …`). */
class RecordingParser implements RecordParser {
  readonly records: LogRecord[] = [];
  finishCalls = 0;
  recordsAtFinish = -1;

  accepts(program: string): boolean {
    return program.startsWith("postfix/");
  }

  parse(record: LogRecord): ParseOutcome {
    this.records.push(record);
    if (record.message.startsWith("ignored")) return "ignored";
    if (record.message.startsWith("unparsed")) return "unparsed";
    return "parsed";
  }

  finish(): void {
    this.finishCalls += 1;
    this.recordsAtFinish = this.records.length;
  }
}

function options(extra: Partial<ReadLogsOptions> = {}): ReadLogsOptions {
  return { timeZone: resolveTimeZone("UTC"), cwd: dir.path, ...extra };
}

const JAN_5_2024 = Date.UTC(2024, 0, 5);

describe("readLogs", () => {
  it("counts empty lines as blank", async () => {
    const lines = [
      "Mar  4 09:15:07 mx1 opendkim[4]: x",
      "",
      "\r",
      " \t",
      "Mar  4 09:15:08 mx1 last message repeated 2 times",
    ];
    await dir.write("mail.log", `${lines.join("\n")}\n\n`, Date.UTC(2024, 2, 10));
    const summary = await readLogs(["mail.log"], [new RecordingParser()], options());

    expect(summary.totals.lines).toBe(6);
    expect(summary.totals.blank).toBe(4);
    // The marker after the blank lines still repeats the opendkim record.
    expect(summary.totals.records).toBe(3);
    expect(summary.totals.withoutParser).toBe(3);
  });

  it("counts every line by outcome", async () => {
    await dir.write(
      "mail.log",
      [
        "Mar  4 09:15:02 mx1 postfix/smtpd[1]: connect from a.example.com[192.0.2.1]",
        "Mar  4 09:15:03 mx1 postfix/qmgr[2]: ignored statistics",
        "Mar  4 09:15:04 mx1 postfix/smtp[3]: unparsed odd text",
        "Mar  4 09:15:05 mx1 dovecot: imap-login: Login: user=<a@example.com>",
        "Mar  4 09:15:06 mx1 dovecot: imap-login: Login: user=<b@example.com>",
        "Mar  4 09:15:07 mx1 opendkim[4]: x",
        "",
        "orig_to=<a@example.com>, relay=local",
        "Mar  4 09:15:08 mx1 last message repeated 2 times",
      ].join("\n") + "\n",
      Date.UTC(2024, 2, 10),
    );
    const parser = new RecordingParser();
    const summary = await readLogs(["mail.log"], [parser], options());

    expect(summary.totals).toMatchObject({
      lines: 9,
      blank: 1,
      unrecognised: 1,
      records: 8,
      parsed: 1,
      ignored: 1,
      unparsed: 1,
      withoutParser: 5,
      overlong: 0,
      nul: 0,
    });
    // The repeat marker stands for two more opendkim records.
    expect(summary.programsWithoutParser).toEqual([
      { program: "opendkim", records: 3 },
      { program: "dovecot", records: 2 },
    ]);
    // The span ends at the ignored line, before the unparsed and the other programs' lines.
    expect(summary.earliestTime).toBe(Date.UTC(2024, 2, 4, 9, 15, 2));
    expect(summary.latestTime).toBe(Date.UTC(2024, 2, 4, 9, 15, 3));
  });

  it("spans only the lines a parser read", async () => {
    await dir.write(
      "mail.log",
      [
        "Feb 20 08:00:00 mx1 postfix/smtp[3]: unparsed to=<a@example.com>,",
        "Mar  4 09:15:02 mx1 postfix/qmgr[2]: ignored statistics",
        "Mar  4 09:15:03 mx1 postfix/smtpd[1]: 4A1B2C3D4E: client=a.example.com[192.0.2.1]",
        "Mar  9 10:00:00 mx1 roundcube: User a@example.com logged in",
      ].join("\n") + "\n",
    );
    const summary = await readLogs(["mail.log"], [new RecordingParser()], options({ year: 2024 }));

    expect(summary.totals).toMatchObject({ records: 4, unparsed: 1, withoutParser: 1 });
    expect(summary.earliestTime).toBe(Date.UTC(2024, 2, 4, 9, 15, 2));
    expect(summary.latestTime).toBe(Date.UTC(2024, 2, 4, 9, 15, 3));
  });

  it("has no span without a line a parser read", async () => {
    await dir.write(
      "mail.log",
      [
        "Mar  4 09:15:02 mx1 postfix/smtp[3]: unparsed to=<a@example.com>,",
        "Mar  4 09:15:03 mx1 roundcube: User a@example.com logged in",
      ].join("\n") + "\n",
    );
    const summary = await readLogs(["mail.log"], [new RecordingParser()], options({ year: 2024 }));

    expect(summary.totals.records).toBe(2);
    expect(summary.earliestTime).toBeNull();
    expect(summary.latestTime).toBeNull();
  });

  it("keeps samples of unrecognised and unparsed lines", async () => {
    const long = `unparsed ${"x".repeat(300)}`;
    const lines = [
      ...Array.from({ length: 7 }, (_, index) => `junk ${index}`),
      `Mar  4 09:15:04 mx1 postfix/smtp[3]: ${long}`,
    ];
    await dir.write("mail.log", lines.join("\n"));
    const summary = await readLogs(["mail.log"], [new RecordingParser()], options());

    expect(summary.unrecognisedSamples).toHaveLength(5);
    expect(summary.unrecognisedSamples[0]).toEqual({ file: "mail.log", line: 1, text: "junk 0" });
    expect(summary.unparsedSamples).toHaveLength(1);
    expect(summary.unparsedSamples[0]?.line).toBe(8);
    expect(summary.unparsedSamples[0]?.text).toHaveLength(200);
  });

  it("reports each input", async () => {
    await dir.write("a.log", "Mar  4 09:15:02 mx1 postfix/smtpd[1]: x\n");
    await dir.write("b.log.gz", gzipSync("Mar  4 09:15:03 mx1 postfix/smtpd[1]: y\n"));
    const summary = await readLogs(["a.log", "missing.log", "b.log.gz"], [], options());

    expect(summary.inputs.map((input) => [input.name, input.kind, input.lines])).toEqual([
      ["a.log", "plain", 1],
      ["missing.log", null, 0],
      ["b.log.gz", "gzip", 1],
    ]);
    expect(summary.inputs[1]?.error?.code).toBe("not-found");
    expect(summary.inputs[2]?.decompressedBytes).toBe(40);
    expect(summary.totals.lines).toBe(2);
  });

  it("reads the same file once", async () => {
    await dir.write("a.log", "Mar  4 09:15:02 mx1 postfix/smtpd[1]: x\n");
    const parser = new RecordingParser();
    const summary = await readLogs(["a.log", "./a.log"], [parser], options());
    expect(summary.inputs).toHaveLength(1);
    expect(parser.records).toHaveLength(1);
  });

  it("goes on after an unsupported or damaged file", async () => {
    const whole = gzipSync("Mar  4 09:15:02 mx1 postfix/smtpd[1]: x\n".repeat(2000));
    await dir.write("a.log.2.gz", whole.subarray(0, whole.length - 100));
    await dir.write("b.xz", Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]));
    await dir.write("c.log", "Mar  4 09:15:02 mx1 postfix/smtpd[1]: x\n");
    const summary = await readLogs(["a.log.2.gz", "b.xz", "c.log"], [], options());

    expect(summary.inputs.map((input) => input.error?.code ?? null)).toEqual([
      "corrupt-gzip",
      "unsupported-compression",
      null,
    ]);
    expect(summary.inputs[0]?.kind).toBe("gzip");
    expect(summary.inputs[0]?.lines).toBeGreaterThan(100);
    expect(summary.inputs[2]?.lines).toBe(1);
  });

  it("reads a rotated set oldest first and carries the year", async () => {
    await dir.write(
      "mail.log.1",
      "Dec 31 23:59:58 mx1 postfix/smtpd[1]: old\n",
      Date.UTC(2024, 0, 1),
    );
    await dir.write(
      "mail.log",
      "Jan  1 00:00:03 mx1 postfix/smtpd[1]: new\n",
      Date.UTC(2025, 5, 1),
    );
    const parser = new RecordingParser();
    await readLogs(["mail.log", "mail.log.1"], [parser], options());

    expect(parser.records.map((record) => [record.file, record.message, record.time])).toEqual([
      ["mail.log.1", "old", Date.UTC(2023, 11, 31, 23, 59, 58)],
      ["mail.log", "new", Date.UTC(2024, 0, 1, 0, 0, 3)],
    ]);
  });

  it("repeats across files of a rotated set", async () => {
    const markers = [
      "Mar  4 09:15:40 mx1 last message repeated 2 times",
      "Mar  4 09:15:40 --- last message repeated 2 times ---",
      "Mar  4 09:15:40: --- last message repeated 2 times ---",
    ];
    for (const marker of markers) {
      const line = "Mar  4 09:15:02 mx1 postfix/smtpd[1]: lost connection";
      // Each file is dated after the one before, so that no line repeats one of an older file
      // of the set in the same second, which would leave it out as a copy.
      const laterLine = line.replace("09:15:02", "09:16:02");
      const laterMarker = marker.replace("09:15:40", "09:16:40");
      await dir.write("mail.log.2.gz", gzipSync(`${line}\n`), JAN_5_2024);
      await dir.write("mail.log.1", `${marker}\n${laterLine}\n`, JAN_5_2024);
      await dir.write("mail.log", `${laterMarker}\n`, JAN_5_2024);
      const parser = new RecordingParser();
      const names = ["mail.log", "mail.log.1", "mail.log.2.gz"];
      const summary = await readLogs(names, [parser], options({ year: 2024 }));
      const files = parser.records.map((record) => record.file);

      expect(files, marker).toEqual([
        "mail.log.2.gz",
        "mail.log.1",
        "mail.log.1",
        "mail.log.1",
        "mail.log",
        "mail.log",
      ]);
      expect(summary.totals.unrecognised, marker).toBe(0);
      expect(summary.totals.repeatMarkerRecords, marker).toBe(2);
    }
  });

  it("repeats nothing across unrelated files", async () => {
    await dir.write("a.log", "Mar  4 09:15:02 mx1 postfix/smtpd[1]: lost connection\n");
    await dir.write("b.log", "Mar  4 09:15:40 mx1 last message repeated 2 times\n");
    const parser = new RecordingParser();
    const summary = await readLogs(["a.log", "b.log"], [parser], options({ year: 2024 }));

    expect(parser.records).toHaveLength(1);
    expect(summary.totals.unrecognised).toBe(1);
  });

  it("uses --year for classic stamps", async () => {
    await dir.write("mail.log", "Mar  4 09:15:02 mx1 postfix/smtpd[1]: x\n", JAN_5_2024);
    const parser = new RecordingParser();
    await readLogs(["mail.log"], [parser], options({ year: 2019 }));
    expect(parser.records[0]?.time).toBe(Date.UTC(2019, 2, 4, 9, 15, 2));
  });

  it("reads naive stamps in the given zone", async () => {
    await dir.write("mainlog", "2024-03-04 09:15:02 1rhA2b-000Abc-1x Completed\n");
    const parser = new RecordingParser();
    parser.accepts = (program) => program === "exim";
    await readLogs(["mainlog"], [parser], options({ timeZone: resolveTimeZone("+02:00") }));
    expect(parser.records[0]?.time).toBe(Date.UTC(2024, 2, 4, 7, 15, 2));
  });

  it("finishes every parser once, after the last input", async () => {
    await dir.write("a.log", "Mar  4 09:15:02 mx1 postfix/smtpd[1]: x\n");
    await dir.write("b.log", "Mar  4 09:15:03 mx1 postfix/smtpd[1]: y\n");
    const first = new RecordingParser();
    const second = new RecordingParser();
    await readLogs(["a.log", "b.log"], [first, second], options());
    expect(first.finishCalls).toBe(1);
    expect(first.recordsAtFinish).toBe(2);
    expect(second.finishCalls).toBe(1);
    expect(second.records).toHaveLength(0);
  });

  it("reads stdin as - into file stdin", async () => {
    const parser = new RecordingParser();
    const stdin = Readable.from([
      Buffer.from("Mar  4 09:15:02 mx1 postfix/smtpd[1]: from stdin\n"),
    ]);
    const summary = await readLogs(["-"], [parser], options({ stdin }));
    expect(summary.inputs[0]).toMatchObject({ name: "-", kind: "stdin", lines: 1, error: null });
    expect(parser.records[0]?.file).toBe("stdin");
  });

  it("reads CRLF, lone CR, NUL, invalid UTF-8 and overlong lines", async () => {
    const content = Buffer.concat([
      Buffer.from("Mar  4 09:15:02 mx1 postfix/smtpd[1]: crlf\r\n"),
      Buffer.from("Mar  4 09:15:03 mx1 postfix/smtpd[1]: reply 250-a\r250 b\n"),
      Buffer.from("Mar  4 09:15:04 mx1 postfix/smtpd[1]: nul \u0000 byte\n"),
      Buffer.from([...Buffer.from("Mar  4 09:15:05 mx1 postfix/smtpd[1]: M"), 0xfc, 0x6c, 0x0a]),
      Buffer.from(`Mar  4 09:15:06 mx1 postfix/smtpd[1]: ${"x".repeat(500)}\n`),
    ]);
    await dir.write("mixed.log", content);
    const parser = new RecordingParser();
    const summary = await readLogs(["mixed.log"], [parser], options({ maxLineBytes: 200 }));

    expect(parser.records.map((record) => record.message.slice(0, 20))).toEqual([
      "crlf",
      "reply 250-a\r250 b",
      "nul \u0000 byte",
      "M\u00fcl",
      "x".repeat(20),
    ]);
    expect(summary.totals).toMatchObject({ lines: 5, records: 5, nul: 1, overlong: 1 });
  });

  it("reads a file with CR-only line ends line by line", async () => {
    const lines = [
      "Mar  4 09:15:02 mx1 postfix/smtpd[1]: a",
      "Mar  4 09:15:03 mx1 postfix/smtpd[1]: b",
      "Mar  4 09:15:04 mx1 postfix/smtpd[1]: c",
    ];
    await dir.write("mac.log", lines.join("\r") + "\r");
    const parser = new RecordingParser();
    const summary = await readLogs(["mac.log"], [parser], options());

    expect(parser.records.map((record) => record.message)).toEqual(["a", "b", "c"]);
    expect(summary.totals).toMatchObject({ lines: 3, records: 3, unrecognised: 0 });
  });

  it("recovers a line written after a run of NULs", async () => {
    const content = Buffer.concat([
      Buffer.from("Mar  4 09:15:02 mx1 postfix/smtpd[1]: before\n"),
      Buffer.alloc(3000),
      Buffer.from("Mar  4 09:20:00 mx1 postfix/smtpd[1]: after the crash\n"),
    ]);
    await dir.write("crash.log", content);
    const parser = new RecordingParser();
    const summary = await readLogs(["crash.log"], [parser], options());

    expect(parser.records.map((record) => record.message)).toEqual(["before", "after the crash"]);
    expect(summary.totals).toMatchObject({ lines: 2, records: 2, nul: 1, unrecognised: 0 });
  });

  it("adds up the messages the parsers evicted", async () => {
    const lines = Array.from(
      { length: 5 },
      (_, index) =>
        `Mar  4 09:15:0${index} mx1 postfix/qmgr[901]: A0000${index}: from=<a@example.com>, size=9, nrcpt=1 (queue active)`,
    );
    await dir.write("mail.log", lines.join("\n") + "\n");
    const postfix = createPostfixParser(() => undefined, {
      maxOpenMessages: 2,
      maxPendingRecipients: 10,
    });
    const summary = await readLogs(["mail.log"], [postfix, new RecordingParser()], options());

    expect(postfix.evictedMessages).toBeGreaterThan(0);
    expect(summary.totals.evictedMessages).toBe(postfix.evictedMessages);
  });

  it("reads a binary file and an empty file without failing", async () => {
    const binary = Buffer.from(Array.from({ length: 200_000 }, (_, index) => (index * 37) % 256));
    await dir.write("binary.bin", binary);
    await dir.write("empty.log", "");
    const summary = await readLogs(
      ["binary.bin", "empty.log"],
      [],
      options({ maxLineBytes: 1024 }),
    );
    expect(summary.inputs.map((input) => input.error)).toEqual([null, null]);
    expect(summary.inputs[1]?.lines).toBe(0);
    // A binary file without a log record is left out of the totals, and its own count is 0.
    expect(summary.inputs[0]?.lines).toBe(0);
    expect(summary.inputs[0]?.notes.join(" ")).toContain("looks like a binary file");
    expect(summary.totals.lines).toBe(0);
  });

  it("reports progress with the total size", async () => {
    await dir.write("a.log", "x\n".repeat(1000));
    await dir.write("b.log", "y\n".repeat(500));
    const progress: ReadProgress[] = [];
    const onProgress = (step: ReadProgress): number => progress.push(step);
    await readLogs(["a.log", "missing.log", "b.log"], [], options({ onProgress }));
    expect(progress.length).toBeGreaterThanOrEqual(2);
    expect(progress.at(-1)).toEqual({ bytesRead: 3000, totalBytes: 3000 });
  });

  it("reports no total size with stdin", async () => {
    const progress: ReadProgress[] = [];
    const stdin = Readable.from([Buffer.from("x\n")]);
    await readLogs(["-"], [], options({ stdin, onProgress: (step) => progress.push(step) }));
    expect(progress.at(-1)).toEqual({ bytesRead: 2, totalBytes: null });
  });

  it("raises what a parser throws", async () => {
    await dir.write("a.log", "Mar  4 09:15:02 mx1 postfix/smtpd[1]: x\n");
    const parser = new RecordingParser();
    parser.parse = () => {
      throw new TypeError("parser bug");
    };
    await expect(readLogs(["a.log"], [parser], options())).rejects.toThrow("parser bug");
  });

  it("rejects an invalid line limit", async () => {
    await expect(readLogs([], [], options({ maxLineBytes: -1 }))).rejects.toThrow(RangeError);
  });

  it("returns empty totals for no readable input", async () => {
    const summary = await readLogs(["nothing-*.log"], [], options());
    expect(summary.inputs[0]?.error?.code).toBe("no-match");
    expect(summary.earliestTime).toBeNull();
    expect(summary.latestTime).toBeNull();
    expect(summary.totals.lines).toBe(0);
  });
});

describe("files with the same content", () => {
  it("reads a copy once", async () => {
    const text = "Mar  4 09:00:00 mx1 postfix/qmgr[1]: 1A2B3C4D5E: removed\n".repeat(3);
    await dir.write("mail.info", text);
    await dir.write("mail.log", text);
    // Same size, different bytes.
    await dir.write("mail.warn", text.replace("removed", "Removed"));
    const summary = await readLogs(["mail.info", "mail.log", "mail.warn"], [], options());
    // mail.log, the mail log, is read before mail.info and mail.warn, so it is the one kept.
    expect(summary.sameContent).toEqual([{ name: "mail.info", sameAs: "mail.log" }]);
    expect(summary.inputs.map((input) => input.name)).toEqual(["mail.log", "mail.warn"]);
    expect(summary.totals.lines).toBe(6);
  });

  it("reads files that differ in the middle", async () => {
    const line = "Mar  4 09:00:00 mx1 postfix/qmgr[1]: 1A2B3C4D5E: removed\n";
    const text = line.repeat(5000);
    const middle = text.length / 2;
    await dir.write("mail.log", text);
    await dir.write("mail.mid", `${text.slice(0, middle)}X${text.slice(middle + 1)}`);
    const summary = await readLogs(["mail.log", "mail.mid"], [], options());
    expect(summary.sameContent).toEqual([]);
    expect(summary.totals.lines).toBe(10000);
  });
});
