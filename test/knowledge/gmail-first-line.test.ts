import { describe, expect, it } from "vitest";
import type { Category } from "../../src/knowledge/categories.js";
import type { ReplyRule } from "../../src/knowledge/rule.js";
import { GMAIL_RULES } from "../../src/knowledge/rules/gmail.js";
import { createReplyClassifier } from "../../src/reply/classify.js";

type Case = readonly [firstLine: string, ruleId: string, category: Category];

// The first line of a multi-line Gmail reply, wrapped where Google wraps it, for each rule whose
// first line no other reply shares. Our own texts, with documentation addresses.
const CASES: readonly Case[] = [
  [
    "550-5.7.1 [203.0.113.5      12] Gmail has detected that this message is likely unsolicited mail. - gsmtp",
    "gmail.likely-unsolicited",
    "content",
  ],
  [
    "550-5.7.1 [203.0.113.5      12] Gmail has detected that this message is likely unsolicited mail. To",
    "gmail.likely-unsolicited",
    "content",
  ],
  [
    "421-4.7.28 [203.0.113.5       4] Our system has detected an unusual rate of",
    "gmail.ip-rate-limit",
    "reputation",
  ],
  [
    "421-4.7.0 [203.0.113.5      15] Our system has detected an unusual rate of",
    "gmail.ip-rate-limit",
    "reputation",
  ],
  [
    "421-4.7.28 [203.0.113.5      15] Gmail has detected an unusual rate of unsolicited mail originating",
    "gmail.ip-rate-limit",
    "reputation",
  ],
  [
    "550-5.7.1 [203.0.113.5       1] Our system has detected an unusual rate of",
    "gmail.ip-block",
    "reputation",
  ],
  [
    "451-4.7.23 [203.0.113.5] The IP address sending this message does not have a PTR record",
    "gmail.ptr-rate-limit",
    "reverse-dns",
  ],
  [
    "421-4.7.0 [203.0.113.5] The IP address sending this message does not have",
    "gmail.ptr-rate-limit",
    "reverse-dns",
  ],
  [
    "550-5.7.25 [203.0.113.5] The IP address sending this message does not have",
    "gmail.ptr-missing",
    "reverse-dns",
  ],
  [
    "550-5.7.1 [203.0.113.5] The IP you're using to send mail is not authorized to",
    "gmail.direct-delivery-not-allowed",
    "reputation",
  ],
  [
    "550-5.7.1 The user or domain that you are sending to (or from) has a policy that",
    "gmail.recipient-policy",
    "recipient-policy",
  ],
  [
    "550-5.7.1 [2001:db8::5] Our system has detected that this message does",
    "gmail.ipv6-guidelines",
    "reverse-dns",
  ],
  [
    "550-5.7.1 [203.0.113.5] Gmail has detected that this message does not meet IPv6 sending",
    "gmail.ipv6-guidelines",
    "reverse-dns",
  ],
  [
    "550-5.7.26 Unauthenticated email from example.com is not accepted due to domain's",
    "gmail.dmarc-reject",
    "authentication",
  ],
  [
    "451-4.7.26 Unauthenticated email from example.com is not accepted due to the",
    "gmail.dmarc-dns-failure",
    "authentication",
  ],
  [
    "550-5.7.26 Your email has been blocked because the sender is unauthenticated.",
    "gmail.unauthenticated",
    "authentication",
  ],
  [
    "421-4.7.26 This email has been rate limited because it is unauthenticated. Gmail",
    "gmail.unauthenticated-rate-limit",
    "authentication",
  ],
  [
    "421-4.7.27 Your email has been rate limited because SPF authentication didn't pass",
    "gmail.spf-fail-rate-limit",
    "authentication",
  ],
  [
    "421-4.7.29 Your email has been rate limited because this message wasn't sent",
    "gmail.tls-rate-limit",
    "tls",
  ],
  [
    "421-4.7.0 [203.0.113.5      15] This message is suspicious due to the nature of the content or the",
    "gmail.suspicious-content",
    "content",
  ],
  [
    "552-5.7.0 This message was blocked because its content presents a potential",
    "gmail.blocked-attachment",
    "content",
  ],
  [
    "550-5.7.1 This message is not RFC 5322 compliant. There are multiple Reply-To",
    "gmail.rfc5322",
    "message-format",
  ],
  [
    "421-4.7.0 TLS required for RCPT domain, closing connection. For more",
    "gmail.tls-required-domain",
    "tls",
  ],
  [
    "450-4.2.1 The user you are trying to contact is receiving mail at a rate that",
    "gmail.recipient-rate",
    "rate-limit",
  ],
  [
    "550-5.1.1 The email account that you tried to reach does not exist. Please try",
    "gmail.no-such-user",
    "recipient",
  ],
  [
    "452-4.2.2 The recipient's inbox is out of storage space. Please direct the",
    "gmail.over-quota",
    "recipient",
  ],
];

