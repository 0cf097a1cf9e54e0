import { describe, expect, test } from "vitest";
import type { Diagnosis, Finding } from "../../src/diagnose/types.js";
import { compromisedLog } from "../helpers/compromised-log.js";
import { diagnoseText } from "../helpers/diagnose-text.js";

const GMAIL_MX = "gmail-smtp-in.l.google.com";
const UNAUTHENTICATED =
  "550-5.7.26 This mail is unauthenticated, which poses a security risk to the sender and Gmail users, and has been blocked. The sender must authenticate with at least one of SPF or DKIM. - gsmtp";
const RATE_LIMITED =
  "421-4.7.28 Our system has detected an unusual rate of unsolicited mail originating from your IP address. - gsmtp";

/** Returns the Exim main log stamp of `minute` minutes after 08:00 on 4 March 2024. */
function eximStamp(minute: number): string {
  const time = new Date(Date.UTC(2024, 2, 4, 8, minute, 0)).toISOString();
  return `${time.slice(0, 10)} ${time.slice(11, 19)}`;
}

/** Returns a classic syslog stamp of `minute` minutes after 08:00 on 4 March. */
function syslogStamp(minute: number): string {
  const time = new Date(Date.UTC(2024, 2, 4, 8, minute, 0)).toISOString();
  return `Mar  4 ${time.slice(11, 19)}`;
}

/**
 * Writes an Exim main log of `count` messages from alice@example.com to Gmail, each ending in
 * `result`: a `**` bounce or a `==` deferral line without its stamp, id and recipient.
 */
function eximGmailLog(count: number, result: (recipient: string) => string): string {
  const lines: string[] = [];
  for (let index = 0; index < count; index++) {
    const stamp = eximStamp(index * 5);
    const id = `1rhA${String(index).padStart(2, "0")}-000Abc-1x`;
    const recipient = `friend${index}@gmail.com`;
    lines.push(
      `${stamp} ${id} <= alice@example.com H=(pc) [192.0.2.30]:40000 P=esmtpsa A=dovecot_plain:alice@example.com S=1000`,
      `${stamp} ${id} ${result(recipient)}`,
      `${stamp} ${id} Completed`,
    );
  }
  return `${lines.join("\n")}\n`;
}

function eximBounce(recipient: string): string {
  return `** ${recipient} R=dnslookup T=remote_smtp H=${GMAIL_MX} [192.0.2.27]: SMTP error from remote mail server after end of data: ${UNAUTHENTICATED}`;
}

function eximDeferral(recipient: string): string {
  return `== ${recipient} R=dnslookup T=remote_smtp defer (-44) H=${GMAIL_MX} [192.0.2.27]: SMTP error from remote mail server after RCPT TO:<${recipient}>: ${RATE_LIMITED}`;
}

/**
 * Writes a Sendmail log of `count` messages from alice@example.com to Gmail, each with the
 * delivery status `dsn` and the status text `stat`.
 */
function sendmailGmailLog(count: number, dsn: string, stat: string): string {
  const lines: string[] = [];
  for (let index = 0; index < count; index++) {
    const stamp = `${syslogStamp(index * 5)} mx sm-mta[${3000 + index}]:`;
    const id = `424E${String(index).padStart(4, "0")}003${String(index).padStart(3, "0")}`;
    lines.push(
      `${stamp} ${id}: from=<alice@example.com>, size=1000, class=0, nrcpts=1, msgid=<${id}@example.com>, proto=ESMTPSA, daemon=MTA-MSA, relay=pc.example.com [198.51.100.30]`,
      `${stamp} ${id}: to=<friend${index}@gmail.com>, delay=00:00:01, xdelay=00:00:01, mailer=esmtp, pri=120000, relay=${GMAIL_MX}. [192.0.2.27], dsn=${dsn}, stat=${stat}`,
    );
  }
  return `${lines.join("\n")}\n`;
}

/** Writes an Exim main log of one message delivered to a local mailbox, and nothing sent out. */
function eximLocalLog(): string {
  const id = "1rhB01-000Abc-1x";
  return [
    `${eximStamp(0)} ${id} <= bob@example.net H=mx.example.net [198.51.100.25]:40000 P=esmtps S=1000`,
    `${eximStamp(0)} ${id} => alice <alice@example.com> R=local_user T=local_delivery`,
    `${eximStamp(0)} ${id} Completed`,
    "",
  ].join("\n");
}

/** Writes a Sendmail log of one message delivered to a local mailbox, and nothing sent out. */
function sendmailLocalLog(): string {
  const stamp = `${syslogStamp(0)} mx sm-mta[3100]:`;
  const id = "424E0100003100";
  return [
    `${stamp} ${id}: from=<bob@example.net>, size=1000, class=0, nrcpts=1, msgid=<${id}@example.net>, proto=ESMTP, daemon=MTA, relay=mx.example.net [198.51.100.25]`,
    `${stamp} ${id}: to=<alice@example.com>, delay=00:00:01, xdelay=00:00:01, mailer=local, pri=30000, dsn=2.0.0, stat=Sent`,
    "",
  ].join("\n");
}

