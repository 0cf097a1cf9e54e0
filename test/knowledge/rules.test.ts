import { describe, expect, it } from "vitest";
import { CATEGORIES, FINDING_IDS } from "../../src/knowledge/categories.js";
import { PROVIDER_IDS, PROVIDER_OPERATORS } from "../../src/knowledge/providers.js";
import { ALL_RULES, GENERIC_RULES, PROVIDER_RULES } from "../../src/knowledge/rules/index.js";

describe("knowledge base data", () => {
  it("has unique rule ids", () => {
    const ids = ALL_RULES.map((rule) => rule.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it.each(ALL_RULES.map((rule) => [rule.id, rule] as const))("%s is well formed", (id, rule) => {
    expect(id).toMatch(/^[a-z-]+\.[a-z0-9-]+$/);
    expect(CATEGORIES).toContain(rule.category);
    for (const finding of rule.findings) expect(FINDING_IDS).toContain(finding);
    expect(rule.summary).toMatch(/^\S.*\.$/);
    expect(rule.fix.length).toBeGreaterThan(0);
    if (rule.reference !== null) expect(rule.reference).toMatch(/^https?:\/\/\S+$/);
    for (const status of rule.enhanced ?? [])
      expect(status).toMatch(/^[245x]\.(?:\d{1,3}|x)\.(?:\d{1,3}|x)$/);
    for (const code of rule.codes ?? []) expect(code).toBeGreaterThanOrEqual(200);
  });

  it("keeps each provider's rules in its operator's file", () => {
    for (const [operator, rules] of Object.entries(PROVIDER_RULES)) {
      for (const rule of rules) {
        expect(rule.provider).not.toBeNull();
        expect(PROVIDER_OPERATORS[rule.provider ?? "other"]).toBe(operator);
        expect(rule.id.split(".")[0]).toBe(
          rule.provider === "google-workspace" ? "gmail" : rule.provider,
        );
      }
    }
  });

  it("gives provider rules a way to match", () => {
    for (const rules of Object.values(PROVIDER_RULES)) {
      for (const rule of rules) {
        const byWording = rule.text !== undefined || rule.token !== undefined;
        expect(byWording || (rule.codeAlone ?? []).length > 0).toBe(true);
        for (const status of rule.codeAlone ?? []) expect(rule.enhanced).toContain(status);
      }
    }
  });

  it("ends the generic rules with a rule that matches everything", () => {
    const last = GENERIC_RULES.at(-1);
    expect(last?.id).toBe("generic.unknown");
    expect(last?.codes ?? last?.enhanced ?? last?.text ?? last?.token).toBeUndefined();
    for (const rule of GENERIC_RULES) expect(rule.provider).toBeNull();
  });

  it("covers every named provider", () => {
    const covered = new Set(ALL_RULES.map((rule) => rule.provider));
    for (const provider of PROVIDER_IDS) {
      // A relay host has no wordings of its own, so the generic rules read its replies.
      if (provider !== "other" && provider !== "relay-host") expect(covered).toContain(provider);
    }
  });
});
