import { describe, expect, test } from "vitest";
import {
  escapeLineControlsInQuotes,
  isHiddenCharacter,
  showHiddenCharacters,
} from "../../src/diagnose/hidden-characters.js";

describe("isHiddenCharacter", () => {
  test.each([
    ["ESC", "\u001b"],
    ["carriage return", "\r"],
    ["DEL", "\u007f"],
    ["C1 next line", "\u0085"],
    ["right-to-left override", "\u202e"],
    ["left-to-right isolate", "\u2066"],
    ["zero width space", "\u200b"],
    ["zero width joiner", "\u200d"],
    ["byte order mark", "\ufeff"],
    ["soft hyphen", "\u00ad"],
    ["no-break space", "\u00a0"],
    ["ideographic space", "\u3000"],
    ["line separator", "\u2028"],
    ["Hangul filler", "\u3164"],
    ["variation selector", "\ufe0f"],
    ["private use", "\ue000"],
    ["lone surrogate", "\ud800"],
    ["tag character", "\u{e0041}"],
    ["noncharacter", "\uffff"],
  ])("%s is hidden", (_name, character) => {
    expect(isHiddenCharacter(character)).toBe(true);
  });

  test.each([
    ["tab", "\t"],
    ["line feed", "\n"],
    ["space", " "],
    ["letter", "a"],
    ["accented letter", "é"],
    ["ideograph", "語"],
    ["emoji", "\u{1f600}"],
    ["backslash", "\\"],
  ])("%s is shown", (_name, character) => {
    expect(isHiddenCharacter(character)).toBe(false);
  });
});

describe("showHiddenCharacters", () => {
  test("writes four hex digits", () => {
    expect(showHiddenCharacters("ni\u202eaj\u200b")).toBe("ni\\u202eaj\\u200b");
  });

  test("pads control characters", () => {
    expect(showHiddenCharacters("a\u001b[31m\r")).toBe("a\\u001b[31m\\u000d");
  });

  test("braces above U+FFFF", () => {
    expect(showHiddenCharacters("x\u{e0001}")).toBe("x\\u{e0001}");
  });

  test("keeps tab, line feed and text", () => {
    const text = "josé\tsaid\n語 \u{1f600}";

    expect(showHiddenCharacters(text)).toBe(text);
  });

  test("escaping twice changes nothing", () => {
    const once = showHiddenCharacters("ni\u202eaj\u00a0\u0085");

    expect(showHiddenCharacters(once)).toBe(once);
  });
});

describe("escapeLineControlsInQuotes", () => {
  test.each([
    ["line feed", 'read "a\nb"', 'read "a\\nb"'],
    ["carriage return", 'read "a\rb"', 'read "a\\rb"'],
    ["tab", 'read "a\tb"', 'read "a\\tb"'],
    ["two values", '"a\nb" and "c\nd"\n', '"a\\nb" and "c\\nd"\n'],
    ["text outside quotes", "a\tb\nc\r", "a\tb\nc\r"],
    ["unclosed quote", 'read "a\nb', 'read "a\nb'],
  ])("%s", (_name, text, expected) => {
    expect(escapeLineControlsInQuotes(text)).toBe(expected);
  });
});
