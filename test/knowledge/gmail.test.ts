import { describe, expect, it } from "vitest";
import type { Category, FindingId } from "../../src/knowledge/categories.js";
import { createReplyClassifier } from "../../src/reply/classify.js";

const GMAIL = { relayHost: "gmail-smtp-in.l.google.com", recipient: "user1@gmail.com" };
const WORKSPACE = { relayHost: "aspmx.l.google.com", recipient: "user1@example.com" };

type Case = readonly [
  text: string,
  ruleId: string,
  category: Category,
  findings: readonly FindingId[],
];

// Our own anonymised texts for the rows of Google's code table, its older wordings and its
// documented inconsistencies; the expectations follow the meaning the table gives each row.
const CASES: readonly Case[] = [
  [
    "421 4.7.0 IP not in whitelist for RCPT domain, closing connection.",
    "gmail.ip-not-allowlisted",
    "recipient-policy",
    [],
  ],
  [
    "421 4.7.0 Try again later, closing connection. (EHLO)",
    "gmail.connection-throttled",
    "rate-limit",
    ["rate-limited"],
  ],
  [
    "421 4.7.0 [203.0.113.5] The IP address sending this message does not have a PTR record setup, or the corresponding forward DNS entry does not point to the sending IP. The sending IP has been temporarily rate limited.",
    "gmail.ptr-rate-limit",
    "reverse-dns",
    ["reverse-dns", "rate-limited"],
  ],
  [
    "421 4.7.0 TLS required for RCPT domain, closing connection.",
    "gmail.tls-required-domain",
    "tls",
    ["tls-required"],
  ],
  [
    "421 4.7.0 [203.0.113.5 12] This message is suspicious due to the very low reputation of the sending IP address.",
    "gmail.ip-low-reputation-rate-limit",
    "reputation",
    ["rate-limited"],
  ],
  [
    "421 4.7.0 This message is suspicious due to the very low reputation of the sending domain.",
    "gmail.domain-low-reputation-rate-limit",
    "reputation",
    ["rate-limited"],
  ],
  [
    "421 4.7.0 This message is suspicious due to the nature of the content or the links within.",
    "gmail.suspicious-content",
    "content",
    ["spam-content"],
  ],
  [
    "421 4.7.0 Connection expired, closing connection.",
    "gmail.connection-expired",
    "transient",
    [],
  ],
  [
    "451 4.7.23 The IP address sending this message does not have a PTR record setup.",
    "gmail.ptr-rate-limit",
    "reverse-dns",
    ["reverse-dns", "rate-limited"],
  ],
  [
    "421 4.7.23 The IP address sending this message does not have a PTR record setup.",
    "gmail.ptr-rate-limit",
    "reverse-dns",
    ["reverse-dns", "rate-limited"],
  ],
  [
    "451 4.7.24 The SPF record of the sending domain has one or more suspicious entries.",
    "gmail.spf-suspicious-rate-limit",
    "authentication",
    ["authentication", "rate-limited"],
  ],
  [
    "451 4.7.26 Unauthenticated email from example.com is not accepted due to the domain's DMARC policy, but temporary DNS failures prevented authentication.",
    "gmail.dmarc-dns-failure",
    "authentication",
    ["authentication", "rate-limited"],
  ],
  [
    "421 4.7.26 This email has been rate limited because it is unauthenticated.",
    "gmail.unauthenticated-rate-limit",
    "authentication",
    ["authentication", "rate-limited"],
  ],
  [
    "421 4.7.27 Your email has been rate limited because SPF authentication didn't pass for this message.",
    "gmail.spf-fail-rate-limit",
    "authentication",
    ["authentication", "rate-limited"],
  ],
  [
    "421 4.7.28 Gmail has detected an unusual rate of unsolicited mail. To protect our users from spam, mail has been temporarily rate limited.",
    "gmail.ip-rate-limit",
    "reputation",
    ["rate-limited"],
  ],
  [
    "421 4.7.28 [203.0.113.5 4] Gmail has detected an unusual rate of unsolicited mail originating from your IP address.",
    "gmail.ip-rate-limit",
    "reputation",
    ["rate-limited"],
  ],
  [
    "421 4.7.28 Gmail has detected an unusual rate of unsolicited mail originating from your IP Netblock.",
    "gmail.netblock-rate-limit",
    "reputation",
    ["rate-limited"],
  ],
  [
    "421 4.7.28 Gmail has detected an unusual rate of unsolicited mail originating from your DKIM domain.",
    "gmail.dkim-domain-rate-limit",
    "reputation",
    ["rate-limited"],
  ],
  [
    "421 4.7.28 Gmail has detected an unusual rate of unsolicited mail originating from your SPF domain.",
    "gmail.spf-domain-rate-limit",
    "reputation",
    ["rate-limited"],
  ],
  [
    "421 4.7.28 Gmail has detected an unusual rate of unsolicited mail containing one of your URL domains.",
    "gmail.url-domain-rate-limit",
    "reputation",
    ["rate-limited"],
  ],
  [
    "421 4.7.28 Gmail has detected an unusual amount of unsolicited mail from your IP address; mail has been temporarily blocked.",
    "gmail.ip-rate-limit",
    "reputation",
    ["rate-limited"],
  ],
  [
    "421 4.7.28 The quota for messages with the same Message-ID header has been exceeded.",
    "gmail.duplicate-message-id",
    "message-format",
    [],
  ],
  [
    "421 4.7.29 Your email has been rate limited because this message wasn't sent over a TLS connection.",
    "gmail.tls-rate-limit",
    "tls",
    ["tls-required", "rate-limited"],
  ],
  [
    "421 4.7.30 Your email has been rate limited because DKIM authentication didn't pass for this message.",
    "gmail.dkim-fail-rate-limit",
    "authentication",
    ["authentication", "rate-limited"],
  ],
  [
    "421 4.7.40 Your email has been rate limited because DMARC policy is not set up for the sender domain.",
    "gmail.dmarc-missing-rate-limit",
    "authentication",
    ["authentication", "rate-limited"],
  ],
  [
    "421 4.7.31 Your email has been rate limited because the sender domain has no DMARC record.",
    "gmail.dmarc-missing-rate-limit",
    "authentication",
    ["authentication", "rate-limited"],
  ],
  [
    "421 4.7.32 Your email has been rate limited because the From: header isn't aligned with either the SPF or DKIM organizational domain.",
    "gmail.dmarc-alignment-rate-limit",
    "authentication",
    ["authentication", "rate-limited"],
  ],
  [
    "550 5.7.1 [203.0.113.5 7] Gmail has detected that this message is likely unsolicited mail.",
    "gmail.likely-unsolicited",
    "content",
    ["spam-content"],
  ],
  [
    "550 5.7.1 Our system has detected that this message is likely unsolicited mail.",
    "gmail.likely-unsolicited",
    "content",
    ["spam-content"],
  ],
  [
    "550 5.7.1 This message has been blocked due to the very low reputation of the sending IP address.",
    "gmail.ip-low-reputation",
    "reputation",
    [],
  ],
  [
    "550 5.7.1 This message has been blocked due to the very low reputation of the sending domain.",
    "gmail.domain-low-reputation",
    "reputation",
    [],
  ],
  [
    "550 5.7.1 This message does not meet IPv6 sending guidelines regarding PTR records and authentication.",
    "gmail.ipv6-guidelines",
    "reverse-dns",
    ["reverse-dns", "authentication"],
  ],
  [
    "550 5.7.1 The IP you're using to send mail is not authorized to send email directly to our servers.",
    "gmail.direct-delivery-not-allowed",
    "reputation",
    ["ip-blocklisted"],
  ],
  [
    "550 5.7.1 The user or domain that you are sending to (or from) has a policy that prohibited the mail that you sent.",
    "gmail.recipient-policy",
    "recipient-policy",
    [],
  ],
  [
    "550 5.7.1 This email has been rate limited.",
    "gmail.rate-limited-block",
    "reputation",
    ["rate-limited"],
  ],
  [
    "550 5.7.1 This message is not RFC 5322 compliant because it has multiple From headers.",
    "gmail.rfc5322",
    "message-format",
    [],
  ],
  [
    "550 5.7.1 Messages missing a valid Message-ID header are not accepted.",
    "gmail.rfc5322",
    "message-format",
    [],
  ],
  [
    "550 5.7.24 The SPF record of the sending domain has one or more suspicious entries.",
    "gmail.spf-suspicious",
    "authentication",
    ["authentication"],
  ],
  [
    "550 5.7.25 The IP address sending this message does not have a PTR record setup.",
    "gmail.ptr-missing",
    "reverse-dns",
    ["reverse-dns"],
  ],
  [
    "550 5.7.26 This mail has been blocked because the sender is unauthenticated.",
    "gmail.unauthenticated",
    "authentication",
    ["authentication"],
  ],
  [
    "550 5.7.26 Unauthenticated email from example.com is not accepted due to domain's DMARC policy.",
    "gmail.dmarc-reject",
    "authentication",
    ["authentication"],
  ],
  [
    "550 5.7.26 The MAIL FROM domain has an SPF record with a hard fail policy (-all) and this IP is not authorized.",
    "gmail.spf-fail",
    "authentication",
    ["authentication"],
  ],
  [
    "550 5.7.27 Your email has been blocked because SPF authentication didn't pass.",
    "gmail.spf-fail",
    "authentication",
    ["authentication"],
  ],
  [
    "550 5.7.28 Gmail has detected an unusual rate of unsolicited mail originating from your IP address and blocked it.",
    "gmail.ip-block",
    "reputation",
    ["ip-blocklisted"],
  ],
  [
    "550 5.7.29 Your email has been blocked because this message wasn't sent over a TLS connection.",
    "gmail.tls",
    "tls",
    ["tls-required"],
  ],
  [
    "550 5.7.30 Your email has been blocked because DKIM authentication didn't pass.",
    "gmail.dkim-fail",
    "authentication",
    ["authentication"],
  ],
  [
    "550 5.7.40 Your email has been blocked because DMARC policy is not set up for the sender domain.",
    "gmail.dmarc-missing",
    "authentication",
    ["authentication"],
  ],
  [
    "552 5.7.0 This message was blocked because its content presents a potential security issue.",
    "gmail.blocked-attachment",
    "content",
    ["spam-content"],
  ],
  ["554 5.6.0 Mail message is malformed. Not accepted.", "gmail.malformed", "message-format", []],
  ["501 5.5.4 HELO/EHLO argument is invalid.", "gmail.helo-invalid", "protocol", []],
  [
    "550 5.1.1 The email account that you tried to reach does not exist.",
    "gmail.no-such-user",
    "recipient",
    ["unknown-recipients"],
  ],
  [
    "550 5.2.1 The email account that you tried to reach is inactive.",
    "gmail.account-disabled",
    "recipient",
    ["unknown-recipients"],
  ],
  ["452 4.2.2 The recipient's inbox is out of storage space.", "gmail.over-quota", "recipient", []],
  [
    "553 5.1.3 The recipient address is not a valid RFC 5321 address.",
    "gmail.invalid-recipient-address",
    "recipient",
    [],
  ],
  [
    "553 5.1.7 The sender address is not a valid RFC 5321 address.",
    "gmail.invalid-sender-address",
    "message-format",
    [],
  ],
  [
    "552 5.3.4 Your message exceeded the limit for the number of attachments.",
    "gmail.size-limit",
    "message-format",
    [],
  ],
  ["550 5.5.3 Too many recipients for this sender.", "gmail.too-many-recipients", "rate-limit", []],
  [
    "554 5.4.6 Message exceeded 50 hops, this may indicate a mail loop.",
    "gmail.mail-loop",
    "message-format",
    [],
  ],
  [
    "530 5.7.0 Must issue a STARTTLS command first.",
    "gmail.starttls-required",
    "tls",
    ["tls-required"],
  ],
  [
    "550 5.7.1 This message violates example.com email policy. - gcdp <s1> - gsmtp",
    "gmail.custom-policy",
    "recipient-policy",
    [],
  ],
  // Older wordings still found in logs and tickets.
  [
    "421 4.7.0 [203.0.113.5 15] Our system has detected an unusual rate of unsolicited mail originating from your IP address. Please visit http://www.google.com/mail/help/bulk_mail.html",
    "gmail.ip-rate-limit",
    "reputation",
    ["rate-limited"],
  ],
  [
    "550 5.7.1 [203.0.113.5 1] Our system has detected an unusual rate of unsolicited mail originating from your IP address. https://support.google.com/mail/?p=UnsolicitedIPError",
    "gmail.ip-block",
    "reputation",
    ["ip-blocklisted"],
  ],
  [
    "550 5.7.1 Unauthenticated email from example.com is not accepted due to domain's DMARC policy. https://support.google.com/mail/answer/2451690",
    "gmail.dmarc-reject",
    "authentication",
    ["authentication"],
  ],
  [
    "421 4.7.0 This message does not have authentication information or fails to pass authentication checks.",
    "gmail.unauthenticated-rate-limit",
    "authentication",
    ["authentication", "rate-limited"],
  ],
  [
    "550 5.7.1 This message does not have authentication information or fails to pass authentication checks.",
    "gmail.unauthenticated",
    "authentication",
    ["authentication"],
  ],
  [
    "550 5.7.26 This message does not pass authentication checks (SPF and DKIM both do not pass).",
    "gmail.unauthenticated",
    "authentication",
    ["authentication"],
  ],
  [
    "550 5.7.26 This mail is unauthenticated, which poses a security risk to the sender and Gmail users.",
    "gmail.unauthenticated",
    "authentication",
    ["authentication"],
  ],
  [
    "550 5.7.25 The sending IP does not have a PTR record setup. As a policy, Gmail does not accept messages from IPs with missing PTR records.",
    "gmail.ptr-missing",
    "reverse-dns",
    ["reverse-dns"],
  ],
  ["550 5.7.1 This message is not RFC 2822 compliant.", "gmail.rfc5322", "message-format", []],
  [
    "550 5.7.1 https://support.google.com/mail/?p=ipv6_authentication_error",
    "gmail.ipv6-guidelines",
    "reverse-dns",
    ["reverse-dns", "authentication"],
  ],
  // Documented inconsistencies: codes Google's pages print that differ from the wire.
  ["504 5.7.40 Unrecognized Authentication Type.", "gmail.auth-mechanism", "sender-account", []],
  ["535 5.7.80 Username and Password not accepted.", "gmail.bad-credentials", "sender-account", []],
  [
    "534 5.7.90 Application-specific password required.",
    "gmail.app-password-required",
    "sender-account",
    [],
  ],
];

