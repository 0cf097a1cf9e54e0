import { describe, expect, test } from "vitest";
import { assignRoles } from "../../src/diagnose/roles.js";
import type { Diagnosis, Finding, ProviderVerdict } from "../../src/diagnose/types.js";
import { painter } from "../../src/report/colour.js";
import { renderDiagnosisText } from "../../src/report/text.js";
import { GMAIL_RATE_LIMIT, HOUR, PostfixLog, T0 } from "../helpers/postfix-fixture.js";
import { diagnoseText } from "../helpers/diagnose-text.js";
import { draftFinding, draftReason, draftVerdict } from "../helpers/role-drafts.js";

function draft(id: Finding["id"], role: Finding["role"], evidence: object = {}): Finding {
  return draftFinding(id, role, evidence, "warning");
}

function roleOf(findings: readonly Finding[], id: Finding["id"]): Finding["role"] | undefined {
  return findings.find((finding) => finding.id === id)?.role;
}

describe("assignRoles", () => {
  test("nothing blocked makes observations", () => {
    const findings = [
      draft("compromised-account", "contributing"),
      draft("web-script", "cause"),
      draft("healthy", "status"),
    ];
    const roles = assignRoles(findings, { gmail: draftVerdict("ok", []) });
    expect(roleOf(roles, "compromised-account")).toBe("observation");
    expect(roleOf(roles, "web-script")).toBe("observation");
    expect(roleOf(roles, "healthy")).toBe("status");
  });

  test("matching category keeps the cause", () => {
    const findings = [draft("web-script", "cause"), draft("compromised-account", "contributing")];
    const roles = assignRoles(findings, {
      gmail: draftVerdict("rate-limited", [draftReason("reputation")]),
    });
    expect(roleOf(roles, "web-script")).toBe("cause");
    expect(roleOf(roles, "compromised-account")).toBe("contributing");
  });

  test("unrelated block makes observations", () => {
    const findings = [
      draft("forwarding", "cause", { recipientsByOperator: { google: 12 }, blockedAttempts: 0 }),
      draft("reverse-dns", "cause", { providers: { other: {} } }),
      draft("rate-limited", "consequence"),
    ];
    const roles = assignRoles(findings, {
      other: draftVerdict("blocked", [draftReason("reverse-dns")]),
    });
    expect(roleOf(roles, "forwarding")).toBe("observation");
    expect(roleOf(roles, "reverse-dns")).toBe("cause");
    expect(roleOf(roles, "rate-limited")).toBe("consequence");
  });

  test("critical observation becomes a warning", () => {
    const findings = [
      draftFinding("reverse-dns", "cause", { source: "dns" }, "critical"),
      draftFinding("authentication", "cause", { source: "dns" }, "critical"),
    ];
    const roles = assignRoles(findings, {
      gmail: draftVerdict("rate-limited", [draftReason("reputation")]),
    });
    for (const id of ["reverse-dns", "authentication"] as const) {
      const found = roles.find((finding) => finding.id === id);
      expect(found?.role).toBe("observation");
      expect(found?.severity).toBe("warning");
    }
  });

  test("abuse observation stays critical", () => {
    const findings = [draftFinding("smtp-bypass", "cause", {}, "critical")];
    const roles = assignRoles(findings, { gmail: draftVerdict("ok", []) });
    expect(roles[0]?.role).toBe("observation");
    expect(roles[0]?.severity).toBe("critical");
  });

  test("linked cause keeps critical", () => {
    const findings = [draftFinding("reverse-dns", "cause", { source: "dns" }, "critical")];
    const roles = assignRoles(findings, {
      gmail: draftVerdict("blocked", [draftReason("reverse-dns")]),
    });
    expect(roles[0]?.role).toBe("cause");
    expect(roles[0]?.severity).toBe("critical");
  });

  test("a reason that is no block links nothing", () => {
    const findings = [draft("new-ip", "cause")];
    const providers = {
      gmail: draftVerdict("rate-limited", [draftReason("tls"), draftReason("reputation", false)]),
    };
    expect(roleOf(assignRoles(findings, providers), "new-ip")).toBe("observation");
  });

  test("forwarding links to providers it reached", () => {
    const toGoogle = { recipientsByOperator: { google: 12 }, blockedAttempts: 0 };
    const blockedAtGoogle = { recipientsByOperator: { google: 12 }, blockedAttempts: 3 };
    const outlook = { outlook: draftVerdict("blocked", [draftReason("reputation")]) };
    const gmail = { gmail: draftVerdict("blocked", [draftReason("tls")]) };
    expect(
      roleOf(assignRoles([draft("forwarding", "cause", toGoogle)], outlook), "forwarding"),
    ).toBe("observation");
    expect(roleOf(assignRoles([draft("forwarding", "cause", toGoogle)], gmail), "forwarding")).toBe(
      "observation",
    );
    expect(
      roleOf(assignRoles([draft("forwarding", "cause", blockedAtGoogle)], gmail), "forwarding"),
    ).toBe("cause");
  });

  test.each([
    [
      "compromised-account",
      { abuseStart: "2024-03-05T02:00:00Z", abuseEnd: "2024-03-05T03:00:00Z" },
      "observation",
    ],
    [
      "compromised-account",
      { abuseStart: "2024-03-04T10:00:00Z", abuseEnd: "2024-03-04T11:00:00Z" },
      "cause",
    ],
    [
      "compromised-account",
      { abuseStart: "2024-03-02T10:00:00Z", abuseEnd: "2024-03-02T11:00:00Z" },
      "observation",
    ],
    [
      "compromised-account",
      { firstFailure: "2024-03-05T02:00:00Z", lastFailure: "2024-03-05T09:00:00Z" },
      "observation",
    ],
    ["volume-spike", { start: "2024-03-05T02:00:00Z", end: "2024-03-05T04:00:00Z" }, "observation"],
    ["forwarding", { first: "2024-03-03T20:00:00Z", recipientsByOperator: { google: 5 } }, "cause"],
    [
      "forwarding",
      { first: "2024-03-05T20:00:00Z", recipientsByOperator: { google: 5 } },
      "observation",
    ],
    ["reverse-dns", {}, "cause"],
  ] as const)("%s dated %j is a %s", (id, evidence, role) => {
    const verdict = {
      ...draftVerdict("rate-limited", [draftReason("reputation"), draftReason("reverse-dns")]),
      firstBlock: { time: "2024-03-04T12:00:00Z" },
      lastBlock: { time: "2024-03-04T18:00:00Z" },
      ongoing: false,
    } as unknown as ProviderVerdict;
    const roles = assignRoles([draft(id, "cause", evidence)], { gmail: verdict });

    expect(roleOf(roles, id)).toBe(role);
  });
});

