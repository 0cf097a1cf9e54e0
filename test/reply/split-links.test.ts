import { describe, expect, it } from "vitest";
import { parseReply } from "../../src/reply/parse.js";

describe("links split by a line break", () => {
  it.each([
    [
      "query value after =",
      "421-4.7.28 Please visit https://support.google.com/mail/?p=\n421 4.7.28 UnsolicitedRateLimitError to review",
      "https://support.google.com/mail/?p=UnsolicitedRateLimitError to review",
    ],
    [
      "path after /",
      "550-5.7.1 For more information, go to https://support.google.com/\n550 5.7.1 mail/?p=BlockedMessage to review",
      "https://support.google.com/mail/?p=BlockedMessage to review",
    ],
    [
      "page extension after .",
      "421-4.7.0 Please visit http://www.google.com/mail/help/bulk_mail.\n421 4.7.0 html to review",
      "http://www.google.com/mail/help/bulk_mail.html to review",
    ],
    [
      "domain after .",
      "550-5.7.1 Please visit http://www.google.\n550 5.7.1 com/mail/help to review",
      "http://www.google.com/mail/help to review",
    ],
    [
      "word after -",
      "550-5.7.1 Read https://support.google.com/a?p=sender-\n550 5.7.1 guidelines first",
      "https://support.google.com/a?p=sender-guidelines first",
    ],
    [
      "paste without markers",
      "550 5.7.1 Please visit https://support.google.com/mail/?p=\n  BlockedMessage to review",
      "https://support.google.com/mail/?p=BlockedMessage to review",
    ],
    [
      "three pieces",
      "550-5.7.1 See https://example.com/a/\n550-5.7.1 b/c/\n550 5.7.1 d.html now",
      "https://example.com/a/b/c/d.html now",
    ],
  ])("joins the %s", (_case, reply, expected) => {
    expect(parseReply(reply).text).toContain(expected);
  });

  it.each([
    [
      "word after /",
      "550-5.7.1 To request removal please visit https://sender.office.com/\n550 5.7.1 and follow the directions.",
      "https://sender.office.com/ and follow",
    ],
    [
      "word after a full link",
      "550-5.7.1 Please visit https://support.google.com/mail/?p=BlockedMessage\n550 5.7.1 to review",
      "?p=BlockedMessage to review",
    ],
    [
      "sentence after .",
      "550-5.7.1 Read https://example.com/page.html.\n550 5.7.1 Then retry.",
      "https://example.com/page.html. Then retry.",
    ],
    [
      "lower-case word after .",
      "550-5.7.1 Read https://example.com/guide.\n550 5.7.1 then retry.",
      "https://example.com/guide. then retry.",
    ],
    [
      "marker of another reply",
      "550-5.7.1 Read https://example.com/?p=\n421 4.7.0 html later",
      "https://example.com/?p= 421 4.7.0 html later",
    ],
    [
      "blank within a line",
      "host mx.example.net[192.0.2.220] said: 550 5.7.1 Read http://example.com/bulk_mail. html now (in reply to RCPT TO command)",
      "http://example.com/bulk_mail. html now",
    ],
  ])("keeps the %s apart", (_case, reply, expected) => {
    expect(parseReply(reply).text).toContain(expected);
  });

  it("keeps Google's transaction id apart", () => {
    const reply = parseReply(
      "550-5.7.25 go to https://support.google.com/a?p=sender-guidelines.\n550 5.7.25 d9443c01a7336-1fed7ee81f0si149452475ad.272 - gsmtp",
    );
    expect(reply.text).toBe("go to https://support.google.com/a?p=sender-guidelines.");
  });
});
