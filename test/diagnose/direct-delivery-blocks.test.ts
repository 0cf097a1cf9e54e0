import { describe, expect, test } from "vitest";
import type { Diagnosis } from "../../src/diagnose/types.js";
import { OFFLINE_DIAGNOSE, runCommand } from "../helpers/cli.js";
import { blockedLog } from "../helpers/blocked-log.js";
import type { Outcome } from "../helpers/postfix-fixture.js";
import { temporaryFiles } from "../helpers/temporary-files.js";

const temporary = temporaryFiles();

/** Gmail's rejection of mail sent directly from a dynamic or residential range. */
const GMAIL_DIRECT_DELIVERY: Outcome = {
  status: "bounced",
  dsn: "5.7.1",
  reply:
    "550-5.7.1 [203.0.113.10] The IP you're using to send mail is not authorized to 550-5.7.1 send email directly to our servers. Please use the SMTP relay at your 550 5.7.1 service provider instead. d4si5 - gsmtp",
};

/** Outlook.com's rejection of a dynamic IP, with its DY-001 token. */
const OUTLOOK_DYNAMIC_IP: Outcome = {
  status: "bounced",
  dsn: "5.7.1",
  reply:
    "550 DY-001 (EXAMPLE-MC1F5) Unfortunately, messages from 203.0.113.10 weren't sent. Please contact your Internet service provider.",
};

/** Gmail's block of an IP for unsolicited mail, which the sender form can lift. */
const GMAIL_IP_BLOCK: Outcome = {
  status: "bounced",
  dsn: "5.7.28",
  reply:
    "550-5.7.28 [203.0.113.10] Gmail has detected an unusual rate of unsolicited mail 550 5.7.28 originating from your IP address and blocked it. e5si6 - gsmtp",
};

async function diagnoseJson(text: string): Promise<Diagnosis> {
  const result = await runCommand([...OFFLINE_DIAGNOSE, temporary.file(text), "-f", "json"]);
  expect(result.stderr).toBe("");
  return JSON.parse(result.stdout) as Diagnosis;
}

describe("Gmail rejecting direct delivery", () => {
  const text = blockedLog("gmail.com", GMAIL_DIRECT_DELIVERY);

  test("is an ip-blocklisted cause", async () => {
    const diagnosis = await diagnoseJson(text);
    const found = diagnosis.findings.find((finding) => finding.id === "ip-blocklisted");
    expect(diagnosis.providers.gmail?.status).toBe("blocked");
    expect(found?.role).toBe("cause");
    expect(found?.title).toBe(
      "Gmail blocks this server's IP, and a removal request cannot lift the block",
    );
    expect(found?.summary).toContain("range Gmail does not accept direct mail from");
    expect(found?.fix[0]).toMatch(/^Send through the SMTP relay/);
    expect(found?.fix.some((step) => /static IP with a PTR record/.test(step))).toBe(true);
    expect(found?.fix.some((step) => /delist|listed/i.test(step))).toBe(false);
  });

  test("finds the cause in the readiness checklist", async () => {
    const diagnosis = await diagnoseJson(text);
    const cause = diagnosis.readiness.items.find((item) => item.id === "cause-identified");
    expect(cause?.status).toBe("pass");
  });

  test("offers no removal form", async () => {
    const diagnosis = await diagnoseJson(text);
    expect(diagnosis.readiness.removalForms).toEqual([]);
    expect(diagnosis.readiness.summary).toMatch(/^No removal form applies/);
  });

  test("prints no removal command", async () => {
    const result = await runCommand([...OFFLINE_DIAGNOSE, temporary.file(text)]);
    expect(result.stdout).toContain("ip-blocklisted (cause)");
    expect(result.stdout).not.toContain("gmail_bulk_sender_escalation");
    expect(result.stdout).not.toContain("delist removal request");
  });

  test("keeps the form for a block it can lift", async () => {
    const diagnosis = await diagnoseJson(
      blockedLog("gmail.com", GMAIL_DIRECT_DELIVERY, GMAIL_IP_BLOCK),
    );
    const providers = diagnosis.readiness.removalForms.map((form) => form.provider);
    expect(providers).toEqual(["gmail"]);
  });
});

describe("Outlook.com rejecting a dynamic IP", () => {
  const text = blockedLog("outlook.com", OUTLOOK_DYNAMIC_IP);

  test("is an ip-blocklisted cause", async () => {
    const diagnosis = await diagnoseJson(text);
    const found = diagnosis.findings.find((finding) => finding.id === "ip-blocklisted");
    expect(diagnosis.providers.outlook?.status).toBe("blocked");
    expect(found?.role).toBe("cause");
    expect(found?.summary).toContain("dynamic or residential (DY-001)");
    expect(found?.fix[0]).toBe("Send through a relay with a static, reputable IP.");
    expect(found?.fix.some((step) => /sender support form/.test(step))).toBe(false);
  });

  test("offers no removal form", async () => {
    const diagnosis = await diagnoseJson(text);
    expect(diagnosis.readiness.removalForms).toEqual([]);
  });

  test("prints no removal command in Markdown", async () => {
    const path = temporary.file(text);
    const result = await runCommand([...OFFLINE_DIAGNOSE, path, "-f", "markdown"]);
    expect(result.stdout).toContain("`ip-blocklisted`, cause");
    expect(result.stdout).not.toContain("olcsupport.office.com");
    expect(result.stdout).not.toContain("delist removal request");
  });
});
