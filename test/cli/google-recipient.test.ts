import { describe, expect, it } from "vitest";
import { runCommand } from "../helpers/cli.js";
import { postfixDsn } from "../helpers/postfix-dsn.js";

const GMAIL_REPLY =
  "550-5.7.1 [192.0.2.10 12] Gmail has detected that this message is likely unsolicited " +
  "mail. To reduce the amount of spam sent to Gmail, this message has been blocked. For more " +
  "information, go to https://support.google.com/mail/?p=UnsolicitedMessageError " +
  "a1si2.1 - gsmtp";

/** Returns a Postfix DSN for `recipient`, with a Remote-MTA field only when `remoteMta` is set. */
function dsn(recipient: string, remoteMta: string | null): string {
  return postfixDsn({
    subject: "Undelivered Mail Returned to Sender",
    date: "Sat, 05 Dec 2026 10:00:00 +0000",
    postfixSender: false,
    recipient,
    action: "failed",
    status: "5.7.1",
    remoteMta,
    diagnostic: `smtp; ${GMAIL_REPLY}`,
  });
}

// Recipient, Remote-MTA (null for none) and the provider that the recipient's domain implies.
const CASES: ReadonlyArray<readonly [string, string | null, string]> = [
  ["user1@gmail.com", "gmail-smtp-in.l.google.com", "gmail"],
  ["user1@gmail.com", "aspmx.l.google.com", "gmail"],
  ["user1@gmail.com", null, "gmail"],
  ["user1@googlemail.com", null, "gmail"],
  ["user3@example.com", "aspmx.l.google.com", "google-workspace"],
  ["user3@example.com", "gmail-smtp-in.l.google.com", "google-workspace"],
  ["user3@example.com", null, "google-workspace"],
];

describe("Gmail or Workspace by recipient", () => {
  it.each(CASES)("explain - for %s via %s", async (recipient, remoteMta, provider) => {
    const result = await runCommand(
      ["explain", "--format", "json", "-"],
      dsn(recipient, remoteMta),
    );
    const explained = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(explained.recipients).toEqual([recipient]);
    expect(explained.ruleId).toBe("gmail.likely-unsolicited");
    expect(explained.provider).toBe(provider);
  });

  it.each(CASES)("bounces for %s via %s", async (recipient, remoteMta, provider) => {
    const result = await runCommand(
      ["bounces", "--format", "json", "-"],
      dsn(recipient, remoteMta),
    );
    const [bounce] = JSON.parse(result.stdout) as Array<Record<string, unknown>>;
    expect(bounce?.recipient).toBe(recipient);
    expect(bounce?.ruleId).toBe("gmail.likely-unsolicited");
    expect(bounce?.provider).toBe(provider);
  });

  it("explain of a Postfix line naming the recipient", async () => {
    const line =
      "to=<user3@example.com>, relay=192.0.2.201[192.0.2.201]:25, dsn=5.7.1, " +
      `status=bounced (host 192.0.2.201[192.0.2.201] said: ${GMAIL_REPLY} (in reply to end ` +
      "of DATA command))";
    const result = await runCommand(["explain", "--format", "json", line]);
    const explained = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(explained.ruleId).toBe("gmail.likely-unsolicited");
    expect(explained.provider).toBe("google-workspace");
  });
});
