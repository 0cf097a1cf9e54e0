import { describe, expect, it } from "vitest";
import { ruleById } from "../../src/knowledge/rules/index.js";
import { createReplyClassifier } from "../../src/reply/classify.js";
import { fixedClassOf } from "../../src/reply/permanence.js";

// Gmail's permanent IP block as a web form or a client library passes it on: the reply code
// and the enhanced code are gone. Our own texts, in Google's current and older wording.
const GMAIL_BLOCK =
  "[192.0.2.25 1] Gmail has detected an unusual rate of unsolicited mail originating from " +
  "your IP address. To protect our users from spam, mail sent from your IP address has been " +
  "blocked. For more information, go to https://support.google.com/mail/?p=UnsolicitedIPError " +
  "to review our Bulk Email Senders Guidelines. a1si1 - gsmtp";
const GMAIL_OLD_BLOCK =
  "[192.0.2.26 1] Our system has detected an unusual rate of unsolicited mail originating " +
  "from your IP address. To protect our users from spam, mail sent from your IP address has " +
  "been blocked. Please visit https://support.google.com/mail/?p=UnsolicitedIPError to review " +
  "our Bulk Email Senders Guidelines. a1si1 - gsmtp";
const GMAIL_RATE_LIMIT =
  "[192.0.2.27 15] Our system has detected an unusual rate of unsolicited mail originating " +
  "from your IP address. To protect our users from spam, mail sent from your IP address has " +
  "been temporarily rate limited. Please visit " +
  "https://support.google.com/mail/?p=UnsolicitedRateLimitError to review our Bulk Email " +
  "Senders Guidelines. a1si1 - gsmtp";
const OUTLOOK_RANGE =
  "Unfortunately, messages from [192.0.2.47] weren't sent. Please contact your Internet " +
  "service provider since part of their network is on our block list (S3150). You can also " +
  "refer your provider to http://mail.live.com/mail/troubleshooting.aspx#errors.";
const YAHOO_DEFERRAL =
  "[TSS04] Messages from 192.0.2.45 temporarily deferred due to unexpected volume or user " +
  "complaints - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes";

describe("Gmail IP block without codes", () => {
  const classifier = createReplyClassifier();

  it.each([
    ["current wording", GMAIL_BLOCK],
    ["older wording", GMAIL_OLD_BLOCK],
  ])("reads the %s as the block", (_wording, text) => {
    const reply = classifier.explain(text);
    expect(reply.replyCode).toBeNull();
    expect(reply.enhancedStatus).toBeNull();
    expect(reply.ruleId).toBe("gmail.ip-block");
    expect(reply.permanent).toBe(true);
    expect(reply.permanenceSource).toBe("rule");
  });

  it.each([
    ["550-5.7.28 ", GMAIL_BLOCK],
    ["550-5.7.1 ", GMAIL_OLD_BLOCK],
  ])("reads the block with %s as before", (code, text) => {
    const reply = classifier.explain(code + text);
    expect(reply.ruleId).toBe("gmail.ip-block");
    expect(reply.permanent).toBe(true);
    expect(reply.permanenceSource).toBe("code");
  });

  it("reads bracket 1 first line as block", () => {
    const reply = classifier.explain(
      "[192.0.2.28       1] Our system has detected an unusual rate of",
    );
    expect(reply.ruleId).toBe("gmail.ip-block");
    expect(reply.permanent).toBe(true);
  });

  it("keeps the rate limit without codes temporary", () => {
    const reply = classifier.explain(GMAIL_RATE_LIMIT);
    expect(reply.ruleId).toBe("gmail.ip-rate-limit");
    expect(reply.permanent).toBe(false);
    expect(reply.permanenceSource).toBe("rule");
  });

  it("keeps the rate limit with its 421 code", () => {
    const reply = classifier.explain(`421-4.7.0 ${GMAIL_RATE_LIMIT}`);
    expect(reply.ruleId).toBe("gmail.ip-rate-limit");
    expect(reply.permanent).toBe(false);
    expect(reply.permanenceSource).toBe("code");
  });

  it("keeps 421 temporary block a limit", () => {
    const reply = classifier.explain(
      "421 4.7.28 Gmail has detected an unusual amount of unsolicited mail from your IP " +
        "address; mail has been temporarily blocked.",
    );
    expect(reply.ruleId).toBe("gmail.ip-rate-limit");
    expect(reply.permanent).toBe(false);
  });
});

describe("provider tokens without codes", () => {
  const classifier = createReplyClassifier();

  it("reads Outlook.com's S3150 as permanent", () => {
    const reply = classifier.explain(OUTLOOK_RANGE);
    expect(reply.ruleId).toBe("outlook.range-blocklist");
    expect(reply.permanent).toBe(true);
    expect(reply.permanenceSource).toBe("rule");
  });

  it("reads Outlook.com's S3140 as permanent", () => {
    const reply = classifier.explain(OUTLOOK_RANGE.replace("S3150", "S3140"));
    expect(reply.ruleId).toBe("outlook.ip-blocklist");
    expect(reply.permanent).toBe(true);
  });

  it("reads Yahoo's TSS04 as temporary", () => {
    const reply = classifier.explain(YAHOO_DEFERRAL);
    expect(reply.ruleId).toBe("yahoo.deferred-complaints");
    expect(reply.permanent).toBe(false);
    expect(reply.permanenceSource).toBe("rule");
  });

  it("still reads S3150 with its 550 code", () => {
    const reply = classifier.explain(`550 5.7.1 ${OUTLOOK_RANGE}`);
    expect(reply.ruleId).toBe("outlook.range-blocklist");
    expect(reply.permanenceSource).toBe("code");
  });

  it("leaves text that no rule fixes unknown", () => {
    const reply = classifier.explain("something odd happened");
    expect(reply.permanent).toBe(false);
    expect(reply.permanenceSource).toBeNull();
  });

  it("leaves a rule of both classes unknown", () => {
    const reply = classifier.explain(
      "The quota for messages with the same Message-ID header has been exceeded. - gsmtp",
    );
    expect(reply.ruleId).toBe("gmail.duplicate-message-id");
    expect(reply.permanenceSource).toBeNull();
  });
});

describe("fixedClassOf", () => {
  it.each([
    ["gmail.ip-block", true],
    ["gmail.ip-rate-limit", false],
    ["gmail.duplicate-message-id", null],
    ["outlook.range-blocklist", true],
    ["yahoo.deferred-complaints", false],
    ["gmail.custom-policy", null],
    ["generic.mailbox-unavailable", null],
  ])("gives %s the class %s", (id, expected) => {
    const rule = ruleById(id);
    expect(rule).toBeDefined();
    if (rule !== undefined) expect(fixedClassOf(rule)).toBe(expected);
  });
});
