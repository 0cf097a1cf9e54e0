import { describe, expect, it } from "vitest";
import { decodeMessage } from "../../src/bounce/decode.js";
import type { BounceResult } from "../../src/bounce/types.js";
import { createReplyClassifier } from "../../src/reply/classify.js";

// Bounces that quote a receiver's reply without an enhanced code.

async function decode(raw: string): Promise<BounceResult[]> {
  return (await decodeMessage(raw, "test.eml", createReplyClassifier())).results;
}

const EXCHANGE_NDR = [
  "From: postmaster@example.org",
  "To: user2@example.org",
  "Subject: Undeliverable: Offer",
  "Date: Sat, 5 Dec 2026 10:20:00 +0100",
  "MIME-Version: 1.0",
  'Content-Type: text/plain; charset="us-ascii"',
  "",
  "Delivery has failed to these recipients or groups:",
  "",
  "user18@example.de",
  "Your message was rejected by the recipient server.",
  "",
  "Diagnostic information for administrators:",
  "",
  "Generating server: EX02.example.org",
  "",
  "user18@example.de",
  "mx00.example.de",
  "Remote Server returned '554 IP=192.0.2.15 - A problem occurred. (Ask your postmaster for help.) (BL)'",
  "",
].join("\n");

const EXIM_BOUNCE = [
  "From: Mail Delivery System <Mailer-Daemon@mail.example.com>",
  "To: user2@example.com",
  "Subject: Mail delivery failed: returning message to sender",
  "Date: Sat, 5 Dec 2026 10:20:00 +0000",
  "",
  "This message was created automatically by mail delivery software.",
  "",
  "A message that you sent could not be delivered to one or more of its",
  "recipients. This is a permanent error. The following address(es) failed:",
  "",
  "  user16@example.net",
  "    host mx.example.net [192.0.2.210]",
  "    SMTP error from remote mail server after pipelined MAIL FROM:<user2@example.com> SIZE=1893:",
  "    554 Your IP 192.0.2.10 is listed at bl.example.org",
  "",
].join("\n");

describe("reply codes quoted by bounces", () => {
  it("reads the code of an Exchange NDR", async () => {
    const [result] = await decode(EXCHANGE_NDR);
    expect(result?.recipient).toBe("user18@example.de");
    expect(result?.replyCode).toBe(554);
    expect(result?.permanent).toBe(true);
    expect(result?.ruleId).not.toBe("generic.unknown");
  });

  it("reads the code of an Exim bounce after SIZE", async () => {
    const [result] = await decode(EXIM_BOUNCE);
    expect(result?.recipient).toBe("user16@example.net");
    expect(result?.replyCode).toBe(554);
    expect(result?.permanent).toBe(true);
    expect(result?.category).toBe("blocklist");
  });
});
