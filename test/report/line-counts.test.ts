import { describe, expect, test } from "vitest";
import { painter } from "../../src/report/colour.js";
import { renderDiagnosisMarkdown } from "../../src/report/markdown.js";
import { renderDiagnosisText } from "../../src/report/text.js";
import { runCommand } from "../helpers/cli.js";
import { diagnoseText } from "../helpers/diagnose-text.js";
import { PostfixLog, T0 } from "../helpers/postfix-fixture.js";
import { temporaryFiles } from "../helpers/temporary-files.js";

const temporary = temporaryFiles();

/**
 * Builds a Postfix log of two messages, a blank line, a line without log framing, and one line
 * each of the given programs without a parser.
 */
function mixedLog(otherPrograms: readonly string[]): string {
  const log = new PostfixLog();
  log.submitHourly({ hours: 2 });
  otherPrograms.forEach((program, index) => {
    const stamp = new Date(T0 + index * 1000).toISOString().replace("Z", "+00:00");
    log.raw(T0 + index * 1000, `${stamp} mail ${program}[${String(100 + index)}]: started`);
  });
  return `${log.text()}\norphan text without a stamp\n`;
}

/** Joins the report's lines and indents into single spaces, for phrases that wrap. */
function flat(report: string): string {
  return report.replace(/\s+/g, " ");
}

/** Returns the `Read` sentence of a report, from "Read" to its full stop. */
function readSentence(report: string): string {
  const match = /Read 1 file: [^.]*\./.exec(flat(report));
  if (match === null) throw new Error(`no Read sentence in:\n${report}`);
  return match[0];
}

/** Returns the count before each label in a `Read` sentence, such as 12 for "12 parsed". */
function countOf(sentence: string, label: string): number {
  const match = new RegExp(`([\\d,]+) ${label}`).exec(sentence);
  if (match === null) throw new Error(`no "${label}" in: ${sentence}`);
  return Number((match[1] ?? "").replaceAll(",", ""));
}

