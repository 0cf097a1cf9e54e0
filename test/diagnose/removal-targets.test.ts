import { describe, expect, test } from "vitest";
import {
  REMOVAL_FORMS,
  removalTargets,
  withRemovalTargets,
  type RemovalTargetInput,
} from "../../src/diagnose/removal-forms.js";
import type { Readiness, RemovalForm } from "../../src/diagnose/types.js";

const DAY = 86_400_000;
const NOW = Date.parse("2026-12-05T00:00:00Z");
const FIRST = "203.0.113.10";
const SECOND = "198.51.100.7";

function form(provider: "gmail" | "outlook" | "yahoo"): RemovalForm {
  return { provider, ...REMOVAL_FORMS[provider], lastRequest: null };
}

function input(overrides: Partial<RemovalTargetInput> = {}): RemovalTargetInput {
  return {
    judgedIps: [
      [FIRST, new Set(["gmail", "yahoo"])],
      [SECOND, new Set(["outlook"])],
    ],
    givenIps: [],
    requests: [],
    now: NOW,
    time: (epochMs) => new Date(epochMs).toISOString(),
    ...overrides,
  };
}

function ipsOf(provider: "gmail" | "outlook" | "yahoo", given: Partial<RemovalTargetInput>) {
  return removalTargets(form(provider), input(given)).map((target) => [target.ip, target.source]);
}

describe("removal targets", () => {
  test("each provider gets its own IPs", () => {
    expect(ipsOf("gmail", {})).toEqual([[FIRST, "judged"]]);
    expect(ipsOf("outlook", {})).toEqual([[SECOND, "judged"]]);
    expect(ipsOf("yahoo", {})).toEqual([[FIRST, "judged"]]);
  });

  test("two IPs of one provider", () => {
    const judgedIps: RemovalTargetInput["judgedIps"] = [
      [FIRST, new Set(["gmail"])],
      [SECOND, new Set(["gmail", "outlook"])],
    ];
    expect(ipsOf("gmail", { judgedIps })).toEqual([
      [FIRST, "judged"],
      [SECOND, "judged"],
    ]);
  });

  test("workspace IPs go on Gmail's form", () => {
    const judgedIps: RemovalTargetInput["judgedIps"] = [[SECOND, new Set(["google-workspace"])]];
    expect(ipsOf("gmail", { judgedIps })).toEqual([[SECOND, "judged"]]);
  });

  test("one spelling per IPv6 address", () => {
    const judgedIps: RemovalTargetInput["judgedIps"] = [
      ["2001:DB8:0::5", new Set(["gmail"])],
      ["2001:db8::5", new Set(["gmail"])],
    ];
    expect(ipsOf("gmail", { judgedIps })).toEqual([["2001:DB8:0::5", "judged"]]);
  });

  test("--ip narrows a provider's IPs", () => {
    const judgedIps: RemovalTargetInput["judgedIps"] = [
      [FIRST, new Set(["gmail"])],
      [SECOND, new Set(["gmail"])],
    ];
    expect(ipsOf("gmail", { judgedIps, givenIps: [SECOND] })).toEqual([[SECOND, "judged"]]);
  });

  test("--ip of another provider is ignored", () => {
    expect(ipsOf("gmail", { givenIps: [SECOND] })).toEqual([[FIRST, "judged"]]);
  });

  test("--ip fills in a provider without IPs", () => {
    const judgedIps: RemovalTargetInput["judgedIps"] = [[FIRST, new Set(["gmail"])]];
    expect(ipsOf("yahoo", { judgedIps, givenIps: ["192.0.2.5", "192.0.2.6"] })).toEqual([
      ["192.0.2.5", "given"],
      ["192.0.2.6", "given"],
    ]);
  });

  test("only sending IP fills in", () => {
    const judgedIps: RemovalTargetInput["judgedIps"] = [[FIRST, new Set(["gmail"])]];
    expect(ipsOf("yahoo", { judgedIps })).toEqual([[FIRST, "only-sending-ip"]]);
  });

  test("no IP when several are possible", () => {
    const judgedIps: RemovalTargetInput["judgedIps"] = [
      [FIRST, new Set(["gmail"])],
      [SECOND, new Set(["outlook"])],
    ];
    expect(ipsOf("yahoo", { judgedIps })).toEqual([[null, "unknown"]]);
  });

  test("no IP when none was named", () => {
    expect(ipsOf("yahoo", { judgedIps: [] })).toEqual([[null, "unknown"]]);
  });
});

