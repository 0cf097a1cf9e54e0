import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { painter } from "../../src/report/colour.js";
import { renderStatisticsText } from "../../src/report/statistics-text.js";
import { runCommand } from "../helpers/cli.js";
import {
  GMAIL_RATE_LIMIT,
  GMAIL_UNSOLICITED,
  HOUR,
  PostfixLog,
  T0,
} from "../helpers/postfix-fixture.js";
import { useTempDirs } from "../store/helpers.js";

const tempDir = useTempDirs();

const DIRECTORY = "/home/example/public_html/wp-content/uploads/2024/03/cache";

/** An Exim main log of one message that a PHP script in `DIRECTORY` submitted. */
function eximLog(): string {
  return [
    `2025-01-13 01:41:28 cwd=${DIRECTORY} 3 args: /usr/sbin/sendmail -t -i`,
    "2025-01-13 01:41:28 1tX9SK-0001pb-WB <= example@srv1.example.com U=example P=local S=4107 " +
      'T="Your booking" for someone@gmail.com',
    "2025-01-13 01:41:33 1tX9SK-0001pb-WB => someone@gmail.com R=dnslookup T=remote_smtp " +
      'H=gmail-smtp-in.l.google.com [192.0.2.27] C="250 2.0.0 OK - gsmtp"',
    "2025-01-13 01:41:34 1tX9SK-0001pb-WB Completed",
    "",
  ].join("\n");
}

/** Returns the lines of one table of `delist logs` text, from its title to the blank line. */
function section(text: string, title: string): string[] {
  const lines = text.split("\n");
  const start = lines.indexOf(title);
  const end = lines.indexOf("", start);
  return lines.slice(start, end);
}

