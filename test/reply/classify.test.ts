import { describe, expect, it } from "vitest";
import { createReplyClassifier } from "../../src/reply/classify.js";
import { normaliseReply } from "../../src/reply/normalise.js";

function gmailRateLimit(relayIp: string, judgedIp: string, sessionId: string): string {
  return (
    `host gmail-smtp-in.l.google.com[${relayIp}] said: 421-4.7.28 [${judgedIp}      15] Gmail has ` +
    "detected an unusual rate of unsolicited mail originating 421-4.7.28 from your IP address. " +
    `421 4.7.28 Guidelines. ${sessionId} - gsmtp (in reply to end of DATA command)`
  );
}

describe("normaliseReply", () => {
  it("cuts out IPs, addresses and session ids", () => {
    const { key, values } = normaliseReply(
      gmailRateLimit("192.0.2.27", "203.0.113.8", "a1b2c3d4e5-f6si123456.340"),
    );
    expect(values).toEqual(["192.0.2.27", "203.0.113.8", "a1b2c3d4e5-f6si123456.340"]);
    expect(key).toContain("421-4.7.28");
    expect(key).not.toContain("203.0.113.8");
  });

  it("keeps codes and provider tokens in the key", () => {
    const { values } = normaliseReply(
      "550 5.7.1 (S3150) BL000001 OFR006_102 (AS16012609) 4.7.650 user1@example.com",
    );
    expect(values).toEqual(["user1@example.com"]);
  });

  it("separates tokens at escaped line breaks", () => {
    const { values } = normaliseReply("unsolicited\\n421-4.7.28 from 203.0.113.9");
    expect(values).toEqual(["203.0.113.9"]);
  });

  it("keeps stable host names but not per-message ones", () => {
    const { values } = normaliseReply("alt1.gmail-smtp-in.l.google.com mta4221.mail.gq1.yahoo.com");
    expect(values).toEqual(["mta4221.mail.gq1.yahoo.com"]);
  });
});

describe("createReplyClassifier memo", () => {
  const hints = { relayHost: "gmail-smtp-in.l.google.com", recipient: "user1@gmail.com" };

  it("gives memo hits the values of their own reply", () => {
    const classifier = createReplyClassifier();
    const first = classifier.explain(gmailRateLimit("192.0.2.27", "203.0.113.8", "a1si1.1"), hints);
    const second = classifier.explain(
      gmailRateLimit("192.0.2.28", "203.0.113.9", "b2si2.2"),
      hints,
    );
    expect(first.judgedIp).toBe("203.0.113.8");
    expect(second.judgedIp).toBe("203.0.113.9");
    expect(second.remoteIp).toBe("192.0.2.28");
    expect(second.text).toContain("[203.0.113.9 15]");
    expect(second.ruleId).toBe(first.ruleId);
  });

  it("matches a classifier without memo hits on many varied replies", () => {
    const memoised = createReplyClassifier();
    for (let index = 0; index < 50; index++) {
      const text = gmailRateLimit(
        `192.0.2.${index}`,
        `203.0.113.${200 - index}`,
        `id${index}x${index * 7}.${index}`,
      );
      const fresh = createReplyClassifier().explain(text, hints);
      expect(memoised.explain(text, hints)).toEqual(fresh);
    }
  });

  it("tells Gmail from Workspace although the recipient is cut out of the key", () => {
    const classifier = createReplyClassifier();
    const text = (recipient: string): string =>
      `to=<${recipient}>, relay=gmail-smtp-in.l.google.com[192.0.2.27]:25, status=deferred (${gmailRateLimit("192.0.2.27", "203.0.113.8", "a1si1.1")})`;
    expect(classifier.explain(text("user1@gmail.com")).provider).toBe("gmail");
    expect(classifier.explain(text("user2@example.com")).provider).toBe("google-workspace");
    expect(classifier.explain(text("user3@gmail.com")).provider).toBe("gmail");
  });

  it("tells Gmail from Workspace by the recipient hint alone", () => {
    const classifier = createReplyClassifier();
    const text =
      "550 5.7.1 Gmail has detected that this message is likely unsolicited. a1si1.1 - gsmtp";
    expect(classifier.explain(text, { recipient: "user2@example.com" }).provider).toBe(
      "google-workspace",
    );
    expect(classifier.explain(text, { recipient: "user1@gmail.com" }).provider).toBe("gmail");
    expect(classifier.explain(text, { recipient: "user3@example.net" }).provider).toBe(
      "google-workspace",
    );
    // Without a recipient, Gmail is the default.
    expect(classifier.explain(text).provider).toBe("gmail");
  });

  it("keeps the hints apart in the memo", () => {
    const classifier = createReplyClassifier();
    const text = "550 5.5.0 Requested action not taken: mailbox unavailable";
    expect(classifier.explain(text).ruleId).toBe("generic.mailbox-unavailable");
    expect(
      classifier.explain(text, { relayHost: "live-com.olc.protection.outlook.com" }).ruleId,
    ).toBe("outlook.mailbox-unavailable");
  });

  it("stays correct when the memo is full", () => {
    const classifier = createReplyClassifier({ memoEntries: 2 });
    const texts = [
      "550 5.1.1 unknown user",
      "452 4.2.2 mailbox full",
      "530 5.7.0 Must issue a STARTTLS command first",
    ];
    for (let round = 0; round < 3; round++) {
      for (const text of texts)
        expect(classifier.explain(text)).toEqual(createReplyClassifier().explain(text));
    }
  });

  it("returns frozen fix lists", () => {
    const reply = createReplyClassifier().explain("550 5.1.1 unknown user");
    expect(Object.isFrozen(reply.fix)).toBe(true);
  });
});

describe("createReplyClassifier providers", () => {
  const classifier = createReplyClassifier();

  it("names Exchange Online for a tenant MX", () => {
    const reply = classifier.explain("550 5.7.1 Delivery not authorized, message refused", {
      relayHost: "example-com.mail.protection.outlook.com",
    });
    expect(reply.provider).toBe("exchange-online");
    expect(reply.ruleId).toBe("exchange-online.not-authorized");
  });

  it("names the relay that wrote a reply next to another provider's host", () => {
    const reply = classifier.explain(
      "550 5.7.1 [CSR] Our system has detected an unusual amount of unsolicited email",
      {
        relayHost: "gmail-smtp-in.l.google.com",
        recipient: "user1@gmail.com",
      },
    );
    expect(reply.provider).toBe("mailchannels");
  });

  it("returns null for an unknown receiver", () => {
    const reply = classifier.explain("550 5.7.1 rejected", { relayHost: "mx.example.net" });
    expect(reply.provider).toBeNull();
    expect(reply.ruleId).toBe("generic.policy");
    expect(reply.permanent).toBe(true);
  });

  it("passes the dsn and stage hints to the parser", () => {
    const reply = classifier.explain("550 unknown user", { dsn: "5.1.1", stage: "rcpt" });
    expect(reply.enhancedStatus).toBe("5.1.1");
    expect(reply.stage).toBe("rcpt");
  });
});
