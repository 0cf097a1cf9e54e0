import { describe, expect, it } from "vitest";
import { isBlockSignal } from "../../src/analysis/replies.js";
import { inboundMxProvider } from "../../src/knowledge/providers.js";
import { createReplyClassifier } from "../../src/reply/classify.js";

// Our own texts in the form Microsoft's servers write 5.7.705, 5.7.708 and 5.7.750.
const REPLY_708 =
  "550 5.7.708 Service unavailable. Access denied, traffic not accepted from this IP. For more information please go to http://go.microsoft.com/fwlink/?LinkId=526653 AS(7230) [AM0PEPF00000001.eurprd01.prod.outlook.com 2026-03-12T08:00:02.000Z 08DE0000ABCD0001]";
const REPLY_705 =
  "550 5.7.705 Access denied, tenant has exceeded threshold. For more information please go to http://go.microsoft.com/fwlink/?LinkId=526653";
const REPLY_750 =
  "550 5.7.750 Service unavailable. Client blocked from sending from unregistered domains. For more information please go to http://go.microsoft.com/fwlink/?LinkId=526653";

const CONSUMER_MX = "hotmail-com.olc.protection.outlook.com";
const TENANT_MX = "example-com.mail.protection.outlook.com";

/** The reply as a Postfix delivery line logs it, with the MX in `relay=` and in the wrapper. */
function postfixLine(host: string, recipient: string, reply: string): string {
  return `Mar 12 08:00:02 mx1 postfix/smtp[3435]: 00001A34A1: to=<${recipient}>, relay=${host}[192.0.2.211]:25, delay=1.1, delays=0.1/0/0.5/0.5, dsn=5.7.708, status=bounced (host ${host}[192.0.2.211] said: ${reply} (in reply to MAIL FROM command))`;
}

describe("Microsoft inbound MX hosts", () => {
  it.each([
    [CONSUMER_MX, "outlook"],
    ["eur.olc.protection.outlook.com.", "outlook"],
    [TENANT_MX, "exchange-online"],
    ["example-com.mail.eo.outlook.com", "exchange-online"],
    ["example-com.o-v1.mx.microsoft", "exchange-online"],
  ])("%s is an inbound MX of %s", (host, provider) => {
    expect(inboundMxProvider(host)).toBe(provider);
  });

  it.each(["smtp.office365.com", "smtp-mail.outlook.com", "mx.example.net", "outlook.com"])(
    "%s is no inbound MX",
    (host) => {
      expect(inboundMxProvider(host)).toBeNull();
    },
  );
});

describe("5.7.708 from Outlook.com's MX", () => {
  it("reads the Postfix line as a block of the IP", () => {
    const classifier = createReplyClassifier();
    const reply = classifier.explain(postfixLine(CONSUMER_MX, "o145@outlook.com", REPLY_708));
    expect(reply.ruleId).toBe("outlook.ip-not-accepted");
    expect(reply.provider).toBe("outlook");
    expect(reply.category).toBe("reputation");
    expect(reply.findings).toEqual(["ip-blocklisted"]);
    expect(reply.permanent).toBe(true);
    expect(isBlockSignal(reply)).toBe(true);
  });

  it("gives Outlook.com's delisting advice", () => {
    const reply = createReplyClassifier().explain(REPLY_708, { relayHost: CONSUMER_MX });
    expect(reply.fix.join(" ")).toContain("Outlook.com sender support form");
    expect(reply.fix.join(" ")).toContain("SNDS");
    expect(reply.fix.join(" ")).not.toContain("Microsoft 365");
  });

  it("takes the MX from the relay host hint", () => {
    const reply = createReplyClassifier().explain(REPLY_708, {
      relayHost: CONSUMER_MX,
      recipient: "o145@outlook.com",
      dsn: "5.7.708",
    });
    expect(reply.ruleId).toBe("outlook.ip-not-accepted");
    expect(reply.provider).toBe("outlook");
  });

  it("takes the MX from a DSN's Remote-MTA", () => {
    const dsn = [
      "Final-Recipient: rfc822; o145@outlook.com",
      "Action: failed",
      "Status: 5.7.708",
      `Remote-MTA: dns; ${CONSUMER_MX}`,
      `Diagnostic-Code: smtp; ${REPLY_708}`,
    ].join("\n");
    const reply = createReplyClassifier().explain(dsn);
    expect(reply.remoteHost).toBe(CONSUMER_MX);
    expect(reply.ruleId).toBe("outlook.ip-not-accepted");
  });

  it("matches 5.7.708 under another reply code", () => {
    const text =
      "554 5.7.708 Service unavailable. Access denied, traffic not accepted from this IP.";
    const reply = createReplyClassifier().explain(text, { relayHost: CONSUMER_MX });
    expect(reply.ruleId).toBe("outlook.ip-not-accepted");
    expect(reply.permanent).toBe(true);
  });

  it("matches the wording without an enhanced code", () => {
    const text = "550 Service unavailable. Access denied, traffic not accepted from this IP.";
    const reply = createReplyClassifier().explain(text, { relayHost: CONSUMER_MX });
    expect(reply.ruleId).toBe("outlook.ip-not-accepted");
  });
});

