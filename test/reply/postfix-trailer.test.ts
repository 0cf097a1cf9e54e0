import { describe, expect, it } from "vitest";
import { createReplyClassifier } from "../../src/reply/classify.js";
import { parseReply } from "../../src/reply/parse.js";

// The part of a Postfix bounce line after "said:", as people paste it from the log.
const OUTLOOK_PASTE =
  "550 5.7.1 Unfortunately, messages from [203.0.113.10] weren't sent. Please contact your " +
  "Internet service provider since part of their network is on our block list (S3150). " +
  "You can also refer your provider to http://mail.live.com/mail/troubleshooting.aspx#errors. " +
  "[DB5EUR03FT012.eop-EUR03.prod.protection.outlook.com 2026-03-06T03:00:00.000Z 08DC3B1F] " +
  "(in reply to end of DATA command))";

describe("parseReply Postfix trailer without said:", () => {
  it("takes off the trailer", () => {
    const reply = parseReply(OUTLOOK_PASTE);
    expect(reply.replyCode).toBe(550);
    expect(reply.enhancedStatus).toBe("5.7.1");
    expect(reply.text).not.toContain("in reply to");
    expect(reply.text.endsWith("2026-03-06T03:00:00.000Z 08DC3B1F]")).toBe(true);
  });

  it("keeps the stage it names", () => {
    expect(parseReply(OUTLOOK_PASTE).stage).toBe("end-of-data");
    const rcpt = parseReply("550 5.1.1 No such user here (in reply to RCPT TO command)");
    expect(rcpt.stage).toBe("rcpt");
    expect(rcpt.text).toBe("No such user here");
  });

  it("reads a trailer split over lines", () => {
    const reply = parseReply(
      "550 5.1.1 <someone@example.com>: Recipient address rejected: User unknown (in reply\n" +
        "    to RCPT TO command)",
    );
    expect(reply.stage).toBe("rcpt");
    expect(reply.text).toBe("<someone@example.com>: Recipient address rejected: User unknown");
  });

  it("keeps a bracket that belongs to the reply", () => {
    const reply = parseReply("550 5.7.1 Rejected (policy) (in reply to MAIL FROM command)");
    expect(reply.text).toBe("Rejected (policy)");
    expect(reply.stage).toBe("mail");
  });

  it("leaves a trailer inside the text", () => {
    const reply = parseReply("550 5.7.1 Rejected (in reply to RCPT TO command) by policy");
    expect(reply.text).toBe("Rejected (in reply to RCPT TO command) by policy");
    expect(reply.stage).toBeNull();
  });

  it("explains a pasted reply without it", () => {
    const explained = createReplyClassifier().explain(OUTLOOK_PASTE);
    expect(explained.ruleId).toBe("outlook.range-blocklist");
    expect(explained.stage).toBe("end-of-data");
    expect(explained.text).not.toContain("(in reply to");
    expect(explained.text).not.toMatch(/\)\)$/);
  });
});
