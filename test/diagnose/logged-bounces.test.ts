import { describe, expect, test } from "vitest";
import { OFFLINE_DIAGNOSE, runCommand } from "../helpers/cli.js";
import { GMAIL_UNSOLICITED, PostfixLog, SENT, T0 } from "../helpers/postfix-fixture.js";
import { temporaryFiles } from "../helpers/temporary-files.js";
import { message } from "../bounce/fixtures.js";

const temporary = temporaryFiles();

interface Json {
  input: { notes: string[]; bounces: { failed: number } | null };
  providers: Record<string, { attempts: number; bounced: number; fromBounces: number }>;
}

// Gmail's reply as Postfix logs it in GMAIL_UNSOLICITED, on one line.
const GMAIL_REPLY = GMAIL_UNSOLICITED.reply;

/** Builds a Postfix DSN for `recipient`, dated `time`, with `queueId` when given. */
function gmailDsn(recipient: string, time: number, queueId: string | null): string {
  return message(
    "From: MAILER-DAEMON@mail.example.com (Mail Delivery System)",
    "To: news@example.com",
    "Subject: Undelivered Mail Returned to Sender",
    `Date: ${new Date(time).toUTCString()}`,
    "MIME-Version: 1.0",
    'Content-Type: multipart/report; report-type=delivery-status; boundary="B1"',
    "",
    "--B1",
    "Content-Type: message/delivery-status",
    "",
    "Reporting-MTA: dns; mail.example.com",
    ...(queueId === null ? [] : [`X-Postfix-Queue-ID: ${queueId}`]),
    "",
    `Final-Recipient: rfc822; ${recipient}`,
    "Action: failed",
    `Status: ${GMAIL_UNSOLICITED.dsn}`,
    "Remote-MTA: dns; gmail-smtp-in.l.google.com",
    `Diagnostic-Code: smtp; ${GMAIL_REPLY}`,
    "",
    "--B1--",
  );
}

/**
 * Runs diagnose on a log with two rejected Gmail recipients (at T0 + 1 s and T0 + 1 h + 1 s)
 * and one accepted, and on the given bounce files.
 */
async function diagnose(bounces: (ids: readonly string[]) => Record<string, string>) {
  const log = new PostfixLog();
  const ids = [0, 1].map((hour) =>
    log.submit({
      time: T0 + hour * 3_600_000,
      account: "news@example.com",
      clientIp: "198.51.100.10",
      recipients: [
        { address: `reader${hour}@gmail.com`, outcome: GMAIL_UNSOLICITED },
        { address: `friend${hour}@example.net`, outcome: SENT },
      ],
    }),
  );
  const folder = temporary.folder(bounces(ids));
  const result = await runCommand([
    ...OFFLINE_DIAGNOSE,
    temporary.file(log.text()),
    "--bounces",
    folder,
    "--format",
    "json",
  ]);
  return JSON.parse(result.stdout) as Json;
}

