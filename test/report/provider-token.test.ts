import { beforeAll, describe, expect, test } from "vitest";
import type { Diagnosis } from "../../src/diagnose/types.js";
import { painter } from "../../src/report/colour.js";
import { renderDiagnosisMarkdown } from "../../src/report/markdown.js";
import { renderDiagnosisText } from "../../src/report/text.js";
import { diagnoseText } from "../helpers/diagnose-text.js";
import { HOUR, PostfixLog, T0, type Outcome } from "../helpers/postfix-fixture.js";

const MINUTE = 60_000;

/** Yahoo's deferral for unexpected volume or complaints, with its TSS04 token. */
const YAHOO_TSS04: Outcome = {
  status: "deferred",
  dsn: "4.7.0",
  reply:
    "421 4.7.0 [TSS04] Messages from 192.0.2.9 temporarily deferred due to unexpected volume or user complaints - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes",
};

/** Builds a day of mail that Yahoo accepted, then 12 messages that it deferred with TSS04. */
function yahooLog(): string {
  const log = new PostfixLog("mail");
  log.submitHourly({ recipient: (hour) => `friend${hour}@yahoo.com` });
  for (let index = 0; index < 12; index++) {
    log.submit({
      time: T0 + 24 * HOUR + index * 5 * MINUTE,
      account: "alice@example.com",
      clientIp: "198.51.100.10",
      recipients: [{ address: `reader${index}@yahoo.com`, outcome: YAHOO_TSS04 }],
    });
  }
  return log.text();
}

describe("provider token beside reply codes", () => {
  let diagnosis: Diagnosis;

  beforeAll(async () => {
    diagnosis = await diagnoseText(yahooLog());
  });

  test("text row shows the token", () => {
    const text = renderDiagnosisText(diagnosis, painter(false));

    expect(text).toMatch(/^ {4}first defer 2024-03-05 00:00:01 421 4\.7\.0 \[TSS04\]: /m);
  });

  test("Markdown row shows the token", () => {
    const row = renderDiagnosisMarkdown(diagnosis)
      .split("\n")
      .find((line) => line.startsWith("| Yahoo/AOL |"));

    expect(row).toContain("First defer 2024-03-05 00:00:01 `421 4.7.0 [TSS04]`");
  });

  test("rate-limited evidence shows the token", () => {
    const text = renderDiagnosisText(diagnosis, painter(false));

    expect(diagnosis.findings.map((f) => f.id)).toContain("rate-limited");
    expect(text).toContain("Yahoo/AOL: 12 replies (421 4.7.0 [TSS04] ×12)");
  });
});
