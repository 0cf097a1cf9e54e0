import { afterEach, describe, expect, test } from "vitest";
import { runCommand } from "../helpers/cli.js";
import { HOUR, PostfixLog, T0, writeTemporaryLog } from "../helpers/postfix-fixture.js";

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const remove of cleanups.splice(0)) remove();
});

function temporary(text: string, name: string): string {
  const file = writeTemporaryLog(text, name);
  cleanups.push(file.remove);
  return file.path;
}

function dayOfMail(): string {
  const log = new PostfixLog();
  for (let hour = 0; hour < 24; hour++) {
    log.submit({
      time: T0 + hour * HOUR,
      account: "alice@example.com",
      clientIp: "198.51.100.10",
      recipients: [{ address: `friend${hour}@example.net` }],
    });
  }
  return log.text();
}

describe("delist logs input notes", () => {
  test("text output prints the notes", async () => {
    const first = temporary(dayOfMail(), "mail.log");
    const second = temporary(dayOfMail(), "mail.info");
    const result = await runCommand(["logs", "--timezone", "UTC", first, second]);

    expect(result.code).toBe(0);
    const text = result.stdout.replace(/\n {2}/g, " ");
    expect(text).toContain(`Note: Skipped ${second}: it has the same content as ${first},`);
  });

  test("JSON output carries the notes", async () => {
    const first = temporary(dayOfMail(), "mail.log");
    const second = temporary(dayOfMail(), "mail.info");
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
    const result = await runCommand(["logs", "--timezone", "UTC", temporary(dayOfMail(), "a.log")]);

    expect(result.code).toBe(0);
    expect(result.stdout).not.toContain("Note:");
  });
});
