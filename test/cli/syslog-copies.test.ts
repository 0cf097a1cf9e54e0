import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { OFFLINE_DIAGNOSE, runCommand } from "../helpers/cli.js";
import { schemaValidator } from "../helpers/schema.js";
import { HOUR, T0 } from "../helpers/postfix-fixture.js";
import { copiedLogs, linesBetween, logText } from "../helpers/syslog-copies.js";
import { temporaryFiles } from "../helpers/temporary-files.js";

const temporary = temporaryFiles();
const validateDiagnosis = schemaValidator("diagnose.schema.json");
const validateStatistics = schemaValidator("logs.schema.json");

interface InputJson {
  readonly files: ReadonlyArray<{ readonly name: string; readonly copiedLines: number }>;
  readonly records: number;
  readonly parsed: number;
  readonly ignored: number;
  readonly unparsed: number;
  readonly copiedLines: number;
  readonly otherPrograms: Readonly<Record<string, number>>;
  readonly notes: readonly string[];
}

interface DiagnosisJson {
  readonly input: InputJson;
  readonly providers: { readonly gmail: { readonly attempts: number } };
}

// Each message gives two events, so 60 hours give mail.log 120 events, more than the 100 from
// which the input checks name two files that cover the same time.
const HOURS = 60;
const logs = copiedLogs(HOURS);
const mailLines = logs.mailLines.length;

function writeServerLogs(syslogMailLines: readonly string[] = logs.mailLines): string {
  return temporary.folder({
    "mail.log": logText(logs.mailLines),
    syslog: logText(syslogMailLines, logs.kernelLines, logs.systemdLines),
  });
}

async function diagnose(inputs: readonly string[]): Promise<DiagnosisJson> {
  const result = await runCommand([...OFFLINE_DIAGNOSE, "--format", "json", ...inputs]);
  expect(result.stderr).toBe("");
  const diagnosis = JSON.parse(result.stdout) as DiagnosisJson;
  expect(validateDiagnosis(diagnosis)).toEqual([]);
  return diagnosis;
}

function copiedLinesByFile(input: InputJson): Record<string, number> {
  return Object.fromEntries(input.files.map((file) => [file.name, file.copiedLines]));
}

function expectRecordsAddUp(input: InputJson): void {
  const others = Object.values(input.otherPrograms).reduce((sum, count) => sum + count, 0);
  const sum = input.parsed + input.ignored + input.unparsed + input.copiedLines + others;
  expect(sum).toBe(input.records);
}

describe("mail log copies in syslog", () => {
  it("diagnose counts Gmail attempts once", async () => {
    const folder = writeServerLogs();
    const alone = await diagnose([join(folder, "mail.log")]);
    const both = await diagnose([folder]);

    expect(alone.providers.gmail.attempts).toBe(HOURS);
    expect(both.providers.gmail.attempts).toBe(HOURS);
    expect(both.input.copiedLines).toBe(mailLines);
    expect(copiedLinesByFile(both.input)).toEqual({
      [join(folder, "mail.log")]: 0,
      [join(folder, "syslog")]: mailLines,
    });
    expectRecordsAddUp(both.input);
  });

  it("diagnose notes the copies, not the overlap", async () => {
    const folder = writeServerLogs();
    const diagnosis = await diagnose([join(folder, "syslog"), join(folder, "mail.log")]);
    const notes = diagnosis.input.notes;

    expect(notes).toContain(
      `Left out ${mailLines} Postfix lines of ${join(folder, "syslog")}: ` +
        `${join(folder, "mail.log")} contains the same lines for 2024-03-04T00:00:00Z to ` +
        `2024-03-06T11:00:02Z.`,
    );
    expect(notes.filter((note) => note.includes("cover the same time"))).toEqual([]);
  });

  it("diagnose reads syslog.1 without mail.log.1", async () => {
    const [older, middle, newer] = [0, 20, 40].map((hour) =>
      linesBetween(logs.mailLines, T0 + hour * HOUR, T0 + (hour + 20) * HOUR),
    ) as [string[], string[], string[]];
    const folder = temporary.folder({
      "mail.log.2.gz": gzipSync(logText(older)),
      "mail.log": logText(newer),
      "syslog.2.gz": gzipSync(logText(older, logs.kernelLines)),
      "syslog.1": logText(middle),
      syslog: logText(newer, logs.systemdLines),
    });
    const diagnosis = await diagnose([folder]);
    const notes = diagnosis.input.notes.filter((note) => note.startsWith("Left out"));

    expect(diagnosis.providers.gmail.attempts).toBe(HOURS);
    expect(copiedLinesByFile(diagnosis.input)[join(folder, "syslog.1")]).toBe(0);
    expect(notes).toEqual([
      `Left out ${older.length} Postfix lines of ${join(folder, "syslog.2.gz")}: ` +
        `${join(folder, "mail.log.2.gz")} contains the same lines for 2024-03-04T00:00:00Z ` +
        `to 2024-03-04T19:00:02Z.`,
      `Left out ${newer.length} Postfix lines of ${join(folder, "syslog")}: ` +
        `${join(folder, "mail.log")} contains the same lines for 2024-03-05T16:00:00Z ` +
        `to 2024-03-06T11:00:02Z.`,
    ]);
    expectRecordsAddUp(diagnosis.input);
  });

  it("diagnose keeps the overlap note for another host", async () => {
    const folder = writeServerLogs(copiedLogs(HOURS, "mx2").mailLines);
    const diagnosis = await diagnose([folder]);

    expect(diagnosis.providers.gmail.attempts).toBe(2 * HOURS);
    expect(diagnosis.input.copiedLines).toBe(0);
    expect(diagnosis.input.notes.filter((note) => note.startsWith("Left out"))).toEqual([]);
    const overlaps = diagnosis.input.notes.filter((note) => note.includes("cover the same time"));
    expect(overlaps).toHaveLength(1);
  });

  it("diagnose text shows the copied lines", async () => {
    const folder = writeServerLogs();
    const result = await runCommand([...OFFLINE_DIAGNOSE, folder]);
    // The sentence wraps before the path, which starts a line of its own.
    const text = result.stdout.replace(/\s+/g, " ");

    expect(text).toContain(
      `Mail lines copied from an earlier input, not read: ${join(folder, "syslog")} ${mailLines}.`,
    );
    expect(text).toContain(
      `Note: Left out ${mailLines} Postfix lines of ${join(folder, "syslog")}`,
    );
  });

  it("logs reports copied lines per file", async () => {
    const folder = writeServerLogs();
    const result = await runCommand(["logs", "--timezone", "UTC", "--format", "json", folder]);
    const statistics = JSON.parse(result.stdout) as { input: InputJson };

    expect(validateStatistics(statistics)).toEqual([]);
    expect(statistics.input.copiedLines).toBe(mailLines);
    expect(copiedLinesByFile(statistics.input)[join(folder, "syslog")]).toBe(mailLines);
    expect(statistics.input.notes.filter((note) => note.startsWith("Left out"))).toHaveLength(1);
    expectRecordsAddUp(statistics.input);
  });
});
