import { gzipSync } from "node:zlib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { LogEvent } from "../../../src/logs/events.js";
import { createLogParsers } from "../../../src/logs/parsers.js";
import { readLogs } from "../../../src/logs/pipeline.js";
import { logRoleOf, orderMailLogsFirst } from "../../../src/logs/reader/mail-copies.js";
import type { ReadSummary, ReadTotals } from "../../../src/logs/reader/summary.js";
import { resolveTimeZone } from "../../../src/time/zone.js";
import { HOUR, T0 } from "../../helpers/postfix-fixture.js";
import {
  copiedLogs,
  LINES_PER_MESSAGE,
  linesBetween,
  logText,
} from "../../helpers/syslog-copies.js";
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

async function read(inputs: readonly string[]): Promise<Read> {
  const events: LogEvent[] = [];
  const parsers = createLogParsers((event) => events.push(event));
  const summary = await readLogs(inputs, parsers, {
    timeZone: resolveTimeZone("UTC"),
    cwd: dir.path,
  });
  return { summary, events };
}

function copiedLinesOf(summary: ReadSummary): Record<string, number> {
  return Object.fromEntries(summary.inputs.map((input) => [input.name, input.copiedLines]));
}

function deliveries(events: readonly LogEvent[]): number {
  return events.filter((event) => event.type === "delivery").length;
}

function smtpConnections(events: readonly LogEvent[]): number {
  return events.filter((event) => event.type === "smtp-connection").length;
}

// Every record is parsed, ignored, unparsed, without a parser or copied, and every line is a
// record, blank or without framing (the fixtures have no repeat markers).
function expectTotalsAddUp(totals: ReadTotals): void {
  const { parsed, ignored, unparsed, withoutParser, copiedLines } = totals;
  expect(parsed + ignored + unparsed + withoutParser + copiedLines).toBe(totals.records);
  expect(totals.records + totals.blank + totals.unrecognised).toBe(totals.lines);
}

describe("logRoleOf", () => {
  it.each([
    ["/var/log/mail.log", "mail"],
    ["/var/log/mail.log.1", "mail"],
    ["/var/log/mail.log.2.gz", "mail"],
    ["/var/log/maillog-20260301", "mail"],
    ["/var/log/maillog-20260301.gz", "mail"],
    ["/var/log/mail", "mail"],
    ["/var/log/syslog", "general"],
    ["/var/log/syslog.1", "general"],
    ["/var/log/messages-20260301.gz", "general"],
    ["/var/log/all.log", "general"],
    ["/var/log/mail.info", "general"],
    ["/var/log/mail.warn.1", "general"],
    ["/var/log/mail.err", "general"],
    ["/var/log/mail.crit.3.gz", "general"],
    ["/var/log/exim4/mainlog", "mail"],
    ["/var/log/exim4/mainlog.01", "mail"],
    ["/var/log/exim_mainlog.2.gz", "mail"],
    ["/var/log/exim4/rejectlog", "general"],
    ["/var/log/exim4/rejectlog.02.gz", "general"],
    ["/var/log/exim_rejectlog", "general"],
    ["/var/log/exim4/paniclog", "general"],
    ["/var/log/exim_paniclog.1", "general"],
    ["/var/log/auth.log", null],
    ["/var/log/mail.log.old", null],
  ])("gives %s the role %s", (path, role) => {
    expect(logRoleOf(path)).toBe(role);
  });
});

describe("orderMailLogsFirst", () => {
  const byPath = (path: string): string => path;

  it("moves mail logs before the other files", () => {
    const ordered = orderMailLogsFirst(
      ["/l/syslog.1", "/l/syslog", "/l/auth.log", "/l/mail.log.1", "/l/mail.log"],
      byPath,
    );
    expect(ordered).toEqual([
      "/l/mail.log.1",
      "/l/mail.log",
      "/l/syslog.1",
      "/l/syslog",
      "/l/auth.log",
    ]);
  });

  it("keeps the order without a general log", () => {
    const inputs = ["/l/auth.log", "/l/mail.log"];
    expect(orderMailLogsFirst(inputs, byPath)).toEqual(inputs);
  });

  it("keeps the order without a mail log", () => {
    const inputs = ["/l/syslog", "/l/mail.err"];
    expect(orderMailLogsFirst(inputs, byPath)).toEqual(inputs);
  });
});

