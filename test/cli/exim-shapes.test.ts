import { describe, expect, it } from "vitest";
import { OFFLINE_DIAGNOSE, runCommand } from "../helpers/cli.js";
import { EXIM_SHAPES, eximLogIn, eximMainLines } from "../helpers/exim-shapes.js";
import { temporaryFiles } from "../helpers/temporary-files.js";

const temporary = temporaryFiles();

interface ProviderCounts {
  status: string;
  sent: number;
  deferred: number;
  bounced: number;
}

interface Diagnosis {
  verdict: { status: string };
  input: { lines: number; parsed: number; unparsed: number; unrecognised: number };
  providers: Record<string, ProviderCounts>;
}

async function diagnose(log: string): Promise<{ code: number; diagnosis: Diagnosis }> {
  const path = temporary.file(log, "exim.log");
  const result = await runCommand([...OFFLINE_DIAGNOSE, "--format", "json", path]);
  expect(result.stderr).toBe("");
  return { code: result.code, diagnosis: JSON.parse(result.stdout) as Diagnosis };
}

function countsOf(diagnosis: Diagnosis): Record<string, ProviderCounts> {
  const counts: Record<string, ProviderCounts> = {};
  for (const [name, provider] of Object.entries(diagnosis.providers)) {
    const { status, sent, deferred, bounced } = provider;
    counts[name] = { status, sent, deferred, bounced };
  }
  return counts;
}

describe("Exim main log in every syslog shape", () => {
  const lines = eximMainLines();

  it("main log is blocked at Gmail", async () => {
    const { code, diagnosis } = await diagnose(eximLogIn("mainlog", lines));

    expect(code).toBe(1);
    expect(diagnosis.verdict.status).toBe("blocked");
    expect(diagnosis.input.unparsed).toBe(0);
    expect(countsOf(diagnosis)).toEqual({
      gmail: { status: "blocked", sent: 2, deferred: 5, bounced: 4 },
      outlook: { status: "ok", sent: 3, deferred: 0, bounced: 0 },
      yahoo: { status: "ok", sent: 2, deferred: 0, bounced: 0 },
    });
  });

  it.each(EXIM_SHAPES.slice(1))("%s gives the main log's diagnosis", async (shape) => {
    const baseline = await diagnose(eximLogIn("mainlog", lines));
    const { code, diagnosis } = await diagnose(eximLogIn(shape, lines));

    expect(code).toBe(baseline.code);
    expect(diagnosis.verdict.status).toBe(baseline.diagnosis.verdict.status);
    expect(diagnosis.input.parsed).toBe(baseline.diagnosis.input.parsed);
    expect(diagnosis.input.unparsed).toBe(0);
    expect(diagnosis.input.unrecognised).toBe(0);
    expect(countsOf(diagnosis)).toEqual(countsOf(baseline.diagnosis));
  });
});
