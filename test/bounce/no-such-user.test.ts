import { describe, expect, it } from "vitest";
import { decodeMessage } from "../../src/bounce/decode.js";
import type { BounceResult } from "../../src/bounce/types.js";
import { createReplyClassifier } from "../../src/reply/classify.js";
import { message } from "./fixtures.js";
import * as mta from "./mta-fixtures.js";

async function decodeOne(raw: string): Promise<BounceResult | undefined> {
  return (await decodeMessage(raw, "test.eml", createReplyClassifier())).results[0];
}

// Pairs of DSN Status and reply for a "No such user!" refusal.
const NO_SUCH_USER: ReadonlyArray<readonly [string, string]> = [
  ["5.1.1", "550 5.1.1 <user26@example.net>: No such user!"],
  ["5.0.0", "550 5.1.1 <user26@example.net>: No such user!"],
  ["5.0.0", "550 <user26@example.net>: No such user!"],
  ["5.0.0", "550 No such user!"],
  ["5.7.1", "550 5.7.1 No such user!"],
];

/** Returns a Postfix text bounce without a DSN part, for a reply after the end of DATA. */
function postfixAfterData(reply: string): string {
  return message(
    "From: MAILER-DAEMON@mx.example.com (Mail Delivery System)",
    "To: sender@example.com",
    "Subject: Undelivered Mail Returned to Sender",
    "",
    "This is the mail system at host mx.example.com.",
    "",
    `<user27@example.net>: host mx.example.net[192.0.2.10] said: ${reply} (in reply to`,
    "    end of DATA command)",
  );
}

describe("bounce reason of No such user!", () => {
  it.each(NO_SUCH_USER)("reads Status %s, reply %s", async (status, reply) => {
    const result = await decodeOne(mta.plainDsn(reply, status));
    expect(result?.reason).toBe("userunknown");
    expect(result?.category).toBe("recipient");
    expect(result?.hardBounce).toBe(true);
  });

  it("keeps userunknown after end of DATA", async () => {
    const result = await decodeOne(postfixAfterData("550 No such user!"));
    expect(result?.recipient).toBe("user27@example.net");
    expect(result?.reason).toBe("userunknown");
    expect(result?.category).toBe("recipient");
  });

  it("leaves a filter's No such user filtered", async () => {
    const result = await decodeOne(postfixAfterData("550 user27@example.net... No such user"));
    expect(result?.reason).toBe("filtered");
  });
});
