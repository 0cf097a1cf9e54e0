import { describe, expect, test } from "vitest";
import { decodeMessage } from "../../src/bounce/decode.js";
import type { BounceResult } from "../../src/bounce/types.js";
import { createReplyClassifier } from "../../src/reply/classify.js";
import { message } from "./fixtures.js";

/** Header and per-message fields of `report`, each left out when null. */
interface ReportFields {
  readonly date: string | null;
  readonly arrivalDate: string | null;
}

const REPORT: ReportFields = {
  date: "Thu, 05 Mar 2026 12:00:00 +0000",
  arrivalDate: "Thu, 05 Mar 2026 08:00:00 +0000",
};

/** Builds a DSN from mx.example.net with one recipient's fields. */
function report(recipient: readonly string[], fields: ReportFields = REPORT): string {
  return message(
    "From: MAILER-DAEMON@mx.example.net",
    "To: sender@example.com",
    "Subject: Delayed Mail (still being retried)",
    ...(fields.date === null ? [] : [`Date: ${fields.date}`]),
    "MIME-Version: 1.0",
    'Content-Type: multipart/report; report-type=delivery-status; boundary="S1"',
    "",
    "--S1",
    "Content-Type: text/plain",
    "",
    "Delivery report.",
    "",
    "--S1",
    "Content-Type: message/delivery-status",
    "",
    "Reporting-MTA: dns; mx.example.net",
    ...(fields.arrivalDate === null ? [] : [`Arrival-Date: ${fields.arrivalDate}`]),
    "",
    ...recipient,
    "",
    "--S1--",
  );
}

async function decodeOne(raw: string): Promise<BounceResult | undefined> {
  const decoded = await decodeMessage(raw, "test.eml", createReplyClassifier());
  expect(decoded.results).toHaveLength(1);
  return decoded.results[0];
}

/** Returns the fields of a delayed recipient whose `Diagnostic-Code` is `diagnostic`. */
function delayed(diagnostic: string, ...more: string[]): string[] {
  return [
    "Final-Recipient: rfc822; slow@example.org",
    "Action: delayed",
    "Status: 4.4.1",
    `Diagnostic-Code: ${diagnostic}`,
    ...more,
  ];
}

describe("DSN diagnostic type", () => {
  test.each([
    ["smtp", "smtp; 421 4.4.1 Try again later", "421 4.4.1 Try again later"],
    ["upper-case SMTP", "SMTP;421 4.4.1 Try again later", "421 4.4.1 Try again later"],
    [
      "X-Postfix",
      "X-Postfix; connect to mx.example.org[192.0.2.40]:25: Connection timed out",
      "connect to mx.example.org[192.0.2.40]:25: Connection timed out",
    ],
    ["no type", "421 4.4.1 Busy; try again later", "421 4.4.1 Busy; try again later"],
  ])("%s", async (_name, diagnostic, text) => {
    const result = await decodeOne(report(delayed(diagnostic)));

    expect(result?.diagnosticText).toBe(text);
  });

  test("x-unix stays a mailer error", async () => {
    const failed = [
      "Final-Recipient: rfc822; user@example.org",
      "Action: failed",
      "Status: 5.3.0",
      "Diagnostic-Code: x-unix; procmail: exit status 1",
    ];
    const result = await decodeOne(report(failed));

    expect(result?.diagnosticText).toBe("procmail: exit status 1");
    expect(result?.reason).toBe("mailererror");
  });
});

describe("DSN result time", () => {
  const TIMED_OUT = "X-Postfix; connect to mx.example.org[192.0.2.40]:25: Connection timed out";

  test("report date beats arrival", async () => {
    const result = await decodeOne(report(delayed(TIMED_OUT)));

    expect(result?.time).toBe("2026-03-05T12:00:00.000Z");
  });

  test("last attempt beats report date", async () => {
    const recipient = delayed(TIMED_OUT, "Last-Attempt-Date: Thu, 05 Mar 2026 11:30:00 +0000");
    const result = await decodeOne(report(recipient));

    expect(result?.time).toBe("2026-03-05T11:30:00.000Z");
  });

  test("arrival without report date", async () => {
    const result = await decodeOne(report(delayed(TIMED_OUT), { ...REPORT, date: null }));

    expect(result?.time).toBe("2026-03-05T08:00:00.000Z");
  });

  test("no dates give null", async () => {
    const result = await decodeOne(report(delayed(TIMED_OUT), { date: null, arrivalDate: null }));

    expect(result?.time).toBeNull();
  });
});
