import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { LogEvent } from "../../src/logs/events.js";
import { readLogs, type ReadLogsOptions } from "../../src/logs/pipeline.js";
import { createLogParsers } from "../../src/logs/parsers.js";
import type { LogRecord, ParseOutcome, RecordParser } from "../../src/logs/record.js";
import { resolveTimeZone } from "../../src/time/zone.js";
import { eventDigest, withoutQuietLines } from "./quiet-lines.js";
import { makeTempDir, type TempDir } from "./reader/temp-dir.js";

let dir: TempDir;
beforeEach(async () => {
  dir = await makeTempDir();
});
afterEach(async () => {
  await dir.remove();
});

const QUIET = ["connect from ", "disconnect from "];

/**
 * Takes `postfix/*` records and ignores those of `postfix/smtpd` that start with a quiet
 * prefix, which it names through `quietPrefixes`.
 */
class QuietParser implements RecordParser {
  readonly messages: string[] = [];
  readonly quietTimes: number[] = [];

  accepts(program: string): boolean {
    return program.startsWith("postfix/");
  }

  quietPrefixes(program: string): readonly string[] {
    return program === "postfix/smtpd" ? QUIET : [];
  }

  passQuiet(time: number): void {
    this.quietTimes.push(time);
  }

  parse(record: LogRecord): ParseOutcome {
    this.messages.push(record.message);
    const quiet =
      record.program === "postfix/smtpd" && QUIET.some((p) => record.message.startsWith(p));
    return quiet ? "ignored" : "parsed";
  }

  finish(): void {}
}

function options(extra: Partial<ReadLogsOptions> = {}): ReadLogsOptions {
  return { timeZone: resolveTimeZone("UTC"), cwd: dir.path, year: 2024, ...extra };
}

const at = (second: number): number => Date.UTC(2024, 2, 4, 9, 15, second);

describe("quiet lines", () => {
  const log = [
    "Mar  4 09:15:01 mx1 postfix/qmgr[2]: first",
    "Mar  4 09:15:02 mx1 postfix/smtpd[1]: connect from a.example.com[192.0.2.1]",
    "Mar  4 09:15:02 mx1 postfix/smtpd[1]: disconnect from a.example.com[192.0.2.1] commands=0",
    "Mar  4 09:15:03 mx1 last message repeated 2 times",
    "Mar  4 09:15:04 mx1 postfix/smtpd[1]: NOQUEUE: reject: RCPT from a.example.com[192.0.2.1]",
    "Mar  4 09:15:04 mx1 postfix/submission/smtpd[5]: connect from b.example.com[192.0.2.2]",
    "Mar  4 09:15:05 mx1 postfix/smtpd[1]: connect from b.example.com[192.0.2.2]",
  ].join("\n");

  it("counts them without the parser", async () => {
    await dir.write("mail.log", log + "\n");
    const parser = new QuietParser();
    const summary = await readLogs(["mail.log"], [parser], options());

    // Only `postfix/smtpd` has quiet prefixes, so the submission service's line is parsed.
    expect(parser.messages).toEqual([
      "first",
      "NOQUEUE: reject: RCPT from a.example.com[192.0.2.1]",
      "connect from b.example.com[192.0.2.2]",
    ]);
    // The repeat marker stands for two more `disconnect from` lines, not for `first`.
    expect(parser.quietTimes).toEqual([at(2), at(2), at(3), at(3), at(5)]);
    expect(summary.totals).toMatchObject({ lines: 7, records: 8, parsed: 3, ignored: 5 });
    expect(summary.earliestTime).toBe(at(1));
    expect(summary.latestTime).toBe(at(5));
  });

  it("gives the totals of records", async () => {
    await dir.write("mail.log", log + "\n");
    const quiet = await readLogs(["mail.log"], [new QuietParser()], options());
    const plain = await readLogs(["mail.log"], [withoutQuietLines(new QuietParser())], options());
    expect(quiet.totals).toEqual(plain.totals);
    expect([quiet.earliestTime, quiet.latestTime]).toEqual([plain.earliestTime, plain.latestTime]);
  });

  it("makes records beside general logs", async () => {
    await dir.write("mail.log", log + "\n");
    await dir.write("syslog", "Mar  4 09:15:06 mx1 kernel: up\n");
    const parser = new QuietParser();
    await readLogs(["mail.log", "syslog"], [parser], options());
    expect(parser.quietTimes).toEqual([]);
    expect(parser.messages).toContain("connect from a.example.com[192.0.2.1]");
  });
});

