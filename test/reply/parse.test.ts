import { describe, expect, it } from "vitest";
import { parseReply } from "../../src/reply/parse.js";

const GMAIL_RATE_LIMIT_POSTFIX =
  "Mar  5 22:09:51 mail postfix/smtp[4242]: 3F2A1B0C9D: to=<user1@example.com>, " +
  "relay=alt1.aspmx.l.google.com[192.0.2.201]:25, delay=3.2, delays=0.1/0/0.5/2.6, dsn=4.7.28, " +
  "status=deferred (host alt1.aspmx.l.google.com[192.0.2.201] said: 421-4.7.28 " +
  "[203.0.113.5      15] Gmail has detected an unusual rate of unsolicited mail originating " +
  "421-4.7.28 from your IP address. To protect our users from spam, mail sent from 421-4.7.28 " +
  "your IP address has been temporarily rate limited. For more information, 421-4.7.28 go to " +
  "421-4.7.28  https://support.google.com/mail/?p=UnsolicitedRateLimitError to review 421 " +
  "4.7.28 our Bulk Email Senders Guidelines. a1b2c3d4e5f6-0123456789si12345678qtb.7 - gsmtp " +
  "(in reply to end of DATA command))";

describe("parseReply wire form", () => {
  it("joins NNN- continuation lines", () => {
    const reply = parseReply(
      "550-5.7.26 This mail has been blocked because the sender is\n" +
        "550-5.7.26 unauthenticated.\n" +
        "550 5.7.26 See https://support.google.com/mail/answer/81126 x1-20020a.9 - gsmtp",
    );
    expect(reply.replyCode).toBe(550);
    expect(reply.enhancedStatus).toBe("5.7.26");
    expect(reply.text).toBe(
      "This mail has been blocked because the sender is unauthenticated. See https://support.google.com/mail/answer/81126",
    );
  });

  it("takes the failure out of an SMTP transcript", () => {
    const transcript = [
      "RCPT To:<user1@gmail.com>",
      "250 2.1.5 OK q1si2.3 - gsmtp",
      "DATA",
      "354 Go ahead q1si2.3 - gsmtp",
      "",
      "421-4.7.0 [203.0.113.3 15] Our system has detected an unusual rate of",
      "421 4.7.0 unsolicited mail. q1si2.3 - gsmtp",
      "",
      "QUIT",
    ].join("\n");
    const reply = parseReply(transcript);
    expect(reply.replyCode).toBe(421);
    expect(reply.enhancedStatus).toBe("4.7.0");
    expect(reply.text).toBe(
      "[203.0.113.3 15] Our system has detected an unusual rate of unsolicited mail.",
    );
    expect(reply.judgedIp).toBe("203.0.113.3");
  });

  it("reads a reply without enhanced codes", () => {
    const reply = parseReply("554-No SMTP service\n554 Bad DNS PTR resource record.");
    expect(reply.replyCode).toBe(554);
    expect(reply.enhancedStatus).toBeNull();
    expect(reply.text).toBe("No SMTP service Bad DNS PTR resource record.");
  });
});

