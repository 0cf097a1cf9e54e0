import { describe, expect, it } from "vitest";
import { columns, truncateColumns, wrap, wrapBreakingWords } from "../../src/report/wrap.js";

// "The message could not be delivered because this mail address does not exist."
const JAPANESE = "このメールアドレスは存在しないため、メッセージを配信できませんでした。";

describe("columns", () => {
  it("counts ASCII as one column each", () => {
    expect(columns("550 5.1.1 user unknown")).toBe(22);
  });

  it("counts wide characters as two", () => {
    expect(columns("配信")).toBe(4);
    expect(columns("한국")).toBe(4);
    expect(columns("ＡＢ")).toBe(4);
  });

  it("counts a supplementary ideograph as two", () => {
    expect(columns("\u{20B9F}")).toBe(2);
  });

  it("counts narrow non-ASCII as one", () => {
    expect(columns("café ½ ｱ")).toBe(8);
  });
});

describe("wrap with wide characters", () => {
  it("keeps lines within the width", () => {
    const lines = wrap(`550 5.1.1 ${JAPANESE}${JAPANESE}`, "  ", "  ", 40);

    expect(lines.length).toBeGreaterThan(2);
    for (const line of lines) expect(columns(line)).toBeLessThanOrEqual(40);
  });

  it("breaks between wide characters without adding spaces", () => {
    const lines = wrap(JAPANESE, "", "", 20);

    expect(lines.join("")).toBe(JAPANESE);
    expect(lines[0]).toBe("このメールアドレスは");
  });

  it("keeps ASCII next to a wide character together", () => {
    expect(wrap("abc配信def", "", "", 6)).toEqual(["abc配", "信def"]);
  });

  it("wraps ASCII as before", () => {
    const text = "421 4.7.0 Try again later, closing connection. (EHLO) see the guidelines";

    expect(wrap(text, "- ", "  ", 30)).toEqual([
      "- 421 4.7.0 Try again later,",
      "  closing connection. (EHLO)",
      "  see the guidelines",
    ]);
    expect(wrap("", "Note: ")).toEqual(["Note: "]);
  });
});

describe("truncateColumns", () => {
  it("leaves text that fits", () => {
    expect(truncateColumns("配信", 4)).toBe("配信");
  });

  it("cuts wide text by columns", () => {
    const cut = truncateColumns(JAPANESE, 21);

    expect(cut).toBe("このメールアドレスは…");
    expect(columns(cut)).toBe(21);
  });

  it("never splits a wide character across the limit", () => {
    expect(truncateColumns("a配信", 4)).toBe("a配…");
    expect(truncateColumns("a配信", 3)).toBe("a…");
  });

  it("cuts ASCII as before", () => {
    expect(truncateColumns("abcdefghij", 5)).toBe("abcd…");
  });

  it("keeps a surrogate pair whole", () => {
    expect(truncateColumns("ab\u{20B9F}\u{20B9F}", 5)).toBe("ab\u{20B9F}…");
  });
});

describe("wrapBreakingWords with wide characters", () => {
  it("breaks a long wide word by columns", () => {
    const word = `/srv/${"配信".repeat(30)}`;
    const lines = wrapBreakingWords(`Skipped: ${word}`, "", "  ", 40);

    expect(lines.length).toBeGreaterThan(2);
    for (const line of lines) expect(columns(line)).toBeLessThanOrEqual(40);
    expect(lines.map((line) => line.trim()).join("")).toBe(`Skipped: ${word}`);
  });

  it("keeps a supplementary character whole", () => {
    const lines = wrapBreakingWords("\u{20B9F}".repeat(5), "", "", 3);

    expect(lines).toEqual(Array.from({ length: 5 }, () => "\u{20B9F}"));
  });

  it("breaks ASCII as before", () => {
    expect(wrapBreakingWords("abcdefghij", "", "", 4)).toEqual(["abcd", "efgh", "ij"]);
  });
});
