import { describe, expect, test } from "vitest";
import { shellQuote } from "../../src/diagnose/shell-quote.js";
import { decodeUtf8Sequences } from "../../src/logs/reader/display.js";
import { wrap } from "../../src/report/wrap.js";

describe("wrap with a printf word", () => {
  test("space after printf is no break", () => {
    const word = shellQuote("ni\u202eaj@example.com");
    const lines = wrap(`run doveadm kick ${word} now`, "", "", 30);

    expect(lines).toContain(word);
    expect(lines).toEqual(["run doveadm kick", word, "now"]);
  });

  test("space after a plain printf breaks", () => {
    expect(wrap("x printf 'abc'", "", "", 8)).toEqual(["x printf", "'abc'"]);
  });

  test("wide characters inside stay together", () => {
    const logText = Buffer.from("日本語\u200b", "utf8").toString("latin1");
    const word = decodeUtf8Sequences(shellQuote(logText));
    const lines = wrap(`kick ${word}`, "", "", 10);

    expect(lines).toEqual(["kick", word]);
  });

  test("wide characters elsewhere still break", () => {
    expect(wrap("日本語日本語", "", "", 6)).toEqual(["日本語", "日本語"]);
  });
});
