import { describe, expect, test } from "vitest";
import type { Diagnosis, Finding } from "../../src/diagnose/types.js";
import { diagnoseText } from "../helpers/diagnose-text.js";
import { HOUR, type Outcome, PostfixLog, SENT, T0 } from "../helpers/postfix-fixture.js";

/**
 * The first line of Gmail's spam verdict alone. Its low-reputation block starts with the same
 * line, so the reply's category is `unknown`, and only the origin's own rejected mail can link
 * a finding to Gmail's block.
 */
const GMAIL_FIRST_LINE: Outcome = {
  status: "bounced",
  dsn: "5.7.1",
  reply: "550-5.7.1 [203.0.113.10      12] Gmail has detected that this message is",
};

const UPLOAD_SCRIPT = "/var/www/shop/wp-content/uploads/2026/03/cache.php";

/**
 * Two days of a shop's order mail to Gmail, then a script in an upload folder that sends to
 * Gmail. By default Gmail accepts the shop's mail and rejects the script's.
 */
function uploadScriptLog(shopOutcome: Outcome = SENT, scriptOutcome = GMAIL_FIRST_LINE): string {
  const log = new PostfixLog("mx");
  for (let hour = 0; hour < 48; hour += 2) {
    log.pickup({
      time: T0 + hour * HOUR + 300_000,
      uid: 1003,
      user: "shop",
      recipients: [{ address: `customer${hour}@gmail.com`, outcome: shopOutcome }],
    });
  }
  for (let i = 0; i < 80; i++) {
    log.pickup({
      time: T0 + 30 * HOUR + i * 40_000,
      uid: 33,
      user: "www-data",
      script: UPLOAD_SCRIPT,
      recipients: [{ address: `target${i}@gmail.com`, outcome: scriptOutcome }],
    });
  }
  return log.text();
}

const ATTACK_IPS = ["203.0.113.50", "203.0.113.51"];

/** Two days of office mail, then one account sends from new addresses and Gmail rejects it. */
function stolenAccountLog(): string {
  const log = new PostfixLog("mx");
  for (let hour = 0; hour < 48; hour++) {
    for (let index = 0; index < 4; index++) {
      log.submit({
        time: T0 + hour * HOUR + index * 300_000,
        account: `user${index}@example.com`,
        clientIp: `198.51.100.${10 + index}`,
        recipients: [{ address: `contact${hour}-${index}@example.net` }],
      });
    }
  }
  for (let message = 0; message < 20; message++) {
    log.submit({
      time: T0 + 40 * HOUR + 60_000 + message * 90_000,
      account: "user0@example.com",
      clientIp: ATTACK_IPS[message % ATTACK_IPS.length] ?? "203.0.113.50",
      recipients: Array.from({ length: 30 }, (_, i) => ({
        address: `target${message}-${i}@gmail.com`,
        outcome: GMAIL_FIRST_LINE,
      })),
    });
  }
  return log.text();
}

function findingOf(diagnosis: Diagnosis, id: Finding["id"]): Finding {
  const found = diagnosis.findings.find((finding) => finding.id === id);
  if (found === undefined) {
    throw new Error(`no ${id} finding among ${diagnosis.findings.map((f) => f.id).join(", ")}`);
  }
  return found;
}

function evidenceOf(finding: Finding): Record<string, unknown> {
  return finding.evidence as Record<string, unknown>;
}

describe("origins linked by their own rejected mail", () => {
  test("Gmail's block has only an unknown reply", async () => {
    const diagnosis = await diagnoseText(uploadScriptLog(), { year: 2024 });
    const gmail = diagnosis.providers.gmail;

    // Gmail accepted each of the shop's messages in the 15 hours after the script stopped, so
    // the block is lifted, and its replies stay as evidence.
    expect(gmail?.status).toBe("ok");
    expect(gmail?.pastBlock?.status).toBe("blocked");
    expect(gmail?.reasons.map((reason) => reason.category)).toEqual(["unknown"]);
  });

  test("web script is a cause", async () => {
    const script = findingOf(await diagnoseText(uploadScriptLog(), { year: 2024 }), "web-script");

    expect(script.role).toBe("cause");
    expect(evidenceOf(script)["blockedAttempts"]).toBe(80);
    expect(evidenceOf(script)["blockedAttemptsByOperator"]).toEqual({ google: 80 });
  });

  test("compromised account is a cause", async () => {
    const account = findingOf(
      await diagnoseText(stolenAccountLog(), { year: 2024 }),
      "compromised-account",
    );

    expect(account.role).toBe("cause");
    expect(evidenceOf(account)["blockedAttempts"]).toBe(600);
    expect(evidenceOf(account)["blockedAttemptsByOperator"]).toEqual({ google: 600 });
  });

  test("others' rejections give no link", async () => {
    const diagnosis = await diagnoseText(uploadScriptLog(GMAIL_FIRST_LINE, SENT), { year: 2024 });
    const script = findingOf(diagnosis, "web-script");

    expect(diagnosis.providers.gmail?.status).toBe("blocked");
    expect(script.role).toBe("observation");
    expect(evidenceOf(script)["blockedAttempts"]).toBe(0);
    expect(evidenceOf(script)["blockedAttemptsByOperator"]).toEqual({});
  });
});
