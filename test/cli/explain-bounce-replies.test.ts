import { describe, expect, it } from "vitest";
import { runCommand } from "../helpers/cli.js";
import { schemaValidator } from "../helpers/schema.js";

// A Postfix bounce with four failed recipients: Gmail rejects one after DATA, Outlook.com
// rejects the sender's IP, and two addresses at one receiver do not exist.
const BOUNCE = [
  "From: MAILER-DAEMON@mail.example.com (Mail Delivery System)",
  "To: user2@example.com",
  "Subject: Undelivered Mail Returned to Sender",
  "Date: Sat, 5 Dec 2026 10:00:00 +0000",
  "MIME-Version: 1.0",
  'Content-Type: multipart/report; report-type=delivery-status; boundary="b1"',
  "",
  "--b1",
  "Content-Type: text/plain; charset=us-ascii",
  "",
  "This is the mail system at host mail.example.com.",
  "",
  "<user1@gmail.com>: host gmail-smtp-in.l.google.com[192.0.2.201] said:",
  "    550-5.7.26 This mail has been blocked because the sender is",
  "    unauthenticated. 550-5.7.26 Gmail requires all senders to authenticate",
  "    with either SPF or DKIM. 550 5.7.26 a1-20020a17090.1 - gsmtp (in reply to",
  "    end of DATA command)",
  "",
  "<user3@hotmail.com>: host hotmail-com.olc.protection.outlook.com[192.0.2.202]",
  "    said: 550 5.7.1 Unfortunately, messages from [192.0.2.10] weren't sent.",
  "    Please contact your Internet service provider since part of their network",
  "    is on our block list (S3140). (in reply to MAIL FROM command)",
  "",
  "<user4@example.net>: host mx.example.net[192.0.2.210] said: 550 5.1.1 User",
  "    unknown (in reply to RCPT TO command)",
  "",
  "<user5@example.net>: host mx.example.net[192.0.2.210] said: 550 5.1.1 User",
  "    unknown (in reply to RCPT TO command)",
  "",
  "--b1",
  "Content-Type: message/delivery-status",
  "",
  "Reporting-MTA: dns; mail.example.com",
  "",
  "Final-Recipient: rfc822; user1@gmail.com",
  "Action: failed",
  "Status: 5.7.26",
  "Remote-MTA: dns; gmail-smtp-in.l.google.com",
  "Diagnostic-Code: smtp; 550-5.7.26 This mail has been blocked because the sender",
  "    is unauthenticated. 550-5.7.26 Gmail requires all senders to authenticate",
  "    with either SPF or DKIM. 550 5.7.26 a1-20020a17090.1 - gsmtp",
  "",
  "Final-Recipient: rfc822; user3@hotmail.com",
  "Action: failed",
  "Status: 5.7.1",
  "Remote-MTA: dns; hotmail-com.olc.protection.outlook.com",
  "Diagnostic-Code: smtp; 550 5.7.1 Unfortunately, messages from [192.0.2.10]",
  "    weren't sent. Please contact your Internet service provider since part of",
  "    their network is on our block list (S3140).",
  "",
  "Final-Recipient: rfc822; user4@example.net",
  "Action: failed",
  "Status: 5.1.1",
  "Remote-MTA: dns; mx.example.net",
  "Diagnostic-Code: smtp; 550 5.1.1 User unknown",
  "",
  "Final-Recipient: rfc822; user5@example.net",
  "Action: failed",
  "Status: 5.1.1",
  "Remote-MTA: dns; mx.example.net",
  "Diagnostic-Code: smtp; 550 5.1.1 User unknown",
  "",
  "--b1--",
  "",
].join("\n");

async function explainJson(input: string): Promise<Record<string, unknown>> {
  const result = await runCommand(["explain", "--format", "json", "-"], input);
  return JSON.parse(result.stdout) as Record<string, unknown>;
}

describe("explain with a pasted bounce of several replies", () => {
  it("explains the first reply with its stage", async () => {
    const output = await explainJson(BOUNCE);
    expect(output["ruleId"]).toBe("gmail.unauthenticated");
    expect(output["stage"]).toBe("end-of-data");
    expect(output["recipients"]).toEqual(["user1@gmail.com"]);
  });

  it("lists the other distinct replies", async () => {
    const others = (await explainJson(BOUNCE))["otherReplies"] as Record<string, unknown>[];
    expect(others).toHaveLength(2);
    expect(others[0]?.["ruleId"]).toBe("outlook.ip-blocklist");
    expect(others[0]?.["stage"]).toBe("mail");
    expect(others[0]?.["recipients"]).toEqual(["user3@hotmail.com"]);
    expect(others[1]?.["ruleId"]).toBe("generic.user-unknown");
    expect(others[1]?.["stage"]).toBe("rcpt");
    expect(others[1]?.["recipients"]).toEqual(["user4@example.net", "user5@example.net"]);
  });

  it("matches the schema", async () => {
    const validate = schemaValidator("explain.schema.json");
    expect(validate(await explainJson(BOUNCE))).toEqual([]);
    expect(validate(await explainJson("550 5.1.1 User unknown"))).toEqual([]);
  });

  it("lists no other replies for one reply", async () => {
    const output = await explainJson("550 5.1.1 User unknown");
    expect(output["otherReplies"]).toEqual([]);
    expect(output["recipients"]).toEqual([]);
  });

  it("explains each reply in the text output", async () => {
    const result = await runCommand(["explain", "-"], BOUNCE);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("Reply 1 of 3, for user1@gmail.com\n");
    expect(result.stdout).toContain("Reply 2 of 3, for user3@hotmail.com\n");
    expect(result.stdout).toContain("Reply 3 of 3, for user4@example.net, user5@example.net\n");
    expect(result.stdout).toContain("outlook.ip-blocklist");
    expect(result.stdout).toContain("delist bounces FILE");
    for (const line of result.stdout.split("\n")) expect(line.length).toBeLessThanOrEqual(80);
  });

  it("explains each reply in Markdown", async () => {
    const result = await runCommand(["explain", "--format", "markdown", "-"], BOUNCE);
    expect(result.stdout).toContain("**Reply 2 of 3, for user3@hotmail.com**");
    expect(result.stdout.match(/^### /gm)).toHaveLength(3);
  });
});
