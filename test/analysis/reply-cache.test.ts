import { describe, expect, test } from "vitest";
import type { ReplyHints } from "../../src/analysis/explainer.js";
import { ReplyCache } from "../../src/analysis/reply-cache.js";
import { createReplyClassifier } from "../../src/reply/classify.js";

function gmailDeferral(ip: string, padding: number, number: number, id: string): string {
  return (
    `host gmail-smtp-in.l.google.com[192.0.2.27] said: 421-4.7.28 [${ip}${" ".repeat(padding)}${number}] ` +
    "Gmail has detected an unusual rate of unsolicited mail originating from your IP address. " +
    `421 4.7.28 https://support.google.com/mail/?p=UnsolicitedRateLimitError ${id} - gsmtp ` +
    "(in reply to end of DATA command)"
  );
}

const OUTLOOK_3150 =
  "host hotmail-com.olc.protection.outlook.com[192.0.2.42] said: 550 5.7.1 Unfortunately, messages from [203.0.113.25] weren't sent. Please contact your Internet service provider since part of their network is on our block list (S3150). (in reply to MAIL FROM command)";

function countingCache() {
  const classifier = createReplyClassifier();
  const calls = { full: 0 };
  const cache = new ReplyCache({
    explain: (text: string, hints?: ReplyHints) => {
      calls.full += 1;
      return classifier.explain(text, hints);
    },
  });
  return { cache, calls, classifier };
}

const gmailHints = {
  relayHost: "gmail-smtp-in.l.google.com",
  recipient: "a@gmail.com",
  dsn: "4.7.28",
};

