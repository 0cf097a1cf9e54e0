import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import type { Diagnosis, Finding, ProviderVerdict } from "../../src/diagnose/types.js";
import { PROVIDER_OPERATORS, type ProviderId } from "../../src/knowledge/providers.js";
import { corpusPath, corpusRoot } from "../helpers/corpus.js";
import { diagnoseFiles } from "../helpers/diagnose-text.js";
import { schemaValidator } from "../helpers/schema.js";

// The scenario truth files group providers by operator; `other` is everything delist does not
// name as Google, Microsoft, Yahoo or Apple.
const GROUPS: Record<string, string> = {
  google: "google",
  microsoft: "microsoft",
  yahoo: "yahoo",
  apple: "apple",
};

interface TruthCounts {
  sent: number;
  deferred: number;
  bounced: number;
  expired: number;
  deferred_recipients: number;
}

interface TruthFinding {
  id: string;
  evidence: Record<string, unknown>;
}

interface Truth {
  scenario: string;
  log_file: string;
  year?: number;
  counts: {
    outbound_by_provider: Record<string, TruthCounts>;
    messages_submitted_outbound?: number;
  };
  gmail_first_block: {
    line: number;
    time_utc: string;
    reply_code: string;
    enhanced_status: string;
    kind: "temporary" | "permanent";
  } | null;
  expected_findings: TruthFinding[];
  not_expected: string[];
}

const root = corpusRoot();
const validateDiagnosis = schemaValidator("diagnose.schema.json");
const scenarioDir = root === null ? "" : corpusPath(root, "logs", "scenarios");
const truths: Truth[] =
  root === null
    ? []
    : readdirSync(scenarioDir)
        .filter((name) => name.endsWith(".truth.json"))
        .sort()
        .map((name) => JSON.parse(readFileSync(join(scenarioDir, name), "utf8")) as Truth);

describe.skipIf(root === null)("diagnose on the incident scenarios", () => {
  test("all thirteen scenarios are present", () => {
    expect(truths.map((truth) => truth.scenario)).toHaveLength(13);
  });

  describe.each(truths.map((truth) => [truth.scenario, truth] as const))("%s", (_name, truth) => {
    let diagnosis: Diagnosis;

    beforeAll(async () => {
      diagnosis = await diagnoseFiles([join(scenarioDir, truth.log_file)], { year: truth.year });
    });

    test("matches the JSON schema", () => {
      const json: unknown = JSON.parse(JSON.stringify(diagnosis));
      expect(validateDiagnosis(json)).toEqual([]);
    });

    test("reads every line", () => {
      expect(diagnosis.input.unrecognised).toBe(0);
      expect(diagnosis.input.unparsed).toBe(0);
    });

    test("counts deliveries per provider group", () => {
      const groups = groupCounts(diagnosis);
      for (const [group, expected] of Object.entries(truth.counts.outbound_by_provider)) {
        const actual = groups.get(group) ?? emptyCounts();
        expect.soft(actual.sent, `${group} sent`).toBe(expected.sent);
        expect.soft(actual.deferred, `${group} deferred`).toBe(expected.deferred);
        expect
          .soft(actual.deferredRecipients, `${group} deferred recipients`)
          .toBe(expected.deferred_recipients);
        expect.soft(actual.bounced, `${group} bounced`).toBe(expected.bounced);
        expect.soft(actual.expired, `${group} expired`).toBe(expected.expired);
      }
    });

    // The truth counts submitted messages. In the Postfix scenarios `outboundMessages` also
    // counts other mail sent out, such as the forwarded mail of scenario 08, so only the Exim
    // scenarios, where every message sent out was submitted here, are compared.
    test.runIf(truth.log_file.endsWith("-exim.log"))("counts outbound messages", () => {
      expect(diagnosis.server.outboundMessages).toBe(truth.counts.messages_submitted_outbound);
    });

    test("finds Google's verdict and first block", () => {
      const google = googleVerdicts(diagnosis);
      const expected = truth.gmail_first_block;
      if (expected === null) {
        for (const verdict of google) expect(verdict.status).toBe("ok");
        return;
      }
      const firsts = google.map((v) => v.firstBlock).filter((b) => b !== null);
      firsts.sort((a, b) => Date.parse(a.time) - Date.parse(b.time));
      const first = firsts[0];
      expect(first).toBeDefined();
      expect(Date.parse(first?.time ?? "")).toBe(Date.parse(expected.time_utc));
      expect(first?.line).toBe(expected.line);
      expect(String(first?.replyCode)).toBe(expected.reply_code);
      expect(first?.enhancedStatus).toBe(expected.enhanced_status);
      // The truth dates the first block, not its end: a block that Google lifted before the end
      // of the log is kept as `pastBlock`.
      expect(google.some((v) => v.status !== "ok" || v.pastBlock !== null)).toBe(true);
    });

    test("reports the expected findings", () => {
      const ids = diagnosis.findings.map((finding) => finding.id);
      for (const expected of truth.expected_findings) expect(ids).toContain(expected.id);
    });

    test("reports none of the findings it must not", () => {
      const ids = diagnosis.findings.map((finding) => finding.id);
      for (const id of truth.not_expected) expect(ids).not.toContain(id);
    });

    test("gives the key evidence", () => {
      for (const expected of truth.expected_findings) {
        const found = diagnosis.findings.filter((finding) => finding.id === expected.id);
        checkEvidence(expected, found);
      }
    });
  });
});

