import { describe, expect, it } from "vitest";
import { createReplyClassifier } from "../../src/reply/classify.js";

const OVERLOADED = "421 4.7.0 mx.example.com Service not available, try again later";

describe("421 greeting without a reason", () => {
  const classifier = createReplyClassifier();

  it("reads as deferred at connect", () => {
    const reply = classifier.explain(OVERLOADED, { stage: "connect" });

    expect(reply.ruleId).toBe("generic.connect-deferred");
    expect(reply.category).toBe("transient");
    expect(reply.permanent).toBe(false);
    expect(reply.findings).toEqual([]);
    expect(reply.summary).toContain("overloaded or in maintenance");
  });

  it.each([
    "421 mx.example.com Service not available, closing transmission channel",
    "421 4.3.2 mx.example.com System not accepting network messages",
    "421 4.4.5 mx.example.com Server busy, try again later",
  ])("reads other codes alike: %s", (text) => {
    expect(classifier.explain(text, { stage: "connect" }).ruleId).toBe("generic.connect-deferred");
  });

  it("keeps other stages as they were", () => {
    expect(classifier.explain(OVERLOADED, { stage: "rcpt" }).ruleId).toBe("generic.policy");
    expect(classifier.explain(OVERLOADED).ruleId).toBe("generic.policy");
  });

  it.each([
    ["421 4.7.0 mx.example.com Connection refused by local policy", "generic.policy"],
    ["421 4.7.0 mx.example.com Your IP has a poor reputation", "generic.reputation"],
    ["421 4.7.0 mx.example.com Too many connections from your IP", "generic.rate-limit"],
    ["421 4.7.1 mx.example.com Service not available", "generic.policy"],
  ])("keeps a named reason: %s", (text, ruleId) => {
    expect(classifier.explain(text, { stage: "connect" }).ruleId).toBe(ruleId);
  });
});
