import { execFileSync } from "node:child_process";
import { describe, expect, test } from "vitest";
import { codeSpan, regexLiteral, shellQuote } from "../../src/diagnose/shell-quote.js";

/** Runs `printf '%s\n' WORDS` in /bin/sh and returns the arguments that printf received. */
function shellWords(words: string): string[] {
  const output = execFileSync("/bin/sh", ["-c", `printf '%s\\n' ${words}`], { encoding: "utf8" });
  return output.split("\n").slice(0, -1);
}

const HOSTILE = [
  "ni|aj`x",
  "a b",
  "it's",
  "$(id)",
  "${HOME}",
  "a;b&c",
  "*",
  "~root",
  "x>y<z",
  "tab\there",
  "back\\slash",
  '"double"',
  "'",
  "#comment",
  "!history",
  "",
];

describe("shellQuote", () => {
  test("safe words stay unchanged", () => {
    for (const word of ["alice@example.com", "www-data", "a.b_c+d", "192.0.2.1", "PWNED"]) {
      expect(shellQuote(word)).toBe(word);
    }
  });

  test("unsafe words get single quotes", () => {
    expect(shellQuote("ni|aj`x")).toBe("'ni|aj`x'");
    expect(shellQuote("/tmp/.x")).toBe("'/tmp/.x'");
    expect(shellQuote("2001:db8::5")).toBe("'2001:db8::5'");
    expect(shellQuote("")).toBe("''");
  });

  test("single quote is closed and escaped", () => {
    expect(shellQuote("it's")).toBe("'it'\\''s'");
  });

  test("sh reads each value as one word", () => {
    for (const value of HOSTILE) {
      expect(shellWords(shellQuote(value)), JSON.stringify(value)).toEqual([value]);
    }
  });

  test("sh keeps values apart", () => {
    const quoted = HOSTILE.map(shellQuote).join(" ");
    expect(shellWords(quoted)).toEqual(HOSTILE);
  });
});

describe("regexLiteral", () => {
  test("matches only the literal text", () => {
    const pattern = new RegExp(regexLiteral("ni|aj`x"));
    expect(pattern.test("<ni|aj`x>")).toBe(true);
    expect(pattern.test("<nina@example.com>")).toBe(false);
  });

  test("escapes every metacharacter", () => {
    const value = "a.b*c+d?e(f)g[h]i{1}j^k$l|m\\n";
    expect(new RegExp(`^${regexLiteral(value)}$`).test(value)).toBe(true);
    expect(new RegExp(regexLiteral("a.b")).test("axb")).toBe(false);
  });

  test("plain address is kept", () => {
    expect(regexLiteral("alice@example")).toBe("alice@example");
  });
});

describe("codeSpan", () => {
  test("plain command gets one backtick", () => {
    expect(codeSpan("doveadm kick alice")).toBe("`doveadm kick alice`");
  });

  test("backtick gets a longer fence", () => {
    expect(codeSpan("doveadm kick 'ni|aj`x'")).toBe("`` doveadm kick 'ni|aj`x' ``");
    expect(codeSpan("a ``b`` c")).toBe("``` a ``b`` c ```");
  });
});
