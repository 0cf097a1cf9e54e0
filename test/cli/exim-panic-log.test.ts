import { describe, expect, it } from "vitest";
import { OFFLINE_DIAGNOSE, runCommand } from "../helpers/cli.js";
import { EXIM_PANIC, eximLogIn, eximMainLines } from "../helpers/exim-shapes.js";
import { schemaValidator } from "../helpers/schema.js";
import { temporaryFiles } from "../helpers/temporary-files.js";

const temporary = temporaryFiles();
const validateDiagnosis = schemaValidator("diagnose.schema.json");

interface Diagnosis {
  input: { unparsed: number; unrecognised: number; copiedLines: number };
  mtaFatalErrors: {
    count: number;
    first: string;
    sample: { text: string; line: number };
    kinds: { mta: string; cause: string; sample: { text: string } }[];
  } | null;
}

function mainLog(): string {
  const lines = [...eximMainLines(), EXIM_PANIC].sort((a, b) => a.seconds - b.seconds);
  return eximLogIn("mainlog", lines);
}

async function diagnose(paths: readonly string[]): Promise<{ code: number; diagnosis: Diagnosis }> {
  const result = await runCommand([...OFFLINE_DIAGNOSE, "--format", "json", ...paths]);
  expect(result.stderr).toBe("");
  const diagnosis = JSON.parse(result.stdout) as Diagnosis;
  expect(validateDiagnosis(diagnosis)).toEqual([]);
  return { code: result.code, diagnosis };
}

describe("Exim panic lines", () => {
  it("in mainlog are fatal errors", async () => {
    const { code, diagnosis } = await diagnose([temporary.file(mainLog(), "mainlog")]);

    expect(code).toBe(1);
    expect(diagnosis.input.unparsed).toBe(0);
    expect(diagnosis.mtaFatalErrors?.count).toBe(1);
    expect(diagnosis.mtaFatalErrors?.first).toBe("2024-03-04T09:50:00Z");
    expect(diagnosis.mtaFatalErrors?.sample.text).toBe(`exim: ${EXIM_PANIC.text}`);
    expect(diagnosis.mtaFatalErrors?.kinds[0]).toMatchObject({
      mta: "exim",
      cause: "exim-missing-file",
    });
  });

  it("paniclog alone is read", async () => {
    const path = temporary.file(eximLogIn("mainlog", [EXIM_PANIC]), "paniclog");
    const { code, diagnosis } = await diagnose([path]);

    expect(code).toBe(0);
    expect(diagnosis.input.unparsed).toBe(0);
    expect(diagnosis.mtaFatalErrors?.count).toBe(1);
  });

  it("paniclog beside mainlog counts once", async () => {
    const folder = temporary.folder({
      "exim4/mainlog": mainLog(),
      "exim4/paniclog": eximLogIn("mainlog", [EXIM_PANIC]),
    });
    const { diagnosis } = await diagnose([`${folder}/exim4`]);

    expect(diagnosis.mtaFatalErrors?.count).toBe(1);
    expect(diagnosis.input.copiedLines).toBe(1);
  });

  it("configuration error in both logs counts once", async () => {
    const error =
      "2024-03-04 09:50:00 Exim configuration error in line 812 of /etc/exim4/exim4.conf.template:\n" +
      '  main option "foo" unknown\n';
    const folder = temporary.folder({
      "exim4/mainlog": mainLog() + error,
      "exim4/paniclog": error,
    });
    const { diagnosis } = await diagnose([`${folder}/exim4`]);
    const kind = diagnosis.mtaFatalErrors?.kinds.find((each) => each.cause === "exim-config-error");

    expect(diagnosis.mtaFatalErrors?.count).toBe(2);
    expect(kind?.sample.text).toContain('main option "foo" unknown');
    expect(diagnosis.input.unrecognised).toBe(0);
    expect(diagnosis.input.copiedLines).toBe(2);
  });

  it("copied reason counts with its error", async () => {
    const error =
      "2024-03-04 09:50:00 [4120] Exim configuration error in line 812 of /etc/exim4/exim4.conf.template:\n" +
      '  main option "foo" unknown\n';
    const folder = temporary.folder({
      "exim4/mainlog": mainLog() + error,
      "exim4/paniclog": `${error}  an indented line of no error\n`,
    });
    const { diagnosis } = await diagnose([`${folder}/exim4`]);

    expect(diagnosis.input.copiedLines).toBe(2);
    expect(diagnosis.input.unrecognised).toBe(1);
  });

  it("text report shows the section", async () => {
    const result = await runCommand([...OFFLINE_DIAGNOSE, temporary.file(mainLog(), "mainlog")]);
    const text = result.stdout.replace(/\n {2,4}/g, " ");

    expect(text).toContain("MTA fatal errors");
    expect(text).toContain("exim: failed to expand");
    expect(text).toContain("1 panic line of the MTA");
    expect(text).toContain("Exim goes on");
    expect(text).not.toContain("A fatal line ends the program");
    expect(text).not.toContain("postfix check");
    expect(text).toContain("Create the file or correct its path");
    expect(text).toContain("0 skipped (0 unparsed, 0 without log framing)");
  });
});
