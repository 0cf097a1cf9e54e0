import { describe, expect, test } from "vitest";
import { sendingLimitStep } from "../../src/diagnose/findings/compromised-account.js";
import { srsStep } from "../../src/diagnose/findings/forwarding.js";
import { fitStepToMtas, mtaStep, stepMtas } from "../../src/diagnose/findings/mta-steps.js";
import { banFailedLoginsStep } from "../../src/diagnose/findings/password-guessing.js";
import { deleteQueuedStep, retryQueueStep } from "../../src/diagnose/findings/queue-commands.js";
import { reverseDnsSteps } from "../../src/diagnose/findings/reverse-dns.js";
import { firewallStep } from "../../src/diagnose/findings/smtp-bypass.js";
import { tlsStep } from "../../src/diagnose/findings/tls-required.js";
import { logScriptStep } from "../../src/diagnose/findings/web-script.js";
import type { Finding } from "../../src/diagnose/types.js";
import type { MtaName } from "../../src/logs/events.js";
import { diagnoseText } from "../helpers/diagnose-text.js";

const EXIM = new Set<MtaName>(["exim"]);
const SENDMAIL = new Set<MtaName>(["sendmail"]);
const POSTFIX = new Set<MtaName>(["postfix"]);
const NONE = new Set<MtaName>();

/** Settings and commands that only Postfix has, which no step for another MTA may name. */
const POSTFIX_ONLY =
  /smtp_tls_security_level|smtp_helo_name|inet_protocols|smtp_address_preference|header_checks|postfix-sasl|smtpd_client_auth_rate_limit|anvil|policyd|postsrsd|postqueue|postsuper|--uid-owner postfix/;

/** Builds every MTA-specific step for one set of logged MTAs. */
function allSteps(mtas: ReadonlySet<MtaName>): string[] {
  return [
    logScriptStep(mtas),
    banFailedLoginsStep(mtas, false),
    tlsStep(mtas),
    retryQueueStep("Retry the queue.", mtas),
    ...reverseDnsSteps(mtas),
    sendingLimitStep("Limit each account.", mtas),
    srsStep(mtas),
    firewallStep(mtas),
    deleteQueuedStep([], mtas),
  ];
}

describe("stepMtas", () => {
  test("keeps the logged MTAs in order", () => {
    expect(stepMtas(new Set<MtaName>(["sendmail", "postfix"]))).toEqual(["postfix", "sendmail"]);
  });

  test("falls back to Postfix and Exim", () => {
    expect(stepMtas(NONE)).toEqual(["postfix", "exim"]);
  });
});

describe("mtaStep", () => {
  test("ends each MTA's advice as a sentence", () => {
    const step = mtaStep(
      "Do it.",
      { postfix: "`p`", exim: "`e`", sendmail: "s" },
      new Set<MtaName>(["exim", "sendmail"]),
    );

    expect(step).toBe("Do it. Exim: `e`. Sendmail: s.");
  });
});

describe("fitStepToMtas", () => {
  const HELO =
    "Send the server's fully qualified host name in EHLO (Postfix: smtp_helo_name; Exim: helo_data on the smtp transport).";

  test("keeps the logged MTA's setting", () => {
    expect(fitStepToMtas(HELO, EXIM)).toBe(
      "Send the server's fully qualified host name in EHLO (Exim: helo_data on the smtp transport).",
    );
  });

  test("drops settings of no logged MTA", () => {
    expect(fitStepToMtas(HELO, SENDMAIL)).toBe(
      "Send the server's fully qualified host name in EHLO.",
    );
  });

  test("keeps Postfix and Exim without MTA", () => {
    expect(fitStepToMtas(HELO, NONE)).toBe(HELO);
  });

  test("leaves other parentheticals alone", () => {
    const step = "Check the routes (`ip route`) and the gateway (Postfix: x; see the manual).";

    expect(fitStepToMtas(step, EXIM)).toBe(step);
  });
});

