import { describe, expect, it } from "vitest";
import { splitPastedReplies } from "../../src/reply/pasted-replies.js";

// Receivers are 192.0.2.200 to 192.0.2.210, and the sending server is 192.0.2.1.
const EXIM_BOUNCED =
  "2024-03-04 10:00:03 1rA001-000001-AA ** carol@outlook.com R=dnslookup T=remote_smtp " +
  "H=outlook-com.olc.protection.outlook.com [192.0.2.201]: SMTP error from remote mail server " +
  "after MAIL FROM:<alice@example.com> SIZE=2200: 550 5.7.1 Unfortunately, messages from " +
  "[192.0.2.1] weren't sent. Please contact your Internet service provider since part of " +
  "their network is on our block list (S3150).";
const EXIM_DEFERRED =
  "2024-03-04 10:05:02 1rA002-000002-BB == dave@yahoo.com R=dnslookup T=remote_smtp defer " +
  "(-44) H=mta5.am0.yahoodns.net [192.0.2.202]: SMTP error from remote mail server after " +
  "MAIL FROM:<alice@example.com> SIZE=2300: 421 4.7.0 [TSS04] Messages from 192.0.2.1 " +
  "temporarily deferred due to unexpected volume or user complaints - 4.16.55.1; see " +
  "https://postmaster.yahooinc.com/error-codes";
const POSTFIX_BOUNCED =
  "Mar  4 10:00:03 mx1 postfix/smtp[104]: 1A0000000A: to=<carol@outlook.com>, " +
  "relay=outlook-com.olc.protection.outlook.com[192.0.2.201]:25, delay=2, dsn=5.7.1, " +
  "status=bounced (host outlook-com.olc.protection.outlook.com[192.0.2.201] said: 550 5.7.1 " +
  "Unfortunately, messages from [192.0.2.1] weren't sent. (S3150). (in reply to MAIL FROM " +
  "command))";
const POSTFIX_DEFERRED =
  "Mar  4 10:20:02 mx1 postfix/smtp[103]: 1C0000000C: to=<erin@gmail.com>, " +
  "relay=gmail-smtp-in.l.google.com[192.0.2.200]:25, delay=1, dsn=4.7.28, status=deferred " +
  "(host gmail-smtp-in.l.google.com[192.0.2.200] said: 421-4.7.28 [192.0.2.1 15] Gmail has " +
  "detected an unusual rate of unsolicited mail originating from your IP address. x1si2 - " +
  "gsmtp (in reply to end of DATA command))";
const YAHOO_PERMANENT =
  "553 5.7.2 [TSS09] All messages from 192.0.2.1 will be permanently deferred; Retrying will " +
  "NOT succeed. See https://postmaster.yahooinc.com/error-codes";
const GMAIL_NO_SUCH_USER = [
  "550-5.1.1 The email account that you tried to reach does not exist. Please try",
  "550-5.1.1 double-checking the recipient's email address for typos or",
  "550-5.1.1 unnecessary spaces. For more information, go to",
  "550 5.1.1  https://support.google.com/mail/?p=NoSuchUser x1si5 - gsmtp",
].join("\n");

describe("splitPastedReplies at log lines", () => {
  it("splits two Exim lines", () => {
    expect(splitPastedReplies(`${EXIM_BOUNCED}\n${EXIM_DEFERRED}\n`)).toEqual([
      EXIM_BOUNCED,
      EXIM_DEFERRED,
    ]);
  });

  it("splits two Postfix syslog lines", () => {
    expect(splitPastedReplies(`${POSTFIX_BOUNCED}\n${POSTFIX_DEFERRED}`)).toEqual([
      POSTFIX_BOUNCED,
      POSTFIX_DEFERRED,
    ]);
  });

  it("splits lines with RFC 3339 stamps", () => {
    const first = `2024-03-04T10:00:03.120+00:00 ${POSTFIX_BOUNCED.slice(16)}`;
    const second = `2024-03-04T10:20:02.500+00:00 ${POSTFIX_DEFERRED.slice(16)}`;
    expect(splitPastedReplies(`${first}\r\n${second}\r\n`)).toEqual([first, second]);
  });

  it("splits Postfix lines without stamps at status=", () => {
    const first = POSTFIX_BOUNCED.slice(POSTFIX_BOUNCED.indexOf("1A0000000A:"));
    const second = POSTFIX_DEFERRED.slice(POSTFIX_DEFERRED.indexOf("1C0000000C:"));
    expect(splitPastedReplies(`${first}\n${second}`)).toEqual([first, second]);
  });

  it("splits Exim lines without stamps at ** and ==", () => {
    const first = EXIM_BOUNCED.slice(20);
    const second = EXIM_DEFERRED.slice(20);
    expect(first.startsWith("1rA001-000001-AA ** ")).toBe(true);
    expect(splitPastedReplies(`${first}\n${second}`)).toEqual([first, second]);
  });

  it("keeps a log line that a terminal wrapped", () => {
    const cut = POSTFIX_DEFERRED.indexOf("status=");
    const wrapped = `${POSTFIX_DEFERRED.slice(0, cut)}\n${POSTFIX_DEFERRED.slice(cut)}`;
    expect(splitPastedReplies(wrapped)).toEqual([wrapped]);
  });
});

