import { describe, expect, test } from "vitest";
import { openItems, type OpenItem } from "../../src/diagnose/open-items.js";
import { readinessSummary } from "../../src/diagnose/readiness.js";
import { REMOVAL_FORMS } from "../../src/diagnose/removal-forms.js";
import { assignRoles } from "../../src/diagnose/roles.js";
import type { Diagnosis, ReadinessItem, RemovalForm } from "../../src/diagnose/types.js";
import { painter } from "../../src/report/colour.js";
import { renderDiagnosisText } from "../../src/report/text.js";
import { corpusPath, corpusRoot } from "../helpers/corpus.js";
import { HOUR, PostfixLog, T0, type Outcome } from "../helpers/postfix-fixture.js";
import { diagnoseFiles, diagnoseText } from "../helpers/diagnose-text.js";
import { draftFinding, draftReason, draftVerdict } from "../helpers/role-drafts.js";

const PTR_REJECTION: Outcome = {
  status: "bounced",
  dsn: "5.7.1",
  reply: "550 5.7.1 Client host rejected: cannot find your reverse hostname, [203.0.113.10]",
};

function failedItem(id: string, title: string): OpenItem {
  const item: ReadinessItem = { id, title, status: "fail", detail: title };
  return openItems([item], { rejecting: [], unreachable: [] })[0] ?? { id, clause: "" };
}

function form(provider: RemovalForm["provider"], url: string): RemovalForm {
  return { provider, url, rule: "", lastRequest: null };
}

function diagnose(text: string): Promise<Diagnosis> {
  return diagnoseText(text, { now: T0 + 48 * HOUR });
}

/** Builds a day of accepted mail to Gmail, then one PTR rejection from a small receiver. */
function onePtrRejection(): string {
  const log = new PostfixLog();
  log.submitHourly();
  log.submit({
    time: T0 + 23 * HOUR + 1_000,
    account: "alice@example.com",
    clientIp: "198.51.100.10",
    recipients: [{ address: "someone@example.net", outcome: PTR_REJECTION }],
  });
  return log.text();
}

describe("healthy beside a cause", () => {
  test("drops healthy for a linked cause", () => {
    const findings = [
      draftFinding("reverse-dns", "cause", { providers: { other: {} } }),
      draftFinding("healthy", "status"),
    ];
    const roles = assignRoles(findings, {
      other: draftVerdict("blocked", [draftReason("reverse-dns")]),
    });
    expect(roles.map((finding) => finding.id)).toEqual(["reverse-dns"]);
    expect(roles[0]?.role).toBe("cause");
  });

  test("keeps healthy beside observations", () => {
    const findings = [draftFinding("new-ip", "cause"), draftFinding("healthy", "status")];
    const roles = assignRoles(findings, { other: draftVerdict("blocked", [draftReason("tls")]) });
    expect(roles.map((finding) => finding.id)).toEqual(["new-ip", "healthy"]);
    expect(roles[0]?.role).toBe("observation");
  });

  test("keeps healthy with nothing blocked", () => {
    const findings = [draftFinding("new-ip", "cause"), draftFinding("healthy", "status")];
    const roles = assignRoles(findings, {});
    expect(roles.map((finding) => finding.id)).toEqual(["new-ip", "healthy"]);
  });
});

describe("readiness summary without a form", () => {
  const ptr = failedItem("ptr", "PTR and forward-confirmed reverse DNS valid");

  test("says no removal form applies", () => {
    const summary = readinessSummary(1, [ptr], [], []);
    expect(summary).toContain("No removal form applies");
    expect(summary).toContain(
      "Still open: the PTR record or forward-confirmed reverse DNS needs fixing.",
    );
    expect(summary).not.toContain("Gmail");
    expect(summary).not.toContain("Not yet");
  });

  test("never says request removal now", () => {
    const summary = readinessSummary(1, [], [], []);
    expect(summary).toContain("No removal form applies");
    expect(summary).not.toContain("Request removal now");
  });

  test("leaves the two-week rule to the form", () => {
    const outlook = form("outlook", REMOVAL_FORMS.outlook.url);
    const workspace = form("google-workspace", REMOVAL_FORMS["google-workspace"].url);
    expect(readinessSummary(1, [ptr], [], [outlook])).not.toContain("Gmail");
    expect(readinessSummary(1, [ptr], [], [outlook])).toMatch(/^Not yet\. /);
    expect(readinessSummary(1, [ptr], [], [workspace])).not.toContain("two weeks");
    expect(REMOVAL_FORMS["google-workspace"].rule).toContain("at most once every two weeks");
  });
});

describe("one small receiver's PTR rejection", () => {
  test("reports an observation and no healthy", async () => {
    const diagnosis = await diagnose(onePtrRejection());
    const ids = diagnosis.findings.map((finding) => finding.id);

    expect(diagnosis.verdict.status).toBe("ok");
    expect(diagnosis.providers.other?.status).toBe("ok");
    expect(ids).toContain("reverse-dns");
    expect(ids).not.toContain("healthy");
    expect(diagnosis.findings.find((f) => f.id === "reverse-dns")?.role).toBe("observation");
  });

  test("readiness names no provider form", async () => {
    const diagnosis = await diagnose(onePtrRejection());
    const text = renderDiagnosisText(diagnosis, painter(false));

    expect(diagnosis.readiness.ready).toBe(false);
    expect(diagnosis.readiness.removalForms).toEqual([]);
    expect(diagnosis.readiness.summary).toMatch(/^No provider rejects or defers mail/);
    expect(text).not.toContain("Gmail's form");
    expect(text).not.toMatch(/\(cause\)[\s\S]*healthy/);
  });
});

const root = corpusRoot();

describe.skipIf(root === null)("ddgrey real log", () => {
  test("has no healthy beside the cause", async () => {
    const file = corpusPath(root ?? "", "logs", "real", "ddgrey", "mainlog");
    const diagnosis = await diagnoseFiles([file]);
    const ids = diagnosis.findings.map((finding) => finding.id);

    expect(diagnosis.providers.gmail?.status).toBe("ok");
    expect(ids).toContain("reverse-dns");
    expect(ids).not.toContain("healthy");
    expect(diagnosis.readiness.summary).not.toContain("Gmail");
    expect(diagnosis.readiness.summary).toMatch(/^No provider rejects or defers mail/);
  });
});
