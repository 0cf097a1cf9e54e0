import { describe, expect, it } from "vitest";
import { decideReason, isHardBounce, type ReasonInput } from "../../src/bounce/reason/decide.js";
import { placeholderStatus, reasonOfStatus } from "../../src/bounce/reason/status.js";

function input(overrides: Partial<ReasonInput>): ReasonInput {
  return {
    formatReason: null,
    status: null,
    replyCode: null,
    text: "",
    command: null,
    action: "failed",
    ruleId: "generic.unknown",
    category: "unknown",
    knownProvider: false,
    ...overrides,
  };
}

describe("decideReason", () => {
  const gmail: [string, string, string][] = [
    ["5.7.26", "550 5.7.26 This mail is unauthenticated", "authfailure"],
    [
      "5.7.25",
      "550 5.7.25 The IP address sending this message does not have a PTR record",
      "requireptr",
    ],
    ["5.1.1", "550 5.1.1 The email account that you tried to reach does not exist", "userunknown"],
    ["5.2.2", "552 5.2.2 The recipient's inbox is out of storage space", "mailboxfull"],
    ["4.7.28", "421 4.7.28 Gmail has detected an unusual rate of unsolicited mail", "blocked"],
    ["5.7.28", "550 5.7.28 There is an unusual rate of unsolicited mail", "blocked"],
    ["5.7.1", "550 5.7.1 [CS01] Message rejected due to local policy", "spamdetected"],
  ];
  for (const [status, text, reason] of gmail) {
    it(`maps Gmail ${status} to ${reason}`, () => {
      expect(decideReason(input({ status, text, replyCode: Number(text.slice(0, 3)) }))).toBe(
        reason,
      );
    });
  }

  it("treats unknown user after DATA as a filter", () => {
    const text = "550 Unknown user";
    expect(decideReason(input({ text, replyCode: 550, command: "data" }))).toBe("filtered");
    expect(decideReason(input({ text, replyCode: 550, command: "rcpt" }))).toBe("userunknown");
  });

  it("treats a refusal at MAIL FROM as rejected", () => {
    const text = "550 Unroutable sender address";
    expect(decideReason(input({ text, replyCode: 550, command: "mail" }))).toBe("rejected");
  });

  it("keeps a reason the format states", () => {
    expect(decideReason(input({ formatReason: "feedback", status: "5.1.1" }))).toBe("feedback");
  });

  it("reports delivered recipients", () => {
    expect(decideReason(input({ action: "delivered", status: "2.0.0" }))).toBe("delivered");
  });

  it("falls back to onhold and undefined", () => {
    expect(decideReason(input({ status: "5.0.0", replyCode: 550, text: "550 no" }))).toBe("onhold");
    expect(decideReason(input({}))).toBe("undefined");
  });

  it("lets a decisive status beat the wording", () => {
    const text = "552 5.2.3 Message too large for this recipient";
    expect(decideReason(input({ status: "5.2.3", text }))).toBe("exceedlimit");
  });
});

describe("reason helpers", () => {
  it("maps status codes", () => {
    expect(reasonOfStatus("5.1.1")).toBe("userunknown");
    expect(reasonOfStatus("5.1.351")).toBe("userunknown");
    expect(reasonOfStatus("5.7.1")).toBeNull();
    expect(reasonOfStatus(null)).toBeNull();
  });

  it("makes placeholder codes by permanence", () => {
    expect(placeholderStatus("userunknown", true)).toBe("5.0.911");
    expect(placeholderStatus("expired", false)).toBe("4.0.947");
    expect(placeholderStatus("feedback", true)).toBeNull();
  });

  it("marks bad addresses as hard bounces", () => {
    expect(isHardBounce("userunknown", true)).toBe(true);
    expect(isHardBounce("notaccept", true)).toBe(true);
    expect(isHardBounce("notaccept", false)).toBe(false);
    expect(isHardBounce("mailboxfull", true)).toBe(false);
  });
});