describe("parseReply Postfix", () => {
  it("reads a flattened said: line", () => {
    const reply = parseReply(GMAIL_RATE_LIMIT_POSTFIX);
    expect(reply.replyCode).toBe(421);
    expect(reply.enhancedStatus).toBe("4.7.28");
    expect(reply.remoteHost).toBe("alt1.aspmx.l.google.com");
    expect(reply.remoteIp).toBe("192.0.2.201");
    expect(reply.stage).toBe("end-of-data");
    expect(reply.judgedIp).toBe("203.0.113.5");
    expect(reply.text).not.toMatch(/421|4\.7\.28|gsmtp|qtb/);
    expect(reply.text).toMatch(/^\[203\.0\.113\.5 15\] Gmail has detected/);
    expect(reply.text).toMatch(/our Bulk Email Senders Guidelines\.$/);
  });

  it("treats refused to talk to me as the greeting", () => {
    const reply = parseReply(
      "status=deferred (host mx00.emig.gmx.net[192.0.2.85] refused to talk to me: 554-gmx.net " +
        "(mxgmx017) Nemesis ESMTP Service not available 554-No SMTP service 554-Bad DNS PTR " +
        "resource record. 554 For explanation visit https://postmaster.gmx.net/en/case?c=r0201&i=ip&v=203.0.113.32)",
    );
    expect(reply.stage).toBe("connect");
    expect(reply.replyCode).toBe(554);
    expect(reply.enhancedStatus).toBeNull();
    expect(reply.providerToken).toBe("c=r0201");
    expect(reply.judgedIp).toBe("203.0.113.32");
    expect(reply.text).toMatch(/^gmx\.net \(mxgmx017\) Nemesis ESMTP/);
    expect(reply.text).not.toMatch(/554/);
  });

  it("ignores a dsn= whose class disagrees with the reply", () => {
    const reply = parseReply(
      "dsn=4.0.0, status=deferred (host mx.example.net[192.0.2.9] refused to talk to me: 554 5.7.1 go away)",
    );
    expect(reply.enhancedStatus).toBe("5.7.1");
    const noEnhanced = parseReply(
      "dsn=4.0.0, status=deferred (host mx.example.net[192.0.2.9] refused to talk to me: 554 go away)",
    );
    expect(noEnhanced.enhancedStatus).toBeNull();
  });

  it("uses a dsn= of the same class when the text has none", () => {
    const reply = parseReply(
      "dsn=5.0.0, status=bounced (host mta5.am0.yahoodns.net[192.0.2.50] said: 554 delivery " +
        "error: dd This user doesn't have a yahoo.com account (user1@yahoo.com) [0] - " +
        "mta4221.mail.gq1.yahoo.com (in reply to end of DATA command))",
    );
    expect(reply.replyCode).toBe(554);
    expect(reply.enhancedStatus).toBe("5.0.0");
    expect(reply.providerToken).toBe("dd");
    expect(reply.stage).toBe("end-of-data");
  });

  it("uses the dsn hint when the text has no enhanced code", () => {
    expect(parseReply("550 mailbox unavailable", { dsn: "5.1.1" }).enhancedStatus).toBe("5.1.1");
    expect(parseReply("550 mailbox unavailable", { dsn: "4.1.1" }).enhancedStatus).toBeNull();
  });

  it("reads a bounce re-wrapped at 76 columns", () => {
    const reply = parseReply(
      [
        "<user1@gmail.com>: host gmail-smtp-in.l.google.com[192.0.2.206] said:",
        "    550-5.7.25 [192.0.2.6] The IP address sending this message does not have",
        "    a 550-5.7.25 PTR record setup. Please visit",
        "    550-5.7.25  https://support.google.com/mail/answer/81126#ip-practices for",
        "    more 550 5.7.25 information.",
        "    du14-20020a17090772ce00b00780ec98afafsi1640581ejc.113 - gsmtp (in reply to",
        "    end of DATA command)",
      ].join("\n"),
    );
    expect(reply.replyCode).toBe(550);
    expect(reply.enhancedStatus).toBe("5.7.25");
    expect(reply.stage).toBe("end-of-data");
    expect(reply.text).toBe(
      "[192.0.2.6] The IP address sending this message does not have a PTR record setup. Please visit https://support.google.com/mail/answer/81126#ip-practices for more information.",
    );
  });

  it("finds a reply code split from its enhanced code across lines", () => {
    const reply = parseReply(
      "host mx02.mail.icloud.com[192.0.2.214] said: 554\n    5.7.1 [CS01] Message rejected due to local policy. (in reply to end of DATA command)",
    );
    expect(reply.replyCode).toBe(554);
    expect(reply.enhancedStatus).toBe("5.7.1");
    expect(reply.providerToken).toBe("CS01");
    expect(reply.text).toBe("[CS01] Message rejected due to local policy.");
  });

  it("takes the code from a later marker when the first is masked", () => {
    const reply = parseReply(
      "host aspmx.l.google.com[192.0.2.201] said: 421-x.x.xx [203.0.113.5 4] Our system has " +
        "421-x.x.xx detected an unusual rate 421 4.7.28 of unsolicited mail. z1.4 - gsmtp " +
        "(in reply to end of DATA command)",
    );
    expect(reply.enhancedStatus).toBe("4.7.28");
    expect(reply.text).toBe(
      "[203.0.113.5 4] Our system has detected an unusual rate of unsolicited mail.",
    );
  });
});

