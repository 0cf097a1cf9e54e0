import { Readable, Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import type { CliIo } from "../../src/cli/io.js";
import { escapeControls, forJsonLines, withSafeOutput } from "../../src/cli/safe-output.js";
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

describe("standard error", () => {
  const HIDDEN: ReadonlyArray<[string, string, string]> = [
    ["right-to-left override", "\u202e", "\\u202e"],
    ["zero width space", "\u200b", "\\u200b"],
    ["tag character", "\u{e0001}", "\\u{e0001}"],
    ["ESC", "\u001b", "\\u001b"],
  ];

  it.each(HIDDEN)("escapes %s in a missing file", async (_name, character, escaped) => {
    for (const command of ["logs", "bounces"]) {
      const result = await runCommand([command, `absent/nope${character}.log`]);
      expect(result.code, command).toBe(2);
      expect(result.stderr, command).toContain(`cannot read "absent/nope${escaped}.log"`);
      expect(result.stderr, command).not.toContain(character);
    }
  });

  it("escapes a line break in a missing file", async () => {
    for (const command of ["logs", "bounces"]) {
      const result = await runCommand([command, "absent/no\nfake line\r\tx.log"]);
      const lines = result.stderr.trimEnd().split("\n");

      expect(result.code, command).toBe(2);
      expect(result.stderr, command).toContain('cannot read "absent/no\\nfake line\\r\\tx.log"');
      expect(
        lines.filter((line) => line.startsWith("fake line")),
        command,
      ).toEqual([]);
    }
  });

  it("escapes line controls only in quotes", () => {
    const io = safeIo(false);
    io.safe.stderr.write('delist: "a\nb\rc\td" and\tnext\n');
    expect(io.written.stderr).toBe('delist: "a\\nb\\rc\\td" and\tnext\n');
  });

  it("escapes a quoted return on a terminal", () => {
    const io = safeIo(true);
    io.safe.stderr.write('\r\u001b[Kreading "a\rb"');
    expect(io.written.stderr).toBe('\r\u001b[Kreading "a\\rb"');
  });

  it("keeps colour and progress on a terminal", () => {
    const io = safeIo(true);
    io.safe.stderr.write("\r\u001b[K\u001b[1mbold\u001b[22m \u202e");
    expect(io.written.stderr).toBe("\r\u001b[K\u001b[1mbold\u001b[22m \\u202e");
  });

  it("leaves hidden characters in stdout", () => {
    const io = safeIo(false);
    io.safe.stdout.write("a\u202eb\u001b");
    expect(io.written.stdout).toBe("a\u202eb\\u001b");
  });

  it("keeps JSON log lines valid", () => {
    const io = safeIo(false);
    const line = `${JSON.stringify({ name: "a\u202e\u{e0001}\u009b" })}\n`;
    forJsonLines(io.safe.stderr).write(line);
    expect(io.written.stderr).toBe('{"name":"a\u202e\u{e0001}\\u009b"}\n');
    expect(JSON.parse(io.written.stderr)).toEqual({ name: "a\u202e\u{e0001}\u009b" });
  });
});

/** Builds an io whose streams record what is written, with stderr a terminal when `tty`. */
function safeIo(tty: boolean): { safe: CliIo; written: { stdout: string; stderr: string } } {
  const written = { stdout: "", stderr: "" };
  const recorder = (name: "stdout" | "stderr"): Writable =>
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        written[name] += chunk.toString();
        done();
      },
    });
  const io: CliIo = {
    stdout: recorder("stdout"),
    stderr: Object.assign(recorder("stderr"), { isTTY: tty }),
    stdin: Readable.from([]),
    env: {},
    cwd: process.cwd(),
  };
  return { safe: withSafeOutput(io, tty), written };
}
