import { describe, expect, it } from "vitest";
import { decodeMessage } from "../../src/bounce/decode.js";
import type { BounceResult } from "../../src/bounce/types.js";
import { createReplyClassifier } from "../../src/reply/classify.js";
import * as mta from "./mta-fixtures.js";

async function decode(raw: string): Promise<BounceResult[]> {
  return (await decodeMessage(raw, "test.eml", createReplyClassifier())).results;
}

async function decodeOne(raw: string): Promise<BounceResult> {
  const results = await decode(raw);
  expect(results).toHaveLength(1);
  const [result] = results;
  if (result === undefined) throw new Error("no result");
  return result;
}

describe("Exim bounces", () => {
  it("names the address of a delivery to a file", async () => {
    const result = await decodeOne(mta.EXIM_SAVE_TO_FILE);
    expect(result.recipient).toBe("user10@example.net");
    expect(result.status).toBe("5.0.0");
    expect(result.reason).toBe("mailboxfull");
  });

  it("gives a sender refusal the on-hold placeholder", async () => {
    const result = await decodeOne(mta.EXIM_SENDER_REFUSED);
    expect(result.reason).toBe("rejected");
    expect(result.status).toBe("5.0.901");
    expect(result.replyCode).toBe(550);
  });

  it("reads an unexplained greeting refusal as blocked", async () => {
    const result = await decodeOne(mta.EXIM_GREETING_REFUSED);
    expect(result.reason).toBe("blocked");
    expect(result.status).toBe("5.0.971");
  });

  it("keeps each recipient's error in a repeated list", async () => {
    const results = await decode(mta.REPEATED_LIST);
    expect(results.map((result) => result.recipient)).toEqual([
      "user13@example.net",
      "user14@example.net",
    ]);
    expect(results.map((result) => result.reason)).toEqual(["mailboxfull", "userunknown"]);
    expect(results[1]?.diagnosticText).not.toContain("Mailbox Full");
  });
});

describe("Sendmail 5 transcripts", () => {
  it("gives each recipient the session above it", async () => {
    const results = await decode(mta.SENDMAIL_5_TRANSCRIPT);
    expect(results.map((result) => result.recipient)).toEqual([
      "user20@example.net",
      "user21@example.org",
    ]);
    expect(results[0]?.reason).toBe("blocked");
    expect(results[0]?.diagnosticText).toContain("open relay");
    expect(results[0]?.diagnosticText).not.toContain("Host unknown");
    expect(results[1]?.reason).toBe("hostunknown");
  });
});

describe("OpenSMTPD and Zoho", () => {
  it("ignores OpenSMTPD's own status and boilerplate", async () => {
    const result = await decodeOne(mta.OPENSMTPD_DELAY);
    expect(result.reason).toBe("notaccept");
    expect(result.status).toBe("5.0.932");
    expect(result.permanent).toBe(false);
    expect(result.diagnosticText).toBe("No MX found for domain");
  });

  it("reads Zoho's reply code field", async () => {
    const result = await decodeOne(mta.ZOHO);
    expect(result.recipient).toBe("user23@example.net");
    expect(result.replyCode).toBe(421);
    expect(result.reason).toBe("expired");
    expect(result.status).toBe("4.0.947");
    expect(result.diagnosticText).not.toContain("Received:");
  });
});

describe("reply wordings", () => {
  it("reads a missing TLS as failedstarttls", async () => {
    const result = await decodeOne(mta.gmailBounce("500 Remote server does not support TLS"));
    expect(result.reason).toBe("failedstarttls");
    expect(result.status).toBe("5.0.976");
  });

  it("reads recipient preferences as filtered", async () => {
    const result = await decodeOne(
      mta.plainDsn("550 5.1.1 RCP-P2 Refused due to recipient preferences", "5.1.1"),
    );
    expect(result.reason).toBe("filtered");
  });

  it("tells au's filter refusal from its unknown user", async () => {
    const filtered = await decodeOne(mta.plainDsn("550 : User unknown"));
    const unknown = await decodeOne(mta.plainDsn("550 <user26@example.net>: User unknown"));
    expect(filtered.reason).toBe("filtered");
    expect(unknown.reason).toBe("userunknown");
  });

  it("reads Orange's LPN invalid-recipient code", async () => {
    const result = await decodeOne(
      mta.plainDsn(
        "550 5.5.0 Adresse destinataire invalide. Invalid recipient. LPN007_416",
        "5.5.0",
        null,
      ),
    );
    expect(result.provider).toBe("orange");
    expect(result.ruleId).toBe("orange.invalid-recipient");
    expect(result.reason).toBe("userunknown");
  });

  it("takes the remote reply that SES quotes", async () => {
    const result = await decodeOne(mta.SES_QUOTED_REPLY);
    expect(result.status).toBe("5.7.1");
    expect(result.replyCode).toBe(550);
  });
});

