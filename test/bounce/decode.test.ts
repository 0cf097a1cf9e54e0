import { describe, expect, it } from "vitest";
import { decodeMessage } from "../../src/bounce/decode.js";
import type { BounceResult } from "../../src/bounce/types.js";
import { createReplyClassifier } from "../../src/reply/classify.js";
import * as fixture from "./fixtures.js";

async function decode(raw: string | Uint8Array): Promise<BounceResult[]> {
  return (await decodeMessage(raw, "test.eml", createReplyClassifier())).results;
}

describe("decodeMessage formats", () => {
  it("reads an RFC 3464 DSN with every field", async () => {
    const [result, extra] = await decode(fixture.POSTFIX_DSN);
    expect(extra).toBeUndefined();
    expect(result?.kind).toBe("dsn");
    expect(result?.recipient).toBe("user1@example.net");
    expect(result?.originalSender).toBe("sender@example.com");
    expect(result?.action).toBe("failed");
    expect(result?.status).toBe("5.1.1");
    expect(result?.replyCode).toBe(550);
    expect(result?.remoteMta).toBe("mx.example.net");
    expect(result?.time).toBe("2026-03-03T10:00:00.000Z");
    expect(result?.messageDate).toBe("2026-03-03T10:00:00.000Z");
    expect(result?.reason).toBe("userunknown");
    expect(result?.hardBounce).toBe(true);
    expect(result?.category).toBe("recipient");
  });

  it("reads qmail recipients and their codes", async () => {
    const results = await decode(fixture.QMAIL);
    expect(results.map((result) => result.recipient)).toEqual([
      "full@example.org",
      "nobody@example.org",
    ]);
    expect(results[0]?.reason).toBe("mailboxfull");
    expect(results[0]?.status).toBe("5.2.2");
    expect(results[0]?.replyCode).toBe(552);
    expect(results[1]?.reason).toBe("userunknown");
    expect(results[1]?.status).toBe("5.1.1");
  });

  it("reads an Exim bounce refused at MAIL FROM", async () => {
    const [result] = await decode(fixture.EXIM);
    expect(result?.recipient).toBe("user2@example.net");
    expect(result?.status).toBe("5.7.25");
    expect(result?.reason).toBe("requireptr");
    expect(result?.hardBounce).toBe(false);
  });

  it("reads a Gmail text bounce", async () => {
    const [result] = await decode(fixture.GMAIL_TEXT);
    expect(result?.recipient).toBe("user3@example.net");
    expect(result?.status).toBe("5.7.26");
    expect(result?.reason).toBe("authfailure");
  });

  it("reads a Sendmail transcript", async () => {
    const [result] = await decode(fixture.SENDMAIL_TRANSCRIPT);
    expect(result?.recipient).toBe("user4@example.net");
    expect(result?.reason).toBe("spamdetected");
  });

  it("reads a DragonFly delay as temporary", async () => {
    const [result] = await decode(fixture.DRAGONFLY);
    expect(result?.recipient).toBe("user5@example.net");
    expect(result?.status).toBe("4.2.2");
    expect(result?.reason).toBe("mailboxfull");
    expect(result?.permanent).toBe(false);
  });

  it("gives a placeholder status when none is stated", async () => {
    const [result] = await decode(fixture.EXCHANGE_2003);
    expect(result?.recipient).toBe("user6@example.net");
    expect(result?.reason).toBe("userunknown");
    expect(result?.status).toBe("5.0.911");
  });

  it("reads each complained-about recipient of an ARF report", async () => {
    const results = await decode(fixture.ARF);
    expect(results.map((result) => result.recipient)).toEqual([
      "reader1@example.net",
      "reader2@example.net",
    ]);
    expect(results[0]?.kind).toBe("feedback");
    expect(results[0]?.reason).toBe("feedback");
    expect(results[0]?.feedbackType).toBe("abuse");
    expect(results[0]?.status).toBeNull();
    expect(results[0]?.hardBounce).toBe(false);
  });

  it("recognises an automatic reply", async () => {
    const [result] = await decode(fixture.AUTO_REPLY);
    expect(result?.kind).toBe("auto-reply");
    expect(result?.recipient).toBe("away@example.net");
    expect(result?.reason).toBe("vacation");
  });

  it("reports a plain message as no bounce", async () => {
    const decoded = await decodeMessage(fixture.PLAIN_MAIL, "x", createReplyClassifier());
    expect(decoded.kind).toBeNull();
    expect(decoded.results).toEqual([]);
  });
});

describe("decodeMessage encodings", () => {
  it("reads CRLF and CR line ends alike", async () => {
    const lf = await decode(fixture.QMAIL);
    const crlf = await decode(fixture.QMAIL.replace(/\n/g, "\r\n"));
    const cr = await decode(fixture.QMAIL.replace(/\n/g, "\r"));
    expect(crlf.map((result) => result.reason)).toEqual(lf.map((result) => result.reason));
    expect(cr.map((result) => result.recipient)).toEqual(lf.map((result) => result.recipient));
  });

  it("reads a base64 body in another charset", async () => {
    const body = Buffer.from(
      "<user7@example.net>:\nSorry, no mailbox here by that name. (#5.1.1)\n",
      "latin1",
    ).toString("base64");
    const raw = fixture.message(
      "From: MAILER-DAEMON@mail.example.com",
      "To: sender@example.com",
      "Subject: failure notice",
      "Content-Type: text/plain; charset=iso-8859-1",
      "Content-Transfer-Encoding: base64",
      "",
      body,
    );
    const [result] = await decode(raw);
    expect(result?.recipient).toBe("user7@example.net");
    expect(result?.reason).toBe("userunknown");
  });

  it("reads a bounce forwarded with quote marks", async () => {
    const quoted = fixture.QMAIL.split("\n")
      .slice(4)
      .map((line) => `> ${line}`)
      .join("\n");
    const raw = fixture.message(
      "From: helpdesk@example.com",
      "To: support@example.com",
      "Subject: Fwd: failure notice",
      "",
      quoted,
    );
    const results = await decode(raw);
    expect(results[0]?.recipient).toBe("full@example.org");
    expect(results[0]?.reason).toBe("mailboxfull");
  });
});