describe("Read line", () => {
  test("adds up with other programs", async () => {
    const diagnosis = await diagnoseText(mixedLog(["spamd", "amavis"]));
    const sentence = readSentence(renderDiagnosisText(diagnosis, painter(false)));
    const parts =
      countOf(sentence, "parsed") +
      countOf(sentence, "ignored") +
      countOf(sentence, "of other programs") +
      countOf(sentence, "blank") +
      countOf(sentence, "skipped");

    expect(countOf(sentence, "lines")).toBe(14);
    expect(countOf(sentence, "of other programs")).toBe(2);
    expect(countOf(sentence, "blank")).toBe(1);
    expect(countOf(sentence, "skipped")).toBe(1);
    expect(parts).toBe(countOf(sentence, "lines"));
  });

  test("names records from repeat markers", async () => {
    const log = [
      "Jun  3 04:00:01 mail postfix/smtpd[300]: connect from unknown[192.0.2.5]",
      "Jun  3 04:00:01 mail last message repeated 3 times",
      "Jun  3 04:00:02 mail spamd[401]: clean message (0.1/5.0)",
      "Jun  3 04:00:07 mail kernel: [12345.678] eth0: link up",
      "Jun  3 04:00:07 mail --- last message repeated 2 times ---",
    ].join("\n");
    const diagnosis = await diagnoseText(`${log}\n`, { year: 2024 });
    const text = readSentence(renderDiagnosisText(diagnosis, painter(false)));
    const parts =
      countOf(text, "parsed") +
      countOf(text, "ignored") +
      countOf(text, "of other programs") +
      countOf(text, "blank") +
      countOf(text, "skipped");

    expect(text).toContain("5 lines (plus 3 records from repeat markers),");
    expect(parts).toBe(5 + 3);
    expect(diagnosis.input.repeatMarkerRecords).toBe(3);
    expect(diagnosis.input.otherPrograms).toEqual({ spamd: 1 });
    expect(readSentence(renderDiagnosisMarkdown(diagnosis))).toBe(text);
  });

  test("counts macOS colon markers", async () => {
    const log = [
      "Jun  3 04:00:01 mail postfix/smtpd[300]: connect from unknown[192.0.2.5]",
      "Jun  3 04:00:02: --- last message repeated 4 times ---",
      "Jun  3 04:00:03 mail spamd[401]: clean message (0.1/5.0)",
      "Jun  3 04:00:04: --- last message repeated 2 times ---",
    ].join("\n");
    const diagnosis = await diagnoseText(`${log}\n`, { year: 2024 });
    const text = readSentence(renderDiagnosisText(diagnosis, painter(false)));

    expect(text).toContain("4 lines (plus 4 records from repeat markers),");
    expect(countOf(text, "skipped")).toBe(0);
    expect(diagnosis.input.repeatMarkerRecords).toBe(3 + 1);
    expect(diagnosis.input.otherPrograms).toEqual({ spamd: 1 + 2 });
  });

  test("leaves out zero other programs", async () => {
    const diagnosis = await diagnoseText(mixedLog([]));
    const sentence = readSentence(renderDiagnosisText(diagnosis, painter(false)));

    expect(sentence).not.toContain("other programs");
    expect(sentence).not.toContain("copied");
  });

  test("Markdown matches the text report", async () => {
    const diagnosis = await diagnoseText(mixedLog(["spamd", "amavis"]));
    const text = readSentence(renderDiagnosisText(diagnosis, painter(false)));
    const markdown = readSentence(renderDiagnosisMarkdown(diagnosis));

    expect(markdown).toBe(text);
    expect(diagnosis.input.otherPrograms).toEqual({ amavis: 1, spamd: 1 });
  });

  test("logs command prints it too", async () => {
    const path = temporary.file(mixedLog(["spamd", "amavis"]), "mail.log");
    const diagnosis = await diagnoseText(mixedLog(["spamd", "amavis"]));
    const result = await runCommand(["logs", "--timezone", "UTC", path]);

    expect(result.code).toBe(0);
    expect(readSentence(result.stdout)).toBe(
      readSentence(renderDiagnosisText(diagnosis, painter(false))),
    );
    expect(flat(result.stdout)).toContain("Lines of other programs, not read: amavis 1, spamd 1.");
  });
});

describe("other programs list", () => {
  test("sums up the programs past six", async () => {
    const programs = ["p1", "p2", "p3", "p4", "p5", "p6", "p7", "p8"];
    const diagnosis = await diagnoseText(mixedLog(programs));
    const report = flat(renderDiagnosisText(diagnosis, painter(false)));

    expect(report).toContain(
      "Lines of other programs, not read: p1 1, p2 1, p3 1, p4 1, p5 1, p6 1, and 2 more programs with 2 lines.",
    );
    expect(countOf(readSentence(report), "of other programs")).toBe(8);
  });

  test("names a seventh program's line", async () => {
    const programs = ["p1", "p2", "p3", "p4", "p5", "p6", "p7"];
    const diagnosis = await diagnoseText(mixedLog(programs));
    const report = flat(renderDiagnosisText(diagnosis, painter(false)));

    expect(report).toContain("p6 1, and 1 more program with 1 line.");
  });
});

/** Returns a Postfix log of one deferral and two deliveries whose first block is appended again. */
function logWithCopiedBlock(): string {
  const block = [
    "Jun  3 04:00:01 mail postfix/qmgr[310]: 4A1B2C3D4E: from=<alice@example.com>, size=900, nrcpt=1 (queue active)",
    "Jun  3 04:00:02 mail postfix/smtp[320]: 4A1B2C3D4E: to=<bob@example.net>, relay=mx.example.net[192.0.2.25]:25, delay=1, delays=0/0/0.5/0.5, dsn=4.7.0, status=deferred (host mx.example.net[192.0.2.25] said: 421 4.7.0 Try again later (in reply to end of DATA command))",
    "Jun  3 04:20:02 mail postfix/smtp[321]: 4A1B2C3D4E: to=<bob@example.net>, relay=mx.example.net[192.0.2.25]:25, delay=1201, delays=1200/0/0.5/0.5, dsn=2.0.0, status=sent (250 2.0.0 OK)",
    "Jun  3 04:20:02 mail postfix/qmgr[310]: 4A1B2C3D4E: removed",
  ];
  const later =
    "Jun  3 05:00:00 mail postfix/smtp[330]: 4A1B2C3D4E: to=<carol@example.net>, relay=mx.example.net[192.0.2.25]:25, delay=1, delays=0/0/0.5/0.5, dsn=2.0.0, status=sent (250 2.0.0 OK)";
  return `${[...block, later, ...block].join("\n")}\n`;
}

