import { describe, expect, test } from "vitest";
import { painter } from "../../src/report/colour.js";
import { renderDiagnosisText } from "../../src/report/text.js";
import { diagnoseText } from "../helpers/diagnose-text.js";
import {
  GMAIL_NO_SUCH_USER,
  GMAIL_UNSOLICITED,
  HOUR,
  PostfixLog,
  T0,
} from "../helpers/postfix-fixture.js";
import { schemaValidator } from "../helpers/schema.js";

const MINUTE = 60_000;
const validateDiagnosis = schemaValidator("diagnose.schema.json");

/**
 * Builds ten hours of mail that Gmail accepted, then 24 attempts to Gmail from 10:00 to 11:09:
 * every third one to an unknown user (8 of them) and the other 16 rejected as spam. An evening
 * of mail to another receiver follows, so the rejections end more than two hours before the log.
 */
function spamAndUnknownUsers(): PostfixLog {
  const log = new PostfixLog();
  log.submitHourly({ hours: 10 });
  for (let i = 0; i < 24; i++) {
    const outcome = i % 3 === 0 ? GMAIL_NO_SUCH_USER : GMAIL_UNSOLICITED;
    log.submit({
      time: T0 + 10 * HOUR + i * 3 * MINUTE,
      account: "news@example.com",
      clientIp: "198.51.100.20",
      recipients: [{ address: `reader${i}@gmail.com`, outcome }],
    });
  }
  for (let hour = 13; hour < 24; hour++) {
    log.submit({
      time: T0 + hour * HOUR,
      account: "bob@example.com",
      clientIp: "198.51.100.11",
      recipients: [{ address: `partner${hour}@example.net` }],
    });
  }
  return log;
}

describe("unaccepted attempts with other failures", () => {
  test("JSON counts the block replies", async () => {
    const diagnosis = await diagnoseText(spamAndUnknownUsers().text());
    const gmail = diagnosis.providers.gmail;

    expect(gmail?.blockedAttempts).toBe(16);
    expect(gmail?.unacceptedAttempts?.attempts).toBe(24);
    expect(gmail?.unacceptedAttempts?.rejected).toBe(24);
    expect(gmail?.unacceptedAttempts?.blocked).toBe(16);
    expect(validateDiagnosis(JSON.parse(JSON.stringify(diagnosis)))).toEqual([]);
  });

  test("verdict names the block replies", async () => {
    const diagnosis = await diagnoseText(spamAndUnknownUsers().text());

    expect(diagnosis.verdict.summary).toContain(
      "has accepted none of the 24 attempts since 2024-03-04T09:00:01Z (16 of them got block replies)",
    );
  });

  test("text row and verdict agree", async () => {
    const diagnosis = await diagnoseText(spamAndUnknownUsers().text());
    const report = renderDiagnosisText(diagnosis, painter(false)).replace(/\s+/g, " ");

    expect(report).toContain("(16 of them got block replies)");
    expect(report).toContain("16 attempts to 16 addresses rejected or deferred");
  });

  test("verdict adds nothing when all got block replies", async () => {
    const log = new PostfixLog();
    log.submitHourly({ hours: 10 });
    for (let i = 0; i < 20; i++) {
      log.submit({
        time: T0 + 10 * HOUR + i * 3 * MINUTE,
        account: "news@example.com",
        clientIp: "198.51.100.20",
        recipients: [{ address: `reader${i}@gmail.com`, outcome: GMAIL_UNSOLICITED }],
      });
    }
    log.submit({
      time: T0 + 20 * HOUR,
      account: "bob@example.com",
      clientIp: "198.51.100.11",
      recipients: [{ address: "partner@example.net" }],
    });
    const diagnosis = await diagnoseText(log.text());

    expect(diagnosis.providers.gmail?.unacceptedAttempts?.blocked).toBe(20);
    expect(diagnosis.verdict.summary).toContain("has accepted none of the 20 attempts since");
    expect(diagnosis.verdict.summary).not.toContain("block replies");
  });
});
