import { describe, expect, it } from "vitest";
import { ReplyReader, wireText } from "../../src/probe/reply-reader.js";

describe("ReplyReader.incomplete", () => {
  it("returns the lines of an unfinished reply", () => {
    const reader = new ReplyReader();
    expect(reader.push(Buffer.from("250-mx.example.com\r\n250-PIPELINING\r\n"))).toEqual([]);
    expect(reader.incomplete()).toEqual({ code: 250, lines: ["mx.example.com", "PIPELINING"] });
  });

  it("is null between replies", () => {
    const reader = new ReplyReader();
    expect(reader.incomplete()).toBeNull();
    reader.push(Buffer.from("250-a\r\n250 b\r\n"));
    expect(reader.incomplete()).toBeNull();
  });

  it("leaves out bytes without a line end", () => {
    const reader = new ReplyReader();
    reader.push(Buffer.from("220-mx.example.com hello\r\n220-more"));
    expect(reader.incomplete()).toEqual({ code: 220, lines: ["mx.example.com hello"] });
  });

  it("returns a copy", () => {
    const reader = new ReplyReader();
    reader.push(Buffer.from("250-a\r\n"));
    const first = reader.incomplete();
    reader.push(Buffer.from("250-b\r\n"));
    expect(first?.lines).toEqual(["a"]);
    expect(reader.incomplete()?.lines).toEqual(["a", "b"]);
  });
});

describe("wireText of a cut-off reply", () => {
  it("marks every line a continuation", () => {
    expect(wireText({ code: 250, lines: ["a", "b"] }, false)).toBe("250-a\n250-b");
  });

  it("ends a complete reply with a space", () => {
    expect(wireText({ code: 250, lines: ["a", "b"] })).toBe("250-a\n250 b");
  });
});
