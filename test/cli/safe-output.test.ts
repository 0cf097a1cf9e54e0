import { describe, expect, it } from "vitest";
import { escapeControls } from "../../src/cli/safe-output.js";
import { runCommand } from "../helpers/cli.js";
import { PostfixLog, T0, writeTemporaryLog } from "../helpers/postfix-fixture.js";

const NONE = { colour: false, progress: false };

describe("escapeControls", () => {
  it("keeps plain text, tab and newline", () => {
    expect(escapeControls("a\tb\nc é", NONE)).toBe("a\tb\nc é");
  });

  it("escapes terminal sequences", () => {
    expect(escapeControls("x\u001b[2Jy\u001b]0;title\u0007z", NONE)).toBe(
      "x\\u001b[2Jy\\u001b]0;title\\u0007z",
    );
  });

  it("escapes carriage return, backspace, DEL and C1", () => {
    expect(escapeControls("a\rb\bc\u007fd\u009be", NONE)).toBe("a\\u000db\\u0008c\\u007fd\\u009be");
  });

  it("keeps colour only when allowed", () => {
    const text = "\u001b[1mbold\u001b[22m";
    expect(escapeControls(text, { colour: true, progress: false })).toBe(text);
    expect(escapeControls(text, NONE)).toBe("\\u001b[1mbold\\u001b[22m");
  });

  it("keeps the progress line only when allowed", () => {
    const text = "\r\u001b[K";
    expect(escapeControls(text, { colour: false, progress: true })).toBe(text);
    expect(escapeControls(text, NONE)).toBe("\\u000d\\u001b[K");
  });
});

/** Writes a small mail log with one line of the given hostile text. */
function logWith(junk: string): { path: string; remove: () => void } {
  const log = new PostfixLog();
  log.submit({
    time: T0,
    account: "news@example.com",
    clientIp: "198.51.100.10",
    recipients: [{ address: "reader@gmail.com" }],
  });
  log.raw(T0 + 5000, `${new Date(T0 + 5000).toISOString()} mail postfix/smtp[1]: ${junk}`);
  return writeTemporaryLog(log.text());
}

describe("command output", () => {
  const hostile = "550 5.7.1 \u001b]0;pwned\u0007\u001b[2J rejected\u009b";

  it("escapes a hostile reply in text", async () => {
    const result = await runCommand(["explain", hostile]);
    for (const control of ["\u001b", "\u0007", "\u009b"]) {
      expect(result.stdout).not.toContain(control);
    }
    expect(result.stdout).toContain("\\u001b]0;pwned");
  });

  it("keeps JSON values intact", async () => {
    const file = logWith("junk \u009b line");
    try {
      const result = await runCommand(["diagnose", file.path, "--offline", "--format", "json"]);
      expect(result.stdout).not.toContain("\u009b");
      const json = JSON.parse(result.stdout) as {
        input: { skippedSamples: Array<{ text: string }> };
      };
      const texts = json.input.skippedSamples.map((sample) => sample.text).join("\n");
      expect(texts).toContain("junk \u009b line");
    } finally {
      file.remove();
    }
  });

  it("escapes a hostile log line in the report", async () => {
    const file = logWith("junk \u001b[2J\u0000 line");
    try {
      const result = await runCommand(["diagnose", file.path, "--offline"]);
      expect(result.stdout).toContain("junk ");
      expect(result.stdout).not.toContain("\u0000");
      expect(result.stdout).not.toContain("\u001b");
    } finally {
      file.remove();
    }
  });
});