/**
 * Returns a log of the hosts mx1 and mx2, whose clock is 11 minutes behind mx1's. Each line of
 * mx2 after one of mx1 is dated more than 10 minutes earlier, and mx2 writes its connect line
 * twice in one second, with lines of both hosts between the two.
 */
function skewedHostsLog(): string {
  const lines = [
    "Jun  3 04:11:00 mx1 postfix/smtpd[100]: connect from unknown[192.0.2.9]",
    "Jun  3 04:00:00 mx2 postfix/smtpd[200]: warning: hostname a.example.org does not resolve to address 192.0.2.10",
    "Jun  3 04:00:00 mx2 postfix/smtpd[200]: connect from unknown[192.0.2.10]",
    "Jun  3 04:11:00 mx1 postfix/smtpd[100]: disconnect from unknown[192.0.2.9]",
    "Jun  3 04:00:00 mx2 postfix/smtpd[200]: warning: hostname b.example.org does not resolve to address 192.0.2.10",
    "Jun  3 04:00:00 mx2 postfix/smtpd[200]: connect from unknown[192.0.2.10]",
  ];
  return `${lines.join("\n")}\n`;
}

/**
 * Returns a log of the hosts mx1 and mx2, 11 minutes apart, in which mx1 appends its block of
 * one deferral, one delivery and their queue lines again while mx2 logs new lines.
 */
function skewedHostsLogWithCopiedBlock(): string {
  const block = [
    "Jun  3 04:11:01 mx1 postfix/qmgr[310]: 4A1B2C3D4E: from=<alice@example.com>, size=900, nrcpt=1 (queue active)",
    "Jun  3 04:11:02 mx1 postfix/smtp[320]: 4A1B2C3D4E: to=<bob@example.net>, relay=mx.example.net[192.0.2.25]:25, delay=1, delays=0/0/0.5/0.5, dsn=4.7.0, status=deferred (host mx.example.net[192.0.2.25] said: 421 4.7.0 Try again later (in reply to end of DATA command))",
    "Jun  3 04:31:02 mx1 postfix/smtp[321]: 4A1B2C3D4E: to=<bob@example.net>, relay=mx.example.net[192.0.2.25]:25, delay=1201, delays=1200/0/0.5/0.5, dsn=2.0.0, status=sent (250 2.0.0 OK)",
    "Jun  3 04:31:02 mx1 postfix/qmgr[310]: 4A1B2C3D4E: removed",
  ];
  const mx2 = (stamp: string, pid: number, message: string) =>
    `Jun  3 ${stamp} mx2 postfix/smtpd[${String(pid)}]: ${message}`;
  const lines = [
    block[0],
    mx2("04:00:02", 200, "connect from unknown[192.0.2.10]"),
    block[1],
    mx2("04:00:03", 200, "disconnect from unknown[192.0.2.10]"),
    block[2],
    block[3],
    mx2("04:20:03", 201, "connect from unknown[192.0.2.11]"),
    "Jun  3 05:11:00 mx1 postfix/smtp[330]: 5B2C3D4E5F: to=<carol@example.net>, relay=mx.example.net[192.0.2.25]:25, delay=1, delays=0/0/0.5/0.5, dsn=2.0.0, status=sent (250 2.0.0 OK)",
    mx2("05:00:00", 202, "connect from unknown[192.0.2.12]"),
    block[0],
    mx2("05:00:01", 202, "disconnect from unknown[192.0.2.12]"),
    block[1],
    block[2],
    mx2("05:00:02", 203, "connect from unknown[192.0.2.10]"),
    block[3],
  ];
  return `${lines.join("\n")}\n`;
}

