import { utimesSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, test } from "vitest";
import { OFFLINE_DIAGNOSE, runCommand } from "../helpers/cli.js";
import { temporaryFiles } from "../helpers/temporary-files.js";

const temporary = temporaryFiles();

const GMAIL_BOUNCE =
  "Feb 29 10:00:01 mx1 postfix/smtp[3001]: 00001A0001: to=<u1@gmail.com>, relay=gmail-smtp-in.l.google.com[192.0.2.201]:25, delay=1.1, delays=0.1/0/0.5/0.5, dsn=5.7.1, status=bounced (host gmail-smtp-in.l.google.com[192.0.2.201] said: 550-5.7.1 [192.0.2.10] Our system has detected that this message is likely unsolicited mail. To reduce the amount of spam sent to Gmail, this message has been blocked. - gsmtp (in reply to end of DATA command))";
const YAHOO_SENT =
  "Feb 29 10:00:02 mx1 postfix/smtp[3002]: 00001A0002: to=<u2@yahoo.com>, relay=mta5.am0.yahoodns.net[192.0.2.202]:25, delay=1.1, delays=0.1/0/0.5/0.5, dsn=2.0.0, status=sent (250 ok dirdel)";
const LEAP_DAY_LOG = `${GMAIL_BOUNCE}\n${YAHOO_SENT}\n`;
// The newest line first, as `zcat -f mail.log*` gives rotated files.
const MARCH_FIRST_LOG = `${YAHOO_SENT.replace("Feb 29", "Mar  1")}\n${LEAP_DAY_LOG}`;

interface LogsJson {
  input: {
    firstTime: string | null;
    lastTime: string | null;
    unrecognised: number;
    notes: string[];
  };
}

/** Writes `text` to `mail.log` with a modification time in 2026, a year without Feb 29. */
function logOf2026(text: string): string {
  const path = temporary.file(text, "mail.log");
  const june = new Date(Date.UTC(2026, 5, 1));
  utimesSync(path, june, june);
  return path;
}

async function logsJson(argv: readonly string[], stdin = ""): Promise<LogsJson> {
  const result = await runCommand(["logs", "-f", "json", "--timezone", "UTC", ...argv], stdin);
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as LogsJson;
}

function leapDayNotes(document: LogsJson): string[] {
  return document.input.notes.filter((note) => note.startsWith("Feb 29 does not exist"));
}

function shiftNotes(document: LogsJson): string[] {
  return document.input.notes.filter(
    (note) =>
      note.includes("Feb 29 lines would then fall in") ||
      note.includes("would put their Feb 29 lines"),
  );
}

