import { describe, expect, test } from "vitest";
import { wrap } from "../../src/report/wrap.js";

describe("wrap with a code span", () => {
  test("space inside backticks is no break", () => {
    const lines = wrap("then run `postqueue -f` and wait", "", "", 16);

    expect(lines).toEqual(["then run", "`postqueue -f`", "and wait"]);
  });

  test("keeps the punctuation after it", () => {
    expect(wrap("Postfix: `postqueue -f`; Exim: `exim -qff`.", "", "", 20)).toEqual([
      "Postfix:",
      "`postqueue -f`;",
      "Exim: `exim -qff`.",
    ]);
  });

  test("breaks after an unclosed backtick", () => {
    expect(wrap("say `open words here", "", "", 10)).toEqual(["say `open", "words here"]);
  });
});
