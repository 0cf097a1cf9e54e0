import { describe, expect, it } from "vitest";
import { decodeForDisplay } from "../../../src/logs/reader/display.js";

// The reader's view of bytes: one latin1 char per byte.
const asRead = (bytes: number[] | string): string =>
  typeof bytes === "string"
    ? Buffer.from(bytes, "utf8").toString("latin1")
    : Buffer.from(bytes).toString("latin1");

describe("decodeForDisplay", () => {
  it("returns printable ASCII unchanged", () => {
    const text = "status=sent (250 2.0.0 OK) to=<a@example.com>\tx";
    expect(decodeForDisplay(text)).toBe(text);
  });

  it("decodes valid UTF-8", () => {
    expect(decodeForDisplay(asRead("Grüße, 東京 🙂"))).toBe("Grüße, 東京 🙂");
  });

  it("keeps invalid bytes as Latin-1", () => {
    expect(decodeForDisplay(asRead([0x4d, 0xfc, 0x6c, 0x6c, 0x65, 0x72]))).toBe("Müller");
  });

  it("decodes UTF-8 and Latin-1 in one line", () => {
    expect(decodeForDisplay(asRead([0xc3, 0xa9, 0x20, 0xe9]))).toBe("é é");
  });

  it("rejects overlong forms, surrogates and truncated sequences", () => {
    expect(decodeForDisplay(asRead([0xc0, 0xaf]))).toBe("\u00c0\u00af");
    expect(decodeForDisplay(asRead([0xed, 0xa0, 0x80]))).toBe("\u00ed\u00a0\\x80");
    expect(decodeForDisplay(asRead([0xe2, 0x82]))).toBe("\u00e2\\x82");
    expect(decodeForDisplay(asRead([0xf4, 0x90, 0x80, 0x80]))).toBe("\u00f4\\x90\\x80\\x80");
  });

  it("escapes control characters", () => {
    expect(decodeForDisplay("a\u0000b\rc\u001b[31m")).toBe("a\\x00b\\x0dc\\x1b[31m");
    expect(decodeForDisplay(asRead([0x9b]))).toBe("\\x9b");
  });
});