/** Adds enough failed logins for the password-guessing finding: 1,200 from 120 addresses. */
function passwordGuessing(log: PostfixLog): void {
  for (let index = 0; index < 1200; index++) {
    log.authFailure(T0 + index * 60_000, `203.0.113.${index % 120}`, `user${index % 7}`);
  }
}

function diagnose(log: PostfixLog): Promise<Diagnosis> {
  return diagnoseText(log.text(), { now: T0 + 48 * HOUR });
}

describe("roles in the diagnosis", () => {
  test("password guessing on a healthy server", async () => {
    const log = new PostfixLog();
    log.submitHourly();
    passwordGuessing(log);
    const diagnosis = await diagnose(log);
    expect(diagnosis.verdict.status).toBe("ok");
    expect(roleOf(diagnosis.findings, "compromised-account")).toBe("observation");
    expect(roleOf(diagnosis.findings, "healthy")).toBe("status");

    const text = renderDiagnosisText(diagnosis, painter(false));
    expect(text).toContain("Findings: observations, linked to no block");
    expect(text).toMatch(/INFO compromised-account \(observation, linked to no block\)/);
    expect(text).not.toContain("contributing factor");
  });

  test("password guessing beside a block", async () => {
    const log = new PostfixLog();
    log.submitHourly({ outcome: GMAIL_RATE_LIMIT });
    passwordGuessing(log);
    const diagnosis = await diagnose(log);
    expect(diagnosis.verdict.status).toBe("rate-limited");
    expect(roleOf(diagnosis.findings, "compromised-account")).toBe("contributing");

    const text = renderDiagnosisText(diagnosis, painter(false));
    expect(text).toContain("Findings: causes first, then contributing factors and consequences");
  });
});