describe("splitPastedReplies at reply codes", () => {
  it("splits a reply after a complete one", () => {
    expect(splitPastedReplies(`${YAHOO_PERMANENT}\n${GMAIL_NO_SUCH_USER}\n`)).toEqual([
      YAHOO_PERMANENT,
      GMAIL_NO_SUCH_USER,
    ]);
  });

  it("splits replies apart by a blank line", () => {
    const second = "421 4.7.0 [TSS04] Messages from 192.0.2.1 temporarily deferred";
    expect(splitPastedReplies(`${YAHOO_PERMANENT}\n\n${second}`)).toEqual([
      YAHOO_PERMANENT,
      second,
    ]);
  });

  it("splits replies quoted in Markdown", () => {
    const first = "> 550 5.1.1 <user1@example.net>: Recipient address rejected";
    const second = "> 421 4.7.0 Try again later";
    expect(splitPastedReplies(`${first}\n${second}`)).toEqual([first, second]);
  });

  it("keeps continuation lines joined", () => {
    expect(splitPastedReplies(GMAIL_NO_SUCH_USER)).toEqual([GMAIL_NO_SUCH_USER]);
  });

  it("keeps a reply re-wrapped at 76 columns", () => {
    const folded = [
      "550 5.7.1 Unfortunately, messages from [192.0.2.1] weren't sent. Please",
      "contact your Internet service provider since part of their network is on",
      "our block list (S3150). You can also refer your provider to",
      "http://mail.live.com/mail/troubleshooting.aspx#errors.",
    ].join("\n");
    expect(splitPastedReplies(folded)).toEqual([folded]);
  });

  it("keeps a reply code split from its enhanced code", () => {
    const split =
      "host mx02.mail.icloud.com[192.0.2.214] said: 554\n    5.7.1 [CS01] Message rejected";
    expect(splitPastedReplies(split)).toEqual([split]);
  });

  it("keeps a re-wrapped Postfix reply with inner markers", () => {
    const postfix = [
      "<user1@gmail.com>: host gmail-smtp-in.l.google.com[192.0.2.201] said:",
      "    550-5.7.26 This mail has been blocked because the sender is",
      "    unauthenticated. 550-5.7.26 Gmail requires all senders to authenticate",
      "    with either SPF or DKIM. 550 5.7.26 a1si1 - gsmtp (in reply to",
      "    end of DATA command)",
    ].join("\n");
    expect(splitPastedReplies(postfix)).toEqual([postfix]);
  });

  it("keeps an SMTP transcript whole", () => {
    const transcript = [
      "RCPT To:<user1@gmail.com>",
      "250 2.1.5 OK q1si2.3 - gsmtp",
      "DATA",
      "354 Go ahead q1si2.3 - gsmtp",
      "",
      "421-4.7.0 [192.0.2.3 15] Our system has detected an unusual rate of",
      "421 4.7.0 unsolicited mail. q1si2.3 - gsmtp",
      "554 5.0.0 Service unavailable",
    ].join("\n");
    expect(splitPastedReplies(transcript)).toEqual([transcript]);
  });

  it("splits two replies re-wrapped at 76 columns", () => {
    const yahoo = [
      "553 5.7.2 [TSS09] All messages from 192.0.2.1 will be permanently deferred; ",
      "Retrying will NOT succeed. See https://postmaster.yahooinc.com/error-codes",
    ].join("\n");
    const gmail = [
      "550-5.1.1 The email account that you tried to reach does not exist. Please ",
      "try",
      "550 5.1.1 unnecessary spaces. x1si5 - gsmtp",
    ].join("\n");
    expect(splitPastedReplies(`${yahoo}\n${gmail}`)).toEqual([yahoo, gmail]);
  });

  it("ends a continuation line at a blank line", () => {
    const gmail = "550-5.7.1 [192.0.2.1 12] Gmail has detected that this message is likely";
    const outlook = "550 5.7.1 Unfortunately, messages from [192.0.2.1] weren't sent. (S3150).";
    expect(splitPastedReplies(`${gmail}\n\n${outlook}\n`)).toEqual([gmail, outlook]);
  });

  it("ends a continuation line at another code", () => {
    const gmail = "421-4.7.0 [192.0.2.1 15] Our system has detected an unusual rate of";
    const outlook = "550 5.7.1 Unfortunately, messages from [192.0.2.1] weren't sent. (S3150).";
    expect(splitPastedReplies(`${gmail}\n${outlook}`)).toEqual([gmail, outlook]);
  });

  it("splits prose after an unwrapped continuation", () => {
    const gmail =
      "550-5.7.1 [192.0.2.1 12] Gmail has detected that this message is likely unsolicited mail.";
    const prose = "The message was sent to a list of customers on Monday morning.";
    const pieces = splitPastedReplies([gmail, prose, gmail, prose].join("\n"));
    expect(pieces).toEqual([gmail, `${prose}\n${gmail}`, prose]);
  });

  it("keeps a same-code line after a blank-free continuation", () => {
    const lines = "550-5.7.1 first line of the reply\n550 5.7.1 last line of the reply";
    expect(splitPastedReplies(lines)).toEqual([lines]);
  });

  it("returns text without a reply as it is", () => {
    expect(splitPastedReplies("  \r\nConnection timed out\r\n")).toEqual([
      "  \r\nConnection timed out\r\n",
    ]);
  });
});

