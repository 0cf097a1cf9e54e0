import { randomBytes } from "node:crypto";
import { PassThrough, Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { MAX_STDIN_BYTES } from "../../src/cli/explain-input.js";
import { runCli } from "../../src/cli/main.js";
import { runCommand } from "../helpers/cli.js";

const REPLY = "550 5.1.1 <nobody@example.com>: Recipient address rejected: User unknown";

const POSTFIX_LINE =
  "Mar  4 09:15:02 mx1 postfix/smtp[4242]: 4F2A81C0042: to=<user@example.com>, relay=mx.example.com[192.0.2.25]:25, delay=0.4, status=bounced (host mx.example.com[192.0.2.25] said: 550 5.1.1 user unknown (in reply to RCPT TO command))";

const EXIM_LINE =
  "2024-03-04 09:15:02 1rhA2b-0004Xy-Ab ** user@example.com R=dnslookup T=remote_smtp H=mx.example.com [192.0.2.25]: SMTP error from remote mail server after RCPT TO:<user@example.com>: 550 5.1.1 user unknown";

describe("delist explain - (standard input)", () => {
  it("explains a reply read from stdin", async () => {
    const result = await runCommand(["explain", "-"], `${REPLY}\n`);

    expect(result.code).toBe(1);
    expect(result.stdout).toContain("550 5.1.1");
    expect(result.stderr).toBe("");
  });

  it("rejects a syslog mail log", async () => {
    const log = Array.from({ length: 20 }, () => POSTFIX_LINE).join("\n");
    const result = await runCommand(["explain", "-"], `${log}\n`);

    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain("looks like a mail log");
    expect(result.stderr).toContain("delist diagnose FILE");
  });

  it("rejects an Exim main log", async () => {
    const log = Array.from({ length: 5 }, () => EXIM_LINE).join("\n");
    const result = await runCommand(["explain", "-"], `${log}\n`);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain("looks like a mail log");
  });

  it("explains one pasted log line", async () => {
    const result = await runCommand(["explain", "-"], `${POSTFIX_LINE}\n`);

    expect(result.code).toBe(1);
    expect(result.stdout).toContain("550 5.1.1");
    expect(result.stderr).toBe("");
  });

  it("explains a bounce that quotes log lines", async () => {
    const bounce = [
      "This is the mail system at host mx1.example.com.",
      "",
      "I'm sorry to have to inform you that your message could not",
      "be delivered to one or more recipients.",
      "",
      POSTFIX_LINE,
      "",
      "<user@example.com>: host mx.example.com[192.0.2.25] said: 550 5.1.1 user unknown",
    ].join("\n");
    const result = await runCommand(["explain", "-"], `${bounce}\n`);

    expect(result.code).toBe(1);
    expect(result.stderr).not.toContain("mail log");
  });

  it("rejects binary data with NUL bytes", async () => {
    const result = await runCommand(["explain", "-"], Buffer.from([0x1f, 0x8b, 0x08, 0, 0, 0x41]));

    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain("binary data (it contains NUL bytes)");
  });

  it("prints no JSON for binary data", async () => {
    const input = Buffer.from([0x1f, 0x8b, 0x08, 0, 0, 0x41]);
    const result = await runCommand(["explain", "--format", "json", "-"], input);
    const help = await runCommand(["explain", "--help"]);

    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain("binary data (it contains NUL bytes)");
    expect(help.stdout.replace(/\s+/g, " ")).toContain(
      "Such input prints nothing on standard output, in every format",
    );
  });

  it("rejects random bytes without NULs", async () => {
    const bytes = Buffer.from([...randomBytes(64 * 1024)].map((byte) => (byte === 0 ? 1 : byte)));
    const result = await runCommand(["explain", "-"], bytes);

    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/binary data \(\d+% of its characters/);
  });

  it("keeps a reply with a few Latin-1 bytes", async () => {
    const text = Buffer.concat([
      Buffer.from(`${REPLY} (utilisateur inconnu `),
      Buffer.from([0xe9]),
      Buffer.from(")\n"),
    ]);
    const result = await runCommand(["explain", "-"], text);

    expect(result.code).toBe(1);
    expect(result.stdout).toContain("550 5.1.1");
  });

  it("reads no more than the limit", async () => {
    const chunk = Buffer.alloc(64 * 1024, "x");
    let chunksRead = 0;
    const endless = new Readable({
      read() {
        chunksRead++;
        this.push(chunksRead === 1 ? Buffer.from(`${REPLY} `) : chunk);
      },
    });
    const stderr: string[] = [];
    const stdout = new PassThrough();
    const errors = new PassThrough();
    errors.on("data", (data: Buffer) => stderr.push(data.toString()));
    stdout.resume();

    const code = await runCli(["explain", "-"], {
      stdout,
      stderr: errors,
      stdin: endless,
      env: {},
      cwd: process.cwd(),
    });

    expect(code).toBe(1);
    expect(chunksRead * chunk.length).toBeLessThan(MAX_STDIN_BYTES + 4 * chunk.length);
    expect(stderr.join("")).toContain("longer than 1 MiB, so only its first 1 MiB was read");
  });

  it("adds no note at the limit itself", async () => {
    const text = `${REPLY}\n`.padEnd(MAX_STDIN_BYTES, " ");
    const result = await runCommand(["explain", "-"], text);

    expect(result.code).toBe(1);
    expect(result.stderr).toBe("");
  });
});
