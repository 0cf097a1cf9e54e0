import { describe, expect, it } from "vitest";
import { parseZoneFile } from "../../src/dns/zone-file.js";

/** Returns `length` bytes from a fixed linear congruential sequence, the same on every run. */
function noiseBytes(length: number): Buffer {
  const bytes = Buffer.alloc(length);
  let state = 12345;
  for (let i = 0; i < length; i++) {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    bytes[i] = state >>> 16;
  }
  return bytes;
}

/** Returns the message of the error that parsing `text` throws, or "" when it parses. */
function parseError(text: string): string {
  try {
    parseZoneFile(text, "test.zone");
    return "";
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

describe("zone file of binary data", () => {
  it("is rejected as not a zone file", () => {
    const message = parseError(noiseBytes(20_000).toString("utf8"));
    expect(message).toMatch(/^test\.zone is not a zone file: it contains binary data/);
    expect(message).toContain("RFC 1035");
  });

  it("quotes a short excerpt only", () => {
    // Without blanks, line ends, quotes or parentheses, the whole file is one token.
    const separators = new Set([0x09, 0x0a, 0x0d, 0x20, 0x22, 0x28, 0x29, 0x3b]);
    const bytes = noiseBytes(20_000).map((byte) => (separators.has(byte) ? 0x80 : byte));
    const message = parseError(Buffer.from(bytes).toString("utf8"));
    expect(message.length).toBeLessThan(400);
    expect(message).not.toContain("\u0000");
    expect(message).not.toContain("\ufffd");
  });

  it("is rejected without NUL bytes too", () => {
    const bytes = Buffer.from(noiseBytes(20_000).map((byte) => (byte === 0 ? 0xff : byte)));
    expect(parseError(bytes.toString("utf8"))).toMatch(/is not a zone file/);
  });

  it("keeps a stray Latin-1 byte in a comment", () => {
    const text = `$ORIGIN example.com.\n; caf\ufffd\n@ 3600 IN TXT "v=spf1 -all"\n`.repeat(2);
    expect(parseError(text)).toBe("");
  });
});

describe("syntax error excerpts", () => {
  it("clip a long value", () => {
    const address = "9".repeat(300);
    const message = parseError(`$ORIGIN example.com.\n@ 3600 IN A ${address}\n`);
    expect(message).toContain(`invalid A "${"9".repeat(40)}"… (300 characters)`);
  });

  it("escape control characters", () => {
    const message = parseError(`$ORIGIN example.com.\n@ 3600 IN A 192.0.2.\u00071\n`);
    expect(message).toContain('invalid A "192.0.2.\\u00071"');
  });
});