describe("exact repeats", () => {
  test("Read line counts dropped copies", async () => {
    const diagnosis = await diagnoseText(logWithCopiedBlock(), { year: 2024 });
    const sentence = readSentence(renderDiagnosisText(diagnosis, painter(false)));
    const parts =
      countOf(sentence, "parsed") +
      countOf(sentence, "ignored") +
      countOf(sentence, "dropped as exact repeats") +
      countOf(sentence, "blank") +
      countOf(sentence, "skipped");

    expect(countOf(sentence, "lines")).toBe(9);
    expect(countOf(sentence, "dropped as exact repeats")).toBe(4);
    expect(parts).toBe(9);
    expect(diagnosis.input.exactRepeatLines).toBe(4);
    expect(diagnosis.input.records).toBe(5);
    expect(readSentence(renderDiagnosisMarkdown(diagnosis))).toBe(sentence);
  });

  test("notes the file and no step", async () => {
    const diagnosis = await diagnoseText(logWithCopiedBlock(), { year: 2024 });
    const notes = diagnosis.input.notes.join("\n");

    expect(notes).toContain("contains some lines more than once");
    expect(notes).toContain("4 lines repeated an earlier line exactly");
    expect(notes).not.toContain("the time goes back");
  });

  test("logs JSON counts each delivery once", async () => {
    const path = temporary.file(logWithCopiedBlock(), "mail.log");
    const result = await runCommand([
      "logs",
      "--timezone",
      "UTC",
      "--year",
      "2024",
      "--format",
      "json",
      path,
    ]);
    const report = JSON.parse(result.stdout) as {
      input: { exactRepeatLines: number };
      providers: Record<string, { sent: number; deferred: number }>;
    };
    const other = report.providers["other"];

    expect(result.code).toBe(0);
    expect(report.input.exactRepeatLines).toBe(4);
    expect(other?.sent).toBe(2);
    expect(other?.deferred).toBe(1);
  });

  test("skewed hosts keep equal lines", async () => {
    const diagnosis = await diagnoseText(skewedHostsLog(), { year: 2024 });

    expect(diagnosis.input.exactRepeatLines).toBe(0);
    expect(diagnosis.input.records).toBe(6);
    expect(diagnosis.input.notes.join("\n")).not.toContain("contains some lines more than once");
  });

  test("skewed hosts drop one host's block", async () => {
    const path = temporary.file(skewedHostsLogWithCopiedBlock(), "mail.log");
    const result = await runCommand([
      "logs",
      "--timezone",
      "UTC",
      "--year",
      "2024",
      "--format",
      "json",
      path,
    ]);
    const report = JSON.parse(result.stdout) as {
      input: { exactRepeatLines: number; records: number };
      providers: Record<string, { sent: number; deferred: number }>;
    };
    const other = report.providers["other"];

    expect(result.code).toBe(0);
    expect(report.input.exactRepeatLines).toBe(4);
    expect(report.input.records).toBe(11);
    expect(other?.sent).toBe(2);
    expect(other?.deferred).toBe(1);
  });

  test("log without step keeps equal lines", async () => {
    const line =
      "Jun  3 04:00:02 mail postfix/smtpd[320]: NOQUEUE: reject: RCPT from unknown[192.0.2.9]: 554 5.7.1 <x@example.com>: Relay access denied; from=<a@example.org> to=<x@example.com> proto=ESMTP helo=<example.org>";
    const diagnosis = await diagnoseText(`${line}\n${line}\n`, { year: 2024 });

    expect(diagnosis.input.exactRepeatLines).toBe(0);
    expect(diagnosis.input.records).toBe(2);
  });
});
