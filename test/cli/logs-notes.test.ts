import { describe, expect, test } from "vitest";
import { runCommand } from "../helpers/cli.js";
import { PostfixLog } from "../helpers/postfix-fixture.js";
import { temporaryFiles } from "../helpers/temporary-files.js";

const temporary = temporaryFiles();

function dayOfMail(): string {
  return new PostfixLog().submitHourly({ recipient: (hour) => `friend${hour}@example.net` }).text();
}

/** Two Gmail deliveries, the second dated 33 minutes before the first, as after a clock step. */
const CLOCK_STEP_LOG = [
  "2026-03-10T16:07:05+00:00 mail postfix/smtp[2004]: 5A00000001: to=<a@gmail.com>, relay=gmail-smtp-in.l.google.com[192.0.2.27]:25, delay=1, delays=0.1/0/0.4/0.5, dsn=2.0.0, status=sent (250 2.0.0 OK)",
  "2026-03-10T15:33:46+00:00 mail postfix/smtp[2005]: 5A00000002: to=<b@gmail.com>, relay=gmail-smtp-in.l.google.com[192.0.2.27]:25, delay=1, delays=0.1/0/0.4/0.5, dsn=2.0.0, status=sent (250 2.0.0 OK)",
  "",
].join("\n");

describe("delist logs input notes", () => {
  test("text output prints the notes", async () => {
    const first = temporary.file(dayOfMail(), "mail.log");
    const second = temporary.file(dayOfMail(), "mail.info");
    const result = await runCommand(["logs", "--timezone", "UTC", first, second]);

    expect(result.code).toBe(0);
    const text = result.stdout.replace(/\n {2}/g, " ");
    expect(text).toContain(`Note: Skipped ${second}: it has the same content as ${first},`);
  });

  test("JSON output carries the notes", async () => {
    const first = temporary.file(dayOfMail(), "mail.log");
    const second = temporary.file(dayOfMail(), "mail.info");
    const result = await runCommand([
      "logs",
      "--format",
      "json",
      "--timezone",
      "UTC",
      first,
      second,
    ]);

    expect(result.code).toBe(0);
    const notes = (JSON.parse(result.stdout) as { input: { notes: string[] } }).input.notes;
    expect(notes).toHaveLength(1);
    expect(notes[0]).toContain(`Skipped ${second}: it has the same content as ${first},`);
  });

  test("clock step note in report times", async () => {
    const log = temporary.file(CLOCK_STEP_LOG, "mail.log");
    const result = await runCommand(["logs", "--timezone", "UTC", log]);

    expect(result.code).toBe(0);
    const text = result.stdout.replace(/\n {2}/g, " ");
    expect(text).toContain("the time goes back from 2026-03-10 16:07:05 to 2026-03-10 15:33:46");
    expect(text).not.toMatch(/\d{4}-\d\d-\d\dT\d\d:/);
  });

  test("clock step note in JSON keeps ISO times", async () => {
    const log = temporary.file(CLOCK_STEP_LOG, "mail.log");
    const result = await runCommand(["logs", "--format", "json", "--timezone", "UTC", log]);

    expect(result.code).toBe(0);
    const notes = (JSON.parse(result.stdout) as { input: { notes: string[] } }).input.notes;
    expect(notes[0]).toContain("from 2026-03-10T16:07:05Z to 2026-03-10T15:33:46Z");
  });

  test("text output without notes prints none", async () => {
    const result = await runCommand([
      "logs",
      "--timezone",
      "UTC",
      temporary.file(dayOfMail(), "a.log"),
    ]);

    expect(result.code).toBe(0);
    expect(result.stdout).not.toContain("Note:");
  });
});
