import { describe, expect, it } from "vitest";
import { runCommand } from "../helpers/cli.js";
import { schemaValidator } from "../helpers/schema.js";

// Two lines of an Exim main log and two of a Postfix log, as an admin pastes them: an
// Outlook.com range block, then a Yahoo deferral or a Gmail rate limit. The sending server is
// 192.0.2.1 and the receivers are 192.0.2.200 to 192.0.2.202.
const EXIM_LINES = [
  "2024-03-04 10:00:03 1rA001-000001-AA ** carol@outlook.com R=dnslookup T=remote_smtp H=outlook-com.olc.protection.outlook.com [192.0.2.201]: SMTP error from remote mail server after MAIL FROM:<alice@example.com> SIZE=2200: 550 5.7.1 Unfortunately, messages from [192.0.2.1] weren't sent. Please contact your Internet service provider since part of their network is on our block list (S3150).",
  "2024-03-04 10:05:02 1rA002-000002-BB == dave@yahoo.com R=dnslookup T=remote_smtp defer (-44) H=mta5.am0.yahoodns.net [192.0.2.202]: SMTP error from remote mail server after MAIL FROM:<alice@example.com> SIZE=2300: 421 4.7.0 [TSS04] Messages from 192.0.2.1 temporarily deferred due to unexpected volume or user complaints - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes",
].join("\n");
const POSTFIX_LINES = [
  "Mar  4 10:00:03 mx1 postfix/smtp[104]: 1A0000000A: to=<carol@outlook.com>, relay=outlook-com.olc.protection.outlook.com[192.0.2.201]:25, delay=2, delays=0.1/0/0.5/1.4, dsn=5.7.1, status=bounced (host outlook-com.olc.protection.outlook.com[192.0.2.201] said: 550 5.7.1 Unfortunately, messages from [192.0.2.1] weren't sent. Please contact your Internet service provider since part of their network is on our block list (S3150). (in reply to MAIL FROM command))",
  "Mar  4 10:20:02 mx1 postfix/smtp[103]: 1C0000000C: to=<erin@gmail.com>, relay=gmail-smtp-in.l.google.com[192.0.2.200]:25, delay=1, delays=0.1/0/0.5/0.4, dsn=4.7.28, status=deferred (host gmail-smtp-in.l.google.com[192.0.2.200] said: 421-4.7.28 [192.0.2.1 15] Gmail has detected an unusual rate of unsolicited mail originating from your IP address. To protect our users from spam, mail sent from your IP address has been temporarily rate limited. x1si2 - gsmtp (in reply to end of DATA command))",
].join("\n");
const TWO_REPLIES = [
  "553 5.7.2 [TSS09] All messages from 192.0.2.1 will be permanently deferred; Retrying will NOT succeed. See https://postmaster.yahooinc.com/error-codes",
  "550-5.1.1 The email account that you tried to reach does not exist. Please try",
  "550-5.1.1 double-checking the recipient's email address for typos or",
  "550 5.1.1 unnecessary spaces. x1si5 - gsmtp",
].join("\n");

async function explainJson(input: string): Promise<Record<string, unknown>> {
  const result = await runCommand(["explain", "--format", "json", "-"], input);
  return JSON.parse(result.stdout) as Record<string, unknown>;
}

function otherReplies(output: Record<string, unknown>): Record<string, unknown>[] {
  return output["otherReplies"] as Record<string, unknown>[];
}

describe("explain after a continuation line", () => {
  const gmail =
    "550-5.7.1 [192.0.2.5 12] Gmail has detected that this message is likely unsolicited mail.";
  const outlook =
    "550 5.7.1 Unfortunately, messages from [192.0.2.5] weren't sent. Please contact your Internet service provider since part of their network is on our block list (S3150).";

  it("explains the reply after a blank line", async () => {
    const output = await explainJson(`${gmail}\n\n${outlook}\n`);
    const others = otherReplies(output);
    expect(output["provider"]).toBe("gmail");
    expect(others).toHaveLength(1);
    expect(others[0]?.["provider"]).toBe("outlook");
    expect(others[0]?.["providerToken"]).toBe("S3150");
  });

  it("explains a reply after prose", async () => {
    const bounce = [
      "The response from the remote server was:",
      gmail,
      "",
      "The mail system tried again and gave up.",
      "",
      "Also for erin@outlook.com the server said:",
      outlook,
    ].join("\n");
    const output = await explainJson(bounce);
    const others = otherReplies(output);
    expect(output["provider"]).toBe("gmail");
    expect(String(output["text"])).not.toContain("gave up");
    expect(others.map((reply) => reply["provider"])).toEqual(["outlook"]);
  });
});

