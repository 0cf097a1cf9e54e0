import { describe, expect, it } from "vitest";
import { isBlockSignal } from "../../src/analysis/replies.js";
import { inboundMxProvider, submissionHostProvider } from "../../src/knowledge/providers.js";
import { ruleById } from "../../src/knowledge/rules/index.js";
import { createReplyClassifier } from "../../src/reply/classify.js";

const HELP_LINK = "For more information please go to http://go.microsoft.com/fwlink/?LinkId=526653";

// Our own texts in the form Microsoft 365's submission host writes its tenant replies.
const TENANT_REPLIES: ReadonlyArray<readonly [string, string]> = [
  ["5.7.501", "550 5.7.501 Service unavailable. Spam abuse detected from IP range."],
  ["5.7.502", "550 5.7.502 Service unavailable. Spam abuse detected from IP range."],
  ["5.7.503", "550 5.7.503 Service unavailable. Spam abuse detected from IP range."],
  ["5.7.705", "550 5.7.705 Access denied, tenant has exceeded threshold."],
  ["5.7.708", "550 5.7.708 Service unavailable. Access denied, traffic not accepted from this IP."],
  [
    "5.7.750",
    "550 5.7.750 Service unavailable. Client blocked from sending from unregistered domains.",
  ],
  ["5.1.8", "550 5.1.8 Access denied, bad outbound sender."],
];

const SUBMISSION_HOST = "smtp.office365.com";

/** Returns the Postfix line of a delivery through the submission host, port 587, that got `reply`. */
function postfixLine(reply: string, dsn: string): string {
  return `Mar 11 09:00:02 mx1 postfix/smtp[3435]: 00001A34A1: to=<a@example.net>, relay=${SUBMISSION_HOST}[198.51.100.90]:587, delay=1.1, delays=0.1/0/0.5/0.5, dsn=${dsn}, status=bounced (host ${SUBMISSION_HOST}[198.51.100.90] said: ${reply} (in reply to MAIL FROM command))`;
}

describe("Microsoft submission hosts", () => {
  it.each(["smtp.office365.com", "SMTP.Office365.com."])("%s is one", (host) => {
    expect(submissionHostProvider(host)).toBe("exchange-online");
  });

  it.each([
    "example-com.mail.protection.outlook.com",
    "hotmail-com.olc.protection.outlook.com",
    "smtp.office365.com.example.net",
    "mx.example.net",
  ])("%s is none", (host) => {
    expect(submissionHostProvider(host)).toBeNull();
  });

  it("is no inbound MX", () => {
    expect(inboundMxProvider(SUBMISSION_HOST)).toBeNull();
  });
});

describe("tenant codes from smtp.office365.com", () => {
  it.each(TENANT_REPLIES)("%s is a block of the tenant's relay", (_code, text) => {
    const reply = createReplyClassifier().explain(text, { relayHost: SUBMISSION_HOST });
    expect(reply.ruleId).toBe("exchange-online.tenant-relay-blocked");
    expect(reply.provider).toBe("exchange-online");
    expect(reply.category).toBe("sender-account");
    expect(isBlockSignal(reply)).toBe(true);
  });

  it.each(TENANT_REPLIES)("%s in a Postfix line names the host itself", (code, text) => {
    const reply = createReplyClassifier().explain(postfixLine(text, code));
    expect(reply.ruleId).toBe("exchange-online.tenant-relay-blocked");
    expect(reply.remoteHost).toBe(SUBMISSION_HOST);
  });

  it("gives the tenant fix without the direct-MX branch", () => {
    const [, text] = TENANT_REPLIES[4] ?? ["", ""];
    const reply = createReplyClassifier().explain(postfixLine(text, "5.7.708"));
    const steps = reply.fix.join(" ");
    expect(steps).not.toContain("protection.outlook.com");
    expect(steps).not.toContain("olcsupport.office.com");
    expect(steps).not.toContain("sender.office.com");
    expect(steps).toContain("compromised account");
    expect(steps).toContain("accepted domain");
    expect(steps).toContain("Microsoft support");
    expect(steps).toContain("admin center");
  });

  it("offers no removal request", () => {
    expect(ruleById("exchange-online.tenant-relay-blocked")?.removal).toBe(false);
  });

  it("skips other relay hosts", () => {
    const [, text] = TENANT_REPLIES[3] ?? ["", ""];
    const reply = createReplyClassifier().explain(text, {
      relayHost: "smtp.relay.example.net",
    });
    expect(reply.ruleId).not.toBe("exchange-online.tenant-relay-blocked");
  });

  it("keeps the tenant reading with no host", () => {
    const [, text] = TENANT_REPLIES[4] ?? ["", ""];
    // Without a host, only Microsoft's help link ties the reply to Exchange Online.
    const reply = createReplyClassifier().explain(`${text} ${HELP_LINK}`);
    expect(reply.ruleId).toBe("exchange-online.outbound-ip-not-accepted");
    expect(isBlockSignal(reply)).toBe(false);
  });
});
