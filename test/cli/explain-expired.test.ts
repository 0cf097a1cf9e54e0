import { describe, expect, it } from "vitest";
import { runCommand } from "../helpers/cli.js";
import { postfixDsn } from "../helpers/postfix-dsn.js";
import { schemaValidator } from "../helpers/schema.js";

// Bounces of messages that expired in the queue: the receiver's last reply was temporary, and
// the sending MTA gave up after retrying it (Action failed, a 4.x.x Status). The sending server
// is 192.0.2.1 and the receivers are 192.0.2.200 to 192.0.2.202.
const YAHOO_DEFERRAL =
  "smtp; 421 4.7.0 [TSS04] Messages from 192.0.2.1 temporarily deferred due to unexpected " +
  "volume or user complaints - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes";
const GMAIL_RATE_LIMIT =
  "smtp; 421-4.7.28 [192.0.2.1 15] Gmail has detected an unusual rate of unsolicited mail " +
  "originating from your IP address. 421 4.7.28 x1si2 - gsmtp";

/** Builds a Postfix DSN for `recipient` with Action failed and the given Status. */
function expiredDsn(recipient: string, status: string, diagnostic: string): string {
  return postfixDsn({
    subject: "Undelivered Mail Returned to Sender",
    date: "Wed, 04 Mar 2026 10:00:00 +0000",
    postfixSender: false,
    recipient,
    action: "failed",
    status,
    remoteMta: "mta5.am0.yahoodns.net",
    diagnostic,
  });
}

async function explainText(input: string): Promise<string> {
  return (await runCommand(["explain", "-"], input)).stdout;
}

async function explainJson(input: string): Promise<Record<string, unknown>> {
  const result = await runCommand(["explain", "--format", "json", "-"], input);
  return JSON.parse(result.stdout) as Record<string, unknown>;
}

describe("explain of an expired message", () => {
  it("says the message expired", async () => {
    const text = await explainText(expiredDsn("dave@yahoo.com", "4.7.0", YAHOO_DEFERRAL));
    const header = text.split("\n")[0] ?? "";
    expect(header).toContain("421 4.7.0");
    expect(header).toContain("Yahoo/AOL");
    expect(header).toContain("expired after retries");
    expect(text).not.toContain("permanent failure");
    expect(text.replace(/\s+/g, " ")).toContain("until the message expired in its queue");
  });

  it("drops the advice to let the queue retry", async () => {
    const text = await explainText(expiredDsn("dave@yahoo.com", "4.7.0", YAHOO_DEFERRAL));
    const flat = text.replace(/\s+/g, " ");
    expect(flat).not.toContain("let the queue retry");
    expect(flat).toContain("1. Send the message again once the cause below is fixed");
    expect(flat).toContain("2. Lower the sending rate to Yahoo.");
    expect(flat).toContain("Clean the lists");
  });

  it("drops Gmail's advice against a resend", async () => {
    const output = await explainJson(expiredDsn("erin@gmail.com", "4.7.28", GMAIL_RATE_LIMIT));
    expect(output["ruleId"]).toBe("gmail.ip-rate-limit");
    const fix = output["fix"] as string[];
    expect(fix[0]).toMatch(/^Send the message again/);
    expect(fix.join(" ")).not.toContain("queue retry");
    expect(fix.join(" ")).not.toContain("do not resend");
  });

  it("keeps permanent true in JSON", async () => {
    const output = await explainJson(expiredDsn("dave@yahoo.com", "4.7.0", YAHOO_DEFERRAL));
    expect(output["permanent"]).toBe(true);
    expect(output["replyCode"]).toBe(421);
    expect(schemaValidator("explain.schema.json")(output)).toEqual([]);
  });

  it("keeps a permanent reply as it is", async () => {
    const reply = "smtp; 550 5.1.1 <user4@example.net>: Recipient address rejected";
    const text = await explainText(expiredDsn("user4@example.net", "5.1.1", reply));
    expect(text.split("\n")[0]).toContain("permanent failure");
    expect(text).not.toContain("expired");
  });
});

describe("explain of a status=expired line", () => {
  const line =
    "Mar  6 10:05:02 mx1 postfix/smtp[103]: 1B0000000B: to=<dave@yahoo.com>, " +
    "relay=mta5.am0.yahoodns.net[192.0.2.202]:25, delay=432000, dsn=4.7.0, status=expired, " +
    "returned to sender (host mta5.am0.yahoodns.net[192.0.2.202] said: 421 4.7.0 [TSS04] " +
    "Messages from 192.0.2.1 temporarily deferred due to unexpected volume or user " +
    "complaints (in reply to MAIL FROM command))";

  it("says the message expired", async () => {
    const text = await explainText(line);
    expect(text.split("\n")[0]).toContain("expired after retries");
    expect(text).not.toContain("let the queue retry");
  });

  it("keeps a deferred line temporary", async () => {
    const text = await explainText(
      line.replace("status=expired, returned to sender", "status=deferred"),
    );
    expect(text.split("\n")[0]).toContain("temporary failure");
    expect(text).toContain("let the queue retry");
  });
});

describe("bounces of an expired message", () => {
  it("marks the recipient expired", async () => {
    const input = expiredDsn("dave@yahoo.com", "4.7.0", YAHOO_DEFERRAL);
    const result = await runCommand(["bounces", "-"], input);
    const line = result.stdout.split("\n").find((row) => row.startsWith("dave@yahoo.com")) ?? "";
    expect(line).toContain("421 4.7.0");
    expect(line).toContain("expired: resend when deferrals stop");
    expect(line.length).toBeLessThanOrEqual(80);
  });

  it("marks no permanent reply expired", async () => {
    const reply = "smtp; 550 5.1.1 <user4@example.net>: Recipient address rejected";
    const result = await runCommand(
      ["bounces", "-"],
      expiredDsn("user4@example.net", "5.1.1", reply),
    );
    expect(result.stdout).toContain("hard: remove the address");
    expect(result.stdout).not.toContain("expired");
  });
});
