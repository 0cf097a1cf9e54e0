import { describe, expect, it } from "vitest";
import { unescapeControlCharacters } from "../../../src/logs/reader/control-escapes.js";
import { ContentHasher } from "../../../src/logs/reader/fingerprint-hash.js";

describe("unescapeControlCharacters", () => {
  it.each([
    ["a#011b", "a\tb"],
    ["#011", "\t"],
    ["#000#037#177", "\u0000\u001f\u007f"],
    ["tab#011and bell#007", "tab\tand bell\u0007"],
    ["##011", "#\t"],
  ])("decodes %j", (text, expected) => {
    expect(unescapeControlCharacters(text)).toBe(expected);
  });

  it.each(["no escape", "#040 is a space", "#101", "#08", "#01", "#1234x", "ends with #"])(
    "keeps %j",
    (text) => {
      expect(unescapeControlCharacters(text)).toBe(text);
    },
  );
});

describe("ContentHasher escapes", () => {
  const hasher = new ContentHasher();
  const tabbed = "warning: header Subject: Hello\tthere from example.net[192.0.2.7]";
  const escaped = tabbed.replace("\t", "#011");

  it("keys #011 text as the tab", () => {
    expect(hasher.keyOf("mx1", "postfix/cleanup", 7, escaped)).toBe(
      hasher.keyOf("mx1", "postfix/cleanup", 7, tabbed),
    );
  });

  it("keys #011 bytes as the tab", () => {
    const bytes = Buffer.from(`xx${escaped}yy`, "latin1");
    const key = hasher.keyOfBytes("mx1", "postfix/cleanup", 7, bytes, 2, bytes.length - 2);

    expect(key).toBe(hasher.keyOf("mx1", "postfix/cleanup", 7, tabbed));
  });

  it("finds # in every position of a word", () => {
    const plain = "abcdefghij";
    for (let index = 0; index <= plain.length; index++) {
      const text = `${plain.slice(0, index)}\t${plain.slice(index)}`;
      const withEscape = `${plain.slice(0, index)}#011${plain.slice(index)}`;
      const bytes = Buffer.from(withEscape, "latin1");
      const expected = hasher.keyOf("mx1", "postfix/smtp", 1, text);

      expect(hasher.keyOf("mx1", "postfix/smtp", 1, withEscape)).toBe(expected);
      expect(hasher.keyOfBytes("mx1", "postfix/smtp", 1, bytes, 0, bytes.length)).toBe(expected);
    }
  });

  it("keys other # text apart from a tab", () => {
    const other = tabbed.replace("\t", "#041");

    expect(hasher.keyOf("mx1", "postfix/cleanup", 7, other)).not.toBe(
      hasher.keyOf("mx1", "postfix/cleanup", 7, tabbed),
    );
  });

  it("keys bytes without # as their text", () => {
    const bytes = Buffer.from(tabbed, "latin1");

    expect(hasher.keyOfBytes("mx1", "postfix/cleanup", 7, bytes, 0, bytes.length)).toBe(
      hasher.keyOf("mx1", "postfix/cleanup", 7, tabbed),
    );
  });
});
