import { describe, expect, it } from "vitest";
import { runCommand } from "../helpers/cli.js";

// Receivers' MX hosts are 192.0.2.200 and up, senders 192.0.2.1 to 192.0.2.99 and 2001:db8::/64.

interface ExplainJson {
  readonly ruleId: string;
  readonly summary: string;
  readonly fix: readonly string[];
  readonly reference: string | null;
  readonly text: string;
  readonly judgedIp: string | null;
  readonly providerToken: string | null;
}

async function explainJson(input: string): Promise<ExplainJson> {
  const result = await runCommand(["explain", "--format", "json", "-"], input);
  expect(result.stderr).toBe("");
  return JSON.parse(result.stdout) as ExplainJson;
}

const MAILRU_DMARC =
  "550 5.7.1 This message was not accepted due to domain owner DMARC policy (RFC 7489) https://help.mail.ru/mail-help/postmaster/dmarc";

describe("explain Mail.ru DMARC rejection", () => {
  it("gives the aligned SPF or DKIM step first", async () => {
    const output = await explainJson(MAILRU_DMARC);
    expect(output.ruleId).toBe("mailru.dmarc");
    expect(output.fix[0]).toMatch(/^Make SPF or DKIM pass aligned with the From domain\./);
    expect(output.fix[0]).toContain("DKIM d= the From domain");
  });

  it("gives the Mail.ru sender case second", async () => {
    const output = await explainJson(MAILRU_DMARC);
    expect(output.fix).toHaveLength(2);
    expect(output.fix[1]).toMatch(/^If the From address is at mail\.ru, bk\.ru/);
  });

  it("refers to Mail.ru's DMARC page", async () => {
    const output = await explainJson(MAILRU_DMARC);
    expect(output.reference).toBe("https://help.mail.ru/mail-help/postmaster/dmarc");
  });

  it("matches the wording that names the domain", async () => {
    const output = await explainJson(
      "host mxs.mail.ru[192.0.2.231] said: 550 5.7.1 This message was not accepted due to domain (example.com) owner DMARC policy (RFC 7489) https://help.mail.ru/mail-help/postmaster/dmarc (in reply to end of DATA command)",
    );
    expect(output.ruleId).toBe("mailru.dmarc");
  });
});

function comcastReply(token: string, ip = "192.0.2.26 "): string {
  return `host mx1.comcast.net[192.0.2.231] refused to talk to me: 554 resimta-h1p-028482.sys.comcast.net resimta-h1p-028482.sys.comcast.net ${ip}found on one or more DNSBLs, see http://postmaster.comcast.net/smtp-error-codes.php#${token}`;
}

describe("explain Comcast public blocklist token", () => {
  it("reads the IP before found on", async () => {
    const output = await explainJson(comcastReply("BL000010"));
    expect(output.judgedIp).toBe("192.0.2.26");
  });

  it("names the one list of BL000010", async () => {
    const output = await explainJson(comcastReply("BL000010"));
    expect(output.ruleId).toBe("comcast.public-blocklist");
    expect(output.summary).toBe("Comcast refuses the IP because Cloudmark CSI lists 192.0.2.26.");
    expect(output.fix).toEqual([
      "Look 192.0.2.26 up at Cloudmark CSI and request delisting there.",
    ]);
  });

  it.each([
    ["BL000001", "Spamhaus ZEN lists"],
    ["BL000100", "the SenderScore blocklist lists"],
    ["BL000101", "Spamhaus ZEN and the SenderScore blocklist list"],
    ["BL000111", "Spamhaus ZEN, Cloudmark CSI and the SenderScore blocklist list"],
  ])("names the lists of %s", async (token, lists) => {
    const output = await explainJson(comcastReply(token));
    expect(output.summary).toBe(`Comcast refuses the IP because ${lists} 192.0.2.26.`);
  });

  it("says the sending IP without an IP", async () => {
    const output = await explainJson(comcastReply("BL000011", ""));
    expect(output.judgedIp).toBeNull();
    expect(output.summary).toBe(
      "Comcast refuses the IP because Spamhaus ZEN and Cloudmark CSI list the sending IP.",
    );
    expect(output.fix).toEqual([
      "Look the sending IP up at Spamhaus ZEN and Cloudmark CSI, and request delisting from each.",
    ]);
  });
});

