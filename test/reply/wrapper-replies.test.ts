import { describe, expect, it } from "vitest";
import { createReplyClassifier } from "../../src/reply/classify.js";
import { parseReply } from "../../src/reply/parse.js";

// Replies without an enhanced code behind wrappers that name the command or quote the reply.
// The receivers are 192.0.2.0/24 and the sending server is 192.0.2.10 throughout.

describe("reply code behind Exim's command with ESMTP parameters", () => {
  it.each([
    [
      "pipelined MAIL FROM with SIZE",
      "SMTP error from remote mail server after pipelined MAIL FROM:<user2@example.com> SIZE=1893: 554 Your IP 192.0.2.10 is listed at bl.example.net",
      554,
      "mail",
      "Your IP 192.0.2.10 is listed at bl.example.net",
    ],
    [
      "MAIL FROM with SIZE",
      "SMTP error from remote mail server after MAIL FROM:<user2@example.com> SIZE=1234: 550 Sender rejected: too many recipients",
      550,
      "mail",
      "Sender rejected: too many recipients",
    ],
    [
      "MAIL FROM with three parameters",
      "SMTP error from remote mail server after MAIL FROM:<user2@example.com> SIZE=1234 BODY=8BITMIME SMTPUTF8: 553 sender domain does not exist",
      553,
      "mail",
      "sender domain does not exist",
    ],
    [
      "MAIL FROM with the null sender",
      "SMTP error from remote mail server after MAIL FROM:<> SIZE=900: 550 bounces not accepted",
      550,
      "mail",
      "bounces not accepted",
    ],
    [
      "RCPT TO with NOTIFY and ORCPT",
      "SMTP error from remote mail server after RCPT TO:<user4@example.net> NOTIFY=FAILURE ORCPT=rfc822;user4@example.net: 550 no such user here",
      550,
      "rcpt",
      "no such user here",
    ],
    [
      "pipelined RCPT TO with a host",
      "SMTP error from remote mail server after pipelined RCPT TO:<user4@example.net> NOTIFY=NEVER: host mx.example.net [192.0.2.210]: 450 try again later",
      450,
      "rcpt",
      "try again later",
    ],
  ])("reads %s", (_case, input, code, stage, text) => {
    const reply = parseReply(input);
    expect(reply.replyCode).toBe(code);
    expect(reply.enhancedStatus).toBeNull();
    expect(reply.stage).toBe(stage);
    expect(reply.text).toBe(text);
  });

  it("marks a 5xx reply behind SIZE permanent", () => {
    const explained = createReplyClassifier().explain(
      "SMTP error from remote mail server after MAIL FROM:<user2@example.com> SIZE=1234: 550 Sender rejected: too many recipients",
    );
    expect(explained.replyCode).toBe(550);
    expect(explained.permanent).toBe(true);
    expect(explained.stage).toBe("mail");
  });
});

describe("reply code in Exchange's Remote Server returned quote", () => {
  it("reads a reply without an enhanced code", () => {
    const reply = parseReply(
      "Remote Server returned '554 IP=192.0.2.15 - A problem occurred. (Ask your postmaster for help.) (BL)'",
    );
    expect(reply.replyCode).toBe(554);
    expect(reply.enhancedStatus).toBeNull();
    expect(reply.text).toBe(
      "IP=192.0.2.15 - A problem occurred. (Ask your postmaster for help.) (BL)",
    );
    expect(reply.judgedIp).toBe("192.0.2.15");
  });

  it("keeps quotes inside the reply", () => {
    const reply = parseReply("Remote Server returned '550 messages from 192.0.2.10 weren't sent'");
    expect(reply.replyCode).toBe(550);
    expect(reply.text).toBe("messages from 192.0.2.10 weren't sent");
  });

  it("reads a reply inside Exchange's brackets", () => {
    const reply = parseReply(
      "Remote Server returned '<mx.example.net #5.0.0 smtp; 554 rejected for policy reasons>'",
    );
    expect(reply.replyCode).toBe(554);
    expect(reply.text).toBe("rejected for policy reasons");
  });

  it("marks the reply permanent", () => {
    const explained = createReplyClassifier().explain(
      "Remote Server returned '554 IP=192.0.2.15 - A problem occurred. (BL)'",
    );
    expect(explained.permanent).toBe(true);
    expect(explained.ruleId).not.toBe("generic.unknown");
  });
});

