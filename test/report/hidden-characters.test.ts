import { describe, expect, test } from "vitest";
import { isHiddenCharacter } from "../../src/diagnose/hidden-characters.js";
import type { Diagnosis } from "../../src/diagnose/types.js";
import { painter } from "../../src/report/colour.js";
import { decodeReportText } from "../../src/report/log-text.js";
import { renderDiagnosisMarkdown } from "../../src/report/markdown.js";
import { renderDiagnosisText } from "../../src/report/text.js";
import { columns } from "../../src/report/wrap.js";
import { compromisedLog } from "../helpers/compromised-log.js";
import { diagnoseText } from "../helpers/diagnose-text.js";

/** Account names with one hidden character each, and the escape that the reports show. */
const ACCOUNTS: ReadonlyArray<readonly [string, string, string]> = [
  ["right-to-left override", "ni\u202eaj@example.com", "ni\\u202eaj@example.com"],
  ["zero width space", "ni\u200baj@example.com", "ni\\u200baj@example.com"],
  ["figure space", "ni\u2007aj@example.com", "ni\\u2007aj@example.com"],
  ["Hangul filler", "ni\u3164aj@example.com", "ni\\u3164aj@example.com"],
  ["ESC", "ni\u001bcaj@example.com", "ni\\u001bcaj@example.com"],
  ["carriage return", "ni\raj@example.com", "ni\\u000daj@example.com"],
];

/** Diagnoses the burst of `account` and decodes the report, as the CLI does before it prints. */
async function decodedDiagnosis(account: string): Promise<Diagnosis> {
  return decodeReportText(await diagnoseText(compromisedLog(account)));
}

/** Returns the hidden characters in `text`, each as its code point in hex. */
function hiddenIn(text: string): string[] {
  return [...text].filter(isHiddenCharacter).map((character) => {
    return (character.codePointAt(0) ?? 0).toString(16);
  });
}

describe("text report with a hidden character", () => {
  test.each(ACCOUNTS)("%s: no raw character", async (_name, account) => {
    const text = renderDiagnosisText(await decodedDiagnosis(account), painter(false));

    expect(hiddenIn(text)).toEqual([]);
  });

  test.each(ACCOUNTS)("%s: escape in each place", async (_name, account, escaped) => {
    const text = renderDiagnosisText(await decodedDiagnosis(account), painter(false));
    const unwrapped = text.replace(/\n +/g, " ");

    expect(unwrapped).toContain(`Account ${escaped} looks compromised`);
    // The evidence keeps the account name in lower case.
    expect(unwrapped).toContain(`Account: ${escaped.toLowerCase()}`);
    expect(unwrapped).toContain(`first submission as ${escaped} from`);
    expect(unwrapped).toContain(`Change the password of ${escaped} now`);
  });

  test("escapes count toward the width", async () => {
    const account = "a\u200bb\u200bc\u200bd@example.com";
    const text = renderDiagnosisText(await decodedDiagnosis(account), painter(false));
    const lines = text.split("\n").filter((line) => line.includes("\\u200b"));

    expect(lines.length).toBeGreaterThan(3);
    for (const line of lines) {
      expect(columns(line), line).toBeLessThanOrEqual(80);
    }
  });

  test("colour codes still pass", async () => {
    const diagnosis = await decodedDiagnosis("ni\u202eaj@example.com");
    const text = renderDiagnosisText(diagnosis, painter(true));

    expect(text).toContain("\u001b[1m");
    expect(text).toContain("ni\\u202eaj@example.com");
  });

  test("report given stays unchanged", async () => {
    const diagnosis = await decodedDiagnosis("ni\u202eaj@example.com");
    renderDiagnosisText(diagnosis, painter(false));

    const [finding] = diagnosis.findings.filter((item) => item.id === "compromised-account");
    expect(finding?.title).toContain("ni\u202eaj@example.com");
  });
});

describe("Markdown report with a hidden character", () => {
  test.each(ACCOUNTS)("%s: no raw character", async (_name, account) => {
    const markdown = renderDiagnosisMarkdown(await decodedDiagnosis(account));

    expect(hiddenIn(markdown)).toEqual([]);
  });

  test.each(ACCOUNTS)("%s: evidence shows the escape", async (_name, account, escaped) => {
    const lines = renderDiagnosisMarkdown(await decodedDiagnosis(account)).split("\n");

    // Markdown escapes the backslash of the escape, so that it renders as written.
    expect(lines).toContain(`- Account: ${escaped.toLowerCase().replaceAll("\\", "\\\\")}`);
  });
});