// Postfix's own text of a bounce with the IP masked by the poster, and the DSN field below it.
const EXO_MASKED = [
  "<user1@example.com>: host",
  "    example-com.mail.protection.outlook.com[192.0.2.210] said: 550 5.7.606",
  "    Access denied, banned sending IP [****]. To request removal from",
  "    this list please visit https://sender.office.com/ and follow the",
  "    directions. (AS16012609) (in reply to",
  "    RCPT TO command)",
  "Diagnostic-Code: smtp; 550 5.7.606 Access denied, banned sending IP",
  "    [192.0.2.10]. To request removal from this list please visit",
  "    https://sender.office.com/ and follow the directions. (AS16012609)",
].join("\n");

describe("explain reply copies with a masked IP", () => {
  it("takes the judged IP from the DSN copy", async () => {
    const output = await explainJson(EXO_MASKED);
    expect(output.ruleId).toBe("exchange-online.banned-ip");
    expect(output.judgedIp).toBe("192.0.2.10");
  });

  it("keeps the text of the first copy", async () => {
    const output = await explainJson(EXO_MASKED);
    expect(output.text).toContain("banned sending IP [****].");
  });

  it("ignores a DSN copy of another reply", async () => {
    const other = EXO_MASKED.replace(
      "Access denied, banned sending IP\n",
      "Access denied, sender IP reputation low\n",
    );
    const output = await explainJson(other);
    expect(output.judgedIp).toBeNull();
  });

  it("ignores a DSN copy with other codes", async () => {
    const other = EXO_MASKED.replace("smtp; 550 5.7.606", "smtp; 550 5.7.1");
    const output = await explainJson(other);
    expect(output.judgedIp).toBeNull();
  });
});

describe("explain link parameters", () => {
  it("reports no token for Mail.ru's c= link", async () => {
    const output = await explainJson(
      "host mxs.mail.ru[192.0.2.232] said: 550 spam message rejected. Please visit http://help.mail.ru/notspam-support/id?c=AbCdEfGh or report details to abuse@corp.mail.ru. Error code: 1A2B3C4D5E6F. ID: 0000000A1B2C3D4E. (in reply to end of DATA command)",
    );
    expect(output.ruleId).toBe("mailru.spam");
    expect(output.providerToken).toBeNull();
  });

  it("keeps GMX's case token", async () => {
    const output = await explainJson(
      "554-gmx.net (mxgmx104) Nemesis ESMTP Service not available\n554 For explanation visit https://postmaster.gmx.net/en/case?c=rdns&i=ip&v=192.0.2.15",
    );
    expect(output.providerToken).toBe("c=rdns");
    expect(output.ruleId).toBe("gmx.bad-ptr-case");
  });
});

describe("explain Gmail PTR rejection", () => {
  it("offers IPv4 for an IPv6 sender", async () => {
    const output = await explainJson(
      [
        "550 5.7.25 [2001:db8::3] The IP address sending this message does not",
        "5.7.25 have a PTR record setup, or the corresponding forward DNS entry does",
        "5.7.25 not match the sending IP. As a policy, Gmail does not accept",
        "5.7.25 messages from IPs with missing PTR records. d9443c01a7336-1fed7ee81f0si149452475ad.272 - gsmtp",
      ].join("\n"),
    );
    expect(output.ruleId).toBe("gmail.ptr-missing");
    expect(output.judgedIp).toBe("2001:db8::3");
    expect(output.fix.some((step) => step.includes("send over IPv4"))).toBe(true);
  });
});

describe("explain Gmail link split over two lines", () => {
  const lines = [
    "421-4.7.0 [192.0.2.3 15] Our system has detected an unusual rate of",
    "421-4.7.0 unsolicited mail originating from your IP address. To protect our",
    "421-4.7.0 users from spam, mail sent from your IP address has been temporarily",
    "421-4.7.0 rate limited. Please visit http://www.google.com/mail/help/bulk_mail.",
    "421 4.7.0 html to review our Bulk Email Senders Guidelines. v69si8136768yhd.33 - gsmtp",
  ];

  it("joins the link of a transcript", async () => {
    const transcript = ["RCPT To:<user1@gmail.com>", "DATA", "", ".", "", ...lines, "", "QUIT"];
    const output = await explainJson(transcript.join("\n"));
    expect(output.text).toContain(
      "Please visit http://www.google.com/mail/help/bulk_mail.html to review our",
    );
  });

  it("joins the link of a Postfix line", async () => {
    const output = await explainJson(
      `host gmail-smtp-in.l.google.com[192.0.2.227] said: ${lines.join(" ")} (in reply to end of DATA command)`,
    );
    expect(output.text).toContain("/bulk_mail.html to review our");
  });
});
