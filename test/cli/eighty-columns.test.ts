import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { forbidRealNetwork } from "../dns/guard.js";
import { POSTFIX_DSN } from "../bounce/fixtures.js";
import { runCommand } from "../helpers/cli.js";
import { temporaryFiles } from "../helpers/temporary-files.js";

forbidRealNetwork();

const files = temporaryFiles();

/** Width in columns of a text line; the reports use "×" and "…", which take one column each. */
function width(line: string): number {
  return [...line].length;
}

function widerLines(text: string): string[] {
  return text.split("\n").filter((line) => width(line) > 80);
}

const GMAIL_5_7_26 =
  "550-5.7.26 This mail has been blocked because the sender is unauthenticated. Gmail requires " +
  "all senders to authenticate with either SPF or DKIM. Authentication results: DKIM = did not " +
  "pass SPF [example.com] with ip: [192.0.2.1] = did not pass For instructions on setting up " +
  "authentication, go to https://support.google.com/mail/answer/81126#authentication x1si1 - gsmtp";

/**
 * A Postfix log of host `mx` in which Gmail rejects mail of alice@example.com and the cron mail
 * of root@mx.example.com as unauthenticated.
 */
const HOST_NAME_LOG = [
  "Mar  4 10:00:01 mx postfix/smtpd[100]: 1A0000000A: client=a.example.com[192.0.2.10], sasl_method=PLAIN, sasl_username=alice@example.com",
  "Mar  4 10:00:01 mx postfix/qmgr[102]: 1A0000000A: from=<alice@example.com>, size=1200, nrcpt=1 (queue active)",
  `Mar  4 10:00:02 mx postfix/smtp[103]: 1A0000000A: to=<bob@gmail.com>, relay=gmail-smtp-in.l.google.com[192.0.2.200]:25, delay=1, delays=0.1/0/0.5/0.4, dsn=5.7.26, status=bounced (host gmail-smtp-in.l.google.com[192.0.2.200] said: ${GMAIL_5_7_26} (in reply to end of DATA command))`,
  "Mar  4 10:00:03 mx postfix/qmgr[102]: 1A0000000A: removed",
  "Mar  4 11:00:00 mx postfix/pickup[107]: 1B0000000B: uid=0 from=<root>",
  "Mar  4 11:00:00 mx postfix/qmgr[102]: 1B0000000B: from=<root@mx.example.com>, size=700, nrcpt=1 (queue active)",
  `Mar  4 11:00:01 mx postfix/smtp[103]: 1B0000000B: to=<ivan@gmail.com>, relay=gmail-smtp-in.l.google.com[192.0.2.200]:25, delay=1, delays=0.1/0/0.5/0.4, dsn=5.7.26, status=bounced (host gmail-smtp-in.l.google.com[192.0.2.200] said: ${GMAIL_5_7_26} (in reply to end of DATA command))`,
  "Mar  4 11:00:01 mx postfix/qmgr[102]: 1B0000000B: removed",
  "",
].join("\n");

const DEEP_FOLDER = "a-long-folder-name-for-mail-logs/and-another-level-below-it";

function diagnose(path: string, timeZone = "UTC"): ReturnType<typeof runCommand> {
  return runCommand([
    "diagnose",
    "--offline",
    "--no-progress",
    "--year",
    "2024",
    "--timezone",
    timeZone,
    path,
  ]);
}

describe("diagnose at 80 columns", () => {
  test("long path references fit", async () => {
    const folder = files.folder({ [`${DEEP_FOLDER}/mail.log`]: HOST_NAME_LOG });
    const path = join(folder, DEEP_FOLDER, "mail.log");

    const result = await diagnose(path);

    expect(widerLines(result.stdout)).toEqual([]);
    expect(result.stdout).toContain("(mail.log:3)");
    expect(result.stdout).not.toContain(`${path}:3`);
  });

  test("names the folder that references drop", async () => {
    const folder = files.folder({ [`${DEEP_FOLDER}/mail.log`]: HOST_NAME_LOG });
    const path = join(folder, DEEP_FOLDER, "mail.log");

    const result = await diagnose(path);
    const joined = result.stdout.replace(/\n/g, "");

    expect(joined).toContain(`Line references name this file without the folder: ${path}.`);
  });

  test("checklist commands skip host name", async () => {
    const result = await diagnose(files.file(HOST_NAME_LOG));

    expect(result.stdout).toContain("`delist check example.com --ip 192.0.2.1`");
    expect(result.stdout).toContain("`delist blocklists 192.0.2.1 example.com`");
    expect(result.stdout).not.toMatch(/delist (check|blocklists) [^`\n]*mx\.example\.com/);
  });

  test("header keeps zone with time", async () => {
    const result = await diagnose(files.file(HOST_NAME_LOG), "Europe/Berlin");
    const header = result.stdout.split("\n").slice(0, 2);

    expect(header).toEqual([
      "delist diagnose: 8 lines from 2024-03-04 10:00:01+01:00 to",
      "2024-03-04 11:00:01+01:00 (Europe/Berlin)",
    ]);
  });
});

describe("logs at 80 columns", () => {
  test("keeps date and time together", async () => {
    const result = await runCommand([
      "logs",
      "--no-progress",
      "--year",
      "2024",
      "--timezone",
      "Europe/Berlin",
      files.file(HOST_NAME_LOG),
    ]);
    const lines = result.stdout.split("\n");

    expect(lines[0]).toBe("delist logs: 8 lines from 2024-03-04 10:00:01+01:00 to");
    expect(lines[1]).toBe("2024-03-04 11:00:01+01:00 (Europe/Berlin)");
  });
});

describe("check at 80 columns", () => {
  test("keeps backtick commands whole", async () => {
    const zone = files.file(
      [
        "$ORIGIN example.com.",
        '@ 300 IN TXT "v=spf1 ip4:192.0.2.1 -all"',
        "@ 300 IN MX 10 mx1.example.com.",
        "mx1 300 IN A 192.0.2.1",
        '_dmarc 300 IN TXT "v=DMARC1; p=none"',
        "",
      ].join("\n"),
      "example.zone",
    );

    const result = await runCommand(["check", "example.com", "--zone", zone, "--offline"]);
    const split = result.stdout.split("\n").filter((line) => line.split("`").length % 2 === 0);

    expect(result.stdout).toContain("`delist check example.com --selector NAME`");
    expect(split).toEqual([]);
    expect(widerLines(result.stdout)).toEqual([]);
  });
});

describe("bounces at 80 columns", () => {
  test("wraps the summary line", async () => {
    // One bounce, ten ordinary messages and 109 copies of the bounce make the summary long.
    const folder: Record<string, string> = {};
    const bounce = `Message-ID: <bounce-1@mx.example.com>\n${POSTFIX_DSN}`;
    for (let i = 0; i < 110; i++) folder[`bounce-${String(i)}.eml`] = bounce;
    for (let i = 0; i < 10; i++) {
      folder[`plain-${String(i)}.eml`] = "From: a@example.com\nSubject: hi\n\nHello\n";
    }

    const result = await runCommand(["bounces", files.folder(folder)]);
    const lines = result.stdout.split("\n");

    expect(lines[0]).toMatch(/^1 recipient in 120 messages from 120 inputs \(10 not a bounce,$/);
    expect(lines[1]).toBe("  109 duplicates dropped)");
    expect(widerLines(result.stdout)).toEqual([]);
  });
});