describe("readLogs with mail logs and general logs", () => {
  const hours = 24;
  const logs = copiedLogs(hours);
  const mailLines = logs.mailLines.length;
  const kernelLines = logs.kernelLines.length;

  it("leaves out the copies in syslog and mail.err", async () => {
    await dir.write("mail.log", logText(logs.mailLines));
    await dir.write("syslog", logText(logs.mailLines, logs.kernelLines, logs.systemdLines));
    const deliveryLines = logs.mailLines.filter((line) => line.includes(" to=<"));
    await dir.write("mail.err", logText(deliveryLines));
    const { summary, events } = await read(["."]);

    expect(summary.inputs.map((input) => input.name)).toEqual(["mail.log", "mail.err", "syslog"]);
    expect(copiedLinesOf(summary)).toEqual({
      "mail.log": 0,
      "mail.err": deliveryLines.length,
      syslog: mailLines,
    });
    expect(summary.totals.copiedLines).toBe(mailLines + deliveryLines.length);
    expect(deliveries(events)).toBe(hours);
    expect(smtpConnections(events)).toBe(kernelLines);
    expect(summary.totals.withoutParser).toBe(logs.systemdLines.length);
    expectTotalsAddUp(summary.totals);
  });

  it("describes each general log with copies", async () => {
    await dir.write("mail.log", logText(logs.mailLines));
    await dir.write("syslog", logText(logs.mailLines, logs.kernelLines));
    const { summary } = await read(["."]);

    expect(summary.copiedInputs).toEqual([
      {
        name: "syslog",
        lines: mailLines,
        headerLines: 0,
        mtas: ["postfix"],
        programs: [],
        firstTime: T0,
        lastTime: T0 + (hours - 1) * HOUR + 2000,
        earlierInputs: ["mail.log"],
      },
    ]);
  });

  it("reads mail.log first when named second", async () => {
    await dir.write("mail.log", logText(logs.mailLines));
    await dir.write("syslog", logText(logs.mailLines, logs.kernelLines));
    const { summary, events } = await read(["syslog", "mail.log"]);

    expect(summary.inputs.map((input) => input.name)).toEqual(["mail.log", "syslog"]);
    expect(copiedLinesOf(summary)).toEqual({ "mail.log": 0, syslog: mailLines });
    expect(deliveries(events)).toBe(hours);
    expectTotalsAddUp(summary.totals);
  });

  it("reads syslog lines after mail.log's end", async () => {
    const end = T0 + 12 * HOUR;
    const early = linesBetween(logs.mailLines, T0, end);
    const late = linesBetween(logs.mailLines, end, T0 + hours * HOUR);
    await dir.write("mail.log", logText(early));
    await dir.write("syslog", logText(logs.mailLines, logs.kernelLines));
    const { summary, events } = await read(["mail.log", "syslog"]);

    expect(late.length).toBe(12 * LINES_PER_MESSAGE);
    expect(copiedLinesOf(summary)).toEqual({ "mail.log": 0, syslog: early.length });
    expect(deliveries(events)).toBe(hours);
    expectTotalsAddUp(summary.totals);
  });

  it("reads the Postfix lines of another host", async () => {
    const other = copiedLogs(hours, "mx2");
    await dir.write("mail.log", logText(logs.mailLines));
    await dir.write("syslog", logText(other.mailLines, logs.kernelLines));
    const { summary, events } = await read(["."]);

    expect(copiedLinesOf(summary)).toEqual({ "mail.log": 0, syslog: 0 });
    expect(summary.copiedInputs).toEqual([]);
    expect(deliveries(events)).toBe(2 * hours);
    expectTotalsAddUp(summary.totals);
  });

  it("leaves out copies across rotated sets", async () => {
    const middle = T0 + 12 * HOUR;
    const older = linesBetween(logs.mailLines, T0, middle);
    const newer = linesBetween(logs.mailLines, middle, T0 + hours * HOUR);
    await dir.write("mail.log.1", logText(older));
    await dir.write("mail.log", logText(newer));
    await dir.write("syslog.1", logText(older, linesBetween(logs.kernelLines, T0, middle)));
    await dir.write("syslog", logText(newer, logs.systemdLines));
    const { summary, events } = await read(["."]);

    expect(summary.inputs.map((input) => input.name)).toEqual([
      "mail.log.1",
      "mail.log",
      "syslog.1",
      "syslog",
    ]);
    expect(copiedLinesOf(summary)).toEqual({
      "mail.log.1": 0,
      "mail.log": 0,
      "syslog.1": older.length,
      syslog: newer.length,
    });
    expect(summary.copiedInputs.map((copy) => copy.earlierInputs)).toEqual([
      ["mail.log.1"],
      ["mail.log"],
    ]);
    expect(deliveries(events)).toBe(hours);
    expectTotalsAddUp(summary.totals);
  });

  it("reads syslog lines of a missing mail log", async () => {
    const thirds = [T0, T0 + 8 * HOUR, T0 + 16 * HOUR, T0 + hours * HOUR];
    const [older, middle, newer] = [0, 1, 2].map((third) =>
      linesBetween(logs.mailLines, thirds[third] as number, thirds[third + 1] as number),
    ) as [string[], string[], string[]];
    await dir.write("mail.log.2", logText(older));
    await dir.write("mail.log", logText(newer));
    await dir.write("syslog.2", logText(older, logs.systemdLines.slice(0, 8)));
    await dir.write("syslog.1", logText(middle));
    await dir.write("syslog", logText(newer, logs.systemdLines.slice(16)));
    const { summary, events } = await read(["."]);

    expect(copiedLinesOf(summary)).toEqual({
      "mail.log.2": 0,
      "mail.log": 0,
      "syslog.2": older.length,
      "syslog.1": 0,
      syslog: newer.length,
    });
    expect(summary.copiedInputs.map((copy) => [copy.name, copy.earlierInputs])).toEqual([
      ["syslog.2", ["mail.log.2"]],
      ["syslog", ["mail.log"]],
    ]);
    expect(deliveries(events)).toBe(hours);
    expectTotalsAddUp(summary.totals);
  });

  it("reads lines of one syslog in a mail log gap", async () => {
    const gapStart = T0 + 8 * HOUR;
    const gapEnd = T0 + 16 * HOUR;
    const older = linesBetween(logs.mailLines, T0, gapStart);
    const newer = linesBetween(logs.mailLines, gapEnd, T0 + hours * HOUR);
    await dir.write("mail.log.1", logText(older));
    await dir.write("mail.log", logText(newer));
    await dir.write("syslog", logText(logs.mailLines, logs.kernelLines));
    const { summary, events } = await read(["."]);

    expect(copiedLinesOf(summary)).toEqual({
      "mail.log.1": 0,
      "mail.log": 0,
      syslog: older.length + newer.length,
    });
    expect(summary.copiedInputs.map((copy) => copy.earlierInputs)).toEqual([
      ["mail.log.1", "mail.log"],
    ]);
    expect(deliveries(events)).toBe(hours);
    expect(smtpConnections(events)).toBe(kernelLines);
    expectTotalsAddUp(summary.totals);
  });

  it("reads syslog lines after a cut gzip file", async () => {
    const middle = T0 + 12 * HOUR;
    const older = linesBetween(logs.mailLines, T0, middle);
    const newer = linesBetween(logs.mailLines, middle, T0 + hours * HOUR);
    // Stored without compression, half of the file's bytes hold about half of its lines.
    const gzip = gzipSync(logText(older), { level: 0 });
    await dir.write("mail.log.1.gz", gzip.subarray(0, Math.floor(gzip.length / 2)));
    await dir.write("mail.log", logText(newer));
    await dir.write("syslog.1", logText(older));
    await dir.write("syslog", logText(newer));
    const { summary, events } = await read(["."]);

    const cut = summary.inputs.find((input) => input.name === "mail.log.1.gz");
    expect(cut?.error).not.toBeNull();
    expect(cut?.lines).toBeGreaterThan(0);
    expect(cut?.lines).toBeLessThan(older.length);
    const copies = summary.copiedInputs.find((copy) => copy.name === "syslog.1");
    expect(copies?.earlierInputs).toEqual(["mail.log.1.gz"]);
    expect(copies?.lines).toBeGreaterThanOrEqual((cut?.lines ?? 0) - 1);
    expect(copies?.lines).toBeLessThanOrEqual((cut?.lines ?? 0) + LINES_PER_MESSAGE);
    expect(deliveries(events)).toBe(hours);
    expectTotalsAddUp(summary.totals);
  });

  it("leaves out copied OpenDKIM and spamd lines", async () => {
    const helperLines = logs.mailLines
      .filter((line) => line.includes(" to=<"))
      .flatMap((line) => {
        const stamp = line.slice(0, line.indexOf(" "));
        return [
          `${stamp} mx1 opendkim[700]: 3A00000001: DKIM-Signature field added (s=mail, d=example.com)`,
          `${stamp} mx1 spamd[800]: spamd: clean message (0.1/5.0) for nobody:65534`,
        ];
      });
    await dir.write("mail.log", logText(logs.mailLines, helperLines));
    await dir.write("syslog", logText(logs.mailLines, helperLines, logs.kernelLines));
    const { summary, events } = await read(["."]);

    const signings = events.filter((event) => event.type === "dkim-signing");
    expect(signings.length).toBe(hours);
    expect(copiedLinesOf(summary)).toEqual({
      "mail.log": 0,
      syslog: mailLines + helperLines.length,
    });
    expect(summary.copiedInputs[0]?.mtas).toEqual(["postfix"]);
    expect(summary.copiedInputs[0]?.programs).toEqual(["opendkim", "spamd"]);
    expect(smtpConnections(events)).toBe(kernelLines);
    expect(summary.totals.withoutParser).toBe(hours);
    expectTotalsAddUp(summary.totals);
  });

  it("reads helper lines of another host", async () => {
    const stamp = logs.mailLines[0]?.slice(0, logs.mailLines[0].indexOf(" ")) ?? "";
    const signed = "DKIM-Signature field added (s=mail, d=example.com)";
    await dir.write(
      "mail.log",
      logText(logs.mailLines, [`${stamp} mx1 opendkim[7]: 3A1: ${signed}`]),
    );
    await dir.write("syslog", logText([`${stamp} mx2 opendkim[7]: 3A2: ${signed}`]));
    const { summary, events } = await read(["."]);

    expect(events.filter((event) => event.type === "dkim-signing").length).toBe(2);
    expect(summary.totals.copiedLines).toBe(0);
  });

  it.each(["mx1.example.com", "MX1", "Mx1.Example.Com"])(
    "leaves out copies with host %s",
    async (host) => {
      const respelled = logs.mailLines.map((line) => line.replace(" mx1 ", ` ${host} `));
      await dir.write("mail.log", logText(logs.mailLines));
      await dir.write("syslog", logText(respelled, logs.kernelLines));
      const { summary, events } = await read(["."]);

      expect(copiedLinesOf(summary)).toEqual({ "mail.log": 0, syslog: mailLines });
      expect(deliveries(events)).toBe(hours);
      expectTotalsAddUp(summary.totals);
    },
  );

  it("reads syslog as before without a mail log", async () => {
    await dir.write("syslog", logText(logs.mailLines, logs.kernelLines));
    await dir.write("auth.log", logText(logs.systemdLines));
    const { summary, events } = await read(["."]);

    expect(summary.inputs.map((input) => input.name)).toEqual(["auth.log", "syslog"]);
    expect(copiedLinesOf(summary)).toEqual({ "auth.log": 0, syslog: 0 });
    expect(summary.totals.copiedLines).toBe(0);
    expect(deliveries(events)).toBe(hours);
    expect(smtpConnections(events)).toBe(kernelLines);
    expectTotalsAddUp(summary.totals);
  });
});
