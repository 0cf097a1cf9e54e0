import { describe, expect, test } from "vitest";
import { withTargetSummary } from "../../src/diagnose/readiness.js";
import { REMOVAL_FORMS, withRemovalTargets } from "../../src/diagnose/removal-forms.js";
import type { Readiness, ReadinessItem } from "../../src/diagnose/types.js";

const DAY = 86_400_000;
const NOW = Date.parse("2026-12-05T00:00:00Z");
const GMAIL_IP = "203.0.113.10";
const OUTLOOK_IP = "198.51.100.7";

const PASSING: ReadinessItem = { id: "cause", title: "Cause found", status: "pass", detail: "" };
const FAILING: ReadinessItem = { id: "ptr", title: "PTR valid", status: "fail", detail: "" };

// The readiness as buildReadiness leaves it when a Gmail request for the Outlook IP was
// matched by form alone: every item passes and the summary asks to wait.
function readiness(items: readonly ReadinessItem[]): Readiness {
  const lastRequest = {
    provider: "gmail",
    ip: OUTLOOK_IP,
    at: "2026-12-03T00:00:00.000Z",
    nextAllowedAt: "2026-12-17T00:00:00.000Z",
    nextAllowedNow: false,
  };
  return {
    ready: true,
    summary: "Ready, but a removal request was already sent; wait until 2026-12-17.",
    items,
    removalForms: [{ provider: "gmail", ...REMOVAL_FORMS.gmail, lastRequest }],
  };
}

function report(
  items: readonly ReadinessItem[],
  requests = [{ provider: "gmail", ip: OUTLOOK_IP, requestedAt: NOW - 2 * DAY }],
) {
  return withTargetSummary(
    withRemovalTargets(readiness(items), {
      judgedIps: [
        [GMAIL_IP, new Set(["gmail"])],
        [OUTLOOK_IP, new Set(["outlook"])],
      ],
      givenIps: [],
      requests,
      now: NOW,
      time: (epochMs) => new Date(epochMs).toISOString(),
    }),
  );
}

describe("readiness summary by request IP", () => {
  test("other provider's IP does not wait", () => {
    const built = report([PASSING]);
    expect(built.removalForms[0]?.lastRequest).toBeNull();
    expect(built.summary).toBe("Request removal now.");
  });

  test("workspace request makes Gmail wait", () => {
    const requests = [{ provider: "google-workspace", ip: GMAIL_IP, requestedAt: NOW - 2 * DAY }];
    const built = report([PASSING], requests);
    expect(built.removalForms[0]?.lastRequest?.provider).toBe("google-workspace");
    expect(built.summary).toContain("wait until 2026-12-17T00:00:00.000Z");
  });

  test("outlook request leaves Gmail ready", () => {
    const requests = [{ provider: "outlook", ip: GMAIL_IP, requestedAt: NOW - 2 * DAY }];
    const built = report([PASSING], requests);
    expect(built.removalForms[0]?.lastRequest).toBeNull();
    expect(built.summary).toBe("Request removal now.");
  });

  test("open items keep the summary", () => {
    const built = report([PASSING, FAILING]);
    expect(built.summary).toBe(readiness([PASSING, FAILING]).summary);
  });
});
