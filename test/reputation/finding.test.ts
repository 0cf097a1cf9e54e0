import { describe, expect, it } from "vitest";
import { CATALOGUE } from "../../src/reputation/catalogue.js";
import {
  blocklistFinding,
  blocklistReadiness,
  spamTrapFinding,
} from "../../src/reputation/finding.js";
import type { BlocklistResult, BlocklistStatus } from "../../src/reputation/types.js";

const entries = new Map(CATALOGUE.map((entry) => [entry.id, entry]));

function result(list: string, status: BlocklistStatus, target = "192.0.2.25"): BlocklistResult {
  const entry = entries.get(list);
  if (entry === undefined) throw new Error(`no list ${list}`);
  return {
    target,
    targetKind: "ipv4",
    list,
    listType: entry.listType,
    query: `25.2.0.192.${entry.zone}`,
    status,
    meaning: status === "listed" ? "listed for testing" : null,
    codes: status === "listed" ? ["127.0.0.2"] : [],
    score: null,
    refusal: null,
    delisting: status === "listed" ? entry.delisting.url : null,
  };
}

describe("ip-blocklisted finding", () => {
  it("is null without a block-list listing", () => {
    const results = [result("spamhaus-zen", "not-listed"), result("dnswl", "listed")];
    expect(blocklistFinding(results, entries)).toBeNull();
  });

  it("is critical for a Spamhaus listing", () => {
    const found = blocklistFinding(
      [
        result("spamhaus-zen", "listed"),
        result("psbl", "listed"),
        result("spamcop-scbl", "timeout"),
      ],
      entries,
    );
    expect(found?.id).toBe("ip-blocklisted");
    expect(found?.severity).toBe("critical");
    expect(found?.role).toBe("cause");
    const evidence = found?.evidence as {
      source: string;
      listings: Array<{ list: string; codes: string[]; meaning: string; delisting: string }>;
      notChecked: Array<{ list: string; status: string }>;
    };
    expect(evidence.source).toBe("dnsbl");
    expect(evidence.listings.map((l) => [l.list, l.codes, l.delisting])).toEqual([
      ["spamhaus-zen", ["127.0.0.2"], "https://check.spamhaus.org/"],
      ["psbl", ["127.0.0.2"], "https://psbl.org/"],
    ]);
    expect(evidence.notChecked).toEqual([
      { target: "192.0.2.25", list: "spamcop-scbl", status: "timeout", meaning: null },
    ]);
    expect(found?.fix.some((step) => step.includes("https://check.spamhaus.org/"))).toBe(true);
    expect(found?.references).toContain("https://psbl.org/");
  });

  it("is info for a minor list only", () => {
    const found = blocklistFinding([result("backscatterer", "listed")], entries);
    expect(found?.severity).toBe("info");
    expect(found?.role).toBe("contributing");
  });
});

describe("blocklists readiness item", () => {
  it("passes when the major lists are clean", () => {
    const item = blocklistReadiness(
      [
        result("spamhaus-zen", "not-listed"),
        result("barracuda-brbl", "not-listed"),
        result("psbl", "listed"),
      ],
      entries,
    );
    expect(item.id).toBe("blocklists");
    expect(item.status).toBe("pass");
    expect(item.detail).toContain("psbl");
  });

  it("fails on a major listing", () => {
    const item = blocklistReadiness([result("spamhaus-zen", "listed")], entries);
    expect(item.status).toBe("fail");
    expect(item.detail).toContain("spamhaus-zen");
  });

  it("is not checked after a refusal", () => {
    const item = blocklistReadiness(
      [result("spamhaus-zen", "refused"), result("barracuda-brbl", "not-listed")],
      entries,
    );
    expect(item.status).toBe("not-checked");
    expect(item.detail).toContain("spamhaus-zen (refused)");
  });

  it("is not checked with no major list", () => {
    expect(blocklistReadiness([result("psbl", "not-listed")], entries).status).toBe("not-checked");
  });
});

describe("spam-traps finding", () => {
  it("is null without a trap list listing", () => {
    const results = [result("spamhaus-zen", "listed"), result("psbl", "not-listed")];
    expect(spamTrapFinding(results, entries)).toBeNull();
  });

  it("names the trap lists", () => {
    const found = spamTrapFinding(
      [
        result("spamhaus-zen", "listed"),
        result("psbl", "listed"),
        result("uceprotect-l1", "listed"),
        result("uceprotect-l2", "listed"),
      ],
      entries,
    );
    expect(found?.id).toBe("spam-traps");
    expect(found?.role).toBe("cause");
    const evidence = found?.evidence as { listings: Array<{ list: string }> };
    expect(evidence.listings.map((listing) => listing.list)).toEqual(["psbl", "uceprotect-l1"]);
    expect(found?.title).toBe("192.0.2.25 sent mail to spam traps");
  });

  it("ignores a timed-out trap list", () => {
    expect(spamTrapFinding([result("psbl", "timeout")], entries)).toBeNull();
  });
});
