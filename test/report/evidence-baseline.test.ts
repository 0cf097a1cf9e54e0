import { describe, expect, it } from "vitest";
import { evidenceLines } from "../../src/report/evidence.js";

describe("the label of the level a burst was measured against", () => {
  it.each([
    ["own-history", "Usual per hour"],
    ["other-accounts", "Typical account's peak"],
    ["busiest-other-account", "Busiest other account's peak"],
    ["hand-sent-level", "Hand-sent level per hour"],
  ])("reads %s as %s", (baselineSource, label) => {
    const lines = evidenceLines({ baselineRecipientsPerHour: 20, baselineSource });
    expect(lines).toContainEqual([label, "20"]);
  });
});
