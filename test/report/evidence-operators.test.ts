import { describe, expect, it } from "vitest";
import { evidenceLines } from "../../src/report/evidence.js";

describe("evidence of the blocks an origin's own mail got", () => {
  it("names the companies, busiest first, and leaves out zero counts", () => {
    const lines = evidenceLines({
      account: "sales@example.com",
      blockedAttemptsByOperator: { yahoo: 20, google: 2195, microsoft: 0 },
    });
    expect(lines).toContainEqual(["Rejected or deferred by", "Google 2,195, Yahoo/AOL 20"]);
  });

  it("shows no line when nothing was rejected", () => {
    const lines = evidenceLines({ account: "sales@example.com", blockedAttemptsByOperator: {} });
    expect(lines.map(([label]) => label)).not.toContain("Rejected or deferred by");
  });
});
