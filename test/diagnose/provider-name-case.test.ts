import { describe, expect, test } from "vitest";
import { providersDo } from "../../src/diagnose/findings/build.js";
import { diagnoseText } from "../helpers/diagnose-text.js";

/**
 * Builds a Postfix log of 24 messages to icloud.com, one every 10 minutes from 2026-03-10
 * 08:00 UTC. From the 13th message on, iCloud Mail rejects each one with CS01.
 */
function icloudSpamLog(): string {
  const host = "mx01.mail.icloud.com[192.0.2.71]";
  const lines: string[] = [];
  for (let index = 0; index < 24; index++) {
    const stamp = new Date(Date.UTC(2026, 2, 10, 8, index * 10))
      .toISOString()
      .replace(".000Z", "+00:00");
    const id = `5C${String(index).padStart(8, "0")}`;
    const start = `${stamp} mx1 postfix/smtp[901]: ${id}: to=<u${index}@icloud.com>, relay=${host}:25, delay=1, delays=0.1/0/0.4/0.5`;
    lines.push(
      `${stamp} mx1 postfix/qmgr[900]: ${id}: from=<alice@example.com>, size=1000, nrcpt=1 (queue active)`,
      index >= 12
        ? `${start}, dsn=5.7.1, status=bounced (host ${host} said: 554 5.7.1 [CS01] Message rejected due to local policy (in reply to end of DATA command))`
        : `${start}, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as ABC)`,
    );
  }
  return `${lines.join("\n")}\n`;
}

describe("provider names at the start of a title", () => {
  test("spam-content title keeps iCloud", async () => {
    const diagnosis = await diagnoseText(icloudSpamLog());
    const spam = diagnosis.findings.find((finding) => finding.id === "spam-content");

    expect(spam?.title).toBe("iCloud Mail rejects messages as spam");
  });

  test("one iCloud name keeps its case", () => {
    expect(providersDo(["iCloud Mail"], "rejects", "reject")).toBe("iCloud Mail rejects");
  });

  test("iCloud first in a list", () => {
    expect(providersDo(["iCloud Mail", "Gmail"], "lists", "list")).toBe(
      "iCloud Mail and Gmail list",
    );
  });

  test("lower-case row name is capitalised", () => {
    expect(providersDo(["other receivers"], "rejects", "reject")).toBe("Other receivers reject");
  });
});