describe("expiry and delay notices", () => {
  it("reads a notice aborted after hours as expired", async () => {
    const result = await decodeOne(mta.ABORTED_AFTER_HOURS);
    expect(result.recipient).toBe("user30@example.net");
    expect(result.reason).toBe("expired");
    expect(result.status).toBe("5.0.947");
  });

  it("reads a 4.4.0 delay without error text as networkerror", async () => {
    const result = await decodeOne(mta.SILENT_DELAY);
    expect(result.reason).toBe("networkerror");
    expect(result.status).toBe("4.4.0");
  });

  it("gives a delay placeholder the class of its error", async () => {
    const silent = await decodeOne(mta.gmailDelay([]));
    const temporary = await decodeOne(
      mta.gmailDelay([
        "Technical details of temporary failure:",
        "The recipient server did not accept our requests to connect.",
      ]),
    );
    expect(silent.status).toBe("5.0.900");
    expect(silent.permanent).toBe(false);
    expect(temporary.status).toBe("4.0.944");
  });

  it("takes Exchange's attempt before its expiry", async () => {
    const result = await decodeOne(mta.EXCHANGE_EXPIRED);
    expect(result.status).toBe("4.4.1");
    expect(result.reason).toBe("expired");
  });

  it("reads a status comment as the error text", async () => {
    const results = await decode(mta.STATUS_COMMENTS);
    expect(results.map((result) => result.recipient)).toEqual([
      "user28@example.net",
      "user29@example.org",
    ]);
    expect(results[1]?.diagnosticText).toBe("example.org: host name lookup failure");
    expect(results[1]?.reason).toBe("networkerror");
  });
});

describe("reports, replies and gateways", () => {
  it("reads Apple Mail's unsubscribe as feedback", async () => {
    const result = await decodeOne(mta.APPLE_UNSUBSCRIBE);
    expect(result.kind).toBe("feedback");
    expect(result.recipient).toBe("reader@example.net");
    expect(result.reason).toBe("feedback");
    expect(result.feedbackType).toBe("opt-out");
  });

  it("reads an abandoned mailbox reply as suspend", async () => {
    const result = await decodeOne(mta.ABANDONED_MAILBOX_REPLY);
    expect(result.kind).toBe("auto-reply");
    expect(result.recipient).toBe("user31@example.net");
    expect(result.reason).toBe("suspend");
    expect(result.status).toBe("5.0.921");
  });

  it("reads EZweb's verdict sentences", async () => {
    const disabled = await decodeOne(
      mta.ezweb("The user(s) account is disabled.", [
        "<user37@example.net>: 550 user unknown (in reply to RCPT TO command)",
      ]),
    );
    const filtered = await decodeOne(
      mta.ezweb("Each of the following recipients was rejected by a remote mail server.", [
        "<user38@example.net>",
      ]),
    );
    expect(disabled.reason).toBe("suspend");
    expect(filtered.reason).toBe("filtered");
    expect(filtered.status).toBe("5.0.910");
  });

  it("reads Verizon's gateway notice", async () => {
    const result = await decodeOne(mta.VERIZON);
    expect(result.recipient).toBe("user32@example.net");
    expect(result.replyCode).toBe(550);
    expect(result.reason).toBe("userunknown");
    expect(result.status).toBe("5.0.911");
  });

  it("reads Notes failure reasons", async () => {
    const unknown = await decodeOne(mta.notes("Unbekannter Fehler bei der Zustellung"));
    const known = await decodeOne(mta.notes("User not listed in public Name & Address Book"));
    expect(unknown.recipient).toBe("user33@example.net");
    expect(unknown.reason).toBe("onhold");
    expect(unknown.status).toBe("5.0.901");
    expect(known.reason).toBe("userunknown");
  });

  it("reads a DSN forwarded as an attachment", async () => {
    const result = await decodeOne(mta.FORWARDED_DSN);
    expect(result.recipient).toBe("user26@example.net");
    expect(result.status).toBe("5.1.1");
    expect(result.reason).toBe("userunknown");
  });

  it("uses PowerMTA's bounce category", async () => {
    const result = await decodeOne(mta.POWERMTA);
    expect(result.status).toBe("5.2.1");
    expect(result.reason).toBe("userunknown");
  });

  it("reads a part whose Content-Type lost its semicolon", async () => {
    const result = await decodeOne(mta.BROKEN_CONTENT_TYPE);
    expect(result.recipient).toBe("user36@example.net");
  });
});
