import { utimesSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { OFFLINE_DIAGNOSE, runCommand } from "../helpers/cli.js";
import { temporaryFiles } from "../helpers/temporary-files.js";

const temporary = temporaryFiles();

const SENT_TO_GMAIL =
  "postfix/smtp[3001]: 00001A0001: to=<u1a@gmail.com>, relay=gmail-smtp-in.l.google.com[192.0.2.201]:25, delay=1.1, delays=0.1/0/0.5/0.5, dsn=2.0.0, status=sent (250 2.0.0 OK)";

const CLASSIC_LINE = `Mar 11 02:00:02 mx1 ${SENT_TO_GMAIL}`;
const RFC3339_LINE = `2024-03-11T02:00:02+00:00 mx1 ${SENT_TO_GMAIL}`;
const EXIM_LINE =
  '2024-03-11 02:00:02 1tb1Ab-000073-bx => u1a@gmail.com R=dnslookup T=remote_smtp H=gmail-smtp-in.l.google.com [192.0.2.201] C="250 2.0.0 OK"';

const YEAR_NOTE = "carry no year";

/** Writes a log with one `line` whose modification time is 1 June of `year`, UTC. */
function logModifiedIn(line: string, year: number, name = "mail.log"): string {
  const path = temporary.file(`${line}\n`, name);
  const time = new Date(Date.UTC(year, 5, 1));
  utimesSync(path, time, time);
  return path;
}

/** Runs `argv` with JSON output and returns the report's input notes. */
async function inputNotes(argv: readonly string[], stdin = ""): Promise<string[]> {
  const result = await runCommand([...argv, "--format", "json"], stdin);
  return (JSON.parse(result.stdout) as { input: { notes: string[] } }).input.notes;
}

describe("year inferred for classic syslog stamps", () => {
  test("text note names year and file", async () => {
    const path = logModifiedIn(CLASSIC_LINE, 2025);
    const result = await runCommand([...OFFLINE_DIAGNOSE, path]);
    const text = result.stdout.replace(/\s+/g, " ");

    expect(text).toContain(
      `Note: The timestamps of ${path} carry no year, so delist took 2025 for its first line from the file's modification time. Give --year if that is wrong.`,
    );
    expect(text.split(YEAR_NOTE)).toHaveLength(2);
    expect(text).toContain("2025-03-11 02:00:02");
  });

  test("Markdown note names the year", async () => {
    const path = logModifiedIn(CLASSIC_LINE, 2025);
    const result = await runCommand([...OFFLINE_DIAGNOSE, "--format", "markdown", path]);

    expect(result.stdout).toMatch(
      /\*\*Note:\*\* The timestamps of .* carry no year, so delist took 2025 /,
    );
    expect(result.stdout).toContain("Give --year if that is wrong.");
  });

  test("JSON note names the year", async () => {
    const path = logModifiedIn(CLASSIC_LINE, 2023);
    const notes = await inputNotes([...OFFLINE_DIAGNOSE, path]);
    const yearNotes = notes.filter((note) => note.includes(YEAR_NOTE));

    expect(yearNotes).toHaveLength(1);
    expect(yearNotes[0]).toContain("delist took 2023 for its first line");
  });

  test("logs command shows the note", async () => {
    const path = logModifiedIn(CLASSIC_LINE, 2025);
    const result = await runCommand(["logs", "--timezone", "UTC", path]);

    expect(result.stdout.replace(/\s+/g, " ")).toContain("so delist took 2025 for its first line");
  });

  test("no note with --year", async () => {
    const path = logModifiedIn(CLASSIC_LINE, 2025);
    const notes = await inputNotes([...OFFLINE_DIAGNOSE, "--year", "2024", path]);

    expect(notes.join(" ")).not.toContain(YEAR_NOTE);
  });

  test("no note for RFC 3339 stamps", async () => {
    const path = logModifiedIn(RFC3339_LINE, 2025);
    const notes = await inputNotes([...OFFLINE_DIAGNOSE, path]);

    expect(notes.join(" ")).not.toContain(YEAR_NOTE);
  });

  test("no note for an Exim main log", async () => {
    const path = logModifiedIn(EXIM_LINE, 2025, "mainlog");
    const notes = await inputNotes([...OFFLINE_DIAGNOSE, path]);

    expect(notes.join(" ")).not.toContain(YEAR_NOTE);
  });

  test("standard input dated from now", async () => {
    const notes = await inputNotes([...OFFLINE_DIAGNOSE, "-"], `${CLASSIC_LINE}\n`);
    const yearNotes = notes.filter((note) => note.includes(YEAR_NOTE));

    expect(yearNotes).toHaveLength(1);
    expect(yearNotes[0]).toContain("The timestamps of standard input carry no year");
    expect(yearNotes[0]).toContain("from the current date");
  });

  test("two logs share one note", async () => {
    const older = logModifiedIn(CLASSIC_LINE, 2024, "older.log");
    const newer = logModifiedIn(CLASSIC_LINE.replace("u1a@", "u2a@"), 2025, "newer.log");
    const notes = await inputNotes([...OFFLINE_DIAGNOSE, older, newer]);
    const yearNotes = notes.filter((note) => note.includes(YEAR_NOTE));

    expect(yearNotes).toHaveLength(1);
    expect(yearNotes[0]).toContain(`2024 for ${older}`);
    expect(yearNotes[0]).toContain(`2025 for ${newer}`);
    expect(yearNotes[0]).toContain("Give --year if that is wrong.");
  });

  test("rotated set named by oldest file", async () => {
    const folder = temporary.folder({
      "mail.log.1": `${CLASSIC_LINE}\n`,
      "mail.log": `${CLASSIC_LINE.replace("02:00:02", "03:00:02")}\n`,
    });
    const time = new Date(Date.UTC(2025, 5, 1));
    utimesSync(join(folder, "mail.log.1"), time, time);
    utimesSync(join(folder, "mail.log"), time, time);
    const notes = await inputNotes([...OFFLINE_DIAGNOSE, folder]);
    const yearNotes = notes.filter((note) => note.includes(YEAR_NOTE));

    expect(yearNotes).toHaveLength(1);
    expect(yearNotes[0]).toContain("mail.log.1 carry no year, so delist took 2025");
  });
});
