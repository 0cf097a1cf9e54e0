import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { message } from "../bounce/fixtures.js";
import { forbidRealNetwork } from "../dns/guard.js";
import { runCommand } from "../helpers/cli.js";
import { temporaryFiles } from "../helpers/temporary-files.js";

forbidRealNetwork();

// example.net has an SPF record with errors in this zone.
const zone = fileURLToPath(new URL("../auth/fixtures/example.zone", import.meta.url));
const temporary = temporaryFiles();

/** Builds Gmail's authentication rejection of mail from `sender`, as a Postfix DSN. */
function authenticationDsn(sender: string): string {
  return message(
    "From: MAILER-DAEMON@mail.example.net (Mail Delivery System)",
    `To: ${sender}`,
    "Subject: Undelivered Mail Returned to Sender",
    "Date: Tue, 03 Mar 2026 10:00:00 +0000",
    "MIME-Version: 1.0",
    'Content-Type: multipart/report; report-type=delivery-status; boundary="B1"',
    "",
    "--B1",
    "Content-Type: message/delivery-status",
    "",
    "Reporting-MTA: dns; mail.example.net",
    `X-Postfix-Sender: rfc822; ${sender}`,
    "",
    "Final-Recipient: rfc822; reader@gmail.com",
    "Action: failed",
    "Status: 5.7.26",
    "Remote-MTA: dns; gmail-smtp-in.l.google.com",
    "Diagnostic-Code: smtp; 550 5.7.26 This mail is unauthenticated, which poses a security risk",
    "    to the sender and Gmail users, and has been blocked. a1si1 - gsmtp",
    "",
    "--B1--",
  );
}

interface Json {
  checks: { domains: Array<{ domain: string }> } | null;
  readiness: { items: Array<{ id: string; status: string; detail: string }> };
}

async function diagnoseBounces(sender: string): Promise<Json> {
  const bounce = temporary.file(authenticationDsn(sender), "bounce.eml");
  const result = await runCommand([
    "diagnose",
    "--format",
    "json",
    "--timezone",
    "UTC",
    "--bounces",
    bounce,
    "--offline",
    "--zone",
    zone,
  ]);
  return JSON.parse(result.stdout) as Json;
}

describe("bounce-only diagnose sender domains", () => {
  test("bounce sender domain is checked", async () => {
    const json = await diagnoseBounces("news@example.net");

    expect(json.checks?.domains.map((domain) => domain.domain)).toEqual(["example.net"]);
    const auth = json.readiness.items.find((item) => item.id === "spf-dkim-dmarc");
    expect(auth?.status).toBe("fail");
    expect(auth?.detail).not.toContain("No sending domain known");
    expect(auth?.detail).toContain("example.net");
  });

  test("invalid sender domain is skipped", async () => {
    const json = await diagnoseBounces("news@exa_mple..net");

    expect(json.checks?.domains ?? []).toEqual([]);
  });
});
