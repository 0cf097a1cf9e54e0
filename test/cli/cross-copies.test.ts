import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { OFFLINE_DIAGNOSE, runCommand } from "../helpers/cli.js";
import { schemaValidator } from "../helpers/schema.js";
import { copiedLogs, logText } from "../helpers/syslog-copies.js";
import { temporaryFiles } from "../helpers/temporary-files.js";

const temporary = temporaryFiles();
const validateDiagnosis = schemaValidator("diagnose.schema.json");

interface DiagnosisJson {
  readonly input: {
    readonly files: ReadonlyArray<{ readonly name: string; readonly copiedLines: number }>;
    readonly copiedLines: number;
    readonly notes: readonly string[];
  };
  readonly providers: {
    readonly gmail: { readonly attempts: number; readonly deferred: number };
  };
}

const HOURS = 6;
const logs = copiedLogs(HOURS);
const LINE = /^(\S+) (\S+) ([^[\s]+)\[(\d+)\]: (.*)$/;

// The mail lines as `journalctl -u postfix -o json` prints them, 0.25 s after each second.
function journalText(lines: readonly string[]): string {
  return lines
    .map((text) => {
      const [, stamp = "", host, program, pid, message] = LINE.exec(text) ?? [];
      const entry = {
        __REALTIME_TIMESTAMP: String((Date.parse(stamp) + 250) * 1000),
        _HOSTNAME: host,
        SYSLOG_IDENTIFIER: program,
        SYSLOG_PID: pid,
        MESSAGE: message,
      };
      return `${JSON.stringify(entry)}\n`;
    })
    .join("");
}

describe("diagnose with one mail in two inputs", () => {
  it("counts the journal copy once and names it", async () => {
    const folder = temporary.folder({
      "mail.log": logText(logs.mailLines),
      "postfix.json": journalText(logs.mailLines),
    });
    const mailLog = join(folder, "mail.log");
    const journal = join(folder, "postfix.json");

    const result = await runCommand([...OFFLINE_DIAGNOSE, "--format", "json", mailLog, journal]);
    const diagnosis = JSON.parse(result.stdout) as DiagnosisJson;

    expect(validateDiagnosis(diagnosis)).toEqual([]);
    expect(diagnosis.providers.gmail.attempts).toBe(HOURS);
    expect(diagnosis.providers.gmail.deferred).toBe(HOURS);
    expect(diagnosis.input.copiedLines).toBe(logs.mailLines.length);
    const notes = diagnosis.input.notes.filter((note) => note.startsWith("Left out"));
    expect(notes).toHaveLength(1);
    expect(notes[0]).toContain(
      `Left out ${logs.mailLines.length} Postfix lines of ${journal}: ${mailLog} contains the same lines for `,
    );
  });

  it("shows the copied lines in the text report", async () => {
    const folder = temporary.folder({
      "mail.log": logText(logs.mailLines),
      // A supervisor line makes the content differ, so the file is not skipped as identical.
      "docker-logs.txt": `2024-03-04 00:00:00,123 INFO supervisord started with pid 1\n${logText(logs.mailLines)}`,
    });
    const copy = join(folder, "docker-logs.txt");

    const result = await runCommand([...OFFLINE_DIAGNOSE, join(folder, "mail.log"), copy]);
    const text = result.stdout.replace(/\s+/g, " ");

    expect(text).toContain(`${logs.mailLines.length} copied from an earlier input`);
    expect(text).toContain(
      `Mail lines copied from an earlier input, not read: ${copy} ${logs.mailLines.length}.`,
    );
  });
});