describe("parseReply Exim", () => {
  it("reads a main log line with literal \\n", () => {
    const line =
      "2025-07-15 06:06:53 1ubI8b-00069V-7n == user1@gmail.com R=dnslookup T=remote_smtp " +
      "defer (-44) H=gmail-smtp-in.l.google.com [192.0.2.27] X=TLS1.3:TLS_AES_256_GCM_SHA384:256 " +
      "CV=yes: SMTP error from remote mail server after pipelined end of data: 451-4.7.23 " +
      "[203.0.113.32] The IP address sending this message does not have a PTR record\\n451-4.7.23 " +
      "setup.\\n451 4.7.23  https://support.google.com/a?p=sender-guidelines-ip a1-2b.3 - gsmtp";
    const reply = parseReply(line);
    expect(reply.replyCode).toBe(451);
    expect(reply.enhancedStatus).toBe("4.7.23");
    expect(reply.stage).toBe("end-of-data");
    expect(reply.remoteHost).toBe("gmail-smtp-in.l.google.com");
    expect(reply.remoteIp).toBe("192.0.2.27");
    expect(reply.judgedIp).toBe("203.0.113.32");
    expect(reply.text).toBe(
      "[203.0.113.32] The IP address sending this message does not have a PTR record setup. https://support.google.com/a?p=sender-guidelines-ip",
    );
  });

  it.each([
    ["after RCPT TO:<user1@example.net>:", "rcpt"],
    ["after MAIL FROM:<sender@example.com> SIZE=1234:", "mail"],
    ["after initial connection:", "connect"],
    ["after end of data:", "end-of-data"],
    ["after pipelined end of data:", "end-of-data"],
    ["after EHLO mail.example.com:", "helo"],
  ] as const)("maps %s to stage %s", (after, stage) => {
    const reply = parseReply(
      `** user1@example.net R=x T=y H=mx.example.net [192.0.2.9]: SMTP error from remote mail server ${after} 550 5.1.1 unknown`,
    );
    expect(reply.stage).toBe(stage);
    expect(reply.replyCode).toBe(550);
  });

  it("reads an indented bounce and stops at its last line", () => {
    const bounce = [
      "  user1@gmail.com",
      "    host gmail-smtp-in.l.google.com [2001:db8:ffff::1a]",
      "    SMTP error from remote mail server after pipelined end of data:",
      "    550-5.7.26 This mail has been blocked because the sender is unauthenticated.",
      "    550-5.7.26  SPF [example.com] with ip:",
      "    [2001:db8::2] =",
      "    550-5.7.26 did not pass",
      "    550 5.7.26  https://support.google.com/mail/answer/81126 f18-2c.488 - gsmtp",
      "    Retry timeout exceeded",
    ].join("\n");
    const reply = parseReply(bounce);
    expect(reply.remoteIp).toBe("2001:db8:ffff::1a");
    expect(reply.judgedIp).toBe("2001:db8::2");
    expect(reply.text).toBe(
      "This mail has been blocked because the sender is unauthenticated. SPF [example.com] with ip: [2001:db8::2] = did not pass https://support.google.com/mail/answer/81126",
    );
  });
});