describe("reply code in a Sendmail transcript", () => {
  it("reads a server line alone", () => {
    const reply = parseReply("<<< 554 Rejected: spam detected");
    expect(reply.replyCode).toBe(554);
    expect(reply.text).toBe("Rejected: spam detected");
    expect(reply.stage).toBeNull();
  });

  it.each([
    ["MAIL From:<user2@example.com> SIZE=1893", "mail"],
    ["RCPT To:<user4@example.net>", "rcpt"],
    ["DATA", "data"],
    [".", "end-of-data"],
  ])("reads the stage of >>> %s", (command, stage) => {
    const reply = parseReply(`>>> ${command}\n<<< 554 Rejected: spam detected`);
    expect(reply.replyCode).toBe(554);
    expect(reply.stage).toBe(stage);
    expect(reply.text).toBe("Rejected: spam detected");
  });

  it("ends at the last line of the reply", () => {
    const reply = parseReply(
      [
        "... while talking to mx.example.net.:",
        ">>> MAIL From:<user2@example.com> SIZE=1234",
        "<<< 554-5.7.1 Rejected: 192.0.2.10 listed at bl.example.net",
        "<<< 554 5.7.1 See https://bl.example.net/",
        "554 5.0.0 Service unavailable",
      ].join("\n"),
    );
    expect(reply.replyCode).toBe(554);
    expect(reply.enhancedStatus).toBe("5.7.1");
    expect(reply.stage).toBe("mail");
    expect(reply.text).toBe(
      "Rejected: 192.0.2.10 listed at bl.example.net See https://bl.example.net/",
    );
  });

  it("takes the first failure of a transcript", () => {
    const reply = parseReply(
      [
        ">>> MAIL From:<user2@example.com> SIZE=1893",
        "<<< 250 2.1.0 Sender ok",
        ">>> RCPT To:<user4@example.net>",
        "<<< 550 5.1.1 <user4@example.net>... User unknown",
        "550 5.1.1 <user4@example.net>... User unknown",
      ].join("\n"),
    );
    expect(reply.replyCode).toBe(550);
    expect(reply.enhancedStatus).toBe("5.1.1");
    expect(reply.stage).toBe("rcpt");
  });

  it("marks the reply permanent", () => {
    const explained = createReplyClassifier().explain("<<< 554 Rejected: spam detected");
    expect(explained.permanent).toBe(true);
  });
});

describe("qmail's own enhanced code", () => {
  it.each([
    [
      "Sorry, no mailbox here by that name. (#5.1.1)",
      "5.1.1",
      "Sorry, no mailbox here by that name.",
    ],
    [
      "Sorry, I couldn't find any host by that name. (#5.1.2)",
      "5.1.2",
      "Sorry, I couldn't find any host by that name.",
    ],
    [
      "Sorry, I wasn't able to establish an SMTP connection. (#4.4.1)",
      "4.4.1",
      "Sorry, I wasn't able to establish an SMTP connection.",
    ],
  ])("keeps the text of %s", (input, status, text) => {
    const reply = parseReply(input);
    expect(reply.enhancedStatus).toBe(status);
    expect(reply.text).toBe(text);
  });

  it("keeps the text after a reply code", () => {
    const reply = parseReply(
      "remote host 192.0.2.7 said: 550 Sorry, no mailbox here by that name. (#5.1.1)",
    );
    expect(reply.replyCode).toBe(550);
    expect(reply.enhancedStatus).toBe("5.1.1");
    expect(reply.text).toBe("Sorry, no mailbox here by that name.");
  });
});