function emptyCounts(): Pick<
  ProviderVerdict,
  "sent" | "deferred" | "deferredRecipients" | "bounced" | "expired"
> {
  return { sent: 0, deferred: 0, deferredRecipients: 0, bounced: 0, expired: 0 };
}

function groupCounts(diagnosis: Diagnosis) {
  const groups = new Map<string, ReturnType<typeof emptyCounts>>();
  for (const [id, verdict] of Object.entries(diagnosis.providers)) {
    if (verdict === undefined) continue;
    const group = GROUPS[PROVIDER_OPERATORS[id as ProviderId]] ?? "other";
    const total = groups.get(group) ?? emptyCounts();
    groups.set(group, {
      sent: total.sent + verdict.sent,
      deferred: total.deferred + verdict.deferred,
      deferredRecipients: total.deferredRecipients + verdict.deferredRecipients,
      bounced: total.bounced + verdict.bounced,
      expired: total.expired + verdict.expired,
    });
  }
  return groups;
}

function googleVerdicts(diagnosis: Diagnosis): ProviderVerdict[] {
  return [diagnosis.providers.gmail, diagnosis.providers["google-workspace"]].filter(
    (verdict): verdict is ProviderVerdict => verdict !== undefined,
  );
}

interface ReplyEvidenceShape {
  count: number;
  first: { line: number } | null;
  providers: Record<string, { count: number; first: { line: number } | null }>;
  tokens: string[];
  judgedIps: string[];
}

/** Sums the replies of a provider group and finds their first recipient-level line. */
function groupReplies(evidence: ReplyEvidenceShape, group: string) {
  let count = 0;
  const lines: number[] = [];
  for (const [id, provider] of Object.entries(evidence.providers)) {
    if ((GROUPS[PROVIDER_OPERATORS[id as ProviderId]] ?? "other") !== group) continue;
    count += provider.count;
    if (provider.first !== null) lines.push(provider.first.line);
  }
  return { count, firstLine: lines.length > 0 ? Math.min(...lines) : null };
}

