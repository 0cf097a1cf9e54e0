import { describe, expect, test } from "vitest";
import { evidenceLines } from "../../src/report/evidence.js";

describe("baseline label", () => {
  test("own history reads as usual", () => {
    const lines = evidenceLines({ baselineRecipientsPerHour: 4, baselineSource: "own-history" });
    expect(lines).toContainEqual(["Usual per hour", "4"]);
  });

  test("other accounts read as typical peak", () => {
    const lines = evidenceLines({ baselineRecipientsPerHour: 4, baselineSource: "other-accounts" });
    expect(lines).toContainEqual(["Typical account's peak", "4"]);
  });
});
