import { beforeAll, describe, expect, test } from "vitest";
import type { Diagnosis } from "../../src/diagnose/types.js";
import { painter } from "../../src/report/colour.js";
import { renderDiagnosisMarkdown } from "../../src/report/markdown.js";
import { renderDiagnosisText } from "../../src/report/text.js";
import { diagnoseText } from "../helpers/diagnose-text.js";

const GCDP_REPLY =
  "550-5.7.1 [192.0.2.10] The user or domain that you are sending to (or from) has a policy that 550-5.7.1 prohibited the mail that you sent. 550 5.7.1 Please contact your domain administrator for further details. - gcdp f4si5.6 - gsmtp";

/**
 * Builds a Postfix log of 20 messages, one every 10 minutes from 2026-03-10 08:00 UTC, each to
 * one Gmail recipient, which Gmail accepts, and to one recipient at example.org, a Google
 * Workspace domain whose admin rule (gcdp) rejects every one.
 */
function workspacePolicyLog(): string {
  const gmail = "gmail-smtp-in.l.google.com[192.0.2.27]";
  const workspace = "aspmx.l.google.com[192.0.2.204]";
  const lines: string[] = [];
  for (let index = 0; index < 20; index++) {
    const stamp = new Date(Date.UTC(2026, 2, 10, 8, index * 10))
      .toISOString()
      .replace(".000Z", "+00:00");
    const id = `7E${String(index).padStart(8, "0")}`;
    const delivery = "delay=1, delays=0.1/0/0.4/0.5";
    lines.push(
      `${stamp} mx1 postfix/qmgr[900]: ${id}: from=<alice@example.com>, size=1000, nrcpt=2 (queue active)`,
      `${stamp} mx1 postfix/smtp[901]: ${id}: to=<friend${index}@gmail.com>, relay=${gmail}:25, ${delivery}, dsn=2.0.0, status=sent (250 2.0.0 OK a1si2 - gsmtp)`,
      `${stamp} mx1 postfix/smtp[901]: ${id}: to=<staff${index}@example.org>, relay=${workspace}:25, ${delivery}, dsn=5.7.1, status=bounced (host ${workspace} said: ${GCDP_REPLY} (in reply to end of DATA command))`,
    );
  }
  return `${lines.join("\n")}\n`;
}

let diagnosis: Diagnosis;

beforeAll(async () => {
  diagnosis = await diagnoseText(workspacePolicyLog());
});

describe("Workspace admin rule rejections", () => {
  test("row stays ok", () => {
    expect(diagnosis.providers["google-workspace"]?.status).toBe("ok");
    expect(diagnosis.providers["google-workspace"]?.bounced).toBe(20);
  });

  test("healthy finding names the rule", () => {
    const healthy = diagnosis.findings.find((finding) => finding.id === "healthy");

    expect(healthy?.summary).not.toContain("single recipients");
    expect(healthy?.summary).toContain(
      "Recipient organisations' own rules rejected 20 attempts (Google Workspace 20).",
    );
  });

  test("text names the reason under the row", () => {
    const text = renderDiagnosisText(diagnosis, painter(false)).replace(/\s+/g, " ");

    expect(text).toContain(
      "The recipient organisation's own rule rejected 20 attempts. A rule that the recipient's Google Workspace admin wrote (gcdp)",
    );
    expect(text).toContain("Ask the recipient's administrator which of their rules matched.");
    expect(text).not.toContain("single recipients");
  });

  test("Markdown names the reason in the row", () => {
    const markdown = renderDiagnosisMarkdown(diagnosis);
    const row = markdown.split("\n").find((line) => line.startsWith("| Google Workspace |"));

    expect(row).toContain("The recipient organisation's own rule rejected 20 attempts.");
    expect(row).toContain("Ask the recipient's administrator which of their rules matched.");
    expect(markdown).not.toContain("single recipients");
  });
});

describe("healthy log without admin rules", () => {
  test("keeps the single-recipient wording", async () => {
    const plain = await diagnoseText(
      workspacePolicyLog()
        .split("\n")
        .filter((line) => !line.includes("example.org"))
        .join("\n"),
    );
    const healthy = plain.findings.find((finding) => finding.id === "healthy");

    expect(healthy?.summary).toBe(
      "The log shows outbound deliveries and no sender-side rejections; the few failures are single recipients.",
    );
  });
});

/**
 * Builds the log of `workspacePolicyLog` with each second recipient at example.net, whose server
 * rejects every one with a reply that delist does not classify.
 */
function unnamedRejectionsLog(): string {
  return workspacePolicyLog()
    .replaceAll("@example.org", "@example.net")
    .replaceAll("aspmx.l.google.com[192.0.2.204]", "mx.example.net[198.51.100.25]")
    .replaceAll(GCDP_REPLY, "550 5.7.1 Message rejected | reason=filtered | ref=A1");
}

describe("many failures without a named cause", () => {
  test("healthy summary counts them", async () => {
    const unnamed = await diagnoseText(unnamedRejectionsLog());
    const healthy = unnamed.findings.find((finding) => finding.id === "healthy");

    expect(healthy?.summary).not.toContain("single recipients");
    expect(healthy?.summary).toContain(
      "20 attempts were deferred or bounced with replies that name no sender-side cause",
    );
  });
});

describe("receiver access list rejections", () => {
  test("row names the rule once", async () => {
    const relay = "mx.example.net[198.51.100.25]";
    const reply = "554 5.7.1 <unknown[192.0.2.10]>: Client host rejected: Access denied";
    const lines = [0, 1].map((index) => {
      const stamp = `2026-03-10T08:0${index}:00+00:00`;
      return `${stamp} mx1 postfix/smtp[901]: 7F0000000${index}: to=<staff${index}@example.net>, relay=${relay}:25, delay=1, delays=0.1/0/0.4/0.5, dsn=5.7.1, status=bounced (host ${relay} said: ${reply} (in reply to RCPT TO command))`;
    });
    const text = renderDiagnosisText(
      await diagnoseText(`${lines.join("\n")}\n`),
      painter(false),
    ).replace(/\s+/g, " ");

    expect(text).toContain("The receiver's own access list rejects this client.");
    expect(text).toContain("2 attempts were rejected.");
    expect(text).not.toContain("The recipient organisation's own rule");
  });
});