describe("fix steps by logged MTA", () => {
  test("Exim steps name no Postfix setting", () => {
    for (const step of allSteps(EXIM)) {
      expect(step).not.toMatch(POSTFIX_ONLY);
      expect(step).not.toContain("Postfix");
      expect(step).toContain("Exim: ");
    }
  });

  test("Sendmail steps name no Postfix setting", () => {
    for (const step of allSteps(SENDMAIL)) {
      expect(step).not.toMatch(POSTFIX_ONLY);
      expect(step).not.toContain("Postfix");
      expect(step).not.toContain("Exim");
      expect(step).toContain("Sendmail: ");
    }
  });

  test("Postfix steps name no other MTA", () => {
    for (const step of allSteps(POSTFIX)) {
      expect(step).toContain("Postfix: ");
      expect(step).not.toContain("Exim");
      expect(step).not.toContain("Sendmail");
    }
  });

  test("no logged MTA keeps Postfix and Exim", () => {
    for (const step of allSteps(NONE)) {
      expect(step).toContain("Postfix: ");
      expect(step).toContain("Exim: ");
      expect(step).not.toContain("Sendmail");
    }
  });

  test("Exim steps give Exim's settings", () => {
    expect(logScriptStep(EXIM)).toContain("`log_selector = +arguments`");
    expect(banFailedLoginsStep(EXIM, false)).toContain("the `exim` jail");
    expect(tlsStep(EXIM)).toContain("`hosts_try_tls = *`");
    expect(retryQueueStep("Retry.", EXIM)).toBe("Retry. Exim: `exim -qf`.");
    expect(reverseDnsSteps(EXIM).join(" ")).toContain("`helo_data`");
    expect(reverseDnsSteps(EXIM).join(" ")).toContain("`disable_ipv6 = true`");
    expect(sendingLimitStep("Limit.", EXIM)).toContain("`ratelimit`");
    expect(firewallStep(EXIM)).toContain("--uid-owner Debian-exim ");
  });

  test("Sendmail steps give Sendmail's settings", () => {
    expect(tlsStep(SENDMAIL)).toContain("`Try_TLS:`");
    expect(retryQueueStep("Retry.", SENDMAIL)).toBe("Retry. Sendmail: `sendmail -q`.");
    expect(banFailedLoginsStep(SENDMAIL, false)).toContain("the `sendmail-auth` jail");
    expect(reverseDnsSteps(SENDMAIL).join(" ")).toContain("`Family=inet`");
    expect(logScriptStep(SENDMAIL)).toContain("`mail.log = /var/log/php-mail.log`");
    expect(firewallStep(SENDMAIL)).toContain("--uid-owner USER ");
    expect(firewallStep(SENDMAIL)).toContain("Replace USER with the MTA's user.");
    expect(deleteQueuedStep([], SENDMAIL)).toContain("the `qf` and `df` files of each id");
  });

  test("Postfix firewall rule names postfix", () => {
    const step = firewallStep(POSTFIX);

    expect(step).toContain("--uid-owner postfix ");
    expect(step).not.toContain("Replace USER");
  });
});

const GMAIL_MX = "gmail-smtp-in.l.google.com";
const STARTTLS_REPLY = "530 5.7.0 Must issue a STARTTLS command first. a1si2 - gsmtp";

/** Returns a classic syslog stamp `minute` minutes after 08:00 on 4 March. */
function syslogStamp(minute: number): string {
  const time = new Date(Date.UTC(2024, 2, 4, 8, minute, 0)).toISOString();
  return `Mar  4 ${time.slice(11, 19)}`;
}

/** Writes a Sendmail log of `count` messages to Gmail that Gmail refuses without STARTTLS. */
function sendmailStarttlsLog(count: number): string {
  const lines: string[] = [];
  for (let index = 0; index < count; index++) {
    const stamp = `${syslogStamp(index * 5)} mx sm-mta[${3000 + index}]:`;
    const id = `424E${String(index).padStart(4, "0")}003${String(index).padStart(3, "0")}`;
    lines.push(
      `${stamp} ${id}: from=<user@example.com>, size=1000, class=0, nrcpts=1, msgid=<${id}@example.com>, proto=ESMTPSA, daemon=MTA-MSA, relay=pc.example.com [198.51.100.30]`,
      `${stamp} ${id}: to=<friend${index}@gmail.com>, delay=00:00:01, xdelay=00:00:01, mailer=esmtp, pri=120000, relay=${GMAIL_MX}. [192.0.2.27], dsn=5.7.0, stat=Service unavailable: ${STARTTLS_REPLY}`,
    );
  }
  return `${lines.join("\n")}\n`;
}

