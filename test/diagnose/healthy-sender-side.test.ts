import { describe, expect, test } from "vitest";
import { assignRoles } from "../../src/diagnose/roles.js";
import type { Diagnosis, ProviderVerdict } from "../../src/diagnose/types.js";
import type { FindingId } from "../../src/knowledge/categories.js";
import { type Outcome, PostfixLog, T0 } from "../helpers/postfix-fixture.js";
import { diagnoseText } from "../helpers/diagnose-text.js";
import { draftFinding } from "../helpers/role-drafts.js";

const MISSING_PTR: Outcome = {
  status: "bounced",
  dsn: "5.7.25",
  reply: "550 5.7.25 The IP address sending this message does not have a PTR record setup",
};

const OK: ProviderVerdict = {
  status: "ok",
  reasons: [],
  firstBlock: null,
  lastBlock: null,
} as Partial<ProviderVerdict> as ProviderVerdict;

/**
 * Diagnoses 60 messages delivered to Gmail and to a small receiver, plus one message to that
 * receiver with `outcome`.
 */
function diagnose(outcome: Outcome | null): Promise<Diagnosis> {
  const log = new PostfixLog("mx");
  for (let index = 0; index < 60; index++) {
    log.submit({
      time: T0 + index * 60_000,
      account: "news@example.com",
      clientIp: "198.51.100.10",
      recipients: [
        { address: `reader${index}@gmail.com` },
        { address: `user${index}@example.net` },
      ],
    });
  }
  if (outcome !== null) {
    log.submit({
      time: T0 + 30 * 60_000 + 30_000,
      account: "news@example.com",
      clientIp: "198.51.100.10",
      recipients: [{ address: "bob@smallisp.example", outcome }],
    });
  }
  return diagnoseText(log.text(), { year: 2024 });
}

function ids(diagnosis: Diagnosis): FindingId[] {
  return diagnosis.findings.map((finding) => finding.id);
}

describe("healthy beside a sender-side finding", () => {
  test("clean log stays healthy", async () => {
    const diagnosis = await diagnose(null);

    expect(ids(diagnosis)).toEqual(["healthy"]);
  });

  test("one PTR rejection drops healthy", async () => {
    const diagnosis = await diagnose(MISSING_PTR);
    const reverseDns = diagnosis.findings.find((finding) => finding.id === "reverse-dns");

    expect(reverseDns?.role).toBe("observation");
    expect(ids(diagnosis)).not.toContain("healthy");
    const text = diagnosis.findings.map((finding) => finding.fix.join(" ")).join(" ");
    expect(text).not.toContain("Keep SPF, DKIM, DMARC and PTR in place");
  });

  test.each<FindingId>([
    "reverse-dns",
    "authentication",
    "ip-blocklisted",
    "tls-required",
    "spam-content",
    "rate-limited",
  ])("assignRoles drops healthy beside %s", (id) => {
    const roles = assignRoles(
      [draftFinding(id, "observation"), draftFinding("healthy", "status")],
      { gmail: OK },
    );

    expect(roles.map((finding) => finding.id)).toEqual([id]);
  });

  test("assignRoles keeps healthy beside new-ip", () => {
    const roles = assignRoles(
      [draftFinding("new-ip", "contributing"), draftFinding("healthy", "status")],
      { gmail: OK },
    );

    expect(roles.map((finding) => finding.id)).toEqual(["new-ip", "healthy"]);
  });
});