describe("bounces of logged attempts", () => {
  test("same queue id counts once", async () => {
    const json = await diagnose((ids) => ({
      // Dated a day later, so only the queue id ties it to the attempt.
      "a.eml": gmailDsn("reader0@gmail.com", T0 + 86_400_000, ids[0] ?? ""),
    }));
    expect(json.providers["gmail"]?.attempts).toBe(2);
    expect(json.providers["gmail"]?.bounced).toBe(2);
    expect(json.providers["gmail"]?.fromBounces).toBe(0);
    expect(json.input.bounces?.failed).toBe(1);
    expect(json.input.notes.some((note) => note.includes("counted once"))).toBe(true);
  });

  test("same recipient and reply counts once", async () => {
    const json = await diagnose(() => ({
      "a.eml": gmailDsn("reader1@gmail.com", T0 + 3_600_000 + 3_000, null),
    }));
    expect(json.providers["gmail"]?.attempts).toBe(2);
    expect(json.providers["gmail"]?.fromBounces).toBe(0);
  });

  test("unlogged bounce still counts", async () => {
    const json = await diagnose((ids) => ({
      // Another recipient under a logged queue id, and a logged recipient hours later.
      "a.eml": gmailDsn("other@gmail.com", T0 + 2_000, ids[0] ?? ""),
      "b.eml": gmailDsn("reader0@gmail.com", T0 + 3 * 3_600_000, null),
    }));
    expect(json.providers["gmail"]?.attempts).toBe(4);
    expect(json.providers["gmail"]?.fromBounces).toBe(2);
    expect(json.input.notes.some((note) => note.includes("counted once"))).toBe(false);
  });

  test("two bounces of one attempt", async () => {
    const json = await diagnose((ids) => ({
      "a.eml": gmailDsn("reader0@gmail.com", T0 + 2_000, ids[0] ?? ""),
      "b.eml": gmailDsn("reader0@gmail.com", T0 + 2_000, ids[0] ?? ""),
    }));
    // The log shows one attempt, so only one of the two copies matches it.
    expect(json.providers["gmail"]?.attempts).toBe(3);
    expect(json.providers["gmail"]?.fromBounces).toBe(1);
  });
});

/** Builds Exim's bounce of message `id` to `recipient`, dated a day after T0. */
function eximBounce(id: string, recipient: string): string {
  return message(
    "From: Mail Delivery System <Mailer-Daemon@mail.example.com>",
    "To: news@example.com",
    "Subject: Mail delivery failed: returning message to sender",
    `Date: ${new Date(T0 + 86_400_000).toUTCString()}`,
    `X-Failed-Recipients: ${recipient}`,
    "",
    "This message was created automatically by mail delivery software.",
    "",
    "A message that you sent could not be delivered to one or more of its",
    "recipients. This is a permanent error. The following address(es) failed:",
    "",
    `  ${recipient}`,
    "    host gmail-smtp-in.l.google.com [192.0.2.27]",
    "    SMTP error from remote mail server after end of data:",
    `    ${GMAIL_REPLY}`,
    "",
    "------ This is a copy of the message, including all the headers. ------",
    "",
    "Return-path: <news@example.com>",
    "Received: from [198.51.100.10]",
    "\tby mail.example.com with esmtpa (Exim 4.97)",
    "\t(envelope-from <news@example.com>)",
    `\tid ${id}`,
    `\tfor ${recipient}; ${new Date(T0).toUTCString()}`,
    "From: news@example.com",
    "",
    "hello",
  );
}

describe("Exim bounces of logged attempts", () => {
  test("same message id counts once", async () => {
    const id = "1tAbCd-000123-Xy";
    const stamp = (offset: number): string =>
      new Date(T0 + offset).toISOString().replace("T", " ").slice(0, 19);
    const log = [
      `${stamp(0)} ${id} <= news@example.com H=([198.51.100.10]) [198.51.100.10] P=esmtpa A=login:news@example.com S=1000`,
      `${stamp(1000)} ${id} ** reader0@gmail.com R=dnslookup T=remote_smtp H=gmail-smtp-in.l.google.com [192.0.2.27]: SMTP error from remote mail server after end of data: ${GMAIL_REPLY}`,
      `${stamp(1000)} ${id} Completed`,
      "",
    ].join("\n");
    const result = await runCommand([
      ...OFFLINE_DIAGNOSE,
      temporary.file(log, "mainlog"),
      "--bounces",
      temporary.folder({ "a.eml": eximBounce(id, "reader0@gmail.com") }),
      "--format",
      "json",
    ]);
    const json = JSON.parse(result.stdout) as Json;

    expect(json.providers["gmail"]?.attempts).toBe(1);
    expect(json.providers["gmail"]?.fromBounces).toBe(0);
    expect(json.input.notes.some((note) => note.includes("counted once"))).toBe(true);
  });
});
