import { describe, expect, test } from "vitest";
import { renderDiagnosisMarkdown } from "../../src/report/markdown.js";
import { escapeMarkdown, markdownInline } from "../../src/report/markdown-text.js";
import { compromisedLog } from "../helpers/compromised-log.js";
import { diagnoseText } from "../helpers/diagnose-text.js";

const HOSTILE = "ni|aj`x*y_z<b>";
const HOSTILE_ESCAPED = "ni\\|aj\\`x\\*y_z&lt;b&gt;";

/** Returns the part of a Markdown line outside its code spans fenced by two backticks. */
function outsideDoubleFences(line: string): string {
  return line.replace(/`` .+? ``/g, "");
}

/** Returns the lines of `markdown` outside its fenced code blocks. */
function outsideCodeBlocks(markdown: string): string[] {
  let inBlock = false;
  return markdown.split("\n").filter((line) => {
    if (/^\s*```/.test(line)) {
      inBlock = !inBlock;
      return false;
    }
    return !inBlock;
  });
}

describe("escapeMarkdown", () => {
  test.each([
    ["table cell bar", "a|b", "a\\|b"],
    ["backtick", "a`b", "a\\`b"],
    ["asterisk", "a*b", "a\\*b"],
    ["underscore inside a word", "y_z", "y_z"],
    ["underscore at a word's edge", "_a_", "\\_a\\_"],
    ["html tag", "<b>", "&lt;b&gt;"],
    ["entity", "&lt;", "&amp;lt;"],
    ["backslash", "a\\*", "a\\\\\\*"],
    ["link brackets", "[x](y)", "\\[x\\](y)"],
    ["strikethrough", "~~x~~", "\\~\\~x\\~\\~"],
    ["hostile account", HOSTILE, HOSTILE_ESCAPED],
    ["right-to-left override", "a\u202eb", "a\\\\u202eb"],
    ["ESC", "a\u001bb", "a\\\\u001bb"],
    ["no-break space", "a\u00a0b", "a\\\\u00a0b"],
    ["Hangul filler", "a\u3164b", "a\\\\u3164b"],
    ["tag character", "a\u{e0041}b", "a\\\\u{e0041}b"],
  ])("%s", (_name, text, expected) => {
    expect(escapeMarkdown(text)).toBe(expected);
  });
});

describe("markdownInline", () => {
  test("code span kept as written", () => {
    expect(markdownInline("run `a|b` for x|y")).toBe("run `a|b` for x\\|y");
  });

  test("code span shows hidden characters", () => {
    expect(markdownInline("run `kick a\u200bb` for a\u200bb")).toBe(
      "run `kick a\\u200bb` for a\\\\u200bb",
    );
  });

  test("unclosed backtick escaped", () => {
    expect(markdownInline("a`b")).toBe("a\\`b");
  });

  test("log value cannot open a span", () => {
    const step = `Change ${HOSTILE} now (\`\` doveadm kick '${HOSTILE}' \`\`), then \`mailq\`.`;

    expect(markdownInline(step, [HOSTILE])).toBe(
      `Change ${HOSTILE_ESCAPED} now (\`\` doveadm kick '${HOSTILE}' \`\`), then \`mailq\`.`,
    );
  });

  test("log value matched case-insensitively", () => {
    const step = "Change Ni`X now, then `mailq` and `postsuper -d`.";

    expect(markdownInline(step, ["ni`x"])).toBe(
      "Change Ni\\`X now, then `mailq` and `postsuper -d`.",
    );
  });

  test("without the log value the span breaks", () => {
    const step = "Change Ni`X now, then `mailq` and `postsuper -d`.";

    expect(markdownInline(step)).not.toContain("Ni\\`X");
  });
});

describe("Markdown report with a hostile account", () => {
  test("title, fixes and evidence escape it", async () => {
    const markdown = renderDiagnosisMarkdown(await diagnoseText(compromisedLog(HOSTILE)));
    const lines = markdown.split("\n");
    const title = lines.find((line) => line.includes("looks compromised"));
    const password = lines.find((line) => line.includes("Change the password of"));
    const queue = lines.find((line) => line.includes("Delete its queued mail"));
    const kick = lines.findIndex((line) => line.trim() === `doveadm kick '${HOSTILE}'`);
    const account = lines.find((line) => line.startsWith("- Account: "));

    expect(title).toContain(`Account ${HOSTILE_ESCAPED} looks compromised`);
    expect(password).toContain(`Change the password of ${HOSTILE_ESCAPED} now`);
    // A short command stays in its sentence; long ones get a fenced block (fix-commands.test.ts).
    expect(password).toContain(`\`\` doveadm kick '${HOSTILE}' \`\``);
    expect(kick).toBe(-1);
    // The log writes the sender as `from=<…>`, so the parsed sender ends before the name's `>`.
    expect(queue).toContain(`sent as ${escapeMarkdown("ni|aj`x*y_z<b")}, as root. Postfix:`);
    expect(account).toBe(`- Account: ${HOSTILE_ESCAPED}`);
  });

  test("no raw markup outside code spans", async () => {
    const markdown = renderDiagnosisMarkdown(await diagnoseText(compromisedLog(HOSTILE)));
    const lines = outsideCodeBlocks(markdown).filter((line) => line.includes("aj"));

    expect(lines.length).toBeGreaterThan(3);
    for (const line of lines) {
      const outside = outsideDoubleFences(line);
      expect(outside, line).not.toContain("ni|aj");
      expect(outside, line).not.toContain("aj`x");
      expect(outside, line).not.toContain("x*y");
      expect(outside, line).not.toContain("<b>");
    }
  });
});
