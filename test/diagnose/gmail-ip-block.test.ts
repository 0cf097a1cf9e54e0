import { describe, expect, test } from "vitest";
import type { Diagnosis, Finding } from "../../src/diagnose/types.js";
import { diagnoseText } from "../helpers/diagnose-text.js";
import {
  GMAIL_RATE_LIMIT,
  HOUR,
  PostfixLog,
  T0,
  type Outcome,
} from "../helpers/postfix-fixture.js";

/** Gmail's permanent block of the sending IP, as Postfix logs it. */
const GMAIL_IP_BLOCK: Outcome = {
  status: "bounced",
  dsn: "5.7.28",
  reply:
    "550-5.7.28 [203.0.113.10      1] Gmail has detected an unusual rate of unsolicited mail originating from your IP address. To protect our users from spam, mail sent from your IP address has been blocked. For more information, go to 550 5.7.28  https://support.google.com/mail/?p=UnsolicitedIPError a1si1 - gsmtp",
};

/** The older wording of the same block, with 5.7.1. */
const GMAIL_OLD_IP_BLOCK: Outcome = {
  status: "bounced",
  dsn: "5.7.1",
  reply:
    "550-5.7.1 [203.0.113.10      1] Our system has detected an unusual rate of 550-5.7.1 unsolicited mail originating from your IP address. To protect our 550-5.7.1 users from spam, mail sent from your IP address has been blocked. 550-5.7.1 Please visit https://support.google.com/mail/?p=UnsolicitedIPError 550 5.7.1 to review our Bulk Email Senders Guidelines. d1si5 - gsmtp",
};

/**
 * Builds a day of accepted Gmail mail, then 10 deferrals with 4.7.28, then `blocks` messages
 * that get `block`, each 20 minutes after the one before.
 */
function blockedLog(block: Outcome, blocks = 12): string {
  const log = new PostfixLog().submitHourly();
  const outcomes = [
    ...Array<Outcome>(10).fill(GMAIL_RATE_LIMIT),
    ...Array<Outcome>(blocks).fill(block),
  ];
  outcomes.forEach((outcome, index) => {
    log.submit({
      time: T0 + 24 * HOUR + index * 1_200_000,
      account: "alice@example.com",
      clientIp: "198.51.100.10",
      recipients: [{ address: `reader${index}@gmail.com`, outcome }],
    });
  });
  return log.text();
}

function findingOf(diagnosis: Diagnosis, id: Finding["id"]): Finding | undefined {
  return diagnosis.findings.find((finding) => finding.id === id);
}

describe("Gmail IP block", () => {
  test.each([
    ["550 5.7.28", GMAIL_IP_BLOCK],
    ["old 550 5.7.1", GMAIL_OLD_IP_BLOCK],
  ] as const)("%s gives ip-blocklisted", async (_name, block) => {
    const diagnosis = await diagnoseText(blockedLog(block));
    const listed = findingOf(diagnosis, "ip-blocklisted");

    expect(diagnosis.providers.gmail?.status).toBe("blocked");
    expect(listed?.severity).toBe("critical");
    expect(listed?.title).toBe("Gmail lists this server's IP");
    expect((listed?.evidence as { ownLists?: unknown }).ownLists).toEqual(["gmail"]);
    expect(diagnosis.unexplainedBlocks).toEqual([]);
  });

  test("summary says the mail bounced", async () => {
    const diagnosis = await diagnoseText(blockedLog(GMAIL_IP_BLOCK));
    const summary = findingOf(diagnosis, "ip-blocklisted")?.summary ?? "";

    expect(summary).toMatch(/^12 replies report the IP as listed or blocked/);
    expect(summary).toContain(
      "These replies rejected the mail, so it bounced back to its senders and is not retried.",
    );
    expect(summary).not.toContain("delayed");
  });

  test("one rejection is named alone", async () => {
    const diagnosis = await diagnoseText(blockedLog(GMAIL_IP_BLOCK, 1));
    const summary = findingOf(diagnosis, "ip-blocklisted")?.summary ?? "";

    expect(summary).toContain("That reply rejected the mail");
  });

  test("fixes give Gmail's own removal path", async () => {
    const diagnosis = await diagnoseText(blockedLog(GMAIL_IP_BLOCK));
    const fixes = findingOf(diagnosis, "ip-blocklisted")?.fix.join("\n") ?? "";

    expect(fixes).toContain("Google usually lifts its block within 3 to 5 days");
    expect(fixes).toContain("https://support.google.com/mail/contact/gmail_bulk_sender_escalation");
    expect(fixes).not.toContain("Outlook.com");
  });

  test("Gmail's removal form stays", async () => {
    const diagnosis = await diagnoseText(blockedLog(GMAIL_IP_BLOCK));
    const forms = diagnosis.readiness.removalForms.map((form) => form.provider);

    expect(forms).toEqual(["gmail"]);
  });

  test("blocklists item names Gmail's own list", async () => {
    const diagnosis = await diagnoseText(blockedLog(GMAIL_IP_BLOCK));
    const item = diagnosis.readiness.items.find((entry) => entry.id === "blocklists");

    expect(item?.status).toBe("fail");
    expect(item?.detail).toContain("Gmail lists the IP on its own block list");
    expect(item?.detail).toContain("`delist probe --to MAILBOX --source-ip 203.0.113.10`");
  });

  test("no sending-route item", async () => {
    const diagnosis = await diagnoseText(blockedLog(GMAIL_IP_BLOCK));
    const ids = diagnosis.readiness.items.map((entry) => entry.id);

    expect(ids).not.toContain("sending-route");
    expect(diagnosis.readiness.summary).not.toContain("No removal form applies");
  });
});