describe("explain with pasted log lines", () => {
  it("explains each Exim line alone", async () => {
    const output = await explainJson(EXIM_LINES);
    expect(output["provider"]).toBe("outlook");
    expect(output["ruleId"]).toBe("outlook.range-blocklist");
    expect(output["providerToken"]).toBe("S3150");
    expect(output["text"]).not.toContain("TSS04");
    const others = otherReplies(output);
    expect(others).toHaveLength(1);
    expect(others[0]?.["provider"]).toBe("yahoo");
    expect(others[0]?.["replyCode"]).toBe(421);
    expect(others[0]?.["providerToken"]).toBe("TSS04");
    expect(others[0]?.["remoteHost"]).toBe("mta5.am0.yahoodns.net");
  });

  it("keeps the order of the lines", async () => {
    const reversed = EXIM_LINES.split("\n").reverse().join("\n");
    const output = await explainJson(reversed);
    expect(output["provider"]).toBe("yahoo");
    expect(otherReplies(output)[0]?.["provider"]).toBe("outlook");
  });

  it("explains the second Postfix line", async () => {
    const output = await explainJson(POSTFIX_LINES);
    expect(output["ruleId"]).toBe("outlook.range-blocklist");
    const others = otherReplies(output);
    expect(others).toHaveLength(1);
    expect(others[0]?.["provider"]).toBe("gmail");
    expect(others[0]?.["enhancedStatus"]).toBe("4.7.28");
    expect(others[0]?.["stage"]).toBe("end-of-data");
  });

  it("numbers the replies in text", async () => {
    const result = await runCommand(["explain", "-"], POSTFIX_LINES);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("Reply 1 of 2\n");
    expect(result.stdout).toContain("Reply 2 of 2\n");
    expect(result.stdout).not.toContain("delist bounces FILE");
    expect(result.stderr).toBe("");
    for (const line of result.stdout.split("\n")) expect(line.length).toBeLessThanOrEqual(80);
  });

  it("numbers the replies in Markdown", async () => {
    const result = await runCommand(["explain", "--format", "markdown", "-"], EXIM_LINES);
    expect(result.stdout).toContain("**Reply 2 of 2**");
    expect(result.stdout.match(/^### /gm)).toHaveLength(2);
  });

  it("matches the schema", async () => {
    const validate = schemaValidator("explain.schema.json");
    expect(validate(await explainJson(EXIM_LINES))).toEqual([]);
    expect(validate(await explainJson(TWO_REPLIES))).toEqual([]);
  });

  it("notes a line without a reply", async () => {
    const completed = "2024-03-04 10:00:03 1rA001-000001-AA Completed";
    const first = EXIM_LINES.split("\n")[0] ?? "";
    const result = await runCommand(["explain", "--format", "json", "-"], `${first}\n${completed}`);
    const output = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(output["ruleId"]).toBe("outlook.range-blocklist");
    expect(otherReplies(output)).toEqual([]);
    expect(result.stderr).toContain("1 pasted line has no SMTP reply and was not explained");
    expect(result.stderr).toContain(completed);
  });
});

describe("explain with two pasted replies", () => {
  it("explains each reply alone", async () => {
    const output = await explainJson(TWO_REPLIES);
    expect(output["ruleId"]).toBe("yahoo.ip-blocked");
    expect(output["text"]).not.toContain("does not exist");
    const others = otherReplies(output);
    expect(others).toHaveLength(1);
    expect(others[0]?.["replyCode"]).toBe(550);
    expect(others[0]?.["enhancedStatus"]).toBe("5.1.1");
    expect(others[0]?.["category"]).toBe("recipient");
    expect(others[0]?.["text"]).toContain("does not exist");
  });
});

describe("explain with pasted bounce parts", () => {
  it("explains each recipient paragraph", async () => {
    const paragraphs = [
      "<carol@outlook.com>: host outlook-com.olc.protection.outlook.com[192.0.2.201]",
      "    said: 550 5.7.1 Unfortunately, messages from [192.0.2.1] weren't sent.",
      "    Please contact your Internet service provider since part of their network",
      "    is on our block list (S3150). (in reply to MAIL FROM command)",
      "",
      "<dave@yahoo.com>: host mta5.am0.yahoodns.net[192.0.2.202] said: 553 5.7.2",
      "    [TSS09] All messages from 192.0.2.1 will be permanently deferred; Retrying",
      "    will NOT succeed. (in reply to MAIL FROM command)",
    ].join("\n");
    const output = await explainJson(paragraphs);
    expect(output["ruleId"]).toBe("outlook.range-blocklist");
    expect(output["text"]).not.toContain("TSS09");
    const others = otherReplies(output);
    expect(others).toHaveLength(1);
    expect(others[0]?.["ruleId"]).toBe("yahoo.ip-blocked");
    expect(others[0]?.["providerToken"]).toBe("TSS09");
  });

  it("explains each host of a Sendmail transcript", async () => {
    const transcript = [
      "   ----- Transcript of session follows -----",
      "... while talking to outlook-com.olc.protection.outlook.com.:",
      ">>> MAIL From:<alice@example.com> SIZE=1200",
      "<<< 550 5.7.1 Unfortunately, messages from [192.0.2.1] weren't sent. Please contact your Internet service provider since part of their network is on our block list (S3150).",
      "554 5.0.0 Service unavailable",
      "... while talking to mta5.am0.yahoodns.net.:",
      ">>> MAIL From:<alice@example.com> SIZE=1200",
      "<<< 553 5.7.2 [TSS09] All messages from 192.0.2.1 will be permanently deferred; Retrying will NOT succeed. See https://postmaster.yahooinc.com/error-codes",
      "554 5.0.0 Service unavailable",
    ].join("\n");
    const output = await explainJson(transcript);
    expect(output["ruleId"]).toBe("outlook.range-blocklist");
    const others = otherReplies(output);
    expect(others).toHaveLength(1);
    expect(others[0]?.["ruleId"]).toBe("yahoo.ip-blocked");
    expect(others[0]?.["replyCode"]).toBe(553);
  });
});
