import { describe, expect, it } from "vitest";
import { createReplyClassifier } from "../../src/reply/classify.js";

// Wordings that rspamd, Postfix, Exim and small receivers use as well as a big provider. Each
// must fall to the generic rule when nothing else ties the reply to the provider.
const SHARED_WORDINGS: ReadonlyArray<readonly [string, string]> = [
  ["554 5.7.1 Spam message rejected", "generic.spam-verdict"],
  ["550 5.7.1 Unauthenticated relaying not allowed", "generic.relay-denied"],
  ["550 5.7.1 Rejected by domain owner DMARC policy", "generic.dmarc"],
  ["550 5.1.1 User does not exist", "generic.user-unknown"],
  ["550 5.1.1 Address does not exist", "generic.user-unknown"],
  ["550 5.2.1 <user1@example.net>: This mailbox is disabled", "generic.mailbox-disabled"],
  ["550 5.1.1 user1@example.net is no longer valid", "generic.bad-mailbox"],
  ["554 5.7.1 Your IP address is blacklisted", "generic.unnamed-blocklist"],
  ["450 4.2.1 <user1@example.net>: Recipient is receiving mail too quickly", "generic.rate-limit"],
  ["550 5.7.1 Message rejected: From header is missing", "generic.policy"],
];

// Provider names and domains inside another server's own reply text.
const NAMES_IN_TEXT: readonly string[] = [
  "550 5.7.1 Sender user2@example.com rejected: forged Gmail sender",
  "550 5.7.1 Mail from orange.fr domain rejected by policy",
  "550 5.1.1 <user1@example.net>: unknown user (forwarded from comcast migration)",
  "550 5.7.1 Mail relayed through hotmail rejected",
  "550 5.7.1 Mail from yandex users is not accepted here",
  "550 5.7.1 Sender domain hotmail.com does not designate 192.0.2.10 as permitted sender",
  "550 5.7.1 Mail from outlook.com is not accepted here",
  "550 5.7.1 We do not accept mail claiming to be from aol.com",
  "550 5.7.1 We do not accept mail claiming to be from yahoo.com",
  "550 5.7.1 Rejected: forged sender domain comcast.net",
  "550 5.7.1 Rejected: forged sender domain icloud.com",
  "550 5.7.1 Rejected: forged sender domain gmx.net",
  "550 5.7.1 Rejected: forged sender domain mail.ru",
  "550 5.7.1 Rejected: forged sender domain yandex.ru",
  "550 5.7.1 Rejected: forged sender domain t-online.de",
];

// The same domains as host names and links, which only the provider's own replies carry.
const HOSTS_IN_TEXT: ReadonlyArray<readonly [string, string]> = [
  ["550 5.7.1 See https://postmaster.comcast.net/smtp-error-codes.php", "comcast"],
  ["550 5.7.1 Rejected by mx1.hotmail.com", "outlook"],
  ["550 5.7.1 Rejected by mta7.am0.yahoodns.net", "yahoo"],
  ["550 5.7.1 Rejected, see https://help.mail.ru/mail/spam", "mailru"],
  ["550 5.7.1 Rejected, see ya.cc/1IrBc", "yandex"],
];

describe("provider evidence", () => {
  const classifier = createReplyClassifier();

  it.each(SHARED_WORDINGS)("leaves %s to the generic rule", (text, ruleId) => {
    const reply = classifier.explain(text);
    expect(reply.ruleId).toBe(ruleId);
    expect(reply.provider).toBeNull();
  });

  it.each(NAMES_IN_TEXT)("names no provider for %s", (text) => {
    const reply = classifier.explain(text);
    expect(reply.provider).toBeNull();
    expect(reply.ruleId.startsWith("generic.")).toBe(true);
  });

  it.each(HOSTS_IN_TEXT)("names the provider for %s", (text, provider) => {
    expect(classifier.explain(text).provider).toBe(provider);
  });

  it("gives a relay denial the SMTP AUTH fix", () => {
    const reply = classifier.explain("550 5.7.1 Unauthenticated relaying not allowed");
    expect(reply.category).toBe("sender-account");
    expect(reply.fix.join(" ")).toContain("SMTP AUTH");
    expect(reply.fix.join(" ")).not.toContain("DKIM pass");
    expect(reply.findings).not.toContain("authentication");
  });

  it("lets a neutral wrapper host block unique wording", () => {
    const reply = classifier.explain(
      "host mx.example.net[192.0.2.210] said: 550 5.1.1 The email account that you tried to " +
        "reach does not exist. (in reply to RCPT TO command)",
    );
    expect(reply.provider).toBeNull();
    expect(reply.ruleId).toBe("generic.user-unknown");
  });

  it("lets a neutral relay hint block unique wording", () => {
    const reply = classifier.explain("554 5.7.1 Spam message rejected", {
      relayHost: "mx.example.net",
      recipient: "user26@example.net",
    });
    expect(reply.provider).toBeNull();
    expect(reply.ruleId).toBe("generic.spam-verdict");
  });

  it("keeps the relay hint apart in the memo", () => {
    const text = "550 5.1.1 The email account that you tried to reach does not exist.";
    const withHost = classifier.explain(text, { relayHost: "mx.example.net" });
    const without = classifier.explain(text);
    expect(withHost.ruleId).toBe("generic.user-unknown");
    expect(without.ruleId).toBe("gmail.no-such-user");
  });

  it("keeps a token rule behind a neutral Remote-MTA", () => {
    const dsn = [
      "Final-Recipient: rfc822; user26@example.net",
      "Action: failed",
      "Status: 5.5.0",
      "Remote-MTA: dns; mx.example.net",
      "Diagnostic-Code: smtp; 550 5.5.0 Adresse destinataire invalide. Invalid recipient. OFR_416",
    ].join("\n");
    const reply = classifier.explain(dsn);
    expect(reply.provider).toBe("orange");
    expect(reply.ruleId).toBe("orange.invalid-recipient");
  });

  it("keeps shared wording at the provider's own host", () => {
    const yahoo = classifier.explain(
      "host mta5.am0.yahoodns.net[192.0.2.201] said: 554 5.1.1 user1@yahoo.com is no longer " +
        "valid (in reply to RCPT TO command)",
    );
    expect(yahoo.provider).toBe("yahoo");
    expect(yahoo.ruleId).toBe("yahoo.no-account");

    const mailru = classifier.explain("550 spam message rejected", {
      relayHost: "mxs.mail.ru",
      recipient: "user1@mail.ru",
    });
    expect(mailru.provider).toBe("mailru");
    expect(mailru.ruleId).toBe("mailru.spam");
  });

  it("keeps shared wording behind the provider's trailer", () => {
    const reply = classifier.explain(
      "450 4.2.1 The user you are trying to contact is receiving mail too quickly - gsmtp",
    );
    expect(reply.provider).toBe("gmail");
    expect(reply.ruleId).toBe("gmail.recipient-rate");
  });

  it.each([
    ["550 5.1.1 The email account that you tried to reach does not exist.", "gmail.no-such-user"],
    [
      "550 5.7.26 This mail has been blocked because the sender is unauthenticated.",
      "gmail.unauthenticated",
    ],
    ["550 spam message rejected. https://help.mail.ru/notspam-support/id?c=1", "mailru.spam"],
    ["554 delivery error: dd This user doesn't have an account", "yahoo.no-account"],
  ])("keeps the provider's full wording: %s", (text, ruleId) => {
    expect(classifier.explain(text).ruleId).toBe(ruleId);
  });
});
