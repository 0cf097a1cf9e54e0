import { describe, expect, it } from "vitest";
import { inboundMxProvider, providerOfRelay } from "../../src/knowledge/providers.js";
import { runCommand } from "../helpers/cli.js";
import { postfixDsn } from "../helpers/postfix-dsn.js";
import { temporaryFiles } from "../helpers/temporary-files.js";

// Exchange Online tenants in Microsoft's US government clouds: GCC High under
// mail.protection.office365.us, DoD under protection.office365.us.
const GCC_HIGH_MX = "example-org.mail.protection.office365.us";
const DOD_MX = "example-net.protection.office365.us";

// Microsoft's Spamhaus refusal (AS3130) in our own words. The sending server is 192.0.2.1.
const SPAMHAUS_REPLY =
  "550 5.7.1 Service unavailable, Client host [192.0.2.1] blocked using Spamhaus. To request " +
  "removal from this list see https://www.spamhaus.org/query/ip/192.0.2.1 (AS3130). " +
  "[BN1NAM02FT010.eop-nam02.prod.protection.outlook.com]";

const files = temporaryFiles();

describe("government cloud tenant hosts", () => {
  it.each([GCC_HIGH_MX, DOD_MX, `${GCC_HIGH_MX}.`])("relay %s is Exchange Online", (host) => {
    expect(providerOfRelay(host)).toBe("exchange-online");
  });

  it.each([GCC_HIGH_MX, DOD_MX])("inbound MX %s is Exchange Online", (host) => {
    expect(inboundMxProvider(host)).toBe("exchange-online");
  });

  it.each(["protection.office365.us.example.net", "mail.example-office365.us"])(
    "%s is no provider's host",
    (host) => {
      expect(providerOfRelay(host)).toBeNull();
    },
  );
});

describe("explain with a government cloud tenant", () => {
  it.each([GCC_HIGH_MX, DOD_MX])("Postfix said: text from %s", async (host) => {
    const text = `host ${host}[192.0.2.60] said: ${SPAMHAUS_REPLY} (in reply to MAIL FROM command)`;
    const result = await runCommand(["explain", "-f", "json", "-"], text);
    const reply = JSON.parse(result.stdout) as { ruleId: string; provider: string };
    expect(reply.ruleId).toBe("exchange-online.spamhaus");
    expect(reply.provider).toBe("exchange-online");
  });

  it("Exim ** line", async () => {
    const line =
      "2024-03-04 10:00:03 1rA001-000001-AA ** carol@example.org R=dnslookup T=remote_smtp " +
      `H=${GCC_HIGH_MX} [192.0.2.60]: SMTP error from remote mail server after ` +
      `MAIL FROM:<alice@example.com> SIZE=2200: ${SPAMHAUS_REPLY}`;
    const result = await runCommand(["explain", "-"], line);
    const flat = result.stdout.replace(/\s+/g, " ");
    expect(result.stdout.split("\n")[0]).toContain("Exchange Online");
    expect(flat).toContain("rule exchange-online.spamhaus");
    expect(flat).not.toContain("Outlook.com");
  });

  it("DSN with Remote-MTA", async () => {
    const dsn = postfixDsn({
      subject: "Undelivered Mail Returned to Sender",
      date: "Mon, 4 Mar 2024 10:00:03 +0000",
      postfixSender: true,
      recipient: "carol@example.org",
      action: "failed",
      status: "5.7.1",
      remoteMta: GCC_HIGH_MX,
      diagnostic: `smtp; ${SPAMHAUS_REPLY}`,
    });
    const result = await runCommand(["explain", "-"], dsn);
    const flat = result.stdout.replace(/\s+/g, " ");
    expect(result.stdout.split("\n")[0]).toContain("Exchange Online");
    expect(flat).toContain("rule exchange-online.spamhaus");
    expect(flat).not.toContain("Outlook.com");
  });
});

describe("logs and diagnose with a government cloud tenant", () => {
  const log = [
    "Mar  4 10:00:01 mx1 postfix/smtpd[100]: 1A0000000A: client=a.example.com[192.0.2.10]",
    "Mar  4 10:00:01 mx1 postfix/qmgr[102]: 1A0000000A: from=<alice@example.com>, size=1200, nrcpt=2 (queue active)",
    `Mar  4 10:00:03 mx1 postfix/smtp[104]: 1A0000000A: to=<carol@example.org>, relay=${GCC_HIGH_MX}[192.0.2.60]:25, delay=2, delays=0.1/0/0.5/1.4, dsn=5.7.1, status=bounced (host ${GCC_HIGH_MX}[192.0.2.60] said: ${SPAMHAUS_REPLY} (in reply to MAIL FROM command))`,
    `Mar  4 10:00:04 mx1 postfix/smtp[104]: 1A0000000A: to=<dan@example.net>, relay=${DOD_MX}[192.0.2.61]:25, delay=2, delays=0.1/0/0.5/1.4, dsn=2.0.0, status=sent (250 2.6.0 <m1@example.com> Queued mail for delivery)`,
    "Mar  4 10:00:04 mx1 postfix/qmgr[102]: 1A0000000A: removed",
    "",
  ].join("\n");

  it.each(["logs", "diagnose"])("%s counts both tenants as Exchange Online", async (command) => {
    const path = files.file(log);
    const args = [command, "--no-progress", "--year", "2024", "--timezone", "UTC", "-f", "json"];
    if (command === "diagnose") args.push("--offline");
    const result = await runCommand([...args, path]);
    const report = JSON.parse(result.stdout) as {
      providers: Record<string, { sent: number; bounced: number }>;
    };
    expect(Object.keys(report.providers)).toEqual(["exchange-online"]);
    expect(report.providers["exchange-online"]?.sent).toBe(1);
    expect(report.providers["exchange-online"]?.bounced).toBe(1);
  });
});
