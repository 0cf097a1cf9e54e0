import { describe, expect, test } from "vitest";
import { painter } from "../../src/report/colour.js";
import { renderDiagnosisMarkdown } from "../../src/report/markdown.js";
import { renderDiagnosisText } from "../../src/report/text.js";
import { diagnoseText } from "../helpers/diagnose-text.js";
import {
  GMAIL_RATE_LIMIT,
  GMAIL_UNSOLICITED,
  HOUR,
  PostfixLog,
  T0,
} from "../helpers/postfix-fixture.js";
import { schemaValidator } from "../helpers/schema.js";

const MINUTE = 60_000;
const validateDiagnosis = schemaValidator("diagnose.schema.json");

/**
 * Builds twelve hours of accepted mail, then 20 messages from 12:00, one every 5 minutes, that Gmail
 * rejects as spam, each to its own recipient.
 */
function spamRejections(): PostfixLog {
  const log = new PostfixLog();
  log.submitHourly({ hours: 12 });
  for (let i = 0; i < 20; i++) {
    log.submit({
      time: T0 + 12 * HOUR + i * 5 * MINUTE,
      account: "news@example.com",
      clientIp: "198.51.100.20",
      recipients: [{ address: `reader${i}@gmail.com`, outcome: GMAIL_UNSOLICITED }],
    });
  }
  return log;
}

/** Builds twelve hours of accepted mail, then 12 messages to one address that Gmail defers. */
function heldForOneAddress(): PostfixLog {
  const log = new PostfixLog();
  log.submitHourly({ hours: 12 });
  for (let i = 0; i < 12; i++) {
    log.relay({
      time: T0 + 12 * HOUR + i * 5 * MINUTE,
      clientIp: "203.0.113.50",
      from: `promo${i}@example.net`,
      recipients: [{ address: "owner@gmail.com", outcome: GMAIL_RATE_LIMIT }],
    });
  }
  return log;
}

/** Builds twelve hours of accepted mail, then 600 messages to one address that Gmail defers. */
function manyHeldForOneAddress(): PostfixLog {
  const log = new PostfixLog();
  log.submitHourly({ hours: 12 });
  for (let i = 0; i < 600; i++) {
    log.relay({
      time: T0 + 12 * HOUR + i * 6_000,
      clientIp: "203.0.113.50",
      from: `promo${i}@example.net`,
      recipients: [{ address: "owner@gmail.com", outcome: GMAIL_RATE_LIMIT }],
    });
  }
  return log;
}

/** Returns the Markdown table row of `name`. */
function markdownRow(markdown: string, name: string): string {
  return markdown.split("\n").find((line) => line.startsWith(`| ${name} |`)) ?? "";
}

describe("blocked attempts in the provider rows", () => {
  test("Markdown row counts blocked attempts", async () => {
    const diagnosis = await diagnoseText(spamRejections().text());
    const row = markdownRow(renderDiagnosisMarkdown(diagnosis), "Gmail");

    expect(row).toContain("20 attempts to 20 addresses rejected or deferred;");
    expect(row).toContain("and no later attempt was accepted.");
  });

  test("Markdown row matches text row", async () => {
    const diagnosis = await diagnoseText(spamRejections().text());
    const text = renderDiagnosisText(diagnosis, painter(false)).replace(/\s+/g, " ");
    const row = markdownRow(renderDiagnosisMarkdown(diagnosis), "Gmail");
    const sentence = "attempts to 20 addresses rejected or deferred; last at 2024-03-04 13:35:01";

    expect(text).toContain(`20 ${sentence}`);
    expect(row).toContain(`20 ${sentence}`);
  });

  test("JSON counts held messages", async () => {
    const diagnosis = await diagnoseText(heldForOneAddress().text());
    const gmail = diagnosis.providers.gmail;

    expect(gmail?.blockedAttempts).toBe(12);
    expect(gmail?.blockedRecipients).toBe(1);
    expect(gmail?.blockedMessages).toBe(12);
    expect(validateDiagnosis(JSON.parse(JSON.stringify(diagnosis)))).toEqual([]);
  });

  test("rows name held messages", async () => {
    const diagnosis = await diagnoseText(heldForOneAddress().text());
    const text = renderDiagnosisText(diagnosis, painter(false)).replace(/\s+/g, " ");
    const row = markdownRow(renderDiagnosisMarkdown(diagnosis), "Gmail");

    expect(text).toContain("12 attempts for 12 messages to 1 address deferred;");
    expect(row).toContain("12 attempts for 12 messages to 1 address deferred;");
  });

  test("rows leave out equal message counts", async () => {
    const diagnosis = await diagnoseText(spamRejections().text());
    const text = renderDiagnosisText(diagnosis, painter(false));

    expect(diagnosis.providers.gmail?.blockedMessages).toBe(20);
    expect(text).not.toContain("messages to");
  });

  test("rows mark estimated message counts", async () => {
    const diagnosis = await diagnoseText(manyHeldForOneAddress().text());
    const gmail = diagnosis.providers.gmail;
    const text = renderDiagnosisText(diagnosis, painter(false)).replace(/\s+/g, " ");

    expect(gmail?.blockedMessagesEstimated).toBe(true);
    expect(text).toMatch(/600 attempts for an estimated \d+ messages to 1 address deferred;/);
    expect(validateDiagnosis(JSON.parse(JSON.stringify(diagnosis)))).toEqual([]);
  });

  test("exact message counts stay unmarked", async () => {
    const diagnosis = await diagnoseText(heldForOneAddress().text());

    expect(diagnosis.providers.gmail?.blockedMessagesEstimated).toBe(false);
  });
});
