import { describe, expect, test } from "vitest";
import { isHiddenCharacter } from "../../src/diagnose/hidden-characters.js";
import { codeSpan, regexLiteral, shellQuote } from "../../src/diagnose/shell-quote.js";
import { decodeUtf8Sequences } from "../../src/logs/reader/display.js";
import { installedShells, shellArguments } from "../helpers/shell.js";

/**
 * Returns the arguments that printf received from `words` in `shell`, as UTF-8 text. `words`
 * is decoded from one char per byte first, as the report does before it prints.
 */
function shellWords(shell: string, words: string): string[] {
  return shellArguments(shell, decodeUtf8Sequences(words)).map((bytes) => bytes.toString("utf8"));
}

/** Returns the bytes of the one argument that `word` gives in `shell`. */
function shellBytes(shell: string, word: string): Buffer | undefined {
  const values = shellArguments(shell, decodeUtf8Sequences(word));
  expect(values).toHaveLength(1);
  return values[0];
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

/** Values with hidden characters, as log text, and the words that quote them. */
const HIDDEN: ReadonlyArray<readonly [string, string, string]> = [
  ["ESC", "ni\u001b[31maj@example.com", `"$(printf 'ni\\033[31maj@example.com')"`],
  ["tab", "tab\there", `"$(printf 'tab\\011here')"`],
  ["line feed inside", "a\nb", `"$(printf 'a\\012b')"`],
  [
    "right-to-left override",
    "ni\u202eaj@example.com",
    `"$(printf 'ni\\342\\200\\256aj@example.com')"`,
  ],
  ["zero width space", "ni\u200baj@example.com", `"$(printf 'ni\\342\\200\\213aj@example.com')"`],
  ["no-break space", "ni\u00a0aj", `"$(printf 'ni\\302\\240aj')"`],
  ["Hangul filler", "\u3164", `"$(printf '\\343\\205\\244')"`],
  ["quote beside ESC", "it's\u001b\\", `"$(printf 'it\\047s\\033\\134')"`],
  ["percent and space", "50% off\u200b", `"$(printf '50\\045\\040off\\342\\200\\213')"`],
  ["leading dash", "-rf\u200b", `"$(printf '\\055rf\\342\\200\\213')"`],
  ["dash inside", "a-b\u200b", `"$(printf 'a-b\\342\\200\\213')"`],
  ["shell syntax", "$(id)`w`;\u202e", `"$(printf '$(id)\`w\`;\\342\\200\\256')"`],
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

  test.each(HIDDEN)("%s gets a printf word", (_name, text, expected) => {
    expect(shellQuote(logBytes(text))).toBe(expected);
  });

  test.each(HIDDEN)("%s: word shows no hidden character", (_name, text) => {
    const printed = decodeUtf8Sequences(shellQuote(logBytes(text)));

    expect([...printed].filter(isHiddenCharacter)).toEqual([]);
    expect(printed).not.toMatch(/[\t\n]/);
  });

  test("stray byte is written as itself", () => {
    expect(shellQuote("caf\u00e9 x")).toBe(`"$(printf 'caf\\351\\040x')"`);
  });

  test("visible UTF-8 keeps single quotes", () => {
    const value = logBytes("josé@bücher.example");

    expect(shellQuote(value)).toBe(`'${value}'`);
  });

  test("visible UTF-8 stays in the printf format", () => {
    const value = logBytes("josé\u202e");

    expect(shellQuote(value)).toBe(`"$(printf '${logBytes("josé")}\\342\\200\\256')"`);
  });

  test("Unicode string is written as UTF-8", () => {
    expect(shellQuote("ni\u202eaj")).toBe(`"$(printf 'ni\\342\\200\\256aj')"`);
  });
});

describe.each(installedShells())("shellQuote in %s", (shell) => {
  test("each value is one word", () => {
    for (const value of HOSTILE) {
      expect(shellWords(shell, shellQuote(value)), JSON.stringify(value)).toEqual([value]);
    }
  });

  test("values stay apart", () => {
    const quoted = HOSTILE.map(shellQuote).join(" ");

    expect(shellWords(shell, quoted)).toEqual(HOSTILE);
  });

  test.each(HIDDEN)("%s: bytes pass unchanged", (_name, text) => {
    const value = logBytes(text);

    expect(shellBytes(shell, shellQuote(value))).toEqual(Buffer.from(value, "latin1"));
  });

  test("stray byte passes unchanged", () => {
    const bytes = shellBytes(shell, shellQuote("caf\u00e9 x"));

    expect(bytes).toEqual(Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x20, 0x78]));
  });

  test("visible UTF-8 passes unchanged", () => {
    for (const text of ["josé@bücher.example", "josé\u202e", "日本\u200b語"]) {
      const bytes = shellBytes(shell, shellQuote(logBytes(text)));
      expect(bytes, text).toEqual(Buffer.from(text, "utf8"));
    }
  });

  test("hidden values stay apart", () => {
    const values = HIDDEN.map(([, text]) => logBytes(text));
    const quoted = values.map(shellQuote).join(" ");

    expect(shellArguments(shell, decodeUtf8Sequences(quoted))).toEqual(
      values.map((value) => Buffer.from(value, "latin1")),
    );
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