describe("parseReply DSN and pastes", () => {
  it("unfolds a Diagnostic-Code field", () => {
    const reply = parseReply(
      [
        "Final-Recipient: rfc822; user1@outlook.com",
        "Action: failed",
        "Remote-MTA: dns; outlook-com.olc.protection.outlook.com.",
        "Diagnostic-Code: smtp; 550 5.7.515 Access denied, sending domain EXAMPLE.COM",
        "    doesn't meet the required authentication level.",
        "X-Other: 1",
      ].join("\n"),
    );
    expect(reply.replyCode).toBe(550);
    expect(reply.enhancedStatus).toBe("5.7.515");
    expect(reply.remoteHost).toBe("outlook-com.olc.protection.outlook.com");
    expect(reply.text).toBe(
      "Access denied, sending domain EXAMPLE.COM doesn't meet the required authentication level.",
    );
  });

  it("drops a doubled reply code", () => {
    const reply = parseReply(
      "> Server response: 550 550 OU-001 (SNT004-MC11F3) Unfortunately, messages from 192.0.2.9 weren't sent.",
    );
    expect(reply.replyCode).toBe(550);
    expect(reply.enhancedStatus).toBeNull();
    expect(reply.providerToken).toBe("OU-001");
    expect(reply.text).toMatch(/^OU-001 \(SNT004-MC11F3\) Unfortunately/);
  });

  it("skips a hosting provider's own code before the reply", () => {
    const reply = parseReply(
      "received this response from the destination host IP - 192.0.2.205 - 550 , 550-5.7.26 This message does not pass\n550 5.7.26 authentication checks. lp15.170 - gsmtp",
    );
    expect(reply.replyCode).toBe(550);
    expect(reply.enhancedStatus).toBe("5.7.26");
    expect(reply.remoteIp).toBe("192.0.2.205");
    expect(reply.text).toBe("This message does not pass authentication checks.");
  });

  it("removes Markdown quotes, links, bold and backticks", () => {
    const reply = parseReply(
      "> ```\n> 550 5.7.9 Authentication results: SPF [**EXAMPLE**](http://example.com/) for [user1@example.com](mailto:user1@example.com) = FAILURE\n> ```",
    );
    expect(reply.replyCode).toBe(550);
    expect(reply.text).toBe("Authentication results: SPF EXAMPLE for user1@example.com = FAILURE");
  });

  it("reads a code glued to a log prefix and continuation lines without codes", () => {
    const reply = parseReply(
      "[error][send.go:207] 投递失败550 5.7.25 [2001:db8::3] The IP address sending this message does not\n5.7.25 have a PTR record setup. d9-1f.272 - gsmtp",
    );
    expect(reply.replyCode).toBe(550);
    expect(reply.enhancedStatus).toBe("5.7.25");
    expect(reply.judgedIp).toBe("2001:db8::3");
    expect(reply.text).toBe(
      "[2001:db8::3] The IP address sending this message does not have a PTR record setup.",
    );
  });

  it("keeps the Workspace gcdp token but drops the trailer", () => {
    const reply = parseReply(
      "550 5.7.1 This message violates example.com email policy. - gcdp <abc123> - gsmtp",
    );
    expect(reply.providerToken).toBe("gcdp");
    expect(reply.text).toBe("This message violates example.com email policy.");
  });

  it("keeps words before a mid-sentence code", () => {
    const reply = parseReply(
      "Mail from 192.0.2.21 not allowed - 5.7.1 [BL23] Connections not accepted from IP " +
        "addresses on Spamhaus XBL; see http://postmaster.yahoo.com/errors/550-bl23.html",
    );
    expect(reply.replyCode).toBeNull();
    expect(reply.enhancedStatus).toBe("5.7.1");
    expect(reply.providerToken).toBe("BL23");
    expect(reply.text).toMatch(/^Mail from 192\.0\.2\.21 not allowed - \[BL23\] Connections/);
    expect(reply.judgedIp).toBe("192.0.2.21");
  });

  it("reads that reply with its code", () => {
    const reply = parseReply(
      "553 Mail from 192.0.2.21 not allowed - 5.7.1 [BL23] Connections not accepted from IP " +
        "addresses on Spamhaus XBL",
    );
    expect(reply.replyCode).toBe(553);
    expect(reply.text).toMatch(/^Mail from 192\.0\.2\.21 not allowed - 5\.7\.1 \[BL23\]/);
    expect(reply.judgedIp).toBe("192.0.2.21");
  });

  it("starts at an enhanced code after a wrapper's colon", () => {
    const reply = parseReply("Message delivery failed: 5.1.1 <user1@example.net> unknown user");
    expect(reply.enhancedStatus).toBe("5.1.1");
    expect(reply.text).toBe("<user1@example.net> unknown user");
  });

  it("returns a null code for text without a reply", () => {
    const reply = parseReply("the server said something unexpected");
    expect(reply.replyCode).toBeNull();
    expect(reply.enhancedStatus).toBeNull();
    expect(reply.text).toBe("the server said something unexpected");
  });
});