// First lines that several Gmail replies share. The spam verdict, the low-reputation block and
// the older RFC 2822 reply start with the first two. The IP and domain variants of the
// low-reputation rate limit start with the third.
const SHARED_FIRST_LINES: readonly (readonly [firstLine: string, rivals: readonly string[]])[] = [
  [
    "550-5.7.1 [203.0.113.5      12] Gmail has detected that this message is",
    ["gmail.likely-unsolicited", "gmail.ip-low-reputation", "gmail.domain-low-reputation"],
  ],
  [
    "550-5.7.1 [203.0.113.5      18] Our system has detected that this message is",
    [
      "gmail.likely-unsolicited",
      "gmail.ip-low-reputation",
      "gmail.domain-low-reputation",
      "gmail.rfc5322",
    ],
  ],
  [
    "421-4.7.0 [203.0.113.5      15] This message is suspicious due to the very low reputation of the",
    ["gmail.ip-low-reputation-rate-limit", "gmail.domain-low-reputation-rate-limit"],
  ],
];

const GMAIL_HOST = "gmail-smtp-in.l.google.com";

function postfix(line: string): string {
  return `host ${GMAIL_HOST}[192.0.2.27] said: ${line} (in reply to end of DATA command)`;
}

function exim(line: string): string {
  return `H=${GMAIL_HOST} [192.0.2.27]: SMTP error from remote mail server after end of data: ${line}`;
}

/** Exim's reply text without the host, as a bounce quotes it after the recipient line. */
function eximWithoutHost(line: string): string {
  return `SMTP error from remote mail server after end of data: ${line}`;
}

function ruleOf(ruleId: string): ReplyRule {
  const rule = GMAIL_RULES.find((candidate) => candidate.id === ruleId);
  if (rule === undefined) throw new Error(`no Gmail rule has the id ${ruleId}`);
  return rule;
}

describe("Gmail first lines", () => {
  const classifier = createReplyClassifier();

  describe.each([
    ["Postfix", postfix],
    ["Exim", exim],
  ] as const)("in the %s wrapper", (_name, wrap) => {
    it.each(CASES)("%s", (line, ruleId, category) => {
      const reply = classifier.explain(wrap(line));
      expect(reply.ruleId).toBe(ruleId);
      expect(reply.category).toBe(category);
      expect(reply.provider).toBe("gmail");
    });
  });

  // A distinctive rule names Gmail by its wording, so it needs no host.
  // A Workspace rule names Google Workspace then, because no recipient address shows Gmail.
  it.each(CASES.filter(([, ruleId]) => ruleOf(ruleId).distinctive === true))(
    "without a host: %s",
    (line, ruleId) => {
      const reply = classifier.explain(eximWithoutHost(line));
      expect(reply.ruleId).toBe(ruleId);
      expect(reply.provider).toBe(ruleOf(ruleId).provider);
    },
  );

  it.each(SHARED_FIRST_LINES)("shared, so no rival rule: %s", (line, rivals) => {
    for (const wrap of [postfix, exim]) {
      const reply = classifier.explain(wrap(line));
      expect(rivals).not.toContain(reply.ruleId);
    }
  });

  it("full netblock reply keeps its rule", () => {
    const reply = classifier.explain(
      postfix(
        "421-4.7.28 [203.0.113.5       4] Our system has detected an unusual rate of 421-4.7.28 unsolicited mail originating from your IP Netblock. To protect our 421 4.7.28 users from spam. a1si2 - gsmtp",
      ),
    );
    expect(reply.ruleId).toBe("gmail.netblock-rate-limit");
  });

  it("MailChannels unusual amount is not Gmail's", () => {
    const reply = classifier.explain(
      eximWithoutHost(
        "550 5.7.1 [CSR] Our system has detected an unusual amount of unsolicited email originating from your address.",
      ),
    );
    expect(reply.ruleId).not.toBe("gmail.ip-block");
  });
});
