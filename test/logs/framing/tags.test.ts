import { describe, expect, it } from "vitest";
import {
  looksLikeSyslogHeader,
  normaliseProgram,
  skipStructuredData,
  stripEmbeddedEximStamp,
  TagReader,
} from "../../../src/logs/framing/tags.js";

function readTag(text: string): { program: string; pid: number; message: string } | null {
  const reader = new TagReader();
  if (!reader.read(text, 0)) return null;
  return { program: reader.program, pid: reader.pid, message: text.slice(reader.messageStart) };
}

describe("TagReader", () => {
  it("reads program, pid and message", () => {
    expect(readTag("postfix/smtpd[2211]: connect from x")).toEqual({
      program: "postfix/smtpd",
      pid: 2211,
      message: "connect from x",
    });
  });

  it("reads tags without a pid or with a space before the colon", () => {
    expect(readTag("dovecot: imap-login: Login")).toEqual({
      program: "dovecot",
      pid: -1,
      message: "imap-login: Login",
    });
    expect(readTag("sendmail[12] : from=<a@example.com>")?.message).toBe("from=<a@example.com>");
    expect(readTag("kernel message")).toEqual({ program: "kernel", pid: -1, message: "message" });
  });

  it("leaves the pid unset for brackets without digits", () => {
    const tag = readTag("exim[abc]: text");
    expect(tag).toEqual({ program: "exim", pid: -1, message: "text" });
  });

  it("rejects an empty program or an unclosed bracket", () => {
    expect(readTag("[postfix/smtpd] text")).toBeNull();
    expect(readTag("postfix[123 text")).toBeNull();
  });

  it("rejects a hex-dump offset as a program", () => {
    expect(readTag("0000 16 03 01 00 a9 01 00 00|a5 03 01")).toBeNull();
    expect(readTag("00a0 8a 2c ee 95 9f 1e 54 14|e8 4e 6d 7c")).toBeNull();
    expect(readTag("0FF0: 8a 2c")).toBeNull();
    expect(readTag("0x10 text")?.program).toBe("0x10");
    expect(readTag("1password[7]: unlocked")?.program).toBe("1password");
    expect(readTag("dead: text")?.program).toBe("dead");
  });

  it("rejects a tag cut off by the end of the line", () => {
    expect(readTag("postfix/s")).toBeNull();
    expect(readTag("postfix/smtpd[123]")).toBeNull();
  });

  it("takes a cached program only when it reaches the bracket", () => {
    const reader = new TagReader();
    expect(reader.read("postfix/smtp[1]: a", 0)).toBe(true);
    expect(reader.read("postfix/smtp x[2]: b", 0)).toBe(true);
    expect(reader.program).toBe("postfix/smtp");
    expect(reader.pid).toBe(-1);
    expect(reader.messageStart).toBe(13);
    expect(reader.read("postfix/smtp:x[3]: c", 0)).toBe(true);
    expect(reader.program).toBe("postfix/smtp");
    expect(reader.messageStart).toBe(13);
  });

  it("returns the same string for a repeated program", () => {
    const reader = new TagReader();
    reader.read("postfix/qmgr[1]: a", 0);
    const first = reader.program;
    reader.read("postfix/qmgr[2]: b", 0);
    expect(reader.program).toBe(first);
    expect(reader.pid).toBe(2);
  });
});

describe("looksLikeSyslogHeader", () => {
  it("accepts host and tag with a pid or a mail program", () => {
    expect(looksLikeSyslogHeader("mx1 postfix/smtpd[1]: connect", 0)).toBe(true);
    expect(looksLikeSyslogHeader("mx1 dovecot: imap-login:", 0)).toBe(true);
    expect(looksLikeSyslogHeader("mx1 exim[99]: 1rhA2b-000Abc-1x <=", 0)).toBe(true);
  });

  it("rejects Exim main-log text", () => {
    const lines = [
      "1rhA2b-000Abc-1x DKIM: d=example.com",
      "1rhA2b-0000000000A-0000 DKIM: d=example.com",
      "H=(x) [192.0.2.1] Warning: unknown",
      "pid 27421: SIGHUP received",
      "Start queue run: pid=1",
      "SMTP connection from [192.0.2.1]",
      "server cert: text",
    ];
    for (const line of lines) expect(looksLikeSyslogHeader(line, 0), line).toBe(false);
  });
});

describe("skipStructuredData", () => {
  it("skips the nil value and elements with quoted brackets", () => {
    expect(skipStructuredData("- msg", 0)).toBe(2);
    const text = '[id a="x\\"]y"][b@1 c="2"] msg';
    expect(text.slice(skipStructuredData(text, 0))).toBe("msg");
  });
});

describe("stripEmbeddedEximStamp", () => {
  it("removes the stamp and pid", () => {
    expect(stripEmbeddedEximStamp("2024-03-04 09:15:02 [77] 1rhA2b-000Abc-1x <= a")).toBe(
      "1rhA2b-000Abc-1x <= a",
    );
    expect(stripEmbeddedEximStamp("2024-03-04 09:15:02.123 +0100 Start queue run")).toBe(
      "Start queue run",
    );
  });

  it("keeps the first syslog part's marker", () => {
    expect(
      stripEmbeddedEximStamp("[1\\2] 2024-03-04 09:15:02 [77] Exim configuration error:"),
    ).toBe("[1\\2] Exim configuration error:");
    expect(stripEmbeddedEximStamp('[2/2]   main option "foo" unknown')).toBe(
      '[2/2]   main option "foo" unknown',
    );
    expect(stripEmbeddedEximStamp("[77] 1rhA2b-000Abc-1x Completed")).toBe(
      "[77] 1rhA2b-000Abc-1x Completed",
    );
  });

  it("keeps messages without a stamp", () => {
    expect(stripEmbeddedEximStamp("1rhA2b-000Abc-1x Completed")).toBe("1rhA2b-000Abc-1x Completed");
  });
});

describe("normaliseProgram", () => {
  it("folds Debian's Exim names", () => {
    expect(normaliseProgram("exim4")).toBe("exim");
    expect(normaliseProgram("exim4-daemon")).toBe("exim");
    expect(normaliseProgram("postfix/smtp")).toBe("postfix/smtp");
  });
});
