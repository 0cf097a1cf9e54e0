import { describe, expect, test } from "vitest";
import { ARF } from "../bounce/fixtures.js";
import { OFFLINE_DIAGNOSE, runCommand } from "../helpers/cli.js";
import { postfixDsn } from "../helpers/postfix-dsn.js";
import { HOUR, PostfixLog, T0 } from "../helpers/postfix-fixture.js";
import { schemaValidator } from "../helpers/schema.js";
import { temporaryFiles } from "../helpers/temporary-files.js";

const temporary = temporaryFiles();

/** A Postfix DSN for one Gmail recipient with the given status and reply. */
function gmailDsn(recipient: string, status: string, reply: string): string {
  return postfixDsn({
    subject: "Undelivered Mail Returned to Sender",
    date: "Tue, 03 Mar 2026 10:00:00 +0000",
    postfixSender: true,
    recipient,
    action: "failed",
    status,
    remoteMta: "gmail-smtp-in.l.google.com",
    diagnostic: `smtp; ${reply}`,
  });
}

const NO_SUCH_USER =
  "550-5.1.1 The email account that you tried to reach does not exist. Please try 550 5.1.1 double-checking the recipient's email address. a1b2c3d4e5si1234567.8 - gsmtp";
const UNSOLICITED =
  "550-5.7.1 [203.0.113.10      12] Gmail has detected that this message is likely 550-5.7.1 unsolicited mail. To reduce the amount of spam sent to Gmail, this message 550 5.7.1 has been blocked. b2c3d4e5f6si2345678.9 - gsmtp";

/** Writes a Maildir folder of 25 unknown-user bounces, one spam rejection and one complaint. */
function bounceFolder(): string {
  const files: Record<string, string> = {};
  for (let i = 0; i < 25; i++) {
    files[`cur/unknown-${i}.eml`] = gmailDsn(`old${i}@gmail.com`, "5.1.1", NO_SUCH_USER);
  }
  files["cur/spam.eml"] = gmailDsn("reader@gmail.com", "5.7.1", UNSOLICITED);
  files["cur/complaint.eml"] = ARF;
  return temporary.folder(files);
}

const validate = schemaValidator("diagnose.schema.json");

describe("delist diagnose --bounces", () => {
  test("bounces alone give findings", async () => {
    const result = await runCommand([
      ...OFFLINE_DIAGNOSE,
      "--format",
      "json",
      "--bounces",
      bounceFolder(),
    ]);
    const diagnosis = JSON.parse(result.stdout) as {
      findings: Array<{ id: string; evidence: Record<string, unknown> }>;
      providers: Record<string, { status: string; fromBounces: number }>;
      input: { bounces: { failed: number; complaints: number } };
    };

    expect(result.code).toBe(1);
    expect(validate(diagnosis)).toEqual([]);
    expect(diagnosis.input.bounces.failed).toBe(26);
    expect(diagnosis.input.bounces.complaints).toBe(2);
    expect(diagnosis.providers["gmail"]?.status).toBe("blocked");
    expect(diagnosis.providers["gmail"]?.fromBounces).toBe(26);
    const ids = diagnosis.findings.map((finding) => finding.id);
    expect(ids).toContain("unknown-recipients");
    expect(ids).toContain("spam-complaints");
    expect(ids).toContain("spam-content");
    const unknown = diagnosis.findings.find((finding) => finding.id === "unknown-recipients");
    expect(unknown?.evidence["fromBounces"]).toBe(25);
  });

  test("bounces join the log evidence", async () => {
    const log = new PostfixLog();
    for (let hour = 0; hour < 24; hour++) {
      log.submit({
        time: T0 + hour * HOUR,
        account: "news@example.com",
        clientIp: "198.51.100.10",
        recipients: [{ address: `reader${hour}@gmail.com` }],
      });
    }
    const result = await runCommand([
      ...OFFLINE_DIAGNOSE,
      temporary.file(log.text()),
      "--bounces",
      bounceFolder(),
    ]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("spam-complaints");
    expect(result.stdout).toContain("Read 27 bounce messages from 27 files");
  });

  test("missing bounce folder is an error", async () => {
    const result = await runCommand([
      "diagnose",
      "--offline",
      "--bounces",
      "/nonexistent/delist/bounces",
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("/nonexistent/delist/bounces");
  });
});
