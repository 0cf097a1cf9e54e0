import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { BLOCK_LIFTED_DELIVERIES, ONGOING_WINDOW_MS } from "../../src/diagnose/verdict.js";
import { describePastBlock } from "../../src/store/changes.js";

const README = readFileSync(new URL("../../README.md", import.meta.url), "utf8").replace(
  /\s+/g,
  " ",
);
const HOUR_MS = 60 * 60 * 1000;

describe("README monitor section", () => {
  it("states the lift rule's numbers", () => {
    expect(README).toContain(`accepted ${BLOCK_LIFTED_DELIVERIES} deliveries after its last`);
    expect(README).toContain(`at least ${ONGOING_WINDOW_MS / HOUR_MS} hours of log time later`);
  });

  it("quotes the past-block alert", () => {
    const summary = describePastBlock("gmail 192.0.2.1", "blocked", 0, HOUR_MS);
    const opening = summary.slice(0, summary.indexOf(":"));
    expect(opening).toBe("Block already over");
    expect(README).toContain(`"${opening}: …"`);
  });
});
