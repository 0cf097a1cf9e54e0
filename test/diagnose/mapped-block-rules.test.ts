import { describe, expect, test } from "vitest";
import type { Diagnosis } from "../../src/diagnose/types.js";
import { OFFLINE_DIAGNOSE, runCommand } from "../helpers/cli.js";
import { blockedLog } from "../helpers/blocked-log.js";
import type { Outcome } from "../helpers/postfix-fixture.js";
import { temporaryFiles } from "../helpers/temporary-files.js";

const temporary = temporaryFiles();

/** GMX's rejection of a sender domain without MX or address records. */
const GMX_SENDER_DNS: Outcome = {
  status: "bounced",
  dsn: "5.0.0",
  reply:
    "550 Requested action not taken: mailbox unavailable | invalid DNS MX or A/AAAA resource record",
};

/** Gmail's permanent refusal of mail over its sending rate. */
const GMAIL_RATE_LIMITED_BLOCK: Outcome = {
  status: "bounced",
  dsn: "5.7.1",
  reply: "550 5.7.1 This email has been rate limited. f6si7 - gsmtp",
};

async function diagnoseJson(text: string): Promise<Diagnosis> {
  const result = await runCommand([...OFFLINE_DIAGNOSE, temporary.file(text), "-f", "json"]);
  expect(result.stderr).toBe("");
  return JSON.parse(result.stdout) as Diagnosis;
}

describe("sender domain without DNS records", () => {
  test("is an authentication cause", async () => {
    const diagnosis = await diagnoseJson(blockedLog("gmx.net", GMX_SENDER_DNS));
    const found = diagnosis.findings.find((finding) => finding.id === "authentication");
    expect(diagnosis.providers.gmx?.status).toBe("blocked");
    expect(found?.role).toBe("cause");
    expect(found?.title).toBe(
      "The sender domain example.com does not resolve in DNS, so receivers reject its mail",
    );
    expect(found?.summary).toContain("for a sender domain that does not resolve");
    expect(found?.fix[0]).toMatch(/^Publish an MX or A record for example\.com/);
    expect(found?.fix.some((step) => /DKIM/.test(step))).toBe(false);
  });
});

describe("Gmail rejecting mail over its rate", () => {
  test("counts deferrals and rejections", async () => {
    const diagnosis = await diagnoseJson(blockedLog("gmail.com", GMAIL_RATE_LIMITED_BLOCK));
    const found = diagnosis.findings.find((finding) => finding.id === "rate-limited");
    expect(diagnosis.providers.gmail?.status).toBe("blocked");
    expect(found?.title).toBe("Gmail is deferring or rejecting mail from this server for its rate");
    expect(found?.summary).toMatch(/^0 deferrals and 12 rejections since /);
    expect(found?.fix[0]).toMatch(/^Find and stop the cause first/);
  });

  test("has a fix without retries", async () => {
    const result = await runCommand([
      "explain",
      "550 5.7.1 This email has been rate limited. f6si7 - gsmtp",
    ]);
    expect(result.stdout).toContain("rule gmail.rate-limited-block");
    expect(result.stdout).toContain("send them again later, at the lower rate");
    expect(result.stdout).not.toContain("let the queue retry");
  });
});
