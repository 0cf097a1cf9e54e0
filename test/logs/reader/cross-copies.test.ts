import { Readable } from "node:stream";
import { gzipSync } from "node:zlib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { LogEvent } from "../../../src/logs/events.js";
import { createLogParsers } from "../../../src/logs/parsers.js";
import { readLogs } from "../../../src/logs/pipeline.js";
import { RecordFingerprints } from "../../../src/logs/reader/cross-copies.js";
import type { ReadSummary, ReadTotals } from "../../../src/logs/reader/summary.js";
import type { LogRecord } from "../../../src/logs/record.js";
import { resolveTimeZone } from "../../../src/time/zone.js";
import { eximLogIn, eximMainLines } from "../../helpers/exim-shapes.js";
import { GMAIL_RATE_LIMIT, HOUR, PostfixLog, T0 } from "../../helpers/postfix-fixture.js";
import { makeTempDir, type TempDir } from "./temp-dir.js";

let dir: TempDir;
beforeEach(async () => {
  dir = await makeTempDir();
});
afterEach(async () => {
  await dir.remove();
});

interface Read {
  readonly summary: ReadSummary;
  readonly events: LogEvent[];
}

async function read(inputs: readonly string[], stdinText?: string): Promise<Read> {
  const events: LogEvent[] = [];
  const parsers = createLogParsers((event) => events.push(event));
  const summary = await readLogs(inputs, parsers, {
    timeZone: resolveTimeZone("UTC"),
    year: 2024,
    cwd: dir.path,
    stdin: stdinText === undefined ? undefined : Readable.from([Buffer.from(stdinText)]),
  });
  return { summary, events };
}

function copiedLinesOf(summary: ReadSummary): Record<string, number> {
  return Object.fromEntries(summary.inputs.map((input) => [input.name, input.copiedLines]));
}

function deliveries(events: readonly LogEvent[]): number {
  return events.filter((event) => event.type === "delivery").length;
}

function expectTotalsAddUp(totals: ReadTotals): void {
  const { parsed, ignored, unparsed, withoutParser, copiedLines } = totals;
  expect(parsed + ignored + unparsed + withoutParser + copiedLines).toBe(totals.records);
}

// One line of `PostfixLog`: `<RFC 3339 stamp> <host> <program>[<pid>]: <message>`.
interface FixtureLine {
  readonly time: number;
  readonly host: string;
  readonly program: string;
  readonly pid: number;
  readonly message: string;
}

