import { describe, expect, it } from "vitest";
import { health } from "../../src/reputation/probe.js";
import type { BlocklistReport } from "../../src/reputation/report.js";
import { renderBlocklistText, wrap } from "../../src/reputation/text.js";
import type { BlocklistResult } from "../../src/reputation/types.js";

const plain = (text: string): string => text;
const style = { good: plain, bad: plain, warn: plain, dim: plain, bold: plain };

function row(
  list: string,
  status: BlocklistResult["status"],
  meaning: string | null,
): BlocklistResult {
  return {
    target: "192.0.2.25",
    targetKind: "ipv4",
    list,
    listType: list === "senderscore-score" ? "score" : "block",
    query: null,
    status,
    meaning,
    codes: status === "listed" ? ["127.0.0.2"] : [],
    score: list === "senderscore-score" ? 87 : null,
    refusal: null,
    delisting:
      status === "listed" && list !== "senderscore-score" ? "https://check.spamhaus.org/" : null,
  };
}

const report: BlocklistReport = {
  targets: [{ value: "192.0.2.25", kind: "ipv4" }],
  lists: [
    {
      id: "sorbs",
      name: "SORBS",
      zone: null,
      listType: "block",
      targets: ["ipv4"],
      status: "defunct",
      relevance: "none",
      health: health("defunct", "switched off").state,
      detail: "Proofpoint switched SORBS off on 2024-06-05; any answer now is meaningless.",
      delisting: null,
    },
    {
      id: "psbl",
      name: "Passive Spam Block List",
      zone: "psbl.surriel.com",
      listType: "block",
      targets: ["ipv4"],
      status: "active",
      relevance: "low",
      health: "answers-everything",
      detail: "its test entry 127.0.0.1, which must not be listed, is listed",
      delisting: "https://psbl.org/",
    },
  ],
  results: [
    row("spamhaus-zen", "listed", "SBL: a verified spam source or spam operation"),
    row("barracuda-brbl", "not-listed", null),
    row("spamcop-scbl", "refused", "x".repeat(150)),
    row("senderscore-score", "listed", "Sender Score 87 of 100"),
    row("psbl", "error", "not asked because Passive Spam Block List is unusable in this run"),
  ],
  notices: [
    {
      kind: "spamhaus-refused",
      list: null,
      message: "Spamhaus answered 127.255.255.254: it refuses queries from your resolver.",
      advice: "Query through your own recursive resolver, or pass --spamhaus-dqs-key KEY.",
    },
  ],
  finding: null,
  trapFinding: null,
  readiness: { id: "blocklists", title: "Not on the major blocklists", status: "fail", detail: "" },
  unreachable: false,
};

describe("blocklist text report", () => {
  const text = renderBlocklistText(report, "server 127.0.0.1:5353", style);
  const lines = text.split("\n");

  it("fits 80 columns", () => {
    for (const line of lines) expect(line.length, line).toBeLessThanOrEqual(80);
  });

  it("shows listings with their removal page", () => {
    const listed = lines.findIndex((line) => line.includes("spamhaus-zen"));
    expect(lines[listed]).toMatch(/spamhaus-zen\s+LISTED\s+SBL/);
    expect(lines.slice(listed, listed + 4).join("\n")).toContain(
      "remove: https://check.spamhaus.org/",
    );
  });

  it("labels clean, refused and score rows", () => {
    expect(text).toMatch(/barracuda-brbl\s+clean/);
    expect(text).toMatch(/spamcop-scbl\s+REFUSED/);
    expect(text).toMatch(/senderscore-score\s+score 87/);
  });

  it("does not call an undocumented answer code REFUSED", () => {
    const unknown: BlocklistResult = {
      ...row("spamrats", "refused", "127.0.0.2 is not a code that SpamRATS documents"),
      refusal: "undocumented-code",
    };
    const single = renderBlocklistText({ ...report, results: [unknown] }, "server", style);
    expect(single).toMatch(/spamrats\s+UNKNOWN\s+127\.0\.0\.2 is not a code/);
    expect(single).not.toMatch(/spamrats\s+REFUSED/);
  });

  it("prints a repeated answer code once", () => {
    const twice: BlocklistResult = {
      ...row("spamhaus-zen", "listed", "XBL: an exploited or infected host"),
      codes: ["127.0.0.4", "127.0.0.4"],
    };
    const single = renderBlocklistText({ ...report, results: [twice] }, "server", style);
    expect(single).toContain("(127.0.0.4)");
    expect(single).not.toContain("127.0.0.4, 127.0.0.4");
  });

  it("names undocumented codes once", () => {
    const meaning =
      "listed by Barracuda, code 127.0.0.2; the answer also contains 127.0.0.77, 127.0.0.4, " +
      "which are not codes that Barracuda Reputation Block List documents";
    const mixed: BlocklistResult = {
      ...row("barracuda-brbl", "listed", meaning),
      codes: ["127.0.0.2", "127.0.0.77", "127.0.0.4"],
    };
    const single = renderBlocklistText({ ...report, results: [mixed] }, "server", style);

    expect(single.match(/127\.0\.0\.77/g)).toHaveLength(1);
    expect(single.match(/127\.0\.0\.2\b/g)).toHaveLength(1);
    expect(single).not.toContain("(127.0.0.2");
  });

  it("aligns a long removal link", () => {
    const link = "https://www.barracudacentral.org/rbl/removal-request";
    const listed: BlocklistResult = {
      ...row("barracuda-brbl", "listed", "listed by Barracuda"),
      delisting: link,
    };
    const rows = renderBlocklistText({ ...report, results: [listed] }, "server", style).split("\n");
    const rowIndex = rows.findIndex((line) => line.startsWith("  barracuda-brbl "));
    const head = rows[rowIndex] ?? "";

    expect(rows[rowIndex + 1]).toBe(`${" ".repeat(head.indexOf("listed by"))}remove:`);
    expect(rows[rowIndex + 2]).toBe(`${" ".repeat(head.indexOf("LISTED"))}${link}`);
  });

  it("puts a very long link at the list column", () => {
    const link = `https://delisting.example.com/${"x".repeat(60)}`;
    const listed: BlocklistResult = {
      ...row("barracuda-brbl", "listed", "listed by Barracuda"),
      delisting: link,
    };
    const rows = renderBlocklistText({ ...report, results: [listed] }, "server", style).split("\n");

    expect(rows).toContain(`  ${link}`);
  });

  it("points unused lists to one reason", () => {
    expect(text).toMatch(/psbl\s+ERROR\s+not asked: see "Lists not used"/);
    expect(text.match(/which\s+must\s+not\s+be\s+listed/g)).toHaveLength(1);
    expect(text).not.toContain("unusable in this run");
  });

  it("lists retired lists and notes once", () => {
    expect(text).toContain("sorbs (defunct)");
    expect(text.match(/127\.255\.255\.254/g)).toHaveLength(1);
    expect(text).toContain("What to do:");
    expect(lines.at(-2)).toBe("Result: 1 listing, 2 clean or informational, 2 not checked.");
  });

  it("skips the table when DNS answered nothing", () => {
    const silent = renderBlocklistText({ ...report, unreachable: true }, "none", style);
    expect(silent).not.toContain("spamhaus-zen");
  });
});

describe("text wrapping", () => {
  it("wraps at spaces and cuts long words", () => {
    expect(wrap("one two three", 7)).toEqual(["one two", "three"]);
    expect(wrap("abcdefghij", 4)).toEqual(["abcd", "efgh", "ij"]);
    expect(wrap("", 10)).toEqual([]);
  });
});
