import { describe, expect, it } from "vitest";
import { OFFLINE_DIAGNOSE, runCommand } from "../helpers/cli.js";
import { EXIM_REJECTS, eximLogIn, eximMainLines, eximRejectLog } from "../helpers/exim-shapes.js";
import { temporaryFiles } from "../helpers/temporary-files.js";

const temporary = temporaryFiles();

function mainLog(): string {
  const lines = [...eximMainLines(), ...EXIM_REJECTS].sort((a, b) => a.seconds - b.seconds);
  return eximLogIn("mainlog", lines);
}

interface Statistics {
  input: { copiedLines: number; unrecognised: number };
  inbound: { rejects: number };
}

async function statistics(folder: string, inputs: readonly string[]): Promise<Statistics> {
  const paths = inputs.map((name) => `${folder}/${name}`);
  const result = await runCommand(["logs", "--timezone", "UTC", "--format", "json", ...paths]);
  expect(result.stderr).toBe("");
  return JSON.parse(result.stdout) as Statistics;
}

describe("Exim reject log", () => {
  it("beside mainlog counts each reject once", async () => {
    const folder = temporary.folder({
      "exim4/mainlog": mainLog(),
      "exim4/rejectlog": eximRejectLog(),
    });
    const alone = await statistics(folder, ["exim4/mainlog"]);
    const both = await statistics(folder, ["exim4"]);

    expect(alone.inbound.rejects).toBe(EXIM_REJECTS.length);
    expect(both.inbound.rejects).toBe(EXIM_REJECTS.length);
    expect(both.input.copiedLines).toBe(11);
    expect(both.input.unrecognised).toBe(0);
  });

  it("note names the header lines", async () => {
    const folder = temporary.folder({ mainlog: mainLog(), rejectlog: eximRejectLog() });
    const result = await runCommand([...OFFLINE_DIAGNOSE, folder]);
    const text = result.stdout.replace(/\n {2,4}/g, " ");

    expect(result.code).toBe(1);
    expect(text).toContain(`Left out 11 lines of ${folder}/rejectlog:`);
    expect(text).toContain("the same 2 Exim lines for 2024-03-04 09:10:00 to 2024-03-04 09:40:00");
    expect(text).toContain("the other 9 lines are the envelope and headers of rejected messages");
    expect(text).toContain("0 without log framing");
  });

  it("alone exits 2 and asks for mainlog", async () => {
    const path = temporary.file(eximRejectLog(), "rejectlog");
    const result = await runCommand([...OFFLINE_DIAGNOSE, path]);

    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain(`delist: ${path} is Exim's reject log:`);
    expect(result.stderr).toContain("Give Exim's main log with it: mainlog");
    expect(result.stderr).toContain("exim_mainlog");
  });

  it("alone exits 2 in logs and JSON", async () => {
    const path = temporary.file(eximRejectLog(), "exim_rejectlog");
    const logs = await runCommand(["logs", "--timezone", "UTC", path]);
    const json = await runCommand([...OFFLINE_DIAGNOSE, "--format", "json", path]);

    expect(logs.code).toBe(2);
    expect(logs.stderr).toContain(`${path} is Exim's reject log`);
    expect(json.code).toBe(2);
    expect(json.stdout).toContain("Exim's reject log");
  });

  it("with another log is read", async () => {
    const folder = temporary.folder({ "mail.log": mainLog(), rejectlog: eximRejectLog() });
    const result = await runCommand([
      ...OFFLINE_DIAGNOSE,
      `${folder}/mail.log`,
      `${folder}/rejectlog`,
    ]);

    expect(result.code).toBe(1);
    expect(result.stderr).toBe("");
  });
});
