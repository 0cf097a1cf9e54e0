import { describe, expect, test } from "vitest";
import { OFFLINE_DIAGNOSE, runCommand } from "../helpers/cli.js";
import { GMAIL_UNSOLICITED, PostfixLog, SENT, T0 } from "../helpers/postfix-fixture.js";
import { schemaValidator } from "../helpers/schema.js";
import { temporaryFiles } from "../helpers/temporary-files.js";
import { message } from "../bounce/fixtures.js";

const temporary = temporaryFiles();
const MBOX_SEPARATOR = "From MAILER-DAEMON Mon Mar  4 00:10:00 2024\n";

/** Builds a Postfix DSN for a Gmail recipient that the log does not show. */
function gmailDsn(messageId: string | null, queueId: string, recipient = "reader9@gmail.com") {
  return message(
    "From: MAILER-DAEMON@mail.example.com (Mail Delivery System)",
    "To: news@example.com",
    "Subject: Undelivered Mail Returned to Sender",
    `Date: ${new Date(T0 + 600_000).toUTCString()}`,
    ...(messageId === null ? [] : [`Message-Id: <${messageId}>`]),
    "MIME-Version: 1.0",
    'Content-Type: multipart/report; report-type=delivery-status; boundary="B1"',
    "",
    "--B1",
    "Content-Type: message/delivery-status",
    "",
    "Reporting-MTA: dns; mail.example.com",
    `X-Postfix-Queue-ID: ${queueId}`,
    "",
    `Final-Recipient: rfc822; ${recipient}`,
    "Action: failed",
    `Status: ${GMAIL_UNSOLICITED.dsn}`,
    "Remote-MTA: dns; gmail-smtp-in.l.google.com",
    `Diagnostic-Code: smtp; ${GMAIL_UNSOLICITED.reply}`,
    "",
    "--B1--",
  );
}

interface DiagnoseJson {
  readonly input: {
    readonly notes: readonly string[];
    readonly bounces: { readonly results: number; readonly duplicates: number } | null;
  };
  readonly providers: Record<string, { readonly attempts: number; readonly fromBounces: number }>;
}

/** Runs diagnose on a log with one accepted Gmail delivery and on the given bounce files. */
async function diagnose(bounces: Record<string, string>): Promise<DiagnoseJson> {
  const log = new PostfixLog();
  log.submit({
    time: T0,
    account: "news@example.com",
    clientIp: "198.51.100.10",
    recipients: [{ address: "reader0@gmail.com", outcome: SENT }],
  });
  const result = await runCommand([
    ...OFFLINE_DIAGNOSE,
    temporary.file(log.text()),
    "--bounces",
    temporary.folder(bounces),
    "--format",
    "json",
  ]);
  const json = JSON.parse(result.stdout) as DiagnoseJson;
  expect(schemaValidator("diagnose.schema.json")(json)).toEqual([]);
  return json;
}

describe("bounce given twice", () => {
  test("two files count once in diagnose", async () => {
    const dsn = gmailDsn("bounce1@mail.example.com", "4A00000012");
    const json = await diagnose({ "a.eml": dsn, "b.eml": dsn });

    expect(json.providers["gmail"]?.attempts).toBe(2);
    expect(json.providers["gmail"]?.fromBounces).toBe(1);
    expect(json.input.bounces?.results).toBe(1);
    expect(json.input.bounces?.duplicates).toBe(1);
    expect(json.input.notes.join(" ")).toContain("Dropped 1 recipient result");
  });

  test("other Message-Id counts twice", async () => {
    const json = await diagnose({
      "a.eml": gmailDsn("bounce1@mail.example.com", "4A00000012"),
      "b.eml": gmailDsn("bounce2@mail.example.com", "4A00000012"),
    });

    expect(json.providers["gmail"]?.fromBounces).toBe(2);
    expect(json.input.bounces?.duplicates).toBe(0);
  });

  test("other queue id or recipient counts twice", async () => {
    const json = await diagnose({
      "a.eml": gmailDsn("bounce1@mail.example.com", "4A00000012"),
      "b.eml": gmailDsn("bounce1@mail.example.com", "4A00000013"),
      "c.eml": gmailDsn("bounce1@mail.example.com", "4A00000012", "reader8@gmail.com"),
    });

    expect(json.providers["gmail"]?.fromBounces).toBe(3);
    expect(json.input.bounces?.duplicates).toBe(0);
  });

  test("no Message-Id is never dropped", async () => {
    const dsn = gmailDsn(null, "4A00000012");
    const json = await diagnose({ "a.eml": dsn, "b.eml": dsn });

    expect(json.providers["gmail"]?.fromBounces).toBe(2);
    expect(json.input.bounces?.duplicates).toBe(0);
  });

  test("twice in one mbox counts once in bounces", async () => {
    const dsn = gmailDsn("bounce1@mail.example.com", "4A00000012");
    const mbox = temporary.file(`${MBOX_SEPARATOR}${dsn}\n${MBOX_SEPARATOR}${dsn}`, "bounces.mbox");

    const text = await runCommand(["bounces", mbox]);
    expect(text.stdout).toContain("1 recipient in 2 messages from 1 input (1 duplicate dropped)");
    expect(text.stderr).toContain("Dropped 1 recipient result");

    const json = await runCommand(["bounces", "--format", "json", "--summary", mbox]);
    const summary = JSON.parse(json.stdout) as { recipients: number; duplicates: number };
    expect(schemaValidator("bounces.schema.json")(summary)).toEqual([]);
    expect(summary.recipients).toBe(1);
    expect(summary.duplicates).toBe(1);
  });
});