describe("ReplyCache", () => {
  test("one explanation per wording", () => {
    const { cache, calls } = countingCache();
    const first = cache.classify(
      gmailDeferral("203.0.113.10", 6, 15, "6a1b2c3d4e5si1234567pl.401"),
      "gmail",
      gmailHints,
    );
    const second = cache.classify(
      gmailDeferral("203.0.113.10", 6, 15, "7b2c3d4e5f6si7654321wr.311"),
      "gmail",
      gmailHints,
    );
    expect(calls.full).toBe(1);
    expect(second.reply.ruleId).toBe(first.reply.ruleId);
    expect(second.codeKey).toBe("421 4.7.28");
  });

  test("padding and number variants share a wording", () => {
    const { cache, calls } = countingCache();
    cache.classify(
      gmailDeferral("203.0.113.10", 6, 15, "6a1b2c3d4e5si1234567pl.401"),
      "gmail",
      gmailHints,
    );
    const padded = cache.classify(
      gmailDeferral("203.0.113.11", 5, 4, "8c3d4e5f6a7si2345678qk.90"),
      "gmail",
      gmailHints,
    );
    expect(calls.full).toBe(1);
    expect(padded.judgedIp).toBe("203.0.113.11");
  });

  test("judged IP comes from each reply", () => {
    const { cache } = countingCache();
    cache.classify(
      gmailDeferral("203.0.113.10", 6, 15, "6a1b2c3d4e5si1234567pl.401"),
      "gmail",
      gmailHints,
    );
    const other = cache.classify(
      gmailDeferral("198.51.100.7", 6, 15, "9d4e5f6a7b8si3456789ej.12"),
      "gmail",
      gmailHints,
    );
    expect(other.judgedIp).toBe("198.51.100.7");
  });

  test("matches what a full explanation gives", () => {
    const { cache, classifier } = countingCache();
    const hints = {
      relayHost: "hotmail-com.olc.protection.outlook.com",
      recipient: "b@hotmail.com",
      dsn: "5.7.1",
    };
    cache.classify(OUTLOOK_3150, "outlook", hints);
    const changed = OUTLOOK_3150.replace("203.0.113.25", "198.51.100.9");
    const cached = cache.classify(changed, "outlook", hints);
    const full = classifier.explain(changed, hints);
    expect(cached.reply.ruleId).toBe(full.ruleId);
    expect(cached.reply.category).toBe(full.category);
    expect(cached.judgedIp).toBe(full.judgedIp);
    expect(cached.reply.providerToken).toBe("S3150");
  });

  test("different token is a different wording", () => {
    const { cache, calls } = countingCache();
    const hints = {
      relayHost: "hotmail-com.olc.protection.outlook.com",
      recipient: "b@hotmail.com",
      dsn: "5.7.1",
    };
    cache.classify(OUTLOOK_3150, "outlook", hints);
    const ip = cache.classify(OUTLOOK_3150.replace("(S3150)", "(S3140)"), "outlook", hints);
    expect(calls.full).toBe(2);
    expect(ip.reply.providerToken).toBe("S3140");
  });

  test("different text is a different wording", () => {
    const { cache, calls } = countingCache();
    cache.classify(
      gmailDeferral("203.0.113.10", 6, 15, "6a1b2c3d4e5si1234567pl.401"),
      "gmail",
      gmailHints,
    );
    const other = gmailDeferral("203.0.113.10", 6, 15, "6a1b2c3d4e5si1234567pl.401").replace(
      "unusual rate",
      "usual rate",
    );
    cache.classify(other, "gmail", gmailHints);
    expect(calls.full).toBe(2);
  });

  test("provider and DSN separate wordings", () => {
    const { cache, calls } = countingCache();
    const text = gmailDeferral("203.0.113.10", 6, 15, "6a1b2c3d4e5si1234567pl.401");
    cache.classify(text, "gmail", gmailHints);
    cache.classify(text, "google-workspace", gmailHints);
    cache.classify(text, "gmail", { ...gmailHints, dsn: "4.7.0" });
    expect(calls.full).toBe(3);
  });

  test("inbound MX and submission host separate wordings", () => {
    // Exim's error text does not name the host, so only the relay host separates the two.
    const { cache, calls } = countingCache();
    const text =
      "SMTP error from remote mail server after MAIL FROM:<alice@example.com>: 550 5.7.708 Service unavailable. Access denied, traffic not accepted from this IP.";
    const hints = (relayHost: string): ReplyHints => ({
      relayHost,
      recipient: "sales@example.com",
      dsn: "5.7.708",
    });
    const inbound = cache.classify(
      text,
      "exchange-online",
      hints("example-com.mail.protection.outlook.com"),
    );
    const submission = cache.classify(text, "exchange-online", hints("smtp.office365.com"));

    expect(calls.full).toBe(2);
    expect(inbound.reply.ruleId).toBe("exchange-online.ip-not-accepted");
    expect(inbound.blockSignal).toBe(true);
    expect(submission.reply.ruleId).toBe("exchange-online.tenant-relay-blocked");
    expect(submission.blockSignal).toBe(true);
  });

  test("neutral MX hosts share a wording", () => {
    const { cache, calls, classifier } = countingCache();
    cache.classify(
      unknownUser("mx.example.net", "anna@example.net"),
      "other",
      otherHints("mx.example.net"),
    );
    const text = unknownUser("mail.example.org", "ben@example.org");
    const hints = otherHints("mail.example.org");
    const cached = cache.classify(text, "other", hints);
    const full = classifier.explain(text, hints);

    expect(calls.full).toBe(1);
    expect(cached.reply.ruleId).toBe(full.ruleId);
    expect(cached.reply.category).toBe(full.category);
    expect(cached.reply.provider).toBe(full.provider);
    expect(cached.codeKey).toBe("550 5.1.1");
  });

  test("host naming a provider keeps its wording", () => {
    const { cache, calls, classifier } = countingCache();
    cache.classify(
      unknownUser("mx.example.net", "anna@example.net"),
      "other",
      otherHints("mx.example.net"),
    );
    // The relay patterns know this host as Yahoo's MX.
    const text = unknownUser("mta5.am0.yahoodns.net", "ben@example.com");
    const hints = otherHints("mta5.am0.yahoodns.net");
    const cached = cache.classify(text, "other", hints);
    const full = classifier.explain(text, hints);

    expect(calls.full).toBe(2);
    expect(full.provider).toBe("yahoo");
    expect(cached.reply.provider).toBe("yahoo");
    expect(cached.reply.ruleId).toBe(full.ruleId);
  });
});

function unknownUser(host: string, recipient: string): string {
  return (
    `host ${host}[198.51.100.25] said: 550 5.1.1 <${recipient}>: Recipient address rejected: ` +
    "User unknown in virtual mailbox table (in reply to RCPT TO command)"
  );
}

function otherHints(relayHost: string): ReplyHints {
  return { relayHost, recipient: "someone@example.net", dsn: "5.1.1" };
}
