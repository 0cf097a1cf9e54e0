import { buildDiagnosis } from "../../src/diagnose/diagnose.js";
import { analyseLogs, inputReport } from "../../src/diagnose/run.js";
import type { Diagnosis } from "../../src/diagnose/types.js";
import { resolveTimeZone } from "../../src/time/zone.js";
import { writeTemporaryLog } from "./postfix-fixture.js";

/** Settings of the diagnose helpers: the year of classic stamps, and the time of the run. */
export interface DiagnoseTextOptions {
  readonly year?: number | undefined;
  readonly now?: number;
}

/**
 * Diagnoses log files in the given order as `delist diagnose --offline --timezone UTC` would.
 */
export async function diagnoseFiles(
  paths: readonly string[],
  options: DiagnoseTextOptions = {},
): Promise<Diagnosis> {
  const timeZone = resolveTimeZone("UTC");
  const run = await analyseLogs(paths, { timeZone, year: options.year });
  return buildDiagnosis(run.facts, {
    input: inputReport(run, timeZone),
    timeZone,
    version: "test",
    now: options.now ?? 0,
  });
}

/**
 * Diagnoses log text as `delist diagnose --offline --timezone UTC` would, from a temporary
 * file that is removed afterwards.
 */
export function diagnoseText(text: string, options: DiagnoseTextOptions = {}): Promise<Diagnosis> {
  return diagnoseTemporaryLogs([["mail.log", text]], options);
}

/**
 * Diagnoses several log texts together, each from a file of its own temporary folder named
 * `mail0.log`, `mail1.log` and so on. The folders are removed afterwards.
 */
export function diagnoseTexts(
  texts: readonly string[],
  options: DiagnoseTextOptions = {},
): Promise<Diagnosis> {
  return diagnoseTemporaryLogs(
    texts.map((text, index) => [`mail${index}.log`, text]),
    options,
  );
}

/** Writes each log (file name and text) to a temporary folder of its own and diagnoses them. */
async function diagnoseTemporaryLogs(
  logs: ReadonlyArray<readonly [string, string]>,
  options: DiagnoseTextOptions,
): Promise<Diagnosis> {
  const files = logs.map(([name, text]) => writeTemporaryLog(text, name));
  try {
    return await diagnoseFiles(
      files.map((file) => file.path),
      options,
    );
  } finally {
    for (const file of files) file.remove();
  }
}