describe("5.7.708 from a tenant's MX", () => {
  it("reads the Postfix line as a block of the IP", () => {
    const classifier = createReplyClassifier();
    const reply = classifier.explain(postfixLine(TENANT_MX, "sales@example.com", REPLY_708));
    expect(reply.ruleId).toBe("exchange-online.ip-not-accepted");
    expect(reply.provider).toBe("exchange-online");
    expect(reply.category).toBe("reputation");
    expect(isBlockSignal(reply)).toBe(true);
  });

  it("gives the delisting portal", () => {
    const reply = createReplyClassifier().explain(REPLY_708, { relayHost: TENANT_MX });
    expect(reply.fix[0]).toContain("https://sender.office.com");
  });
});

describe("5.7.708 without an inbound MX", () => {
  it("reads the bare reply as the tenant's", () => {
    const reply = createReplyClassifier().explain(REPLY_708);
    expect(reply.ruleId).toBe("exchange-online.outbound-ip-not-accepted");
    expect(reply.category).toBe("sender-account");
    expect(isBlockSignal(reply)).toBe(false);
  });

  it("tells a direct sender that it blocks the IP", () => {
    const reply = createReplyClassifier().explain(REPLY_708);
    expect(reply.summary).toContain("as a block of its own IP");
    const directStep = reply.fix.find((step) => step.includes("delivered straight to"));
    expect(directStep).toContain("https://olcsupport.office.com/");
    expect(directStep).toContain("SNDS");
  });

  it("keeps the tenant reading behind a relay host", () => {
    const reply = createReplyClassifier().explain(
      postfixLine("smtp.relay.example.net", "o145@outlook.com", REPLY_708),
      { relayHost: "smtp.relay.example.net" },
    );
    expect(reply.ruleId).not.toBe("outlook.ip-not-accepted");
    expect(isBlockSignal(reply)).toBe(false);
  });
});

describe("one classifier for all hosts", () => {
  // The memo reuses a reply's reading from its second occurrence on, keyed by the text and by
  // the hints. Both hosts are Exchange Online's, so only the host's role marks them apart.
  it("reads the same text apart by host", () => {
    const classifier = createReplyClassifier();
    const hosts = [TENANT_MX, TENANT_MX, TENANT_MX, "smtp.office365.com", "smtp.office365.com"];
    const rules = hosts.map((relayHost) => classifier.explain(REPLY_708, { relayHost }).ruleId);
    expect(rules).toEqual([
      "exchange-online.ip-not-accepted",
      "exchange-online.ip-not-accepted",
      "exchange-online.ip-not-accepted",
      "exchange-online.tenant-relay-blocked",
      "exchange-online.tenant-relay-blocked",
    ]);
  });
});

describe("5.7.705 and 5.7.750 from an inbound MX", () => {
  it.each([
    ["5.7.705", REPLY_705],
    ["5.7.750", REPLY_750],
  ])("%s keeps the tenant reading", (_code, text) => {
    for (const relayHost of [CONSUMER_MX, TENANT_MX]) {
      const reply = createReplyClassifier().explain(text, { relayHost });
      expect(reply.ruleId).toBe("exchange-online.outbound-restriction");
      expect(isBlockSignal(reply)).toBe(false);
    }
  });
});

describe("Microsoft rate limit wording", () => {
  const classifier = createReplyClassifier();

  it("names no Outlook.com for a tenant", () => {
    const reply = classifier.explain(
      postfixLine(
        TENANT_MX,
        "someone@example.com",
        "451 4.7.650 The mail server [203.0.113.8] has been temporarily rate limited due to IP reputation. (S775)",
      ),
    );
    expect(reply.ruleId).toBe("outlook.ip-reputation-rate-limit");
    expect(reply.summary).not.toContain("Outlook.com");
    expect(reply.summary).toContain("Microsoft");
  });
});
