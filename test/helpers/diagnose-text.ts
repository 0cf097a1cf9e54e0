import { buildDiagnosis } from "../../src/diagnose/diagnose.js";
import { analyseLogs, inputReport } from "../../src/diagnose/run.js";
import type { Diagnosis } from "../../src/diagnose/types.js";
import { resolveTimeZone } from "../../src/time/zone.js";
import { writeTemporaryLog } from "./postfix-fixture.js";

/** Settings of `diagnoseText`: the year of classic stamps, and the time of the run. */
export interface DiagnoseTextOptions {
  readonly year?: number;
  readonly now?: number;
}

/**
 * Diagnoses log text as `delist diagnose --offline --timezone UTC` would, from a temporary
 * file that is removed afterwards.
 */
export async function diagnoseText(
  text: string,
  options: DiagnoseTextOptions = {},
): Promise<Diagnosis> {
  const file = writeTemporaryLog(text);
  try {
    const timeZone = resolveTimeZone("UTC");
    const run = await analyseLogs([file.path], { timeZone, year: options.year });
    return buildDiagnosis(run.facts, {
      input: inputReport(run, timeZone),
      timeZone,
      version: "test",
      now: options.now ?? 0,
    });
  } finally {
    file.remove();
  }
}