describe("Feb 29 in a year without it", () => {
  test("diagnose keeps the Gmail block", async () => {
    const result = await runCommand([...OFFLINE_DIAGNOSE, logOf2026(LEAP_DAY_LOG)]);
    const text = result.stdout.replace(/\s+/g, " ");

    expect(result.code).toBe(1);
    expect(text).toContain("Gmail");
    expect(text).toContain("2024-02-29 10:00:01");
    expect(text).toContain("2 lines, 2 parsed");
    expect(result.stderr).toBe("");
  });

  test("note names both years and --year", async () => {
    const path = logOf2026(LEAP_DAY_LOG);
    const document = await logsJson([path]);

    expect(document.input.firstTime).toBe("2024-02-29T10:00:01Z");
    expect(leapDayNotes(document)).toEqual([]);
    expect(shiftNotes(document)).toEqual([
      `The timestamps of ${path} carry no year, and its modification time gave 2026 for its first line. Its Feb 29 lines would then fall in 2026, which has no Feb 29, so delist dated the whole log 2 years earlier: 2024 for its first line and 2024 for its Feb 29 lines. Give --year with the year of the log's first line if that is wrong.`,
    ]);
  });

  test("newest-first log keeps one year", async () => {
    const document = await logsJson([logOf2026(MARCH_FIRST_LOG)]);

    expect(document.input.firstTime).toBe("2024-02-29T10:00:01Z");
    expect(document.input.lastTime).toBe("2024-03-01T10:00:02Z");
    expect(shiftNotes(document)).toHaveLength(1);
  });

  test("standard input is named", async () => {
    const document = await logsJson(["-"], LEAP_DAY_LOG);
    const [note] = leapDayNotes(document);

    expect(note).toContain("the Feb 29 lines of standard input");
    expect(note).toContain("the leap year before");
  });

  test("Feb 28 to Mar 1 stays in one year", async () => {
    const log = [
      YAHOO_SENT.replace("Feb 29", "Feb 28").replace("u2@", "u5@"),
      GMAIL_BOUNCE,
      YAHOO_SENT.replace("Feb 29", "Mar  1").replace("u2@", "u6@"),
    ].join("\n");
    const path = temporary.file(`${log}\n`, "mail.log");
    const june2025 = new Date(Date.UTC(2025, 5, 1));
    utimesSync(path, june2025, june2025);
    const document = await logsJson([path]);

    expect(document.input.firstTime).toBe("2024-02-28T10:00:02Z");
    expect(document.input.lastTime).toBe("2024-03-01T10:00:02Z");
    expect(shiftNotes(document)).toEqual([
      `The timestamps of ${path} carry no year, and its modification time gave 2025 for its first line. Its Feb 29 lines would then fall in 2025, which has no Feb 29, so delist dated the whole log 1 year earlier: 2024 for its first line and 2024 for its Feb 29 lines. Give --year with the year of the log's first line if that is wrong.`,
    ]);
    expect(document.input.notes.filter((note) => note.includes("goes back"))).toEqual([]);
    expect(document.input.notes.filter((note) => note.includes("took 2025"))).toEqual([]);
  });

  test("rotated set keeps one year", async () => {
    const older = [YAHOO_SENT.replace("Feb 29", "Feb 28").replace("u2@", "u5@"), GMAIL_BOUNCE];
    const newer = [YAHOO_SENT.replace("Feb 29", "Mar  1").replace("u2@", "u6@")];
    const folder = temporary.folder({
      "mail.log.1.gz": gzipSync(`${older.join("\n")}\n`),
      "mail.log": `${newer.join("\n")}\n`,
    });
    // Copied without their modification times, as `scp` without `-p` copies them.
    const june2025 = new Date(Date.UTC(2025, 5, 1));
    utimesSync(join(folder, "mail.log.1.gz"), june2025, june2025);
    utimesSync(join(folder, "mail.log"), june2025, june2025);
    const document = await logsJson([folder]);

    expect(document.input.firstTime).toBe("2024-02-28T10:00:02Z");
    expect(document.input.lastTime).toBe("2024-03-01T10:00:02Z");
    expect(shiftNotes(document)).toHaveLength(1);
    expect(document.input.notes.filter((note) => note.includes("goes back"))).toEqual([]);
  });

  test("true 2024 mtime needs no move", async () => {
    const path = temporary.file(LEAP_DAY_LOG, "mail.log");
    const march2024 = new Date(Date.UTC(2024, 2, 1));
    utimesSync(path, march2024, march2024);
    const document = await logsJson([path]);

    expect(document.input.firstTime).toBe("2024-02-29T10:00:01Z");
    expect(shiftNotes(document)).toEqual([]);
    expect(leapDayNotes(document)).toEqual([]);
  });

  test("standard input step names Feb 29", async () => {
    const log = `${YAHOO_SENT.replace("Feb 29", "Feb 28")}\n${GMAIL_BOUNCE}\n`;
    const document = await logsJson(["-"], log);
    const steps = document.input.notes.filter((note) => note.includes("goes back"));

    expect(steps).toHaveLength(1);
    expect(steps[0]).toContain("a Feb 29 line moved the year guessed for this log");
    expect(steps[0]).not.toContain("rotated files");
    expect(leapDayNotes(document)[0]).toContain("any lines before them stay in");
  });

  test("--year 2025 skips the Feb 29 lines", async () => {
    const path = temporary.file(MARCH_FIRST_LOG, "mail.log");
    const document = await logsJson(["--year", "2025", path]);

    expect(document.input.firstTime).toBe("2025-03-01T10:00:02Z");
    expect(document.input.lastTime).toBe("2025-03-01T10:00:02Z");
    expect(document.input.unrecognised).toBe(2);
    expect(leapDayNotes(document)).toEqual([
      `Feb 29 does not exist in 2025, the year that the Feb 29 lines of ${path} fall in with --year 2025, so its 2 lines stamped Feb 29 were skipped. --year sets the year of the log's first line. If those lines are from Feb 29, 2024, give --year 2024.`,
    ]);
  });

  test("diagnose --year keeps one year", async () => {
    const log = `${YAHOO_SENT.replace("Feb 29 10:00:02", "Feb 28 23:59:00")}\n${LEAP_DAY_LOG}`;
    const path = temporary.file(log, "mail.log");
    const result = await runCommand([...OFFLINE_DIAGNOSE, "--year", "2025", path]);
    const text = result.stdout.replace(/\s+/g, " ");

    expect(text).toContain("3 lines from 2025-02-28 23:59:00 to 2025-02-28 23:59:00 (UTC)");
    expect(text).not.toContain("2024-");
    expect(text).toContain("2 skipped (0 unparsed, 2 without log framing)");
    expect(text).toContain("so its 2 lines stamped Feb 29 were skipped.");
    expect(text).toContain("give --year 2024.");
    expect(text).not.toContain("the time goes back");
    expect(result.stderr).toBe("");
  });

  test("--year and Feb 29 after New Year", async () => {
    const november = YAHOO_SENT.replace("Feb 29", "Nov 30").replace("u2@", "u4@");
    const path = temporary.file(`${november}\n${LEAP_DAY_LOG}`, "mail.log");
    const document = await logsJson(["--year", "2024", path]);

    expect(document.input.firstTime).toBe("2024-11-30T10:00:02Z");
    expect(leapDayNotes(document)).toEqual([
      `Feb 29 does not exist in 2025, the year that the Feb 29 lines of ${path} fall in with --year 2024, so its 2 lines stamped Feb 29 were skipped. --year sets the year of the log's first line. If those lines are from Feb 29, 2024, give --year 2023.`,
    ]);
  });

  test("two logs share one note", async () => {
    const first = logOf2026(LEAP_DAY_LOG);
    // Another recipient, because a file with the same content as an earlier one is skipped.
    const second = temporary.file(LEAP_DAY_LOG.replace("u2@", "u3@"), "other.log");
    const june2027 = new Date(Date.UTC(2027, 5, 1));
    utimesSync(second, june2027, june2027);
    const document = await logsJson([first, second]);

    expect(shiftNotes(document)).toEqual([
      `The timestamps of these logs carry no year, and the years that their modification times gave would put their Feb 29 lines in years without Feb 29, so delist dated each whole log earlier, with its Feb 29 lines in a leap year. The first lines got 2024 in place of 2026 for ${first} and 2024 in place of 2027 for ${second}. Give --year with the year of the log's first line if that is wrong.`,
    ]);
  });

  test("no note in a leap year", async () => {
    const document = await logsJson(["--year", "2024", temporary.file(LEAP_DAY_LOG)]);

    expect(document.input.firstTime).toBe("2024-02-29T10:00:01Z");
    expect(leapDayNotes(document)).toEqual([]);
  });
});
