import { describe, expect, it } from "vitest";
import { createReplyClassifier } from "../../src/reply/classify.js";
import { providerFromText, recipientFromText } from "../../src/reply/provider-text.js";

// One million characters: a scan that restarts at every character (quadratic time) needs
// about 5 * 10^11 steps, far beyond the test timeout, while the whole classification takes
// well under a second. The tests check the results only, and the timeout catches a quadratic
// regression.
const SIZE = 1_000_000;

const GMAIL_REPLY = "550-5.7.1 Gmail has blocked this message. ";

describe("reply parsing of megabyte inputs", () => {
  const classifier = createReplyClassifier();

  it("classifies a reply ending in a long token", () => {
    const reply = classifier.explain(GMAIL_REPLY + "x".repeat(SIZE));
    expect(reply.replyCode).toBe(550);
    expect(reply.enhancedStatus).toBe("5.7.1");
    expect(reply.provider).toBe("gmail");
    expect(reply.ruleId).toBe("generic.policy");
  });

  it.each([
    ["a code before blanks", "550" + " ".repeat(SIZE) + "x", 550],
    ["a code before a long dotted name", "550 5.7.1 listed in " + "a.".repeat(SIZE / 2), 550],
    ["many codes", "550 ".repeat(SIZE / 4), 550],
    ["a Gmail trailer after many words", "550 5.7.1 " + "x ".repeat(SIZE / 2) + "- gsmtp", 550],
    ["empty lines", "\n".repeat(SIZE) + "x", null],
    ["open brackets", "[".repeat(SIZE), null],
    ["an unclosed bracketed hex run", "[" + "a:".repeat(SIZE / 2), null],
    ["a keyword before a hex run", "from " + "a".repeat(SIZE) + " x", null],
    ["at signs in an address", "to=<" + "a@".repeat(SIZE / 2), null],
    ["unclosed Python tuples", "(550, '".repeat(SIZE / 7), null],
    ["unclosed Postfix hosts", "host x [".repeat(SIZE / 8), null],
    ["Exim hosts with addresses", "host x [1.1] ".repeat(SIZE / 13), null],
    ["a host before a long name", "host " + "x".repeat(SIZE) + " [1.1]", null],
    ["addresses glued to names", "a[1.1]".repeat(SIZE / 6), null],
    ["addresses before said", "1.1 said ".repeat(SIZE / 9), null],
    ["a dotted hex run before said", "a.".repeat(SIZE / 2) + " said", null],
    ["unclosed in reply to", "(in reply to ".repeat(SIZE / 13), null],
    ["Postfix trailers before text", "(in reply to x command)) ".repeat(SIZE / 25) + "x", null],
    ["blanks after a Postfix trailer", "(in reply to x command)" + " ".repeat(SIZE) + "x", null],
    ["repeated Exim errors", "SMTP error from remote mail server after x ".repeat(SIZE / 43), null],
    ["blanks before a Java suffix", " ".repeat(SIZE) + "(42)", null],
    ["Markdown bold marks", "> " + "**".repeat(SIZE / 2), null],
    [
      "Exim parameters without a colon",
      "SMTP error from remote mail server after MAIL FROM:<> " + "A=1 ".repeat(SIZE / 4),
      null,
    ],
    ["a transcript command before blanks", "MAIL FROM:<a@b>" + " ".repeat(SIZE) + "x", null],
    ["transcript commands", "DATA\n".repeat(SIZE / 5), null],
    ["a transcript reply of many lines", "DATA\n" + "554-x\n".repeat(SIZE / 6), 554],
    ["unclosed Exchange quotes", "Remote Server returned '".repeat(SIZE / 24), null],
    ["soft line breaks and escapes", "a=\n=20".repeat(SIZE / 6), null],
    ["an equals sign before blanks", "=" + " ".repeat(SIZE) + "=20", null],
    ["addresses before words", "1.1 x ".repeat(SIZE / 6), null],
    ["a dotted hex run before listed", "a.".repeat(SIZE / 2) + " listed", null],
    [
      "unclosed Rust responses",
      'Response { code: Code { severity: A, category: B, detail: C }, message: ["'.repeat(
        SIZE / 75,
      ),
      null,
    ],
  ])("parses %s", (_case, text, code) => {
    const reply = classifier.explain(text);
    expect(reply.replyCode).toBe(code);
  });

  it("finds a recipient behind a long address run", () => {
    expect(recipientFromText("to=<" + "a@".repeat(SIZE / 2))).toBeNull();
    expect(recipientFromText("\n".repeat(SIZE) + "user1@example.com")).toBe("user1@example.com");
  });

  it("reads provider hints from the head of the text and of the reply", () => {
    const long = "x".repeat(SIZE);
    expect(providerFromText(`${long} - gsmtp`)).toBeNull();
    expect(providerFromText(long, "Gmail has blocked this message")).toBe("gmail");
    expect(providerFromText(`mta5.am0.yahoodns.net ${long}`)).toBe("yahoo");
  });
});