describe("splitPastedReplies in bounce bodies", () => {
  it("splits Postfix recipient paragraphs", () => {
    const carol = [
      "<carol@outlook.com>: host outlook-com.olc.protection.outlook.com[192.0.2.201]",
      "    said: 550 5.7.1 Unfortunately, messages from [192.0.2.1] weren't sent.",
      "    Please contact your Internet service provider since part of their network",
      "    is on our block list (S3150). (in reply to MAIL FROM command)",
    ].join("\n");
    const dave = [
      "<dave@yahoo.com>: host mta5.am0.yahoodns.net[192.0.2.202] said: 553 5.7.2",
      "    [TSS09] All messages from 192.0.2.1 will be permanently deferred; Retrying",
      "    will NOT succeed. (in reply to MAIL FROM command)",
    ].join("\n");
    expect(splitPastedReplies(`${carol}\n\n${dave}\n`)).toEqual([carol, dave]);
  });

  it("keeps a recipient paragraph before its reply", () => {
    const paragraph = [
      "<carol@example.net>: host mx.example.net[192.0.2.203] said:",
      "    550 5.1.1 <carol@example.net>: Recipient address rejected",
    ].join("\n");
    expect(splitPastedReplies(paragraph)).toEqual([paragraph]);
  });

  it("splits a Sendmail transcript at each host", () => {
    const outlook = [
      "   ----- Transcript of session follows -----",
      "... while talking to outlook-com.olc.protection.outlook.com.:",
      ">>> MAIL From:<alice@example.com> SIZE=1200",
      "<<< 550 5.7.1 Unfortunately, messages from [192.0.2.1] weren't sent. (S3150).",
      "554 5.0.0 Service unavailable",
    ].join("\n");
    const yahoo = [
      "... while talking to mta5.am0.yahoodns.net.:",
      ">>> MAIL From:<alice@example.com> SIZE=1200",
      "<<< 553 5.7.2 [TSS09] All messages from 192.0.2.1 will be permanently deferred",
      "554 5.0.0 Service unavailable",
    ].join("\n");
    expect(splitPastedReplies(`${outlook}\n${yahoo}`)).toEqual([outlook, yahoo]);
  });
});