/** Writes an Exim main log of `count` failed SMTP AUTH logins from 198.51.100.10. */
function eximFailedLoginsLog(count: number): string {
  const lines: string[] = [];
  for (let index = 0; index < count; index++) {
    const time = new Date(Date.UTC(2024, 2, 4, 8, 0, index)).toISOString();
    const stamp = `${time.slice(0, 10)} ${time.slice(11, 19)}`;
    lines.push(
      `${stamp} dovecot_login authenticator failed for (User) [198.51.100.10]:50221: 535 Incorrect authentication data (set_id=user${index % 50}@example.com)`,
    );
  }
  const id = "1rhA2b-000Abc-1x";
  lines.push(
    `2024-03-04 09:00:00 ${id} <= alice@example.com H=(pc) [192.0.2.30]:40000 P=esmtpsa A=dovecot_plain:alice@example.com S=1000`,
    `2024-03-04 09:00:01 ${id} => bob@example.net R=dnslookup T=remote_smtp H=mx.example.net [198.51.100.25] C="250 OK"`,
    `2024-03-04 09:00:01 ${id} Completed`,
  );
  return `${lines.join("\n")}\n`;
}

/** Writes a Sendmail log of `count` messages to Gmail whose connections time out. */
function sendmailTimeoutLog(count: number): string {
  const lines: string[] = [];
  for (let index = 0; index < count; index++) {
    const stamp = `${syslogStamp(index * 5)} mx sm-mta[${4000 + index}]:`;
    const id = `424F${String(index).padStart(4, "0")}004${String(index).padStart(3, "0")}`;
    lines.push(
      `${stamp} ${id}: from=<user@example.com>, size=1000, class=0, nrcpts=1, msgid=<${id}@example.com>, proto=ESMTPSA, daemon=MTA-MSA, relay=pc.example.com [198.51.100.30]`,
      `${stamp} ${id}: to=<friend${index}@gmail.com>, delay=00:00:30, xdelay=00:00:30, mailer=esmtp, pri=120000, relay=${GMAIL_MX}. [192.0.2.27], dsn=4.0.0, stat=Deferred: Connection timed out with ${GMAIL_MX}.`,
    );
  }
  return `${lines.join("\n")}\n`;
}

function findingOf(findings: readonly Finding[], id: string): Finding | undefined {
  return findings.find((found) => found.id === id);
}

describe("fix steps of logged MTAs", () => {
  test("Sendmail log gets Sendmail TLS steps", async () => {
    const diagnosis = await diagnoseText(sendmailStarttlsLog(12), { year: 2024 });
    const fixes = findingOf(diagnosis.findings, "tls-required")?.fix.join("\n") ?? "";

    expect(fixes).toContain("Sendmail: remove `Try_TLS:` entries");
    expect(fixes).toContain("Sendmail: `sendmail -q`.");
    expect(fixes).not.toMatch(POSTFIX_ONLY);
    expect(fixes).not.toContain("exim");
  });

  test("Sendmail outage gets SMART_HOST", async () => {
    const diagnosis = await diagnoseText(sendmailTimeoutLog(12), { year: 2024 });
    const fixes = diagnosis.providers["gmail"]?.outage?.fix.join("\n") ?? "";

    expect(fixes).toContain("(Sendmail: SMART_HOST in the mc file)");
    expect(fixes).not.toContain("relayhost");
    expect(fixes).not.toContain("Postfix");
  });

  test("Exim log gets the exim jail", async () => {
    const diagnosis = await diagnoseText(eximFailedLoginsLog(1200));
    const guessing = diagnosis.findings.find(
      (found) =>
        found.id === "compromised-account" &&
        (found.evidence as { kind?: string }).kind === "password-guessing",
    );
    const fixes = guessing?.fix.join("\n") ?? "";

    expect(guessing).toBeDefined();
    expect(fixes).toContain("Exim: the `exim` jail.");
    expect(fixes).not.toMatch(POSTFIX_ONLY);
  });
});