/**
 * Writes an Exim main log of `count` failed SMTP AUTH logins from 198.51.100.10, which Exim
 * checked through Dovecot's auth socket, and one message sent.
 */
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

/** Returns a Dovecot mailbox login line of a syslog file, at 08:00 on 4 March. */
function dovecotLogin(account: string): string {
  return `Mar  4 08:00:00 mail dovecot: imap-login: Login: user=<${account}>, method=PLAIN, rip=198.51.100.10, lip=192.0.2.1, mpid=4242, TLS\n`;
}

/** The burst's client addresses, in four networks, none of which the account used before. */
const NEW_CLIENT_IPS = ["203.0.113.50", "198.51.100.51", "192.0.2.52", "2001:db8:53::1"];

/**
 * Writes a Sendmail log with Cyrus SASL logins (`AUTH=server … authid=`) and no Dovecot line:
 * three hours of five office accounts, then bob@example.com sends 480 Gmail recipients from
 * four new client addresses, all rate-limited.
 */
function sendmailCompromisedLog(): string {
  const lines: string[] = [];
  let pid = 5000;
  const submit = (minute: number, account: string, ip: string, recipients: string[]): void => {
    pid += 1;
    const stamp = `${syslogStamp(minute)} mx sm-mta[${pid}]:`;
    const id = `424E${String(pid).padStart(6, "0")}${String(pid).padStart(4, "0")}`;
    const gmail = recipients[0]?.endsWith("@gmail.com") === true;
    const outcome = gmail
      ? `relay=${GMAIL_MX}. [192.0.2.27], dsn=4.7.28, stat=Deferred: ${RATE_LIMITED}`
      : "relay=mx.example.net. [198.51.100.25], dsn=2.0.0, stat=Sent (OK)";
    lines.push(
      `${stamp} ${id}: AUTH=server, relay=pc.example.com [${ip}], authid=${account}, mech=LOGIN, bits=0`,
      `${stamp} ${id}: from=<${account}>, size=1000, class=0, nrcpts=${recipients.length}, msgid=<${id}@example.com>, proto=ESMTPA, daemon=MTA-MSA, relay=pc.example.com [${ip}]`,
      `${stamp} ${id}: to=${recipients.map((address) => `<${address}>`).join(",")}, delay=00:00:01, xdelay=00:00:01, mailer=esmtp, pri=120000, ${outcome}`,
    );
  };
  for (let hour = 0; hour < 3; hour++) {
    for (let index = 0; index < 5; index++) {
      submit(hour * 60 + index * 5, `user${index}@example.com`, `198.51.100.${10 + index}`, [
        `contact${hour}-${index}@example.net`,
      ]);
    }
  }
  let message = 0;
  [90, 240, 150].forEach((total, hour) => {
    for (let sent = 0; sent < total; sent += 30) {
      const recipients = Array.from(
        { length: 30 },
        (_, i) => `target${hour}-${sent + i}@gmail.com`,
      );
      const ip = NEW_CLIENT_IPS[message % NEW_CLIENT_IPS.length] ?? "203.0.113.1";
      submit(hour * 60 + 1 + sent / 30, "bob@example.com", ip, recipients);
      message += 1;
    }
  });
  return `${lines.join("\n")}\n`;
}

function findingOf(diagnosis: Diagnosis, id: Finding["id"]): Finding | undefined {
  return diagnosis.findings.find((found) => found.id === id);
}

function fixesOf(diagnosis: Diagnosis, id: Finding["id"]): string {
  return findingOf(diagnosis, id)?.fix.join("\n") ?? "";
}

/** Returns the fixes of the password-guessing finding. */
function guessingFixes(diagnosis: Diagnosis): string {
  const guessing = diagnosis.findings.find(
    (found) =>
      found.id === "compromised-account" &&
      (found.evidence as { kind?: string }).kind === "password-guessing",
  );
  return guessing?.fix.join("\n") ?? "";
}

describe("DKIM signing step by MTA", () => {
  test("Exim signs on the transport", async () => {
    const diagnosis = await diagnoseText(eximGmailLog(12, eximBounce));
    const fixes = fixesOf(diagnosis, "authentication");

    expect(findingOf(diagnosis, "authentication")).toBeDefined();
    expect(fixes).toContain(
      "Exim: set `dkim_domain`, `dkim_selector` and `dkim_private_key` on the smtp transport",
    );
    expect(fixes).toContain("`DKIM_DOMAIN`, `DKIM_SELECTOR` and `DKIM_PRIVATE_KEY` macros");
    expect(fixes).not.toContain("OpenDKIM");
    expect(fixes).not.toContain("SigningTable");
  });

  test("Sendmail keeps OpenDKIM", async () => {
    const log = sendmailGmailLog(12, "5.7.26", `Service unavailable: ${UNAUTHENTICATED}`);
    const diagnosis = await diagnoseText(log, { year: 2024 });
    const fixes = fixesOf(diagnosis, "authentication");

    expect(findingOf(diagnosis, "authentication")).toBeDefined();
    expect(fixes).toContain(
      "Sendmail: add the domain to OpenDKIM's `SigningTable` and `KeyTable`.",
    );
    expect(fixes).not.toContain("dkim_domain");
    expect(fixes).not.toContain("Postfix");
  });
});