describe("parseReply client libraries", () => {
  it("reads a Python smtplib tuple", () => {
    const reply = parseReply(
      "smtplib.SMTPDataError: (550, b'5.7.1 [CS01] Message rejected due to local policy.\\n5.7.1 Please visit https://support.apple.com/en-us/HT204137')",
    );
    expect(reply.replyCode).toBe(550);
    expect(reply.enhancedStatus).toBe("5.7.1");
    expect(reply.providerToken).toBe("CS01");
    expect(reply.text).toBe(
      "[CS01] Message rejected due to local policy. Please visit https://support.apple.com/en-us/HT204137",
    );
  });

  it("reads the Java reply-code suffix", () => {
    const reply = parseReply(
      "com.sun.mail.smtp.SMTPSendFailedException: 4.7.0 Try again later, closing connection. (EHLO) q1.2 - gsmtp\n (421)",
    );
    expect(reply.replyCode).toBe(421);
    expect(reply.enhancedStatus).toBe("4.7.0");
    expect(reply.text).toBe("Try again later, closing connection. (EHLO)");
  });

  it("decodes Rust enum reply codes", () => {
    const reply = parseReply(
      'SMTP failed to send: Permanent(Response { code: Code { severity: PermanentNegativeCompletion, category: MailSystem, detail: Four }, message: [\\"5.7.1 [2] Message rejected under suspicion of SPAM; https://ya.cc/1IrBc 1631900360-abc\\"] })',
    );
    expect(reply.replyCode).toBe(554);
    expect(reply.enhancedStatus).toBe("5.7.1");
    expect(reply.text).toMatch(/^\[2\] Message rejected under suspicion of SPAM/);
  });

  it("decodes a transient Rust reply", () => {
    const reply = parseReply(
      'Transient(Response { code: Code { severity: TransientNegativeCompletion, category: Connections, detail: One }, message: ["4.4.2 Error: timeout exceeded"] })',
    );
    expect(reply.replyCode).toBe(421);
    expect(reply.enhancedStatus).toBe("4.4.2");
  });

  it("reads MailKit's code with a colon", () => {
    const reply = parseReply(
      "MailKit.Security.AuthenticationException: 421: 4.3.2 Service not active [TYAPR01CA0229.jpnprd01.prod.outlook.com]",
    );
    expect(reply.replyCode).toBe(421);
    expect(reply.enhancedStatus).toBe("4.3.2");
  });
});

describe("parseReply reply code position", () => {
  it.each([
    ["an IPv6 address", "Received-SPF: pass (2001:db8:4002:c05::247 is permitted sender)"],
    ["a key=value pair", "(version=TLS1_2 cipher=DHE-RSA-AES256-SHA bits=256 verify=NO)"],
    ["a header value", "Content-Length: 399\nContent-Type: text/plain"],
    ["a colon-separated id", "Feedback-Id: 10345:200"],
    ["a number in prose", "Message will be retried for 2 more day(s), about 250 attempts"],
  ])("finds no reply code in %s", (_case, text) => {
    expect(parseReply(text).replyCode).toBeNull();
  });

  it.each([
    ["the start of a line", "x\n550 unknown user", 550],
    ["said:", "the server said: 550 unknown user", 550],
    ["Diagnostic-Code smtp;", "Diagnostic-Code: smtp;550 unknown user", 550],
    ["an error label", "Error: 421 Service not available", 421],
    ["returned was:", "The error that the other server returned was: 500 TLS required", 500],
    ["Amazon SES's quoted reply", "5.3.0 - Other mail system problem 550-'Unknown user x'", 550],
  ])("reads a code after %s", (_case, text, code) => {
    expect(parseReply(text).replyCode).toBe(code);
  });

  it("reads a code and enhanced code of the same class anywhere", () => {
    const reply = parseReply("delivery failed 550 5.1.1 unknown user");
    expect(reply.replyCode).toBe(550);
    expect(reply.enhancedStatus).toBe("5.1.1");
  });

  it("ignores a number before an enhanced code of another class", () => {
    const reply = parseReply("[2001:db8:4002:c05::247] 4.4.7 Delivery time expired");
    expect(reply.replyCode).toBeNull();
    expect(reply.enhancedStatus).toBe("4.4.7");
  });

  it("takes a code of another class where a reply starts", () => {
    const reply = parseReply("454 5.5.1 STARTTLS may not be repeated");
    expect(reply.replyCode).toBe(454);
    expect(reply.enhancedStatus).toBe("5.5.1");
  });

  it("reads no first digit outside 2 to 5", () => {
    expect(parseReply("199 hello\n650 5.1.1 no").replyCode).toBeNull();
  });

  it("finds the reply of a Gmail expiry notice, not an address", () => {
    const notice = [
      "Received-SPF: pass (example.com: 2001:db8:4002:c05::247 is permitted sender)",
      "        (version=TLS1_2 cipher=ECDHE-RSA-AES128-GCM-SHA256 bits=256 verify=NO);",
      "",
      "Delivery to the following recipient has been delayed:",
      "",
      "     user1@example.org",
      "",
      "Message will be retried for 2 more day(s)",
    ].join("\n");
    const reply = parseReply(notice);
    expect(reply.replyCode).toBeNull();
    expect(reply.enhancedStatus).toBeNull();
  });
});
