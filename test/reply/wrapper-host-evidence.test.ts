import { describe, expect, it } from "vitest";
import { createReplyClassifier } from "../../src/reply/classify.js";

// Provider replies that carry evidence of their provider: a trailer, help link, host name or
// token. Each is given with the provider's own MX. Behind a host that no provider runs, each
// must keep the rule it gets behind that MX. The sending server is 192.0.2.10.
const EVIDENCE_REPLIES: ReadonlyArray<readonly [name: string, ownHost: string, reply: string]> = [
  [
    "Gmail trailer",
    "gmail-smtp-in.l.google.com",
    "550-5.7.1 [192.0.2.10      12] Gmail has detected that this message is likely unsolicited mail. To reduce the amount of spam sent to Gmail, this message has been blocked. 550 5.7.1 For more information, go to https://support.google.com/mail/?p=UnsolicitedMessageError a1si1234567qkb.12 - gsmtp",
  ],
  [
    "Yahoo token TSS04",
    "mta5.am0.yahoodns.net",
    "421 4.7.0 [TSS04] Messages from 192.0.2.10 temporarily deferred due to unexpected volume or user complaints",
  ],
  [
    "Yahoo token TSS09",
    "mta5.am0.yahoodns.net",
    "553 5.7.1 [TSS09] All messages from 192.0.2.10 will be permanently deferred; Retrying will NOT succeed.",
  ],
  [
    "Yahoo token dd",
    "mta5.am0.yahoodns.net",
    "554 delivery error: dd This user doesn't have a yahoo.com account",
  ],
  [
    "iCloud token CS01",
    "mx01.mail.icloud.com",
    "554 5.7.1 [CS01] Message rejected due to local policy.",
  ],
  ["iCloud token HME1", "mx01.mail.icloud.com", "550 5.7.1 [HME1] Message rejected"],
  [
    "Exchange Online removal link",
    "example-net.mail.protection.outlook.com",
    "550 5.7.606 Access denied, banned sending IP [192.0.2.10]. To request removal from this list please visit https://sender.office.com/ and follow the directions. (AS16012609)",
  ],
  [
    "Outlook.com token S3140",
    "hotmail-com.olc.protection.outlook.com",
    "550 5.7.1 Unfortunately, messages from [192.0.2.10] weren't sent. Please contact your Internet service provider since part of their network is on our block list (S3140). You can also refer your provider to http://mail.live.com/mail/troubleshooting.aspx#errors.",
  ],
  ["Comcast token", "mx1a1.comcast.net", "554 5.7.1 192.0.2.10 blocked by Comcast BL000000"],
  [
    "Yandex short link",
    "mx.yandex.ru",
    "554 5.7.1 [2] Message rejected under suspicion of SPAM; https://ya.cc/1IrBc 1631900360-abc",
  ],
  [
    "MailChannels token",
    "mx1.mailchannels.net",
    "550 5.7.1 [CSR] Our system has detected an unusual amount of unsolicited email from this sender",
  ],
  [
    "Google relay credentials",
    "smtp-relay.gmail.com",
    "550 5.7.1 Invalid credentials for relay [192.0.2.10]. The IP address you've registered in your Workspace SMTP Relay service doesn't match the domain of the account. a1si123 - gsmtp",
  ],
  [
    "Google daily sending limit",
    "smtp-relay.gmail.com",
    "550 5.4.5 Daily user sending limit exceeded. For more information on Gmail sending limits go to https://support.google.com/a/answer/166852 a1si123 - gsmtp",
  ],
];

describe("provider evidence behind a host of no provider", () => {
  const classifier = createReplyClassifier();

  it.each(EVIDENCE_REPLIES)("%s keeps its rule behind the provider's MX", (_name, host, text) => {
    const reply = classifier.explain(`host ${host}[192.0.2.201] said: ${text}`);
    expect(reply.ruleId).not.toMatch(/^generic\./);
    expect(reply.provider).not.toBeNull();
  });

  it.each(EVIDENCE_REPLIES)("%s keeps its rule behind mx.example.net", (_name, host, text) => {
    const own = classifier.explain(`host ${host}[192.0.2.201] said: ${text}`);
    const reply = classifier.explain(`host mx.example.net[192.0.2.220] said: ${text}`);
    expect(reply.ruleId).toBe(own.ruleId);
    expect(reply.category).toBe(own.category);
  });

  it.each(EVIDENCE_REPLIES)("%s keeps its rule behind a relay hint", (_name, host, text) => {
    const own = classifier.explain(text, { relayHost: host });
    const reply = classifier.explain(text, { relayHost: "mx.example.net" });
    expect(reply.ruleId).toBe(own.ruleId);
  });

  it.each(EVIDENCE_REPLIES)("%s keeps its rule behind a bare IP", (_name, host, text) => {
    const own = classifier.explain(`host ${host}[192.0.2.201] said: ${text}`);
    const reply = classifier.explain(`host 192.0.2.236[192.0.2.236] said: ${text}`);
    expect(reply.ruleId).toBe(own.ruleId);
  });

  it("gives Google's daily limit the sending-account fix", () => {
    const reply = classifier.explain(
      "host mx.example.net[192.0.2.220] said: 550 5.4.5 Daily user sending limit exceeded. a1si123 - gsmtp",
    );
    expect(reply.ruleId).toBe("gmail.sending-quota");
    expect(reply.category).toBe("sender-account");
  });

  it("names Exchange Online for a removal link", () => {
    const reply = classifier.explain(
      `host mx.example.net[192.0.2.220] said: ${EVIDENCE_REPLIES[6]?.[2] ?? ""}`,
    );
    expect(reply.provider).toBe("exchange-online");
    expect(reply.ruleId).toBe("exchange-online.banned-ip");
  });

  it("leaves Gmail's wording without its trailer to the host", () => {
    const reply = classifier.explain(
      "host mx.example.net[192.0.2.220] said: 550 5.7.1 Gmail has detected that this message is likely unsolicited mail.",
    );
    expect(reply.provider).toBeNull();
    expect(reply.ruleId).toMatch(/^generic\./);
  });

  it("counts no link parameter c= as evidence", () => {
    const reply = classifier.explain(
      "host mx.example.net[192.0.2.220] said: 554 5.7.1 Rejected, see https://help.example.net/faq?c=rdns",
    );
    expect(reply.providerToken).toBe("c=rdns");
    expect(reply.provider).toBeNull();
    expect(reply.ruleId).toMatch(/^generic\./);
  });
});
