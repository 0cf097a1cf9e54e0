import { describe, expect, test } from "vitest";
import * as fixture from "../bounce/fixtures.js";
import { OFFLINE_DIAGNOSE, runCommand } from "../helpers/cli.js";
import { temporaryFiles } from "../helpers/temporary-files.js";

const temporary = temporaryFiles();

const DSN = fixture.POSTFIX_DSN;
/** The DSN cut 30 bytes into its Diagnostic-Code, without the closing boundary. */
const CUT_IN_DIAGNOSTIC = DSN.slice(0, DSN.indexOf("Diagnostic-Code:") + 30);
/** The DSN cut after its Final-Recipient, before Action and Status. */
const CUT_BEFORE_STATUS = DSN.slice(0, DSN.indexOf("Action:"));
/** The DSN cut inside the returned message, after the whole delivery report. */
const CUT_IN_RETURNED = DSN.slice(0, DSN.indexOf("Subject: hello"));

const SEPARATOR = "From MAILER-DAEMON Tue Mar  3 10:00:00 2026\n";

interface Result {
  recipient: string;
  status: string;
}

describe("bounce cut inside its report", () => {
  test("bounces notes a cut Diagnostic-Code", async () => {
    const path = temporary.file(CUT_IN_DIAGNOSTIC, "cut.eml");
    const result = await runCommand(["bounces", path, "--format", "json"]);
    const output = JSON.parse(result.stdout) as Result[];

    expect(result.code).toBe(1);
    expect(output.map((item) => item.recipient)).toEqual(["user1@example.net"]);
    expect(output[0]?.status).toBe("5.1.1");
    expect(result.stderr).toContain(`delist: note: "${path}" ends inside its delivery report`);
    expect(result.stderr).toContain("cut short?");
  });

  test("mbox notes its cut last message", async () => {
    const mbox = `${SEPARATOR}${DSN}\n${SEPARATOR}${CUT_BEFORE_STATUS}`;
    const path = temporary.file(mbox, "bounces.mbox");
    const result = await runCommand(["bounces", path, "--format", "json"]);
    const output = JSON.parse(result.stdout) as Result[];

    expect(output).toHaveLength(2);
    expect(result.stderr).toContain(`"${path}#2" ends inside its delivery report`);
    expect(result.stderr).not.toContain(`"${path}#1"`);
  });

  test("cut returned message gets no note", async () => {
    const path = temporary.file(CUT_IN_RETURNED, "cut.eml");
    const result = await runCommand(["bounces", path]);

    expect(result.code).toBe(1);
    expect(result.stderr).toBe("");
  });

  test("complete bounce gets no note", async () => {
    const result = await runCommand(["bounces", temporary.file(DSN, "bounce.eml")]);

    expect(result.stderr).toBe("");
  });

  test("diagnose --bounces lists the note", async () => {
    const path = temporary.file(CUT_IN_DIAGNOSTIC, "cut.eml");
    const result = await runCommand([...OFFLINE_DIAGNOSE, "--bounces", path, "--format", "json"]);
    const json = JSON.parse(result.stdout) as { input: { notes: string[] } };

    const notes = json.input.notes.filter((note) => note.includes("ends inside its delivery"));
    expect(notes).toHaveLength(1);
    expect(notes[0]).toContain("cut short?");
    expect(result.stderr).toContain(`delist: note: "${path}" ends inside its delivery report`);
  });
});
