import { describe, expect, it } from "vitest";
import {
  ReplyReader,
  ReplyTooLongError,
  SmtpProtocolError,
  wireText,
} from "../../src/probe/reply-reader.js";

describe("ReplyReader", () => {
  it("joins continuation lines into one reply", () => {
    const reader = new ReplyReader();
    const replies = reader.push(
      Buffer.from("250-mx.example.com hello\r\n250-SIZE 35882577\r\n250 STARTTLS\r\n"),
    );
    expect(replies).toEqual([
      { code: 250, lines: ["mx.example.com hello", "SIZE 35882577", "STARTTLS"] },
    ]);
    expect(wireText(replies[0] ?? { code: 0, lines: [] })).toBe(
      "250-mx.example.com hello\n250-SIZE 35882577\n250 STARTTLS",
    );
  });

  it("waits for a reply split across chunks", () => {
    const reader = new ReplyReader();
    expect(reader.push(Buffer.from("421-4.7.28 first\r\n421 4.7"))).toEqual([]);
    expect(reader.push(Buffer.from(".28 second\n220 ok\r\n"))).toEqual([
      { code: 421, lines: ["4.7.28 first", "4.7.28 second"] },
      { code: 220, lines: ["ok"] },
    ]);
  });

  it("accepts a bare code", () => {
    expect(new ReplyReader().push(Buffer.from("250\r\n"))).toEqual([{ code: 250, lines: [""] }]);
  });

  it("rejects a line without a code", () => {
    expect(() => new ReplyReader().push(Buffer.from("hello\r\n"))).toThrow(SmtpProtocolError);
  });

  it("rejects a code change inside a reply", () => {
    expect(() => new ReplyReader().push(Buffer.from("250-a\r\n550 b\r\n"))).toThrow(
      /reply code changed from 250 to 550/,
    );
  });

  it("decodes UTF-8 replies", () => {
    const text = "550 5.7.1 Ваше письмо отклонено";
    expect(new ReplyReader().push(Buffer.from(`${text}\r\n`))).toEqual([
      { code: 550, lines: ["5.7.1 Ваше письмо отклонено"] },
    ]);
  });

  it("joins a character split across chunks", () => {
    const bytes = Buffer.from("550 Größe\r\n");
    const reader = new ReplyReader();
    // "ö" is two bytes in UTF-8; the first chunk ends between them.
    expect(reader.push(bytes.subarray(0, 7))).toEqual([]);
    expect(reader.push(bytes.subarray(7))).toEqual([{ code: 550, lines: ["Größe"] }]);
  });

  it("keeps a bare CR inside a line", () => {
    expect(new ReplyReader().push(Buffer.from("550 5.7.1 one\rtwo\r\n"))).toEqual([
      { code: 550, lines: ["5.7.1 one\rtwo"] },
    ]);
  });

  it("stops buffering an endless line", () => {
    const reader = new ReplyReader();
    expect(() => reader.push(Buffer.alloc(70 * 1024, 0x61))).toThrow(/more than 65536 bytes/);
  });

  it("stops an endless reply sent in small chunks", () => {
    const reader = new ReplyReader();
    const chunk = Buffer.from("220-mx.example.com endless continuation line\r\n".repeat(10));
    let pushed = 0;
    let error: unknown = null;
    // 200 chunks are 92,000 bytes, well past the limit of 65,536.
    while (error === null && pushed < 200) {
      try {
        reader.push(chunk);
      } catch (caught) {
        error = caught;
      }
      pushed += 1;
    }
    expect(error).toBeInstanceOf(SmtpProtocolError);
    expect(error).toBeInstanceOf(ReplyTooLongError);
    expect((error as Error).message).toBe(
      "the server sent more than 65536 bytes without ending a reply, so the reply was cut at " +
        "64 KiB",
    );
    expect(pushed * chunk.length).toBeGreaterThan(64 * 1024);
    expect((pushed - 1) * chunk.length).toBeLessThanOrEqual(64 * 1024);
  });

  it("keeps the lines of a reply cut at the limit", () => {
    const reader = new ReplyReader();
    const line = "220-mx.example.com endless continuation line\r\n";
    expect(() => reader.push(Buffer.from(line.repeat(2000)))).toThrow(/more than 65536 bytes/);
    const keptLines = reader.incomplete()?.lines ?? [];
    expect(keptLines.length).toBe(Math.floor((64 * 1024) / line.length));
  });

  it("counts the limit per reply", () => {
    const reader = new ReplyReader();
    // Two replies of 40,000 bytes each, together past the limit.
    const reply = `${"250-x".padEnd(98, "x")}\r\n`.repeat(399) + `${"250 x".padEnd(98, "x")}\r\n`;
    expect(reader.push(Buffer.from(reply + reply))).toHaveLength(2);
  });
});
