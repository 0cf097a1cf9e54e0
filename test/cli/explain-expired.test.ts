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

// The text part of a Postfix non-delivery notice for a deferral that expired, without the
// notice's message/delivery-status part.
const POSTFIX_NOTICE_BODY = [
  "This is the mail system at host mx1.example.com.",
  "",
  "I'm sorry to have to inform you that your message could not",
  "be delivered to one or more recipients. It's attached below.",
  "",
  "For further assistance, please send mail to postmaster.",
  "",
  "If you do so, please include this problem report. You can",
  "delete your own text from the attached returned message.",
  "",
  "                   The mail system",
  "",
  "<dave@yahoo.com>: host mta5.am0.yahoodns.net[192.0.2.202] said: 421 4.7.0",
  "    [TSS04] Messages from 192.0.2.1 temporarily deferred due to unexpected",
  "    volume or user complaints - 4.16.55.1; see",
  "    https://postmaster.yahooinc.com/error-codes (in reply to MAIL FROM command)",
].join("\n");

describe("explain of an expired notice body", () => {
  it("says a 4xx reply expired", async () => {
    const text = await explainText(POSTFIX_NOTICE_BODY);
    const header = text.split("\n")[0] ?? "";
    expect(header).toContain("421 4.7.0");
    expect(header).toContain("expired after retries");
    expect(text).not.toContain("temporary failure");
    expect(text.replace(/\s+/g, " ")).not.toContain("let the queue retry");
  });
});

describe("explain of an Exim retry timeout", () => {
  const line =
    "2024-03-04 10:05:02 1rA002-000002-BB ** dave@yahoo.com R=dnslookup T=remote_smtp: " +
    "retry timeout exceeded";

  it("says the message expired", async () => {
    const text = await explainText(line);
    expect(text.split("\n")[0]).toContain("expired after retries");
    expect(text).not.toContain("outcome unknown");
  });

  it("promises no cause below", async () => {
    const output = await explainJson(line);
    const fix = output["fix"] as string[];
    expect(output["permanent"]).toBe(true);
    expect(fix.join(" ")).not.toContain("cause below");
    expect(fix[0]).toContain("Find the deferrals of this recipient earlier in the log");
  });
});

describe("explain of a Postfix expired line alone", () => {
  const line =
    "Mar  4 10:00:03 mx1 postfix/qmgr[102]: 1A0000000A: from=<alice@example.com>, " +
    "status=expired, returned to sender";

  it("promises no cause below", async () => {
    const output = await explainJson(line);
    const fix = output["fix"] as string[];
    expect(output["permanent"]).toBe(true);
    expect(fix.join(" ")).not.toContain("cause below");
    expect(fix[1]).toContain("Send the message again once that cause is fixed");
  });
});

describe("explain of a delay notice body", () => {
  it("keeps a 4xx reply temporary", async () => {
    const body = POSTFIX_NOTICE_BODY.replace(
      /I'm sorry[\s\S]*The mail system/,
      [
        "####################################################################",
        "# THIS IS A WARNING ONLY.  YOU DO NOT NEED TO RESEND YOUR MESSAGE. #",
        "####################################################################",
        "",
        "Your message could not be delivered for more than 4 hour(s).",
        "It will be retried until it is 5 day(s) old.",
        "",
        "                   The mail system",
      ].join("\n"),
    );
    const text = await explainText(body);
    expect(body).toContain("WARNING ONLY");
    expect(text.split("\n")[0]).not.toContain("expired after retries");
    expect(text).not.toContain("until the message expired");
  });
});
