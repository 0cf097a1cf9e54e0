import { describe, expect, test } from "vitest";
import { POSTFIX_DSN, message } from "../bounce/fixtures.js";
import { OFFLINE_DIAGNOSE, runCommand } from "../helpers/cli.js";
import { temporaryFiles } from "../helpers/temporary-files.js";

const temporary = temporaryFiles();

/** Yahoo's deferral of one message for its volume, as a Postfix delay notice. */
const YAHOO_DELAY = message(
  "From: MAILER-DAEMON@mail.example.com (Mail Delivery System)",
  "To: alice@example.com",
  "Subject: Delayed Mail (still being retried)",
  "Date: Fri, 06 Mar 2026 10:00:00 +0000",
  "MIME-Version: 1.0",
  'Content-Type: multipart/report; report-type=delivery-status; boundary="B1"',
  "",
  "--B1",
  "Content-Type: message/delivery-status",
  "",
  "Reporting-MTA: dns; mail.example.com",
  "X-Postfix-Sender: rfc822; alice@example.com",
  "",
  "Final-Recipient: rfc822; dave@yahoo.com",
  "Action: delayed",
  "Status: 4.7.0",
  "Remote-MTA: dns; mta7.am0.yahoodns.net",
  "Diagnostic-Code: smtp; 421 4.7.0 [TSS04] Messages from 192.0.2.10 temporarily deferred",
  "    due to unexpected volume or user complaints - 4.16.55.1",
  "",
  "--B1--",
);

async function diagnoseBounces(
  format: "text" | "markdown" | "json",
  dsn: string = POSTFIX_DSN,
): Promise<string> {
  const bounce = temporary.file(dsn, "bounce.eml");
  const result = await runCommand([...OFFLINE_DIAGNOSE, "--bounces", bounce, "--format", format]);
  return result.stdout;
}

describe("diagnose with bounces only", () => {
  test("text headline names no log", async () => {
    const text = await diagnoseBounces("text");

    expect(text).toMatch(/^delist diagnose: no mail log given; 1 bounce message with 1 failed/);
    expect(text).not.toContain("0 lines from -");
    expect(text).toContain("\nNo mail log given.\nRead 1 bounce message from 1 file:");
    expect(text).not.toContain("Read 0 files");
  });

  test("Markdown headline names no log", async () => {
    const markdown = await diagnoseBounces("markdown");

    expect(markdown).toContain("\nNo mail log given; 1 bounce message with 1 failed");
    expect(markdown).not.toContain("0 log lines from -");
    expect(markdown).not.toContain("Read 0 files");
  });

  test("volume item asks for the log", async () => {
    const json = JSON.parse(await diagnoseBounces("json")) as {
      readiness: { items: Array<{ id: string; status: string; detail: string }> };
    };
    const volume = json.readiness.items.find((item) => item.id === "volume-normal");

    expect(volume?.status).toBe("not-checked");
    expect(volume?.detail).toContain("No mail log lines were read");
    expect(volume?.detail).not.toContain("rotated logs");
  });

  test("stopped item dates by bounces", async () => {
    const json = JSON.parse(await diagnoseBounces("json", YAHOO_DELAY)) as {
      readiness: { items: Array<{ id: string; status: string; detail: string }> };
    };
    const stopped = json.readiness.items.find((item) => item.id === "blocks-ended");

    expect(stopped?.status).toBe("fail");
    expect(stopped?.detail).toContain(
      "Yahoo/AOL still deferred mail in the two hours up to the date of the latest bounce message, the last at",
    );
    expect(stopped?.detail).toContain("No mail log was given");
    expect(stopped?.detail).not.toContain("of the log");
  });
});
