import { describe, expect, test } from "vitest";
import { raiseCauseSeverity } from "../../src/diagnose/cause-severity.js";
import type { Diagnosis, Finding } from "../../src/diagnose/types.js";
import { diagnoseText } from "../helpers/diagnose-text.js";
import {
  GMAIL_RATE_LIMIT,
  GMAIL_UNSOLICITED,
  HOUR,
  PostfixLog,
  SENT,
  T0,
  type Outcome,
} from "../helpers/postfix-fixture.js";
import { draftFinding } from "../helpers/role-drafts.js";

/** New client addresses of bob's burst, all in one network, as a sending service's pool. */
const POOL_IPS = ["203.0.113.151", "203.0.113.162", "203.0.113.173", "203.0.113.184"];

/**
 * Builds two days of office mail from three accounts, with bob's burst of 12 messages to 30
 * Gmail recipients each from `POOL_IPS`, one every 5 minutes from `burstHour`. The burst's
 * recipients get `outcome`, and Gmail defers the office mail from hour 30 to the end of the log.
 */
function poolBurstLog(outcome: Outcome, burstHour = 30): string {
  const log = new PostfixLog();
  const accounts = ["alice", "bob", "carol"];
  for (let hour = 0; hour < 48; hour++) {
    accounts.forEach((name, index) => {
      log.submit({
        time: T0 + hour * HOUR + index * 600_000,
        account: `${name}@example.com`,
        clientIp: `198.51.100.${10 + index}`,
        recipients: [
          {
            address: `friend${hour}-${index}@gmail.com`,
            outcome: hour >= 30 ? GMAIL_RATE_LIMIT : SENT,
          },
          { address: `partner${hour}@example.net` },
        ],
      });
    });
  }
  for (let i = 0; i < 12; i++) {
    log.submit({
      time: T0 + burstHour * HOUR + i * 300_000,
      account: "bob@example.com",
      clientIp: POOL_IPS[i % POOL_IPS.length] ?? "",
      recipients: Array.from({ length: 30 }, (_, n) => ({
        address: `target${i}-${n}@gmail.com`,
        outcome,
      })),
    });
  }
  return log.text();
}

function findingOf(diagnosis: Diagnosis, id: Finding["id"]): Finding | undefined {
  return diagnosis.findings.find((finding) => finding.id === id);
}

describe("cause severity in a diagnosis", () => {
  test("spam rejections raise the cause", async () => {
    const diagnosis = await diagnoseText(poolBurstLog(GMAIL_UNSOLICITED));
    const cause = findingOf(diagnosis, "compromised-account");

    expect(cause?.role).toBe("cause");
    expect(cause?.title).toContain("receivers rejected or deferred its mail");
    expect(findingOf(diagnosis, "spam-content")?.severity).toBe("critical");
    expect(cause?.severity).toBe("critical");
    expect(diagnosis.findings[0]?.id).toBe("compromised-account");
  });

  test("deferrals alone keep a warning", async () => {
    const diagnosis = await diagnoseText(poolBurstLog(GMAIL_RATE_LIMIT));
    const cause = findingOf(diagnosis, "compromised-account");

    expect(cause?.role).toBe("cause");
    expect(findingOf(diagnosis, "spam-content")).toBeUndefined();
    expect(cause?.severity).toBe("warning");
  });

  test("summary says sent mail to", async () => {
    const diagnosis = await diagnoseText(poolBurstLog(GMAIL_UNSOLICITED));
    const summary = findingOf(diagnosis, "compromised-account")?.summary ?? "";

    expect(summary).toContain("and sent mail to 360 recipients, up to");
    expect(summary).not.toMatch(/sent \d/);
  });
});

describe("readiness summary of the burst", () => {
  test("names what is open in words", async () => {
    const diagnosis = await diagnoseText(poolBurstLog(GMAIL_UNSOLICITED));
    const items = new Map(diagnosis.readiness.items.map((item) => [item.id, item.status]));
    const { summary } = diagnosis.readiness;

    expect(items.get("cause-identified")).toBe("pass");
    expect(items.get("cause-stopped")).toBe("pass");
    expect(items.get("blocks-ended")).toBe("fail");
    expect(summary).toMatch(/^Not yet\. Still open: Gmail still defers mail\./);
    expect(summary).not.toContain("before the cause is fixed");
    expect(summary).not.toContain("have stopped");
  });

  test("a burst at the end keeps the cause open", async () => {
    const diagnosis = await diagnoseText(poolBurstLog(GMAIL_UNSOLICITED, 47));
    const items = new Map(diagnosis.readiness.items.map((item) => [item.id, item.status]));
    const { summary } = diagnosis.readiness;

    expect(items.get("cause-stopped")).toBe("fail");
    expect(summary).toMatch(
      /^Not yet\. Still open: the suspect sending goes on, Gmail still rejects /,
    );
    expect(summary).toContain("A request sent before the cause is fixed is wasted");
  });
});

describe("raiseCauseSeverity", () => {
  const spam = draftFinding(
    "spam-content",
    "consequence",
    { providers: { gmail: {} } },
    "critical",
  );

  test("follows a consequence at the same operator", () => {
    const cause = draftFinding(
      "compromised-account",
      "cause",
      { blockedAttemptsByOperator: { google: 5 } },
      "warning",
    );
    const [raised] = raiseCauseSeverity([cause, spam]);

    expect(raised?.severity).toBe("critical");
  });

  test("ignores another operator's consequence", () => {
    const cause = draftFinding(
      "compromised-account",
      "cause",
      { blockedAttemptsByOperator: { yahoo: 5, google: 0 } },
      "warning",
    );
    const [kept] = raiseCauseSeverity([cause, spam]);

    expect(kept?.severity).toBe("warning");
  });

  test("ignores causes without own blocked mail", () => {
    const cause = draftFinding("new-ip", "cause", {}, "warning");
    const [kept] = raiseCauseSeverity([cause, spam]);

    expect(kept?.severity).toBe("warning");
  });

  test("leaves info causes and other roles", () => {
    const info = draftFinding(
      "compromised-account",
      "cause",
      { blockedAttemptsByOperator: { google: 5 } },
      "info",
    );
    const contributing = draftFinding(
      "web-script",
      "contributing",
      { blockedAttemptsByOperator: { google: 5 } },
      "warning",
    );
    const [first, second] = raiseCauseSeverity([info, contributing, spam]);

    expect(first?.severity).toBe("info");
    expect(second?.severity).toBe("warning");
  });
});