const FIXTURE_LINE = /^(\S+) (\S+) ([^[\s]+)\[(\d+)\]: (.*)$/;

function linesOf(log: PostfixLog): FixtureLine[] {
  return log
    .text()
    .trimEnd()
    .split("\n")
    .map((text) => {
      const match = FIXTURE_LINE.exec(text);
      if (match === null) throw new Error(`unexpected fixture line: ${text}`);
      const [, stamp, host, program, pid, message] = match as unknown as string[];
      return {
        time: Date.parse(stamp as string),
        host: host as string,
        program: program as string,
        pid: Number(pid),
        message: message as string,
      };
    });
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

// A classic syslog stamp: `Mar  4 09:04:08`.
function classicStamp(time: number): string {
  const date = new Date(time);
  const day = String(date.getUTCDate()).padStart(2, " ");
  const clock = date.toISOString().slice(11, 19);
  return `${MONTHS[date.getUTCMonth()] ?? ""} ${day} ${clock}`;
}

// The classic syslog shape of /var/log/mail.log: `Mar  4 09:04:08 host program[pid]: text`.
function classicText(lines: readonly FixtureLine[]): string {
  return lines
    .map((line) => {
      const stamp = classicStamp(line.time);
      return `${stamp} ${line.host} ${line.program}[${line.pid}]: ${line.message}\n`;
    })
    .join("");
}

// The shape of `journalctl --no-hostname` and of `docker logs` of a Postfix that logs no host:
// `Mar  4 09:04:08 program[pid]: text`.
function hostlessText(lines: readonly FixtureLine[]): string {
  return lines
    .map((line) => `${classicStamp(line.time)} ${line.program}[${line.pid}]: ${line.message}\n`)
    .join("");
}

// The shape of `journalctl -o short-iso-precise`, each time `fractionMs` after its second.
function preciseText(lines: readonly FixtureLine[], fractionMs: number): string {
  return lines
    .map((line) => {
      const stamp = new Date(line.time + fractionMs).toISOString().replace("Z", "+00:00");
      return `${stamp} ${line.host} ${line.program}[${line.pid}]: ${line.message}\n`;
    })
    .join("");
}

// The shape of `journalctl -u postfix -o json`, each time `fractionMs` after its second.
function journalText(lines: readonly FixtureLine[], fractionMs: number): string {
  return lines
    .map((line) => {
      const entry = {
        __REALTIME_TIMESTAMP: String((line.time + fractionMs) * 1000 + 123),
        _HOSTNAME: line.host,
        SYSLOG_IDENTIFIER: line.program,
        SYSLOG_PID: String(line.pid),
        _SYSTEMD_UNIT: "postfix@-.service",
        MESSAGE: line.message,
      };
      return `${JSON.stringify(entry)}\n`;
    })
    .join("");
}

// Twelve hours of one deferred Gmail message an hour, and one failed login an hour.
function serverLines(host = "mx1"): FixtureLine[] {
  const log = new PostfixLog(host);
  log.submitHourly({ hours: 12, outcome: GMAIL_RATE_LIMIT });
  for (let hour = 0; hour < 12; hour++) {
    log.authFailure(T0 + hour * HOUR + 20 * 60_000, `198.51.100.${hour + 20}`, "bob");
  }
  return linesOf(log);
}

const WARNING = /warning:/;
const QUEUE_ID = /^[0-9A-F]{6,}: /;

describe("copies across inputs", () => {
  it("leaves out a journal JSON copy of mail.log", async () => {
    const lines = serverLines();
    await dir.write("mail.log", classicText(lines));
    await dir.write("postfix.json", journalText(lines, 596));

    const { summary, events } = await read(["mail.log", "postfix.json"]);

    expect(copiedLinesOf(summary)).toEqual({ "mail.log": 0, "postfix.json": lines.length });
    expect(deliveries(events)).toBe(12);
    expect(summary.copiedInputs).toHaveLength(1);
    expect(summary.copiedInputs[0]?.earlierInputs).toEqual(["mail.log"]);
    expect(summary.copiedInputs[0]?.mtas).toEqual(["postfix"]);
    expectTotalsAddUp(summary.totals);
  });

  it("matches rsyslog #011 to journal tabs", async () => {
    // A tab in each warning, as a header_checks warning quotes a folded header.
    const lines = serverLines().map((line) =>
      WARNING.test(line.message) ? { ...line, message: `${line.message}\tfolded` } : line,
    );
    const escaped = lines.map((line) => ({ ...line, message: line.message.replace("\t", "#011") }));
    await dir.write("mail.log", classicText(escaped));
    await dir.write("postfix.json", journalText(lines, 596));

    const { summary, events } = await read(["mail.log", "postfix.json"]);

    expect(lines.filter((line) => line.message.includes("\t"))).toHaveLength(12);
    expect(copiedLinesOf(summary)).toEqual({ "mail.log": 0, "postfix.json": lines.length });
    expect(deliveries(events)).toBe(12);
    expectTotalsAddUp(summary.totals);
  });

  it("keeps a #011 line without a tab copy", async () => {
    const lines = serverLines();
    const escaped = lines.map((line) =>
      WARNING.test(line.message) ? { ...line, message: `${line.message}#011folded` } : line,
    );
    await dir.write("mail.log", classicText(escaped));
    await dir.write("postfix.json", journalText(lines, 596));

    const { summary } = await read(["mail.log", "postfix.json"]);

    expect(copiedLinesOf(summary)).toEqual({ "mail.log": 0, "postfix.json": lines.length - 12 });
  });

  it("leaves out a journal JSON copy on standard input", async () => {
    const lines = serverLines();
    await dir.write("mail.log", classicText(lines));

    const { summary, events } = await read(["mail.log", "-"], journalText(lines, 250));

    expect(copiedLinesOf(summary)).toEqual({ "mail.log": 0, "-": lines.length });
    expect(deliveries(events)).toBe(12);
  });

  it("leaves out a container log copy of any name", async () => {
    const lines = serverLines("mail");
    const supervisor = "2024-03-04 00:00:00,123 INFO supervisord started with pid 1\n";
    await dir.write("mail.log", classicText(lines));
    await dir.write("docker-logs.txt", supervisor + classicText(lines));

    const { summary, events } = await read(["mail.log", "docker-logs.txt"]);

    expect(copiedLinesOf(summary)).toEqual({ "mail.log": 0, "docker-logs.txt": lines.length });
    expect(deliveries(events)).toBe(12);
    expectTotalsAddUp(summary.totals);
  });

  it("leaves out mail.warn lines that mail.info contains", async () => {
    const lines = serverLines();
    const warnings = lines.filter((line) => WARNING.test(line.message));
    await dir.write("mail.info", classicText(lines));
    await dir.write("mail.warn", classicText(warnings));

    const alone = await read(["mail.info"]);
    const both = await read(["mail.info", "mail.warn"]);

    expect(warnings).toHaveLength(12);
    expect(copiedLinesOf(both.summary)).toEqual({ "mail.info": 0, "mail.warn": 12 });
    expect(both.summary.totals.parsed).toBe(alone.summary.totals.parsed);
    expect(both.summary.totals.ignored).toBe(alone.summary.totals.ignored);
    expect(both.summary.copiedInputs[0]?.earlierInputs).toEqual(["mail.info"]);
  });

  it("leaves out a copy with fractional seconds", async () => {
    const lines = serverLines();
    await dir.write("mail.log", classicText(lines));
    await dir.write("messages", preciseText(lines, 710));

    const { summary, events } = await read(["mail.log", "messages"]);

    expect(copiedLinesOf(summary)).toEqual({ "mail.log": 0, messages: lines.length });
    expect(deliveries(events)).toBe(12);
  });

  it("keeps a second machine of the same name", async () => {
    const lines = serverLines("mail");
    // The other container writes the same kind of mail at the same times, under other
    // queue ids and pids.
    const other = lines.map((line) => ({
      ...line,
      pid: line.pid + 5000,
      message: line.message.replace(/^00000/, "0000A"),
    }));
    await dir.write("mail.log", classicText(lines));
    await dir.write("docker-logs.txt", classicText(other));

    const alone = await read(["mail.log"]);
    const { summary, events } = await read(["mail.log", "docker-logs.txt"]);

    expect(other[0]?.message).not.toBe(lines[0]?.message);
    expect(copiedLinesOf(summary)).toEqual({ "mail.log": 0, "docker-logs.txt": 0 });
    expect(deliveries(events)).toBe(24);
    expect(summary.totals.parsed).toBe(2 * alone.summary.totals.parsed);
    expect(summary.totals.ignored).toBe(2 * alone.summary.totals.ignored);
  });

  it("leaves out a host-less copy of mail.log", async () => {
    const lines = serverLines("mail");
    const withId = lines.filter((line) => QUEUE_ID.test(line.message));
    await dir.write("mail.log", classicText(lines));
    await dir.write("docker-logs.txt", hostlessText(lines));

    const alone = await read(["mail.log"]);
    const { summary, events } = await read(["mail.log", "docker-logs.txt"]);

    expect(withId.length).toBeGreaterThan(0);
    expect(withId.length).toBeLessThan(lines.length);
    expect(copiedLinesOf(summary)).toEqual({ "mail.log": 0, "docker-logs.txt": withId.length });
    expect(deliveries(events)).toBe(12);
    expect(summary.totals.parsed).toBe(alone.summary.totals.parsed + lines.length - withId.length);
    expectTotalsAddUp(summary.totals);
  });

  it("leaves out a named copy of a host-less log", async () => {
    const lines = serverLines("mail");
    const withId = lines.filter((line) => QUEUE_ID.test(line.message));
    await dir.write("docker-logs.txt", hostlessText(lines));
    await dir.write("postfix.json", journalText(lines, 300));

    const { summary, events } = await read(["docker-logs.txt", "postfix.json"]);

    expect(copiedLinesOf(summary)).toEqual({ "docker-logs.txt": 0, "postfix.json": withId.length });
    expect(deliveries(events)).toBe(12);
    expectTotalsAddUp(summary.totals);
  });

  it("leaves out a journal copy of an Exim main log", async () => {
    const lines = eximMainLines();
    await dir.write("mainlog", eximLogIn("mainlog", lines));
    await dir.write("exim.json", eximLogIn("journalctl -o json", lines));

    const alone = await read(["mainlog"]);
    const { summary } = await read(["mainlog", "exim.json"]);

    expect(copiedLinesOf(summary)).toEqual({ mainlog: 0, "exim.json": lines.length });
    expect(summary.totals.parsed).toBe(alone.summary.totals.parsed);
    expectTotalsAddUp(summary.totals);
  });

  it("keeps a host-less second machine", async () => {
    const lines = serverLines("mail");
    const other = lines.map((line) => ({
      ...line,
      pid: line.pid + 5000,
      message: line.message.replace(/^00000/, "0000A"),
    }));
    await dir.write("mail.log", classicText(lines));
    await dir.write("docker-logs.txt", hostlessText(other));

    const { summary, events } = await read(["mail.log", "docker-logs.txt"]);

    expect(copiedLinesOf(summary)).toEqual({ "mail.log": 0, "docker-logs.txt": 0 });
    expect(deliveries(events)).toBe(24);
  });

  it("keeps id lines of another host name", async () => {
    const lines = serverLines("mx1");
    const renamed = lines.map((line) => ({ ...line, host: "mx2" }));
    await dir.write("mx1.log", classicText(lines));
    await dir.write("mx2.log", classicText(renamed));

    const { summary, events } = await read(["mx1.log", "mx2.log"]);

    expect(copiedLinesOf(summary)).toEqual({ "mx1.log": 0, "mx2.log": 0 });
    expect(deliveries(events)).toBe(24);
  });

  it("leaves out id lines a second late", async () => {
    const lines = serverLines();
    const withId = lines.filter((line) => QUEUE_ID.test(line.message));
    await dir.write("mail.log", classicText(lines));
    await dir.write("postfix.json", journalText(lines, 1500));

    const { summary, events } = await read(["mail.log", "postfix.json"]);

    expect(copiedLinesOf(summary)).toEqual({ "mail.log": 0, "postfix.json": withId.length });
    expect(deliveries(events)).toBe(12);
    expectTotalsAddUp(summary.totals);
  });

  it("notes a copy an hour later", async () => {
    const lines = serverLines();
    const shifted = lines.map((line) => ({ ...line, time: line.time + HOUR }));
    await dir.write("mail.log", classicText(lines));
    await dir.write("relay.log", classicText(shifted));

    const { summary, events } = await read(["mail.log", "relay.log"]);

    const relay = summary.inputs.find((input) => input.name === "relay.log");
    const notes = relay?.notes.filter((note) => note.includes("another time zone")) ?? [];
    expect(copiedLinesOf(summary)).toEqual({ "mail.log": 0, "relay.log": 0 });
    expect(deliveries(events)).toBe(24);
    expect(notes).toHaveLength(1);
    expect(notes[0]).toContain("relay.log repeats lines of mail.log");
    expect(notes[0]).toContain("1 hour later");
    expect(notes[0]).toContain("with the same queue id, pid and text,");
  });

  it("notes an Exim copy without pid", async () => {
    const lines = eximMainLines();
    const shifted = lines.map((line) => ({ ...line, seconds: line.seconds + 330 * 60 }));
    await dir.write("mainlog", eximLogIn("mainlog", lines));
    await dir.write("mainlog-relay", eximLogIn("mainlog", shifted));

    const { summary } = await read(["mainlog", "mainlog-relay"]);

    const relay = summary.inputs.find((input) => input.name === "mainlog-relay");
    const notes = relay?.notes.filter((note) => note.includes("another time zone")) ?? [];
    expect(notes).toHaveLength(1);
    expect(notes[0]).toContain("mainlog-relay repeats lines of mainlog");
    expect(notes[0]).toContain("with the same Exim message id and text,");
    expect(notes[0]).toContain("5 hours 30 minutes later");
    expect(notes[0]).not.toContain("pid");
  });

  it.each([
    ["+05:30", 330, "5 hours 30 minutes later"],
    ["+05:45", 345, "5 hours 45 minutes later"],
    ["+09:30", 570, "9 hours 30 minutes later"],
    ["-03:30", -210, "3 hours 30 minutes earlier"],
    ["+00:45", 45, "45 minutes later"],
  ])("notes a copy written in %s", async (_zone, minutes, offsetText) => {
    const lines = serverLines();
    const shifted = lines.map((line) => ({ ...line, time: line.time + minutes * 60_000 }));
    await dir.write("mail.log", classicText(lines));
    await dir.write("relay.log", classicText(shifted));

    const { summary, events } = await read(["mail.log", "relay.log"]);

    const relay = summary.inputs.find((input) => input.name === "relay.log");
    const notes = relay?.notes.filter((note) => note.includes("another time zone")) ?? [];
    expect(deliveries(events)).toBe(24);
    expect(notes).toHaveLength(1);
    expect(notes[0]).toContain(`, ${offsetText} (`);
  });

  it("notes no offset for a plain copy", async () => {
    const lines = serverLines();
    await dir.write("mail.log", classicText(lines));
    await dir.write("postfix.json", journalText(lines, 200));
    await dir.write("mx2.log", classicText(serverLines("mx2")));

    const { summary } = await read(["mail.log", "postfix.json", "mx2.log"]);

    const notes = summary.inputs.flatMap((input) => input.notes);
    expect(notes.filter((note) => note.includes("another time zone"))).toEqual([]);
  });

  it("leaves out a copy with cut tags", async () => {
    const lines = serverLines();
    const cut = lines.map((line) => ({ ...line, program: "postfix" }));
    await dir.write("mail.log", classicText(lines));
    await dir.write("cut-tags.log", classicText(cut));

    const alone = await read(["mail.log"]);
    const { summary, events } = await read(["mail.log", "cut-tags.log"]);

    expect(lines.some((line) => line.program !== "postfix")).toBe(true);
    expect(copiedLinesOf(summary)).toEqual({ "mail.log": 0, "cut-tags.log": lines.length });
    expect(deliveries(events)).toBe(12);
    expect(summary.totals.parsed).toBe(alone.summary.totals.parsed);
    expectTotalsAddUp(summary.totals);
  });

  it("leaves out quiet lines with cut tags", async () => {
    const lines = quietLines();
    const cut = lines.map((line) => ({ ...line, program: "postfix" }));
    await dir.write("mail.log", classicText(lines));
    await dir.write("cut-tags.log", classicText(cut));

    const { summary } = await read(["mail.log", "cut-tags.log"]);

    expect(copiedLinesOf(summary)).toEqual({ "mail.log": 0, "cut-tags.log": lines.length });
    expectTotalsAddUp(summary.totals);
  });

  it("keeps lines that one input repeats itself", async () => {
    const lines = serverLines();
    const warning = lines.find((line) => WARNING.test(line.message));
    if (warning === undefined) throw new Error("no warning in the fixture");
    const mailLog = classicText([...lines, warning].sort((a, b) => a.time - b.time));
    await dir.write("mail.log", mailLog);
    await dir.write("other.log", classicText(serverLines("mx2")));

    const mailLogAlone = await read(["mail.log"]);
    const otherAlone = await read(["other.log"]);
    const both = await read(["mail.log", "other.log"]);

    expect(copiedLinesOf(both.summary)).toEqual({ "mail.log": 0, "other.log": 0 });
    const mailLogTotals = mailLogAlone.summary.totals;
    const otherTotals = otherAlone.summary.totals;
    expect(both.summary.totals.parsed).toBe(mailLogTotals.parsed + otherTotals.parsed);
    expect(both.summary.totals.ignored).toBe(mailLogTotals.ignored + otherTotals.ignored);
  });

  it("reads a rotated set once, with and without a copy", async () => {
    const lines = serverLines();
    const parts = [0, 1, 2].map((part) =>
      lines.filter((line) => Math.floor((line.time - T0) / (4 * HOUR)) === part),
    );
    const [oldest = [], older = [], newest = []] = parts;
    await dir.write("mail.log.2.gz", gzipSync(classicText(oldest)), T0 + 4 * HOUR);
    await dir.write("mail.log.1", classicText(older), T0 + 8 * HOUR);
    await dir.write("mail.log", classicText(newest), T0 + 12 * HOUR);
    await dir.write("postfix.json", journalText(lines, 10));
    const rotated = ["mail.log.2.gz", "mail.log.1", "mail.log"];

    const alone = await read(rotated);
    const withCopy = await read([...rotated, "postfix.json"]);

    expect(oldest.length + older.length + newest.length).toBe(lines.length);
    expect(alone.summary.totals.copiedLines).toBe(0);
    expect(alone.summary.totals.records).toBe(lines.length);
    expect(deliveries(alone.events)).toBe(12);
    expect(copiedLinesOf(withCopy.summary)).toEqual({
      "mail.log.2.gz": 0,
      "mail.log.1": 0,
      "mail.log": 0,
      "postfix.json": lines.length,
    });
    expect(withCopy.summary.totals.parsed).toBe(alone.summary.totals.parsed);
    expect(withCopy.summary.copiedInputs[0]?.earlierInputs).toEqual(rotated);
  });

  it("leaves out a rotated file's overlap", async () => {
    const lines = serverLines();
    const older = lines.filter((line) => line.time < T0 + 8 * HOUR);
    // `mail.log.1` starts with the last four hours of `mail.log.2.gz`.
    const overlap = older.filter((line) => line.time >= T0 + 4 * HOUR);
    const newer = lines.filter((line) => line.time >= T0 + 8 * HOUR);
    await dir.write("mail.log.2.gz", gzipSync(classicText(older)), T0 + 8 * HOUR);
    await dir.write("mail.log.1", classicText([...overlap, ...newer]), T0 + 12 * HOUR);
    await dir.write("whole.log", classicText(lines));

    const rotated = await read(["mail.log.1", "mail.log.2.gz"]);
    const whole = await read(["whole.log"]);

    expect(overlap.length).toBeGreaterThan(0);
    expect(copiedLinesOf(rotated.summary)).toEqual({
      "mail.log.2.gz": 0,
      "mail.log.1": overlap.length,
    });
    expect(rotated.summary.copiedInputs[0]?.earlierInputs).toEqual(["mail.log.2.gz"]);
    expect(rotated.summary.totals.parsed).toBe(whole.summary.totals.parsed);
    expect(deliveries(rotated.events)).toBe(12);
    expectTotalsAddUp(rotated.summary.totals);
  });

  it("leaves out an overlap with a later mtime year", async () => {
    const lines = serverLines();
    const older = lines.filter((line) => line.time < T0 + 8 * HOUR);
    const overlap = older.filter((line) => line.time >= T0 + 6 * HOUR);
    const newer = lines.filter((line) => line.time >= T0 + 8 * HOUR);
    // A copy of `mail.log.1` made a year later: its own mtime dates its first line in 2025,
    // while the read dates the whole set in 2024.
    const yearLater = T0 + 12 * HOUR + 365 * 24 * HOUR;
    await dir.write("mail.log.2.gz", gzipSync(classicText(older)), T0 + 8 * HOUR);
    await dir.write("mail.log.1", classicText([...overlap, ...newer]), yearLater);

    const rotated = await read(["mail.log.2.gz", "mail.log.1"]);

    expect(overlap.length).toBeGreaterThan(0);
    expect(copiedLinesOf(rotated.summary)).toEqual({
      "mail.log.2.gz": 0,
      "mail.log.1": overlap.length,
    });
    expect(deliveries(rotated.events)).toBe(12);
  });

  it("keeps a rotated file's lines after the overlap", async () => {
    const lines = serverLines();
    const older = lines.filter((line) => line.time < T0 + 6 * HOUR);
    const newer = lines.filter((line) => line.time >= T0 + 6 * HOUR);
    const last = older.at(-1);
    if (last === undefined) throw new Error("no lines in the fixture");
    // The same text one hour after the last line of `mail.log.1` is a new line.
    const later = { ...last, time: last.time + HOUR };
    const sorted = [...newer, later].sort((a, b) => a.time - b.time);
    await dir.write("mail.log.1", classicText(older), T0 + 6 * HOUR);
    await dir.write("mail.log", classicText(sorted), T0 + 12 * HOUR);

    const { summary } = await read(["mail.log", "mail.log.1"]);

    expect(summary.totals.copiedLines).toBe(0);
    expect(summary.totals.records).toBe(lines.length + 1);
  });

  it("reads the lines after the copied period", async () => {
    const lines = serverLines();
    const firstHalf = lines.filter((line) => line.time < T0 + 6 * HOUR);
    await dir.write("mail.log", classicText(firstHalf));
    await dir.write("postfix.json", journalText(lines, 400));

    const { summary, events } = await read(["mail.log", "postfix.json"]);

    expect(copiedLinesOf(summary)).toEqual({ "mail.log": 0, "postfix.json": firstHalf.length });
    expect(deliveries(events)).toBe(12);
  });
});

// One smtpd and one smtp session around a delivery. In a classic syslog file, the framer
// counts all lines but the first and the delivery without records.
function quietLines(): FixtureLine[] {
  const smtpd = { host: "mx1", program: "postfix/smtpd", pid: 4100 };
  const smtp = { host: "mx1", program: "postfix/smtp", pid: 4200 };
  const tls =
    "Trusted TLS connection established to mx.example.com[192.0.2.25]:25: TLSv1.3 with " +
    "cipher TLS_AES_256_GCM_SHA384 (256/256 bits)";
  return [
    { ...smtpd, time: T0, message: "connect from client.example.net[192.0.2.10]" },
    {
      ...smtpd,
      time: T0 + 1000,
      message: "Anonymous TLS connection established from client.example.net[192.0.2.10]",
    },
    { ...smtp, time: T0 + 2000, message: tls },
    {
      ...smtp,
      time: T0 + 3000,
      message:
        "4B2C1D0A01: to=<user@example.com>, relay=mx.example.com[192.0.2.25]:25, " +
        "delay=1.2, delays=0.1/0/0.5/0.6, dsn=2.0.0, status=sent (250 2.0.0 OK)",
    },
    { ...smtpd, time: T0 + 4000, message: "disconnect from client.example.net[192.0.2.10]" },
  ];
}

describe("quiet lines across inputs", () => {
  it("leaves out quiet mail.log lines a journal has", async () => {
    const lines = quietLines();
    await dir.write("postfix.json", journalText(lines, 300));
    await dir.write("mail.log", classicText(lines));

    const alone = await read(["postfix.json"]);
    const { summary } = await read(["postfix.json", "mail.log"]);

    expect(copiedLinesOf(summary)).toEqual({ "postfix.json": 0, "mail.log": lines.length });
    expect(summary.totals.parsed).toBe(alone.summary.totals.parsed);
    expect(summary.totals.ignored).toBe(alone.summary.totals.ignored);
    expectTotalsAddUp(summary.totals);
  });

  it("leaves out journal copies of quiet lines", async () => {
    const lines = quietLines();
    await dir.write("mail.log", classicText(lines));
    await dir.write("postfix.json", journalText(lines, 300));

    const alone = await read(["mail.log"]);
    const { summary } = await read(["mail.log", "postfix.json"]);

    expect(copiedLinesOf(summary)).toEqual({ "mail.log": 0, "postfix.json": lines.length });
    expect(summary.totals.parsed).toBe(alone.summary.totals.parsed);
    expect(summary.totals.ignored).toBe(alone.summary.totals.ignored);
    expectTotalsAddUp(summary.totals);
  });

  it("compares repeat marker copies of quiet lines", async () => {
    const lines = quietLines();
    const disconnect = lines.at(-1);
    if (disconnect === undefined) throw new Error("no disconnect line in the fixture");
    // The marker repeats the disconnect line twice, dated as the marker.
    const later = { ...disconnect, time: T0 + 10_000 };
    await dir.write("postfix.json", journalText([...lines, later, later], 0));
    const marker = `${classicStamp(later.time)} mx1 last message repeated 2 times\n`;
    await dir.write("mail.log", classicText(lines) + marker);

    const { summary } = await read(["postfix.json", "mail.log"]);

    expect(summary.totals.repeatMarkerRecords).toBe(1);
    expect(copiedLinesOf(summary)).toEqual({ "postfix.json": 0, "mail.log": lines.length + 2 });
    expectTotalsAddUp(summary.totals);
  });
});

function record(fields: Partial<LogRecord>): LogRecord {
  return {
    time: T0,
    host: "mx1",
    program: "postfix/smtp",
    pid: 2001,
    message: "4B2C1D0A01: to=<user@example.com>, status=sent",
    file: "mail.log",
    line: 1,
    syslogHeader: true,
    ...fields,
  };
}

describe("RecordFingerprints", () => {
  it("finds a record of an earlier file set", () => {
    const fingerprints = new RecordFingerprints(2);
    fingerprints.startInput("mail.log", true);
    expect(fingerprints.earlierCopy(record({}), "postfix")).toBeNull();
    fingerprints.startInput("postfix.json", true);

    expect(fingerprints.earlierCopy(record({ time: T0 + 999 }), "postfix")).toBe("mail.log");
    expect(fingerprints.earlierCopy(record({ time: T0 + 2000 }), "postfix")).toBeNull();
    expect(fingerprints.earlierCopy(record({ host: "mx2" }), "postfix")).toBeNull();
    expect(fingerprints.earlierCopy(record({ pid: 2002 }), "postfix")).toBeNull();
    expect(fingerprints.earlierCopy(record({ program: "exim" }), "exim")).toBeNull();
    expect(
      fingerprints.earlierCopy(record({ message: "4B2C1D0A02: removed" }), "postfix"),
    ).toBeNull();
  });

  it("finds id lines in the neighbouring second", () => {
    const fingerprints = new RecordFingerprints(2);
    const noId = { message: "connect from client.example.net[192.0.2.10]" };
    fingerprints.startInput("mail.log", true);
    expect(fingerprints.earlierCopy(record({}), "postfix")).toBeNull();
    expect(fingerprints.earlierCopy(record(noId), "postfix")).toBeNull();
    fingerprints.startInput("postfix.json", true);

    expect(fingerprints.earlierCopy(record({ time: T0 + 1500 }), "postfix")).toBe("mail.log");
    expect(fingerprints.earlierCopy(record({ time: T0 - 1 }), "postfix")).toBe("mail.log");
    expect(fingerprints.earlierCopy(record({ time: T0 - 1001 }), "postfix")).toBeNull();
    expect(fingerprints.earlierCopy(record({ ...noId, time: T0 + 1000 }), "postfix")).toBeNull();
  });

  it("compares an MTA's programs as one", () => {
    const fingerprints = new RecordFingerprints(2);
    const helper = { program: "opendkim", message: "connect from client.example.net" };
    fingerprints.startInput("mail.log", true);
    expect(fingerprints.earlierCopy(record({ program: "postfix/smtp" }), "postfix")).toBeNull();
    expect(fingerprints.earlierCopy(record(helper), null)).toBeNull();
    fingerprints.startInput("cut-tags.log", true);

    expect(fingerprints.earlierCopy(record({ program: "postfix" }), "postfix")).toBe("mail.log");
    expect(fingerprints.earlierCopy(record({ ...helper, program: "opendmarc" }), null)).toBeNull();
  });

  it("does not compare host-less lines without an id", () => {
    const fingerprints = new RecordFingerprints(2);
    const noId = { host: "", program: "exim", message: "SMTP connection from [192.0.2.10]" };
    fingerprints.startInput("exim4/mainlog", true);
    expect(fingerprints.earlierCopy(record(noId), "exim")).toBeNull();
    fingerprints.startInput("backup/mainlog", true);

    expect(fingerprints.earlierCopy(record(noId), "exim")).toBeNull();
  });

  it("compares host-less id lines with any host", () => {
    const fingerprints = new RecordFingerprints(3);
    const message = "1rhA2b-000Abc-1x => user@example.com R=dnslookup T=remote_smtp";
    const exim = { program: "exim", pid: 3001, message };
    fingerprints.startInput("exim4/mainlog", true);
    expect(fingerprints.earlierCopy(record({ ...exim, host: "" }), "exim")).toBeNull();
    fingerprints.startInput("mail.log", true);
    expect(fingerprints.earlierCopy(record({}), "postfix")).toBeNull();
    fingerprints.startInput("docker-logs.txt", true);

    expect(fingerprints.earlierCopy(record({ ...exim, host: "mx1" }), "exim")).toBe(
      "exim4/mainlog",
    );
    expect(fingerprints.earlierCopy(record({ host: "" }), "postfix")).toBe("mail.log");
    expect(fingerprints.earlierCopy(record({ host: "mx2" }), "postfix")).toBeNull();
    expect(fingerprints.earlierCopy(record({ host: "", pid: 2002 }), "postfix")).toBeNull();
  });

  it("keeps host-less id lines of a helper program", () => {
    const fingerprints = new RecordFingerprints(2);
    const helper = { host: "", program: "opendkim" };
    fingerprints.startInput("mail.log", true);
    expect(fingerprints.earlierCopy(record(helper), null)).toBeNull();
    fingerprints.startInput("docker-logs.txt", true);

    expect(fingerprints.earlierCopy(record(helper), null)).toBeNull();
  });

  it("finds a record of an earlier file of the set", () => {
    const fingerprints = new RecordFingerprints(1);
    fingerprints.startInput("mail.log.1", true, false);
    expect(fingerprints.earlierCopy(record({}), "postfix")).toBeNull();
    fingerprints.startInput("mail.log", false);

    expect(fingerprints.earlierCopy(record({}), "postfix")).toBe("mail.log.1");
    expect(fingerprints.earlierCopy(record({ pid: 2002 }), "postfix")).toBeNull();
  });

  it("compares a set's file up to the earlier files' end", () => {
    const fingerprints = new RecordFingerprints(1);
    fingerprints.startInput("mail.log.1", true, false);
    expect(fingerprints.isActiveAt(T0)).toBe(true);
    fingerprints.startInput("mail.log", false);

    expect(fingerprints.isActiveAt(T0 + 1000)).toBe(true);
    expect(fingerprints.isActiveAt(T0 + 1001)).toBe(false);
    expect(fingerprints.size).toBe(0);
  });

  it("does not store the last file of a set", () => {
    const fingerprints = new RecordFingerprints(1);
    fingerprints.startInput("mail.log.1", true, false);
    expect(fingerprints.earlierCopy(record({}), "postfix")).toBeNull();
    fingerprints.startInput("mail.log", false, true);
    expect(fingerprints.earlierCopy(record({ pid: 2002 }), "postfix")).toBeNull();

    expect(fingerprints.size).toBe(1);
  });

  it("stores an older file's tail only", () => {
    const fingerprints = new RecordFingerprints(1);
    fingerprints.startInput("mail.log.1", true, false, T0 + 10 * HOUR);
    const early = record({ time: T0 + 8 * HOUR });
    const tail = record({ time: T0 + 9 * HOUR + 30 * 60_000 });
    expect(fingerprints.earlierCopy(early, "postfix")).toBeNull();
    expect(fingerprints.earlierCopy(tail, "postfix")).toBeNull();
    expect(fingerprints.size).toBe(1);
    fingerprints.startInput("mail.log", false);

    expect(fingerprints.earlierCopy(tail, "postfix")).toBe("mail.log.1");
  });

  it("stores a tail dated a year earlier", () => {
    // The next file's first record got a later year than the read gives the set.
    const fingerprints = new RecordFingerprints(1);
    fingerprints.startInput("mail.log.1", true, false, T0 + 365 * 24 * HOUR);
    expect(fingerprints.earlierCopy(record({}), "postfix")).toBeNull();
    fingerprints.startInput("mail.log", false);

    expect(fingerprints.size).toBe(1);
    expect(fingerprints.earlierCopy(record({}), "postfix")).toBe("mail.log.1");
  });

  it("stores every record of an earlier set", () => {
    const fingerprints = new RecordFingerprints(2);
    fingerprints.startInput("mail.log.1", true, false, T0 + 10 * HOUR);
    expect(fingerprints.earlierCopy(record({}), "postfix")).toBeNull();
    fingerprints.startInput("mail.log", false);
    fingerprints.startInput("postfix.json", true);

    expect(fingerprints.size).toBe(1);
    expect(fingerprints.earlierCopy(record({}), "postfix")).toBe("mail.log.1");
  });

  it("does not compare a record with its own file", () => {
    const fingerprints = new RecordFingerprints(1);
    fingerprints.startInput("mail.log.1", true, false);
    expect(fingerprints.earlierCopy(record({}), "postfix")).toBeNull();

    expect(fingerprints.earlierCopy(record({}), "postfix")).toBeNull();
  });

  it("does not store the last file set", () => {
    const fingerprints = new RecordFingerprints(2);
    fingerprints.startInput("mail.log", true);
    expect(fingerprints.earlierCopy(record({}), "postfix")).toBeNull();
    fingerprints.startInput("postfix.json", true);

    expect(fingerprints.earlierCopy(record({ pid: 2002 }), "postfix")).toBeNull();
    expect(fingerprints.earlierCopy(record({ pid: 2002 }), "postfix")).toBeNull();
    expect(fingerprints.size).toBe(1);
  });

  it("stores a file set between two others", () => {
    const fingerprints = new RecordFingerprints(3);
    fingerprints.startInput("mail.info", true);
    fingerprints.startInput("mail.warn", true);
    expect(fingerprints.earlierCopy(record({}), "postfix")).toBeNull();
    fingerprints.startInput("postfix.json", true);

    expect(fingerprints.earlierCopy(record({}), "postfix")).toBe("mail.warn");
  });

  it("gives bytes and text the same content key", () => {
    const fingerprints = new RecordFingerprints(2);
    const message = "connect from client.example.net[192.0.2.10] \u00e9";
    const buffer = Buffer.from(`xx${message}yy`, "latin1");
    fingerprints.startInput("mail.log", true);
    const key = fingerprints.contentKeyOfBytes("mx1", "postfix", 10, buffer, 2, 2 + message.length);
    expect(fingerprints.earlierCopyOf(key, T0)).toBeNull();
    fingerprints.startInput("postfix.json", true);
    const same = { host: "mx1", program: "postfix/smtpd", pid: 10, message };

    expect(fingerprints.earlierCopy(record({ ...same, time: T0 + 500 }), "postfix")).toBe(
      "mail.log",
    );
    expect(
      fingerprints.earlierCopy(record({ ...same, message: `${message}y` }), "postfix"),
    ).toBeNull();
  });

  it("keeps its records across table growth", () => {
    const fingerprints = new RecordFingerprints(2);
    fingerprints.startInput("mail.log", true);
    for (let index = 0; index < 20_000; index++) {
      fingerprints.earlierCopy(record({ time: T0 + index * 1000 }), "postfix");
    }
    fingerprints.startInput("postfix.json", true);

    let found = 0;
    for (let index = 0; index < 20_000; index++) {
      if (fingerprints.earlierCopy(record({ time: T0 + index * 1000 + 5 }), "postfix") !== null)
        found += 1;
    }
    expect(found).toBe(20_000);
    expect(fingerprints.size).toBe(20_000);
  });
});
