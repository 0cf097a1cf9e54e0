import { describe, expect, it } from "vitest";
import { formatDuration, wrap, wrapBreakingWords, wrapItems } from "../../src/report/wrap.js";

const PATH = "/home/example/public_html/wp-content/uploads/2024/03/cache/tmp/x";

describe("wrapBreakingWords", () => {
  it("wraps short words like wrap", () => {
    const text = "one two three four five six seven eight nine ten eleven twelve";
    expect(wrapBreakingWords(text, "  - ", "    ", 30)).toEqual(wrap(text, "  - ", "    ", 30));
  });

  it("breaks a long path after a slash", () => {
    const lines = wrapBreakingWords(`in ${PATH}, user example`, "name: ", "      ", 40);
    expect(lines[0]).toBe("name: in /home/example/public_html/");
    expect(lines.every((line) => line.length <= 40)).toBe(true);
    expect(lines.slice(1).every((line) => line.startsWith("      "))).toBe(true);
    expect(lines.map((line) => line.slice(6)).join("")).toBe(`in ${PATH}, user example`);
  });

  it("breaks a word without slashes at the width", () => {
    const junk = "x".repeat(25);
    expect(wrapBreakingWords(junk, "> ", "  ", 10)).toEqual([
      "> xxxxxxxx",
      "  xxxxxxxx",
      "  xxxxxxxx",
      "  x",
    ]);
  });

  it("keeps an escape whole at a break", () => {
    const escaped = "ab\\x00\\x01\\x02";
    expect(wrapBreakingWords(escaped, "", "", 8)).toEqual(["ab\\x00", "\\x01\\x02"]);
  });

  it("moves a word that fits a line to the next", () => {
    expect(wrapBreakingWords("aaaa bbbbbbb", "", "  ", 10)).toEqual(["aaaa", "  bbbbbbb"]);
  });

  it("ends with a prefix wider than the width", () => {
    expect(wrapBreakingWords("abc", "0123456789", "0123456789", 5)).toEqual([
      "0123456789a",
      "0123456789b",
      "0123456789c",
    ]);
  });
});

describe("wrapItems", () => {
  it("breaks only between items", () => {
    const items = ["550 5.7.1 ×827", "421 4.7.28 ×437"];
    expect(wrapItems(items, "codes: ", "       ", 30)).toEqual([
      "codes: 550 5.7.1 ×827,",
      "       421 4.7.28 ×437",
    ]);
  });

  it("keeps items that fit on one line", () => {
    expect(wrapItems(["a ×1", "b ×2", "c ×3"], "> ", "  ", 20)).toEqual(["> a ×1, b ×2, c ×3"]);
  });

  it("wraps an item wider than a line", () => {
    const items = ["connection failed ×1,234", "550 5.7.1 ×8"];
    expect(wrapItems(items, "", "  ", 20)).toEqual([
      "connection failed",
      "  ×1,234,",
      "  550 5.7.1 ×8",
    ]);
  });

  it("returns the prefix for no items", () => {
    expect(wrapItems([], "row  ")).toEqual(["row  "]);
  });
});

describe("formatDuration", () => {
  it("keeps hours up to 48", () => {
    expect(formatDuration(0.5)).toBe("0.5 h");
    expect(formatDuration(48)).toBe("48 h");
  });

  it("switches to days after 48 hours", () => {
    expect(formatDuration(48.1)).toBe("2.0 days");
    expect(formatDuration(96)).toBe("4.0 days");
    expect(formatDuration(24_258.9)).toBe("1,010.8 days");
  });
});
