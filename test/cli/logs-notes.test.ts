import { describe, expect, test } from "vitest";
import { runCommand } from "../helpers/cli.js";
import { PostfixLog } from "../helpers/postfix-fixture.js";
import { temporaryFiles } from "../helpers/temporary-files.js";

const temporary = temporaryFiles();

function dayOfMail(): string {
  return new PostfixLog().submitHourly({ recipient: (hour) => `friend${hour}@example.net` }).text();
}

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
