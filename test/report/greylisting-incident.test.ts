import { describe, expect, test } from "vitest";
import { painter } from "../../src/report/colour.js";
import { renderDiagnosisMarkdown } from "../../src/report/markdown.js";
import { renderDiagnosisText } from "../../src/report/text.js";
import { diagnoseText } from "../helpers/diagnose-text.js";
import {
  GMAIL_RATE_LIMIT,
  HOUR,
  PostfixLog,
  SENT,
  T0,
  type Outcome,
} from "../helpers/postfix-fixture.js";

const MINUTE = 60_000;

/** A small receiver's greylisting deferral. */
const GREYLISTED: Outcome = {
  status: "deferred",
  dsn: "4.2.0",
  reply: "450 4.2.0 <buyer@example.net>: Recipient address rejected: Greylisted, see the help page",
};

/**
 * Builds a day of delivered mail, then 12 messages that example.net greylists once, each also
 * to a Gmail reader with the outcome `gmailOutcome`.
 */
function greylistingLog(gmailOutcome: Outcome): string {
  const log = new PostfixLog("mail");
  log.submitHourly();
  for (let index = 0; index < 12; index++) {
    log.submit({
      time: T0 + 24 * HOUR + index * 5 * MINUTE,
      account: "alice@example.com",
      clientIp: "198.51.100.10",
      recipients: [
        { address: `reader${index}@gmail.com`, outcome: gmailOutcome },
        { address: `buyer${index}@example.net`, outcome: GREYLISTED },
      ],
    });
  }
  return log.text();
}

describe("greylisting detail during a block", () => {
  test("a rate limit hides greylisting texts", async () => {
    const diagnosis = await diagnoseText(greylistingLog(GMAIL_RATE_LIMIT));
    const text = renderDiagnosisText(diagnosis, painter(false));
    const markdown = renderDiagnosisMarkdown(diagnosis);

    expect(diagnosis.verdict.status).toBe("rate-limited");
    expect(text).not.toContain("Greylisted");
    expect(text).not.toContain("Deferral replies");
    expect(markdown).not.toContain("Greylisted");
    expect(diagnosis.providers.other?.deferralDetail?.texts[0]?.text).toContain("Greylisted");
  });

  test("a quiet log keeps them", async () => {
    const diagnosis = await diagnoseText(greylistingLog(SENT));
    const text = renderDiagnosisText(diagnosis, painter(false));

    expect(diagnosis.verdict.status).toBe("ok");
    expect(text).toContain("Greylisted");
    expect(text).toContain("Deferral replies");
  });
});
