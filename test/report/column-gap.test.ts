import { describe, expect, it } from "vitest";
import { column } from "../../src/report/wrap.js";

describe("column", () => {
  it("pads a short text to the width", () => {
    expect(column("gmail", 10)).toBe("gmail     ");
  });

  it("keeps two spaces after a full text", () => {
    expect(column("12345678", 10)).toBe("12345678  ");
  });

  it("cuts a text that would touch the next column", () => {
    expect(column("123456789", 10)).toBe("1234567…  ");
    expect(column("1234567890", 10)).toBe("1234567…  ");
  });

  it("leaves a gap after a long domain", () => {
    const cell = column("mailhost.northgate.example", 24);
    expect(cell).toHaveLength(24);
    expect(cell).toBe("mailhost.northgate.ex…  ");
    expect(`${cell}SPF fail`).toContain("…  SPF fail");
  });

  it("counts wide characters as two columns", () => {
    // Four ideographs take 8 columns: padded to 10, the next column starts where it should.
    expect(column("送信失敗", 10)).toBe("送信失敗  ");
    // Six take 12. Three fit before the ellipsis (7 columns), and spaces fill the other 3.
    expect(column("送信失敗送信", 10)).toBe("送信失…   ");
  });
});
