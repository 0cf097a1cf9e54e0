import { describe, expect, test } from "vitest";
import type { Finding } from "../../src/diagnose/types.js";
import { diagnoseText } from "../helpers/diagnose-text.js";
import { GMAIL_NO_SUCH_USER, HOUR, PostfixLog, SENT, T0 } from "../helpers/postfix-fixture.js";
import { schemaValidator } from "../helpers/schema.js";

const validateDiagnosis = schemaValidator("diagnose.schema.json");

/**
 * Builds a log of ordinary mail with one unknown recipient on the first day, and a mailing of
 * list@example.com on the second day to 100 recipients, 30 of which do not exist. The ordinary
 * mail of 224 recipients dilutes the share of all outbound recipients to under 10 %.
 */
function listMailingLog(): PostfixLog {
  const log = new PostfixLog();
  for (let i = 0; i < 224; i++) {
    log.submit({
      time: T0 + i * 6 * 60_000,
      account: "alice@example.com",
      clientIp: "198.51.100.10",
      recipients: [
        { address: `friend${i}@gmail.com`, outcome: i === 30 ? GMAIL_NO_SUCH_USER : SENT },
      ],
    });
  }
  for (let i = 0; i < 100; i++) {
    log.submit({
      time: T0 + 30 * HOUR + i * 20_000,
      account: "list@example.com",
      clientIp: "198.51.100.20",
      recipients: [
        { address: `lead${i}@gmail.com`, outcome: i % 10 < 3 ? GMAIL_NO_SUCH_USER : SENT },
      ],
    });
  }
  return log;
}

async function unknownFinding(): Promise<Finding | undefined> {
  const diagnosis = await diagnoseText(listMailingLog().text());
  expect(validateDiagnosis(diagnosis)).toEqual([]);
  return diagnosis.findings.find((finding) => finding.id === "unknown-recipients");
}

describe("unknown recipients of one list", () => {
  test("title gives the list's own share", async () => {
    const finding = await unknownFinding();
    expect(finding?.title).toBe(
      "31 recipients did not exist, 30 of them in mail from list@example.com (30 % of its recipients)",
    );
  });

  test("summary gives both shares", async () => {
    const finding = await unknownFinding();
    expect(finding?.summary).toBe(
      'Receivers answered "no such user" for 9.6 % of all outbound recipients. 30 of them were recipients of list@example.com, 30 % of the 100 it mailed.',
    );
  });

  test("sample line comes from the list", async () => {
    const finding = await unknownFinding();
    const evidence = finding?.evidence as {
      first: { line: number; recipient: string };
      senders: Array<{ sender: string; first: { line: number } | null }>;
    };
    expect(evidence.first.recipient).toBe("friend30@gmail.com");
    const list = evidence.senders.find((entry) => entry.sender === "list@example.com");
    expect(list?.first?.line).toBeGreaterThan(evidence.first.line);
    expect(finding?.samples[0]?.line).toBe(list?.first?.line);
    expect(finding?.samples[0]?.text).toContain("lead0@gmail.com");
  });
});