function checkEvidence(expected: TruthFinding, found: Finding[]): void {
  const truth = expected.evidence;
  const first = found[0];
  expect(first, expected.id).toBeDefined();
  if (first === undefined) return;
  const evidence = first.evidence as Record<string, unknown>;

  switch (expected.id) {
    case "compromised-account": {
      const match = found.find(
        (f) => (f.evidence as { account?: string }).account === truth["account"],
      );
      expect(match, "the compromised account").toBeDefined();
      const account = match?.evidence as Record<string, unknown>;
      expect([...(account["clientIps"] as string[])].sort()).toEqual(
        [...(truth["client_ips"] as string[])].sort(),
      );
      expect((account["abuseFirstLine"] as { line: number }).line).toBe(truth["abuse_first_line"]);
      expect(account["abusiveSubmissions"]).toBe(truth["abuse_submissions"]);
      return;
    }
    case "web-script": {
      if (truth["uid"] !== undefined) expect(evidence["uid"]).toBe(truth["uid"]);
      if (truth["script"] !== undefined) {
        expect(String(evidence["script"])).toContain(String(truth["script"]));
      }
      if (truth["cwd"] !== undefined) expect(evidence["workingDirectory"]).toBe(truth["cwd"]);
      if (truth["local_user"] !== undefined && evidence["localUser"] !== null) {
        expect(evidence["localUser"]).toBe(truth["local_user"]);
      }
      expect(evidence["messages"]).toBe(truth["messages"]);
      return;
    }
    case "volume-spike": {
      if (truth["peak_recipients_per_hour"] === undefined) return;
      expect(evidence["peakRecipientsPerHour"]).toBe(truth["peak_recipients_per_hour"]);
      // The truth measures the baseline before the incident's first message, which the log
      // cannot show exactly; the burst's first hour is the nearest the analysis can see.
      const baseline = Number(truth["baseline_recipients_per_hour_median"]);
      expect(
        Math.abs(Number(evidence["baselineRecipientsPerHour"]) - baseline),
      ).toBeLessThanOrEqual(Math.max(2, baseline * 0.2));
      expect(Date.parse(String(evidence["peakHour"]))).toBe(
        Date.parse(String(truth["peak_hour_utc"])),
      );
      return;
    }
    case "forwarding": {
      expect(evidence["forwardedMessages"]).toBe(truth["forwarded_messages"]);
      expect(evidence["aliases"]).toEqual(truth["aliases"]);
      expect(evidence["srs"]).toBe(truth["srs"]);
      return;
    }
    case "unknown-recipients": {
      expect(evidence["count"]).toBe(truth["count"]);
      const senders = evidence["senders"] as Array<{ sender: string }>;
      expect(senders[0]?.sender).toBe(truth["sender"]);
      expect((evidence["first"] as { line: number }).line).toBe(truth["first_line"]);
      return;
    }
    case "new-ip": {
      expect(evidence["ip"]).toBe(truth["ip"]);
      return;
    }
    case "authentication": {
      checkReplyEvidence(expected, evidence as unknown as ReplyEvidenceShape);
      const failing = evidence["failingDomains"] as Array<{ domain: string }>;
      if (truth["domain"] !== undefined) expect(failing[0]?.domain).toBe(truth["domain"]);
      if (truth["ok_domain"] !== undefined) {
        expect(evidence["notRejectedDomains"]).toContain(truth["ok_domain"]);
      }
      return;
    }
    case "high-volume":
    case "healthy":
      return;
    default:
      checkReplyEvidence(expected, evidence as unknown as ReplyEvidenceShape);
  }
}

/** Findings driven by receivers' replies: counts and first line for the truth's provider. */
function checkReplyEvidence(expected: TruthFinding, evidence: ReplyEvidenceShape): void {
  const truth = expected.evidence;
  const groups =
    truth["providers"] !== undefined
      ? (truth["providers"] as string[])
      : [String(truth["provider"] ?? "google")];
  let count = 0;
  const lines: number[] = [];
  for (const group of groups) {
    const replies = groupReplies(evidence, group);
    count += replies.count;
    if (replies.firstLine !== null) lines.push(replies.firstLine);
  }
  if (truth["count"] !== undefined) expect(count, `${expected.id} count`).toBe(truth["count"]);
  if (truth["first_line"] !== undefined) {
    expect(Math.min(...lines), `${expected.id} first line`).toBe(truth["first_line"]);
  }
  if (truth["token"] !== undefined) expect(evidence.tokens).toContain(truth["token"]);
  if (truth["ip"] !== undefined) expect(evidence.judgedIps).toContain(truth["ip"]);
}
