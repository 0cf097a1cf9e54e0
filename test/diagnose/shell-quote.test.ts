import { execFileSync } from "node:child_process";
import { describe, expect, test } from "vitest";
import { codeSpan, regexLiteral, shellQuote } from "../../src/diagnose/shell-quote.js";
import { decodeUtf8Sequences } from "../../src/logs/reader/display.js";

/** Runs `printf '%s\n' WORDS` in /bin/sh and returns the arguments that printf received. */
function shellWords(words: string): string[] {
  const output = execFileSync("/bin/sh", ["-c", `printf '%s\\n' ${words}`], { encoding: "utf8" });
  return output.split("\n").slice(0, -1);
}

/**
 * Runs `printf '%s\0' WORD` in bash and returns the bytes of the argument printf received.
 * `word` is decoded from one char per byte first, as the report does before it prints.
 */
function bashBytes(word: string): Buffer {
  const command = `printf '%s\\0' ${decodeUtf8Sequences(word)}`;
  const output = execFileSync("bash", ["-c", command]);
  return output.subarray(0, -1);
}

/** Returns log text as the reader decodes it: one char per byte of the UTF-8 of `text`. */
function logBytes(text: string): string {
  return Buffer.from(text, "utf8").toString("latin1");
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

  test.each([
    ["ESC", "ni\u001b[31maj@example.com", "$'ni\\x1b[31maj@example.com'"],
    ["tab", "tab\there", "$'tab\\x09here'"],
    ["right-to-left override", "ni\u202eaj@example.com", "$'ni\\xe2\\x80\\xaeaj@example.com'"],
    ["zero width space", "ni\u200baj@example.com", "$'ni\\xe2\\x80\\x8baj@example.com'"],
    ["no-break space", "ni\u00a0aj", "$'ni\\xc2\\xa0aj'"],
    ["quote beside ESC", "it's\u001b\\", "$'it\\'s\\x1b\\\\'"],
  ])("%s gets ANSI-C quoting", (_name, text, expected) => {
    const value = logBytes(text);
    const quoted = shellQuote(value);

    expect(quoted).toBe(expected);
    expect(bashBytes(quoted)).toEqual(Buffer.from(value, "latin1"));
  });

  test("stray byte is written as itself", () => {
    const value = "caf\u00e9 x";
    const quoted = shellQuote(value);

    expect(quoted).toBe("$'caf\\xe9 x'");
    expect(bashBytes(quoted)).toEqual(Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x20, 0x78]));
  });

  test("visible UTF-8 keeps single quotes", () => {
    const value = logBytes("josé@bücher.example");
    const quoted = shellQuote(value);

    expect(quoted).toBe(`'${value}'`);
    expect(bashBytes(quoted)).toEqual(Buffer.from("josé@bücher.example", "utf8"));
  });

  test("Unicode string is written as UTF-8", () => {
    expect(shellQuote("ni\u202eaj")).toBe("$'ni\\xe2\\x80\\xaeaj'");
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