describe("last request per provider and IP", () => {
  test("request for another provider's IP is left out", () => {
    const requests = [{ provider: "gmail", ip: SECOND, requestedAt: NOW - 2 * DAY }];
    const [gmail] = removalTargets(form("gmail"), input({ requests }));
    expect(gmail?.ip).toBe(FIRST);
    expect(gmail?.lastRequest).toBeNull();
  });

  test("request of another provider is left out", () => {
    const requests = [{ provider: "outlook", ip: FIRST, requestedAt: NOW - 2 * DAY }];
    const [gmail] = removalTargets(form("gmail"), input({ requests }));
    expect(gmail?.lastRequest).toBeNull();
  });

  test("workspace request counts for Gmail", () => {
    const requests = [{ provider: "google-workspace", ip: FIRST, requestedAt: NOW - 2 * DAY }];
    const [gmail] = removalTargets(form("gmail"), input({ requests }));
    expect(gmail?.lastRequest?.provider).toBe("google-workspace");
    expect(gmail?.lastRequest?.nextAllowedNow).toBe(false);
    expect(gmail?.lastRequest?.nextAllowedAt).toBe("2026-12-17T00:00:00.000Z");
  });

  test("newest request of the IP wins", () => {
    const requests = [
      { provider: "gmail", ip: FIRST, requestedAt: NOW - 30 * DAY },
      { provider: "gmail", ip: FIRST, requestedAt: NOW - 20 * DAY },
    ];
    const [gmail] = removalTargets(form("gmail"), input({ requests }));
    expect(gmail?.lastRequest?.at).toBe("2026-11-15T00:00:00.000Z");
    expect(gmail?.lastRequest?.nextAllowedNow).toBe(true);
  });

  test("IPv6 spellings match", () => {
    const judgedIps: RemovalTargetInput["judgedIps"] = [["2001:db8::5", new Set(["gmail"])]];
    const requests = [{ provider: "gmail", ip: "2001:DB8:0::5", requestedAt: NOW - DAY }];
    const [gmail] = removalTargets(form("gmail"), input({ judgedIps, requests }));
    expect(gmail?.lastRequest?.ip).toBe("2001:DB8:0::5");
  });

  test("form request is the newest of its IPs", () => {
    const judgedIps: RemovalTargetInput["judgedIps"] = [
      [FIRST, new Set(["gmail"])],
      [SECOND, new Set(["gmail", "outlook"])],
    ];
    const requests = [
      { provider: "gmail", ip: FIRST, requestedAt: NOW - 5 * DAY },
      { provider: "gmail", ip: SECOND, requestedAt: NOW - 3 * DAY },
      { provider: "gmail", ip: "192.0.2.99", requestedAt: NOW - DAY },
      { provider: "outlook", ip: SECOND, requestedAt: NOW - DAY },
    ];
    const readiness: Readiness = {
      ready: false,
      summary: "",
      items: [],
      removalForms: [form("gmail"), form("outlook")],
    };
    const report = withRemovalTargets(readiness, input({ judgedIps, requests }));
    const [gmail, outlook] = report.removalForms;
    expect(gmail?.targets.map((target) => target.lastRequest?.ip)).toEqual([FIRST, SECOND]);
    expect(gmail?.lastRequest?.ip).toBe(SECOND);
    expect(gmail?.lastRequest?.at).toBe("2026-12-02T00:00:00.000Z");
    expect(outlook?.targets.map((target) => target.ip)).toEqual([SECOND]);
    expect(outlook?.lastRequest?.provider).toBe("outlook");
  });
});
