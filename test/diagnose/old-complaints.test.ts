import { describe, expect, test } from "vitest";
import { message } from "../bounce/fixtures.js";
import { runCommand } from "../helpers/cli.js";
import { postfixDsn } from "../helpers/postfix-dsn.js";
import { HOUR, PostfixLog, SENT } from "../helpers/postfix-fixture.js";
import { schemaValidator } from "../helpers/schema.js";
import { temporaryFiles } from "../helpers/temporary-files.js";

const temporary = temporaryFiles();

// The log covers 3 March 2026 from 00:00 to 19:00 UTC.
const LOG_START = Date.UTC(2026, 2, 3);
const OLD_DATE = "Wed, 01 May 2019 10:00:00 +0000";
const IN_WINDOW_DATE = "Thu, 05 Mar 2026 09:00:00 +0000";

/** Builds an ARF feedback report (RFC 5965) for one recipient, sent at `date`. */
function arfReport(date: string, recipient: string): string {
  return message(
    "From: fbl@fbl.example.net",
    "To: abuse@example.com",
    "Subject: Abuse report",
    `Date: ${date}`,
    "MIME-Version: 1.0",
    'Content-Type: multipart/report; report-type=feedback-report; boundary="F1"',
    "",
    "--F1",
    "Content-Type: text/plain",
    "",
    "A recipient marked this message as spam.",
    "",
    "--F1",
    "Content-Type: message/feedback-report",
    "",
    "Feedback-Type: abuse",
    "User-Agent: ExampleFBL/1.0",
    "Version: 1",
    "Source-IP: 192.0.2.60",
    `Original-Rcpt-To: ${recipient}`,
    "",
    "--F1",
    "Content-Type: message/rfc822",
    "",
    "From: news@example.com",
    `To: ${recipient}`,
    "Subject: offer",
    "",
    "text",
    "--F1--",
  );
}

/** Builds a Postfix DSN for one recipient with the given DSN action, sent at `date`. */
function dsn(date: string, recipient: string, action: "failed" | "delivered"): string {
  const failed = action === "failed";
  return postfixDsn({
    subject: "Delivery Status Notification",
    date,
    postfixSender: false,
    recipient,
    action,
    status: failed ? "5.1.1" : "2.0.0",
    remoteMta: "mx.example.net",
    diagnostic: failed ? "smtp; 550 5.1.1 User unknown" : "smtp; 250 2.0.0 OK",
  });
}

interface Json {
  input: {
    notes: string[];
    bounces: { failed: number; delayed: number; complaints: number } | null;
  };
  findings: Array<{ id: string; evidence: Record<string, unknown> }>;
}

/** Runs diagnose on a 20-hour log of 3 March 2026 and the given bounce folder. */
async function diagnose(folder: string, format: "json" | "text") {
  const log = new PostfixLog();
  for (let index = 0; index < 20; index++) {
    log.submit({
      time: LOG_START + index * HOUR,
      account: "news@example.com",
      clientIp: "198.51.100.10",
      recipients: [{ address: `reader${index}@example.net`, outcome: SENT }],
    });
  }
  return runCommand([
    "diagnose",
    temporary.file(log.text()),
    "--bounces",
    folder,
    "--offline",
    "--timezone",
    "UTC",
    "--format",
    format,
  ]);
}

const validate = schemaValidator("diagnose.schema.json");

function complaintFinding(json: Json) {
  return json.findings.find((finding) => finding.id === "spam-complaints");
}

describe("spam complaints outside the log", () => {
  test("old complaint is left out", async () => {
    const folder = temporary.folder({ "old.eml": arfReport(OLD_DATE, "reader1@example.net") });
    const json = JSON.parse((await diagnose(folder, "json")).stdout) as Json;

    expect(validate(json)).toEqual([]);
    expect(json.input.bounces?.complaints).toBe(1);
    expect(complaintFinding(json)).toBeUndefined();
    expect(json.input.notes).toContain(
      "1 spam complaint from the bounce messages is dated more than a day before or a week " +
        "after the mail log, so it was left out of the verdict and findings. Give the log of " +
        "that time to include it.",
    );
  });

  test("complaint of the log's time counts", async () => {
    const folder = temporary.folder({
      "new.eml": arfReport(IN_WINDOW_DATE, "reader2@example.net"),
    });
    const json = JSON.parse((await diagnose(folder, "json")).stdout) as Json;

    const found = complaintFinding(json);
    expect(found?.evidence["count"]).toBe(1);
    expect(found?.evidence["outboundRecipients"]).toBe(20);
    expect(found?.evidence["rate"]).toBe(0.05);
    expect(json.input.notes.some((note) => note.includes("spam complaint"))).toBe(false);
  });

  test("only the old complaint is left out", async () => {
    const folder = temporary.folder({
      "old.eml": arfReport(OLD_DATE, "reader1@example.net"),
      "new.eml": arfReport(IN_WINDOW_DATE, "reader2@example.net"),
    });
    const json = JSON.parse((await diagnose(folder, "json")).stdout) as Json;

    expect(json.input.bounces?.complaints).toBe(2);
    const found = complaintFinding(json);
    expect(found?.evidence["count"]).toBe(1);
    expect(found?.evidence["rate"]).toBe(0.05);
    expect(found?.evidence["first"]).toBe("2026-03-05T09:00:00Z");
    expect(json.input.notes.some((note) => note.startsWith("1 spam complaint from"))).toBe(true);
  });
});

describe("left-out count against the bounce line", () => {
  test("delivered notices are not counted", async () => {
    const folder = temporary.folder({
      "failed.eml": dsn(OLD_DATE, "gone@example.net", "failed"),
      "delivered-1.eml": dsn(OLD_DATE, "reader3@example.net", "delivered"),
      "delivered-2.eml": dsn(OLD_DATE, "reader4@example.net", "delivered"),
      "old.eml": arfReport(OLD_DATE, "reader1@example.net"),
    });
    const result = await diagnose(folder, "text");
    const text = result.stdout.replace(/\s+/g, " ");

    expect(text).toContain(
      "Read 4 bounce messages from 4 files: 1 failed and 0 delayed recipients, 1 spam complaint,",
    );
    expect(text).toContain(
      "Note: 1 failed or delayed recipient and 1 spam complaint from the bounce messages are " +
        "dated more than a day before or a week after the mail log, so they were left out",
    );
  });
});