describe("renderStatisticsText local programs", () => {
  it("wraps the whole program name", async () => {
    const log = join(tempDir(), "mainlog");
    writeFileSync(log, eximLog());
    const result = await runCommand(["logs", "--timezone", "UTC", log]);
    expect(result.code).toBe(0);

    const table = section(result.stdout, "Local programs");
    expect(table[1]).toBe("     msgs   rcpts undelivered  name");
    expect(table[2]).toMatch(/^ {8}1 {7}1 {11}0 {2}in \/home\/example\//);
    expect(table.join("\n")).not.toContain("…");
    expect(table.every((line) => line.length <= 80)).toBe(true);
    const name = table
      .slice(2)
      .map((line) => line.slice(31))
      .join("");
    expect(name).toBe(`in ${DIRECTORY}, user example`);
  });
});

describe("renderStatisticsText account table", () => {
  it("keeps a space between counts of 7 digits and more", async () => {
    const log = join(tempDir(), "mail.log");
    writeFileSync(log, countsLog());
    const result = await runCommand(["logs", "--timezone", "UTC", "--format", "json", log]);
    const report = JSON.parse(result.stdout);
    // The figures of a bulk account that a million recipients would take hours to log.
    Object.assign(report.accounts[0], { messages: 100_000, recipients: 1_000_000 });

    const table = section(renderStatisticsText(report, painter(false)), "SASL accounts");
    expect(table[1]).toBe("      msgs     rcpts  IPs undelivered  name");
    expect(table[2]).toMatch(/^ {3}100,000 1,000,000 {4}1 +\d+ {2}alice@example\.com$/);
  });
});

describe("renderStatisticsText days", () => {
  it("writes one message and one recipient in the singular", async () => {
    const log = join(tempDir(), "mainlog");
    writeFileSync(log, eximLog());
    const result = await runCommand(["logs", "--timezone", "UTC", log]);

    const table = section(result.stdout, "Outbound per day");
    expect(table[1]).toBe("  2025-01-13         1 message          1 recipient");
  });
});

/**
 * Builds a log of one message of alice@example.com to 4 recipients. One is delivered at once,
 * one is deferred three times and then delivered, and one is deferred four times and still
 * queued at the end of the log. The last is rejected. It also has 3 failed IMAP logins with the passdb
 * lines of `auth_verbose`, and 2 messages from outside delivered to a local mailbox.
 */
function countsLog(): string {
  const log = new PostfixLog();
  const id = "AA00000001";
  const line = (time: number, program: string, text: string): void => {
    const stamp = new Date(time).toISOString().replace("Z", "+00:00");
    log.raw(time, `${stamp} mail ${program}: ${text}`);
  };
  const gmail = "relay=gmail-smtp-in.l.google.com[192.0.2.27]:25, delay=1, delays=0.1/0/0.4/0.5";
  const deferral = `dsn=4.7.28, status=deferred (host gmail-smtp-in.l.google.com[192.0.2.27] said: ${GMAIL_RATE_LIMIT.reply} (in reply to end of DATA command))`;
  const smtp = "postfix/smtp[4000]";

  line(
    T0,
    "postfix/submission/smtpd[3999]",
    `${id}: client=unknown[198.51.100.10], sasl_method=PLAIN, sasl_username=alice@example.com`,
  );
  line(
    T0,
    "postfix/qmgr[4001]",
    `${id}: from=<alice@example.com>, size=2000, nrcpt=4 (queue active)`,
  );
  line(
    T0 + 1000,
    smtp,
    `${id}: to=<one@example.net>, relay=mx.example.net[198.51.100.25]:25, delay=1, delays=0.1/0/0.4/0.5, dsn=2.0.0, status=sent (250 2.0.0 OK)`,
  );
  line(
    T0 + 1000,
    smtp,
    `${id}: to=<blocked@gmail.com>, ${gmail}, dsn=5.7.1, status=bounced (host gmail-smtp-in.l.google.com[192.0.2.27] said: ${GMAIL_UNSOLICITED.reply} (in reply to end of DATA command))`,
  );
  for (let attempt = 0; attempt <= 3; attempt++) {
    const time = T0 + 1000 + attempt * HOUR;
    line(time, smtp, `${id}: to=<never@gmail.com>, ${gmail}, ${deferral}`);
    const later = attempt < 3 ? deferral : "dsn=2.0.0, status=sent (250 2.0.0 OK)";
    line(time, smtp, `${id}: to=<later@gmail.com>, ${gmail}, ${later}`);
  }

  for (let attempt = 0; attempt < 3; attempt++) {
    const time = T0 + 2 * HOUR + attempt * 60_000;
    line(time, "dovecot", "auth: passwd-file(admin@example.com,192.0.2.200): unknown user");
    line(
      time,
      "dovecot",
      "imap-login: Disconnected (auth failed, 1 attempts in 2 secs): user=<admin@example.com>, method=PLAIN, rip=192.0.2.200, lip=192.0.2.10, TLS",
    );
  }

  for (const [index, queueId] of ["AB00000001", "AB00000002"].entries()) {
    const time = T0 + 3 * HOUR + index * 60_000;
    line(time, "postfix/smtpd[5000]", `${queueId}: client=mx.example.org[192.0.2.70]`);
    line(
      time,
      "postfix/qmgr[5001]",
      `${queueId}: from=<news@example.org>, size=900, nrcpt=1 (queue active)`,
    );
    line(
      time,
      "postfix/local[5002]",
      `${queueId}: to=<alice@example.com>, relay=local, delay=0.1, delays=0/0/0/0.1, dsn=2.0.0, status=sent (delivered to mailbox)`,
    );
    line(time, "postfix/qmgr[5001]", `${queueId}: removed`);
  }
  return log.text();
}

describe("renderStatisticsText counts", () => {
  it("counts undelivered recipients once", async () => {
    const log = join(tempDir(), "mail.log");
    writeFileSync(log, countsLog());
    const result = await runCommand(["logs", "--timezone", "UTC", log]);
    expect(result.code).toBe(0);

    const table = section(result.stdout, "SASL accounts");
    expect(table[1]).toBe("     msgs   rcpts  IPs undelivered  name");
    expect(table[2]).toBe("        1       4    1           2  alice@example.com");
    expect(result.stdout).toContain("  undelivered: recipients that no attempt delivered");
  });

  it("counts a failed login once", async () => {
    const log = join(tempDir(), "mail.log");
    writeFileSync(log, countsLog());
    const result = await runCommand(["logs", "--timezone", "UTC", log]);

    const inbound = section(result.stdout, "Inbound and logins");
    expect(inbound[1]).toBe("  2 local deliveries, 0 SMTP rejects, 3 failed logins");
    expect(inbound[2]).toBe("  failed logins from: 192.0.2.200 (3)");
  });

  it("names what messages queued counts", async () => {
    const log = join(tempDir(), "mail.log");
    writeFileSync(log, countsLog());
    const result = await runCommand(["logs", "--timezone", "UTC", log]);

    expect(result.stdout).toContain("Messages queued, outgoing and incoming: 3.");
    expect(section(result.stdout, "Inbound and logins").join("\n")).not.toContain("queued");
  });
});

describe("renderStatisticsText top codes", () => {
  it("keeps a code with its count", async () => {
    const log = join(tempDir(), "mail.log");
    writeFileSync(log, countsLog());
    const result = await runCommand(["logs", "--timezone", "UTC", log]);
    expect(result.code).toBe(0);

    const table = section(result.stdout, "Outbound by provider");
    const gmail = table.findIndex((line) => line.startsWith("  Gmail "));
    expect(gmail).toBeGreaterThan(0);
    expect(table[gmail]).toMatch(/ {2}421 4\.7\.28 ×7,$/);
    expect(table[gmail + 1]).toBe(`${" ".repeat(61)}550 5.7.1 ×1`);
    expect(table.every((line) => line.length <= 80)).toBe(true);
  });
});

describe("buildStatistics undelivered recipients", () => {
  it("differs from blocked attempts", async () => {
    const log = join(tempDir(), "mail.log");
    writeFileSync(log, countsLog());
    const result = await runCommand(["logs", "--format", "json", "--timezone", "UTC", log]);
    const statistics = JSON.parse(result.stdout) as {
      accounts: Array<{ key: string; blockedAttempts: number; undeliveredRecipients: number }>;
    };
    const alice = statistics.accounts.find((account) => account.key === "alice@example.com");

    // 7 deferrals by Gmail's rate limit and 1 rejection, for 2 recipients never delivered.
    expect(alice?.blockedAttempts).toBe(8);
    expect(alice?.undeliveredRecipients).toBe(2);
  });
});

/** Writes a Postfix log of a local user's message that only a local mailbox received. */
function localOnlyLog(): string {
  const stamp = "2024-03-04T09:00:00+00:00 mail";
  const id = "CD00000001";
  return [
    `${stamp} postfix/pickup[6000]: ${id}: uid=0 from=<root>`,
    `${stamp} postfix/qmgr[6001]: ${id}: from=<root@example.com>, size=500, nrcpt=1 (queue active)`,
    `${stamp} postfix/local[6002]: ${id}: to=<admin@example.com>, orig_to=<root>, relay=local, delay=0.1, delays=0/0/0/0.1, dsn=2.0.0, status=sent (delivered to mailbox)`,
    `${stamp} postfix/qmgr[6001]: ${id}: removed`,
    "",
  ].join("\n");
}

/**
 * Writes a Postfix log whose first message was queued before the log starts, so the log shows
 * only its delivery, followed by one message queued and delivered inside the log.
 */
function queuedEarlierLog(): string {
  const stamp = "2024-03-04T09:00:00+00:00 mail";
  const relay = "relay=mx.example.net[198.51.100.25]:25, delay=90000, delays=89990/0/5/5";
  return [
    `${stamp} postfix/smtp[7000]: EF00000001: to=<bob@example.net>, ${relay}, dsn=2.0.0, status=sent (250 2.0.0 OK)`,
    `${stamp} postfix/qmgr[7001]: EF00000001: removed`,
    `${stamp} postfix/pickup[7002]: EF00000002: uid=1000 from=<alice>`,
    `${stamp} postfix/qmgr[7001]: EF00000002: from=<alice@example.com>, size=500, nrcpt=1 (queue active)`,
    `${stamp} postfix/smtp[7000]: EF00000002: to=<carol@example.net>, ${relay}, dsn=2.0.0, status=sent (250 2.0.0 OK)`,
    `${stamp} postfix/qmgr[7001]: EF00000002: removed`,
    "",
  ].join("\n");
}

describe("renderStatisticsText count notes", () => {
  it("says rcpts leaves out local deliveries", async () => {
    const log = join(tempDir(), "mail.log");
    writeFileSync(log, localOnlyLog());
    const result = await runCommand(["logs", "--timezone", "UTC", log]);
    const table = section(result.stdout, "Local programs");

    expect(table[2]).toMatch(/^ {8}1 {7}0 /);
    expect(result.stdout).toContain(
      "  rcpts: outbound recipients, each counted once. Deliveries to mailboxes and",
    );
  });

  it("explains outbound messages queued earlier", async () => {
    const log = join(tempDir(), "mail.log");
    writeFileSync(log, queuedEarlierLog());
    const result = await runCommand(["logs", "--timezone", "UTC", log]);
    const json = await runCommand(["logs", "--timezone", "UTC", "--format", "json", log]);
    const parsed = JSON.parse(json.stdout) as {
      server: { outboundMessages: number };
      inbound: { messagesAccepted: number };
    };

    expect(parsed.server.outboundMessages).toBe(2);
    expect(parsed.inbound.messagesAccepted).toBe(1);
    expect(result.stdout).toContain("Outbound messages: 2, more than were queued, because");
  });

  it("leaves out the note when none were queued earlier", async () => {
    const log = join(tempDir(), "mail.log");
    writeFileSync(log, localOnlyLog());
    const result = await runCommand(["logs", "--timezone", "UTC", log]);

    expect(result.stdout).not.toContain("more than were queued");
  });
});
