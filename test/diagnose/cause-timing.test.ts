import { describe, expect, test } from "vitest";
import type { Diagnosis, Finding } from "../../src/diagnose/types.js";
import { GMAIL_UNSOLICITED, HOUR, PostfixLog, T0 } from "../helpers/postfix-fixture.js";
import { diagnoseText } from "../helpers/diagnose-text.js";

/**
 * Writes two days of contact-form mail, a newsletter account whose 40 messages Gmail rejects
 * from hour 20, Gmail accepting mail again from hour 30, and 60 messages of a web script
 * (uid 48) to Gmail from `scriptHour`.
 */
function blockThenScript(scriptHour: number): string {
  const log = new PostfixLog("mx");
  for (let hour = 0; hour < 48; hour += 2) {
    log.pickup({
      time: T0 + hour * HOUR + 300_000,
      uid: 33,
      user: "www-data",
      recipients: [{ address: `owner${hour}@example.net` }],
    });
  }
  for (let i = 0; i < 40; i++) {
    log.submit({
      time: T0 + 20 * HOUR + i * 60_000,
      account: "news@example.com",
      clientIp: "198.51.100.10",
      recipients: [{ address: `reader${i}@gmail.com`, outcome: GMAIL_UNSOLICITED }],
    });
  }
  for (let i = 0; i < 10; i++) {
    log.submit({
      time: T0 + 30 * HOUR + i * 60_000,
      account: "office@example.com",
      clientIp: "198.51.100.11",
      recipients: [{ address: `partner${i}@gmail.com` }],
    });
  }
  for (let i = 0; i < 60; i++) {
    log.pickup({
      time: T0 + scriptHour * HOUR + i * 55_000,
      uid: 48,
      user: "site@example.com",
      recipients: [{ address: `visitor${i}@gmail.com` }],
    });
  }
  return log.text();
}

function scriptOf(diagnosis: Diagnosis): Finding | undefined {
  return diagnosis.findings.find((finding) => finding.id === "web-script");
}

describe("cause findings and block times", () => {
  test("script after the block is an observation", async () => {
    const diagnosis = await diagnoseText(blockThenScript(36));
    const script = scriptOf(diagnosis);

    expect(diagnosis.providers["gmail"]?.pastBlock).not.toBeNull();
    expect(script?.role).toBe("observation");
    expect(diagnosis.verdict.summary).not.toContain("web-script");
  });

  test("script during the block is a cause", async () => {
    const diagnosis = await diagnoseText(blockThenScript(20));
    const script = scriptOf(diagnosis);

    expect(script?.role).toBe("cause");
    expect(readinessDetail(diagnosis, "cause-identified")).toContain("web-script");
    // The block is lifted, so the OK verdict names no cause, and the findings name it.
    expect(diagnosis.verdict.status).toBe("ok");
    expect(diagnosis.verdict.summary).not.toContain("Likely cause");
  });

  test("script in the hours before the block is a cause", async () => {
    const diagnosis = await diagnoseText(blockThenScript(17));

    expect(scriptOf(diagnosis)?.role).toBe("cause");
  });
});

function readinessDetail(diagnosis: Diagnosis, id: string): string | undefined {
  return diagnosis.readiness.items.find((item) => item.id === id)?.detail;
}
