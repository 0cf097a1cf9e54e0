import { describe, expect, it } from "vitest";
import { createReplyClassifier } from "../../src/reply/classify.js";
import { runCommand } from "../helpers/cli.js";

// Microsoft's Spamhaus refusal (AS3130) in our own words. The sending server is 192.0.2.1.
const SPAMHAUS_REPLY =
  "550 5.7.1 Service unavailable, Client host [192.0.2.1] blocked using Spamhaus. To request " +
  "removal from this list see https://www.spamhaus.org/query/ip/192.0.2.1 (AS3130). " +
  "[BN1NAM02FT010.eop-nam02.prod.protection.outlook.com]";
const TENANT_MX = "example-org.mail.protection.outlook.com";
const CONSUMER_MX = "hotmail-com.olc.protection.outlook.com";

/** Returns the reply as Postfix wraps it in a delivery line, with `host` as the answering MX. */
function postfixWrapped(host: string): string {
  return `host ${host}[192.0.2.60] said: ${SPAMHAUS_REPLY} (in reply to MAIL FROM command)`;
}

describe("AS3130 from an Exchange Online tenant", () => {
  it("names Exchange Online from the wrapper's host", () => {
    const reply = createReplyClassifier().explain(postfixWrapped(TENANT_MX));
    expect(reply.ruleId).toBe("exchange-online.spamhaus");
    expect(reply.provider).toBe("exchange-online");
    expect(reply.category).toBe("blocklist");
    expect(reply.summary).toContain("Exchange Online");
    expect(reply.summary).toContain("Microsoft 365");
    expect(reply.summary).not.toContain("Outlook.com");
    expect(reply.reference).toContain("learn.microsoft.com");
    expect(reply.findings).toEqual(["ip-blocklisted"]);
  });

  it("names Exchange Online from the relay host", () => {
    const reply = createReplyClassifier().explain(SPAMHAUS_REPLY, {
      relayHost: TENANT_MX,
      recipient: "user1@example.org",
    });
    expect(reply.ruleId).toBe("exchange-online.spamhaus");
    expect(reply.provider).toBe("exchange-online");
  });

  it("keeps Outlook.com for a consumer MX", () => {
    const reply = createReplyClassifier().explain(postfixWrapped(CONSUMER_MX));
    expect(reply.ruleId).toBe("outlook.spamhaus");
    expect(reply.provider).toBe("outlook");
    expect(reply.reference).toContain("mail.live.com");
  });

  it("keeps Outlook.com without a host", () => {
    const reply = createReplyClassifier().explain(SPAMHAUS_REPLY);
    expect(reply.ruleId).toBe("outlook.spamhaus");
    expect(reply.provider).toBe("outlook");
  });

  it("prints Exchange Online in explain", async () => {
    const result = await runCommand(["explain", "-"], postfixWrapped(TENANT_MX));
    const flat = result.stdout.replace(/\s+/g, " ");
    expect(result.stdout.split("\n")[0]).toContain("Exchange Online");
    expect(flat).toContain("rule exchange-online.spamhaus");
    expect(flat).toContain("Exchange Online (the recipient's Microsoft 365 tenant) refuses the IP");
    expect(flat).not.toContain("mail.live.com");
  });
});
