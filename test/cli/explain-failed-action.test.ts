import { describe, expect, it } from "vitest";
import { runCommand } from "../helpers/cli.js";
import { postfixDsn } from "../helpers/postfix-dsn.js";

/** Builds a Postfix DSN for user4@example.net with the given Action, Status and diagnostic. */
function dsn(action: string, status: string, diagnostic: string): string {
  return postfixDsn({
    subject: "Undelivered Mail Returned to Sender",
    date: "Sat, 05 Dec 2026 10:00:00 +0000",
    postfixSender: false,
    recipient: "user4@example.net",
    action,
    status,
    remoteMta: "mx.example.net",
    diagnostic,
  });
}

const FAILED_TEMPORARY: ReadonlyArray<readonly [string, string, string]> = [
  ["mailbox full", "4.2.2", "smtp; 452 4.2.2 Mailbox full"],
  [
    "Gmail rate limit",
    "4.0.0",
    "smtp; 421 4.7.28 Gmail has detected an unusual rate of unsolicited mail. a1si2 - gsmtp",
  ],
  [
    "connection timeout",
    "4.4.1",
    "X-Postfix; connect to mx.example.net[192.0.2.7]:25: Connection timed out",
  ],
];

async function explainJson(input: string): Promise<Record<string, unknown>> {
  const result = await runCommand(["explain", "--format", "json", "-"], input);
  return JSON.parse(result.stdout) as Record<string, unknown>;
}

describe("explain of a DSN with Action failed", () => {
  it.each(FAILED_TEMPORARY)("calls %s permanent", async (_name, status, diagnostic) => {
    const input = dsn("failed", status, diagnostic);
    const explained = await explainJson(input);
    expect(explained.permanent).toBe(true);

    const bounces = await runCommand(["bounces", "--format", "json", "-"], input);
    const [result] = JSON.parse(bounces.stdout) as Array<Record<string, unknown>>;
    expect(result?.permanent).toBe(explained.permanent);
  });

  it("prints an expired message", async () => {
    const result = await runCommand(
      ["explain", "-"],
      dsn("failed", "4.2.2", FAILED_TEMPORARY[0]?.[2] ?? ""),
    );
    expect(result.stdout).toContain("expired after retries");
    expect(result.stdout).not.toContain("temporary failure");
  });

  it("keeps a delayed recipient temporary", async () => {
    const explained = await explainJson(dsn("delayed", "4.2.2", "smtp; 452 4.2.2 Mailbox full"));
    expect(explained.permanent).toBe(false);
  });
});

// Delay notices whose reply has a permanent code: the sending MTA still retries them.
const DELAYED_PERMANENT: ReadonlyArray<readonly [string, string, string]> = [
  [
    "blocklist refusal",
    "5.7.1",
    "smtp; 550 5.7.1 Service unavailable; client [192.0.2.10] blocked using zen.spamhaus.org",
  ],
  ["unknown user", "5.1.1", "smtp; 550 5.1.1 <user4@example.net>: Recipient address rejected"],
  ["4.x.x status", "4.0.0", "smtp; 554 5.7.1 Rejected by policy"],
];

describe("explain of a DSN with Action delayed", () => {
  it.each(DELAYED_PERMANENT)("calls %s temporary", async (_name, status, diagnostic) => {
    const input = dsn("delayed", status, diagnostic);
    const explained = await explainJson(input);
    expect(explained.replyCode).toBeGreaterThanOrEqual(500);
    expect(explained.permanent).toBe(false);
    expect(explained.summary).toContain("The sending MTA is still retrying this recipient");

    const bounces = await runCommand(["bounces", "--format", "json", "-"], input);
    const [result] = JSON.parse(bounces.stdout) as Array<Record<string, unknown>>;
    expect(result?.action).toBe("delayed");
    expect(result?.permanent).toBe(explained.permanent);
  });

  it("prints a temporary failure", async () => {
    const result = await runCommand(
      ["explain", "-"],
      dsn("delayed", "5.7.1", DELAYED_PERMANENT[0]?.[2] ?? ""),
    );
    const header = result.stdout.split("\n")[0] ?? "";
    expect(header).toContain("temporary failure");
    expect(header).not.toContain("permanent failure");
    expect(result.stdout.replace(/\s+/g, " ")).toContain(
      "still retrying this recipient, because the bounce reports it as delayed",
    );
  });

  it("keeps a failed recipient's summary as it is", async () => {
    const explained = await explainJson(dsn("failed", "5.7.1", DELAYED_PERMANENT[0]?.[2] ?? ""));
    expect(explained.permanent).toBe(true);
    expect(explained.summary).not.toContain("still retrying");
  });

  it("reads a delay notice without a DSN part", async () => {
    const notice = [
      "From: Mail Delivery Subsystem <mailer-daemon@mail.example.com>",
      "To: sender@example.com",
      "Subject: Delivery Status Notification (Delay)",
      "",
      "THIS IS A WARNING MESSAGE ONLY.",
      "",
      "Delivery to the following recipient has been delayed:",
      "",
      "     user4@example.net",
      "",
      "Message will be retried for 2 more day(s)",
      "",
      "The error that the other server returned was: 550 5.7.1 Rejected by policy",
      "",
    ].join("\n");
    const explained = await explainJson(notice);
    expect(explained.recipients).toEqual(["user4@example.net"]);
    expect(explained.replyCode).toBe(550);
    expect(explained.permanent).toBe(false);
    expect(explained.summary).toContain("still retrying");
  });
});