describe("Gmail rules", () => {
  const classifier = createReplyClassifier();

  it.each(CASES)("%s", (text, ruleId, category, findings) => {
    const reply = classifier.explain(text, GMAIL);
    expect(reply.ruleId).toBe(ruleId);
    expect(reply.category).toBe(category);
    expect([...reply.findings].sort()).toEqual([...findings].sort());
    expect(reply.provider).toBe("gmail");
  });

  it("treats the documented 421 5.7.32 as permanent", () => {
    const reply = classifier.explain(
      "421 5.7.32 Your email has been blocked because the sender isn't aligned.",
      GMAIL,
    );
    expect(reply.ruleId).toBe("gmail.dmarc-alignment");
    expect(reply.permanent).toBe(true);
  });

  it("names Google Workspace for Workspace recipients", () => {
    const reply = classifier.explain(
      "421 4.7.28 Gmail has detected an unusual rate of unsolicited mail.",
      WORKSPACE,
    );
    expect(reply.provider).toBe("google-workspace");
  });

  it("recognises Gmail by its trailer without hints", () => {
    const reply = classifier.explain(
      "421 4.7.27 Authentication results: SPF did not pass. q1.2 - gsmtp",
    );
    expect(reply.provider).toBe("gmail");
    expect(reply.ruleId).toBe("gmail.spf-fail-rate-limit");
  });

  it("falls back to a generic rule for an unknown Gmail reply", () => {
    const reply = classifier.explain("550 5.7.99 Something new.", GMAIL);
    expect(reply.ruleId).toBe("generic.policy");
    expect(reply.provider).toBe("gmail");
  });
});
