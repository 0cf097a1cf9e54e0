import { describe, expect, test } from "vitest";
import { runCommand } from "../helpers/cli.js";
import { PostfixLog } from "../helpers/postfix-fixture.js";
import { temporaryFiles } from "../helpers/temporary-files.js";

const temporary = temporaryFiles();

interface LogsJson {
  input: { files: Array<{ name: string; lines: number }>; notes: string[] };
}

function dayOfMail(): string {
  return new PostfixLog().submitHourly({ recipient: (hour) => `friend${hour}@example.net` }).text();
}

describe("delist logs with stdin and a file", () => {
  test("stdin copy of the file is skipped", async () => {
    const text = dayOfMail();
    const log = temporary.file(text, "mail.log");
    const args = ["logs", "--format", "json", "--timezone", "UTC", "-", log];
    const result = await runCommand(args, text);

    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout) as LogsJson;
    expect(json.input.files.map((file) => file.name)).toEqual([log]);
    expect(json.input.files[0]?.lines).toBe(text.split("\n").length - 1);
    expect(json.input.notes).toEqual([
      `Skipped -: it has the same content as ${log}, so its lines would have been counted twice.`,
    ]);
  });

  test("other stdin is read", async () => {
    const log = temporary.file(dayOfMail(), "mail.log");
    const other = "Mar  4 09:00:00 mx2 postfix/qmgr[1]: 1A2B3C4D5E: removed\n";
    const args = ["logs", "--format", "json", "--timezone", "UTC", "-", log];
    const result = await runCommand(args, other);

    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout) as LogsJson;
    expect(json.input.files.map((file) => file.name)).toEqual(["-", log]);
    expect(json.input.files[0]?.lines).toBe(1);
  });
});