describe("quiet lines of Postfix", () => {
  // A doubled message line two lines after it was first logged, and again after eight quiet
  // lines, where the window of recent records no longer contains it.
  const lines = [
    "Mar  4 09:15:01 mx1 postfix/smtpd[1]: connect from a.example.com[192.0.2.1]",
    "Mar  4 09:15:01 mx1 postfix/smtpd[1]: Anonymous TLS connection established from a.example.com[192.0.2.1]: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)",
    "Mar  4 09:15:01 mx1 postfix/smtpd[1]: 4A1B2C3D4E: client=a.example.com[192.0.2.1]",
    "Mar  4 09:15:01 mx1 postfix/smtpd[1]: connect from c.example.com[192.0.2.3]",
    "Mar  4 09:15:01 mx1 postfix/smtpd[1]: 4A1B2C3D4E: client=a.example.com[192.0.2.1]",
    ...Array.from(
      { length: 8 },
      (_, i) => `Mar  4 09:15:01 mx1 postfix/smtpd[1]: connect from d${i}.example.com[192.0.2.4]`,
    ),
    "Mar  4 09:15:01 mx1 postfix/smtpd[1]: 4A1B2C3D4E: client=a.example.com[192.0.2.1]",
    "Mar  4 09:15:02 mx1 postfix/cleanup[3]: 4A1B2C3D4E: message-id=<1@example.com>",
    "Mar  4 09:15:02 mx1 postfix/qmgr[2]: 4A1B2C3D4E: from=<a@example.com>, size=900, nrcpt=1 (queue active)",
    "Mar  4 09:15:03 mx1 postfix/smtpd[1]: disconnect from a.example.com[192.0.2.1] ehlo=1 quit=1 commands=2",
    "Mar  4 09:15:04 mx1 last message repeated 3 times",
    "Mar  4 09:15:05 mx1 postfix/smtp[4]: 4A1B2C3D4E: to=<b@example.net>, relay=mx.example.net[198.51.100.7]:25, delay=3, delays=0/0/1/2, dsn=2.0.0, status=sent (250 2.0.0 OK)",
    "Mar  4 09:15:05 mx1 postfix/qmgr[2]: 4A1B2C3D4E: removed",
    "Mar  4 09:15:07 mx1 postfix/smtp[4]: Trusted TLS connection established to mx.example.net[198.51.100.7]:25: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)",
    "Mar  4 09:15:08 mx1 last message repeated 2 times",
    "Mar  4 09:15:09 mx1 postfix/smtp[4]: Untrusted TLS connection established to [198.51.100.8]:25: TLSv1.2",
    "Mar  4 09:15:10 mx2 postfix/smtpd[9]: connect from e.example.com[192.0.2.5]",
  ];

  it("gives the totals and events of records", async () => {
    await dir.write("mail.log", lines.join("\n") + "\n");
    const quietEvents: LogEvent[] = [];
    const plainEvents: LogEvent[] = [];
    const quiet = await readLogs(
      ["mail.log"],
      createLogParsers((e) => quietEvents.push(e)),
      options(),
    );
    const plain = await readLogs(
      ["mail.log"],
      createLogParsers((e) => plainEvents.push(e)).map(withoutQuietLines),
      options(),
    );
    expect(quiet.totals).toEqual(plain.totals);
    expect(quiet.totals).toMatchObject({ records: 27, duplicateLines: 1, parsed: 10 });
    expect(quietEvents.map(eventDigest)).toEqual(plainEvents.map(eventDigest));
    expect(quietEvents.map((event) => event.type)).toEqual([
      "message",
      "delivery",
      "tls",
      "tls",
      "tls",
      "tls",
    ]);
  });

  it("reads outbound TLS lines for their time and position alone", async () => {
    await dir.write("mail.log", lines.join("\n") + "\n");
    const events: LogEvent[] = [];
    await readLogs(
      ["mail.log"],
      createLogParsers((e) => events.push(e)),
      options(),
    );
    const tls = events.filter((event) => event.type === "tls");
    // The repeat marker's two copies carry its own time and line.
    expect(tls.map((event) => [event.time, event.position.line])).toEqual([
      [at(7), 21],
      [at(8), 22],
      [at(8), 22],
      [at(9), 23],
    ]);
    expect(tls[0]).toMatchObject({
      direction: "outbound",
      position: { file: "mail.log" },
      peerHost: null,
      peerIp: null,
      protocol: null,
    });
  });
});
