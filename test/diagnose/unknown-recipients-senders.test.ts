import { describe, expect, test } from "vitest";
import type { Diagnosis, Finding } from "../../src/diagnose/types.js";
import {
  GMAIL_NO_SUCH_USER,
  GMAIL_UNSOLICITED,
  HOUR,
  PostfixLog,
  T0,
} from "../helpers/postfix-fixture.js";
import { diagnoseText } from "../helpers/diagnose-text.js";

const SCRIPT = "/home/tideweblog/public_html/wp-content/uploads/x.php";

/**
 * Writes two days of alice's mail, `aliceUnknown` of its 100 recipients unknown at Gmail, then
 * a PHP script of uid 1002 that sends 600 recipients on day 2, `scriptUnknown` of them unknown
 * and the rest rejected as spam.
 */
function spamRun(scriptUnknown: number, aliceUnknown: number): string {
  const log = new PostfixLog("mx");
  for (let i = 0; i < 100; i++) {
    log.submit({
      time: T0 + i * 20 * 60_000,
      account: "alice@example.com",
      clientIp: "198.51.100.10",
      recipients: [
        {
          address: `friend${i}@gmail.com`,
          ...(i < aliceUnknown ? { outcome: GMAIL_NO_SUCH_USER } : {}),
        },
      ],
    });
  }
  for (let i = 0; i < 60; i++) {
    log.pickup({
      time: T0 + 26 * HOUR + i * 55_000,
      uid: 1002,
      user: "tideweblog",
      script: SCRIPT,
      recipients: Array.from({ length: 10 }, (_, n) => ({
        address: `victim${i}-${n}@gmail.com`,
        outcome: i * 10 + n < scriptUnknown ? GMAIL_NO_SUCH_USER : GMAIL_UNSOLICITED,
      })),
    });
  }
  return log.text();
}

function findingOf(diagnosis: Diagnosis, id: string): Finding | undefined {
  return diagnosis.findings.find((finding) => finding.id === id);
}

function sendersOf(finding: Finding | undefined): unknown[] {
  return ((finding?.evidence ?? {}) as { senders?: unknown[] }).senders ?? [];
}

describe("unknown recipients of a spam run", () => {
  test("evidence names the senders", async () => {
    const unknown = findingOf(
      await diagnoseText(spamRun(16, 6), { year: 2024 }),
      "unknown-recipients",
    );

    expect(unknown?.severity).toBe("info");
    expect(sendersOf(unknown)).toContainEqual(
      expect.objectContaining({ sender: "tideweblog@example.com", unknown: 16 }),
    );
    expect(sendersOf(unknown)).toContainEqual(
      expect.objectContaining({ sender: "alice@example.com", unknown: 6 }),
    );
  });

  test("low rate is the script's observation", async () => {
    const diagnosis = await diagnoseText(spamRun(16, 6), { year: 2024 });
    const unknown = findingOf(diagnosis, "unknown-recipients");

    expect(findingOf(diagnosis, "web-script")?.role).toBe("cause");
    expect(unknown?.role).toBe("observation");
    expect(unknown?.summary).toContain(
      "16 of them were in mail from tideweblog@example.com, the sender of the web-script finding",
    );
  });

  test("other sender's share stays a cause", async () => {
    const diagnosis = await diagnoseText(spamRun(6, 16), { year: 2024 });
    const unknown = findingOf(diagnosis, "unknown-recipients");

    expect(unknown?.role).toBe("cause");
  });
});