describe("fail2ban jails for Exim logins", () => {
  test("Exim lines get only the exim jail", async () => {
    const fixes = guessingFixes(await diagnoseText(eximFailedLoginsLog(1200)));

    expect(fixes).toContain("Exim: the `exim` jail.");
    expect(fixes).not.toContain("`dovecot` jail");
  });

  test("Dovecot lines add the dovecot jail last", async () => {
    const log = dovecotLogin("alice@example.com") + eximFailedLoginsLog(1200);
    const fixes = guessingFixes(await diagnoseText(log, { year: 2024 }));

    expect(fixes).toContain("`dovecot` jail");
    expect(fixes.indexOf("`exim` jail")).toBeGreaterThan(-1);
    expect(fixes.indexOf("`exim` jail")).toBeLessThan(fixes.indexOf("`dovecot` jail"));
  });
});

describe("rotated log names by MTA", () => {
  test("Exim names its main logs", async () => {
    const diagnosis = await diagnoseText(eximLocalLog());

    expect(diagnosis.verdict.status).toBe("no-outbound-delivery");
    expect(diagnosis.verdict.summary).toContain("(mainlog* or exim_mainlog*)");
    expect(diagnosis.verdict.summary).not.toContain("mail.log*");
  });

  test("Sendmail names maillog first", async () => {
    const diagnosis = await diagnoseText(sendmailLocalLog(), { year: 2024 });

    expect(diagnosis.verdict.status).toBe("no-outbound-delivery");
    expect(diagnosis.verdict.summary).toContain("(maillog* or mail.log*)");
    expect(diagnosis.verdict.summary).not.toContain("mainlog*");
  });

  test("Exim volume item names its main logs", async () => {
    const diagnosis = await diagnoseText(eximGmailLog(12, eximDeferral));
    const volume = diagnosis.readiness.items.find((item) => item.id === "volume-normal");

    expect(volume?.status).toBe("not-checked");
    expect(volume?.detail).toContain("(mainlog* or exim_mainlog*)");
    expect(volume?.detail).not.toContain("mail.log*");
  });
});

describe("ending sessions of a compromised account", () => {
  test("Postfix without Dovecot lines names doveadm as one case", async () => {
    const log = compromisedLog("mallory@example.com", { dovecot: false });
    const diagnosis = await diagnoseText(log);
    const first = findingOf(diagnosis, "compromised-account")?.fix[0] ?? "";

    expect(first).toContain("Change the password of mallory@example.com");
    expect(first).toContain(
      "end the sessions in the IMAP or SASL server that this host uses (with Dovecot: `doveadm kick mallory@example.com`).",
    );
  });

  test("Sendmail without Dovecot offers no doveadm", async () => {
    const diagnosis = await diagnoseText(sendmailCompromisedLog(), { year: 2024 });
    const found = findingOf(diagnosis, "compromised-account");
    const first = found?.fix[0] ?? "";

    expect(found?.title).toContain("bob@example.com");
    expect(first).toContain("Change the password of bob@example.com");
    expect(first).not.toContain("doveadm");
    expect(first).toContain("end the sessions in the IMAP or SASL server that this host uses");
  });

  test("Dovecot line offers doveadm kick", async () => {
    const diagnosis = await diagnoseText(compromisedLog("mallory@example.com"));
    const first = findingOf(diagnosis, "compromised-account")?.fix[0] ?? "";

    expect(first).toContain("Dovecot: `doveadm kick mallory@example.com`");
    expect(first).not.toContain("IMAP or SASL server");
  });
});

describe("rate-limited delivery settings by MTA", () => {
  test("Exim names its parallel settings", async () => {
    const diagnosis = await diagnoseText(eximGmailLog(12, eximDeferral));
    const fixes = fixesOf(diagnosis, "rate-limited");

    expect(findingOf(diagnosis, "rate-limited")).toBeDefined();
    expect(fixes).toContain("Exim: lower `remote_max_parallel`");
    expect(fixes).toContain("`connection_max_messages` on the smtp transport");
    expect(fixes).not.toContain("smtp_destination_concurrency_limit");
  });

  test("Sendmail names its queue runners", async () => {
    const log = sendmailGmailLog(12, "4.7.28", `Deferred: ${RATE_LIMITED}`);
    const diagnosis = await diagnoseText(log, { year: 2024 });
    const fixes = fixesOf(diagnosis, "rate-limited");

    expect(findingOf(diagnosis, "rate-limited")).toBeDefined();
    expect(fixes).toContain("`confMAX_QUEUE_CHILDREN` and `confMAX_RUNNERS_PER_QUEUE`");
    expect(fixes).not.toContain("remote_max_parallel");
  });

  test("Postfix names its destination limits", async () => {
    const diagnosis = await diagnoseText(compromisedLog("mallory@example.com"));
    const fixes = fixesOf(diagnosis, "rate-limited");

    expect(fixes).toContain("`smtp_destination_concurrency_limit`");
    expect(fixes).toContain("`default_destination_rate_delay`");
    expect(fixes).not.toContain("Exim");
  });
});
