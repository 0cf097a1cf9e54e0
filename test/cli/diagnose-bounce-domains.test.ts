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

  test("missing SPF gets one fix", async () => {
    const json = await diagnoseUnauthenticated(noSpfZone());
    const auth = json.findings.find((finding) => finding.id === "authentication");
    const spfFixes = (auth?.fix ?? []).filter((fix) => /SPF/.test(fix));

    expect(spfFixes).toEqual([
      "Publish this SPF record for example.com: v=spf1 ip4:192.0.2.10 ~all",
    ]);
    expect(auth?.title).toBe("Mail from example.com fails SPF, DKIM or DMARC");
  });
});

/** Writes a zone in which example.com publishes DKIM and DMARC records but no SPF record. */
function noSpfZone(): string {
  const lines = [
    "$ORIGIN example.com.",
    '@ TXT "google-site-verification=x"',
    "@ MX 10 mail",
    "mail A 192.0.2.10",
    'mail._domainkey TXT "v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAqAUpJpB4exJRNjN09jHxSEhCVCPer4BEmTxjAqF/gmscl3DfZkvUT2M0XG/WK++1UcMtKmOt1JcxH29Tsk5ZMol+DFvJvaXEyVjnqkTmPxOF/52lVXHxHsPAjFi7VVjGAmFNysHI7/C73otrsXphffXSWv6F1tqCTY4Q+G2ZiPzXkCYM1LHkUjhydSoIkwE9qFlJsNikZvB/Q0HGffcaQ9U2cH6MAYiQ609Kp0bNfFuiMeGnEyDmuCDTQrn9rfbXO6qGAhKoppifKQKjxVOQIYPDSyy5XtpnWWbI7Ib0kMxx+WPON2HwbV1u8ip/cxVqhb+ipnsOMmE/mdc4OhuJLwIDAQAB"',
    '_dmarc TXT "v=DMARC1; p=reject; rua=mailto:dmarc@example.com"',
    "$ORIGIN 2.0.192.in-addr.arpa.",
    "10 PTR mail.example.com.",
  ];
  return temporary.file(`${lines.join("\n")}\n`, "example.com.zone");
}

/** Runs diagnose on one Gmail rejection that names the failing SPF domain and the IP. */
async function diagnoseUnauthenticated(zoneFile: string): Promise<{
  findings: Array<{ id: string; title: string; fix: string[] }>;
}> {
  const dsn = authenticationDsn("alice@example.com").replace(
    "has been blocked.",
    "has been blocked. For this message, DKIM checks did not pass and SPF check for\n    [example.com] did not pass with ip: [192.0.2.10].",
  );
  const bounce = temporary.file(dsn, "bounce.eml");
  const args = ["diagnose", "--format", "json", "--timezone", "UTC", "--offline"];
  const result = await runCommand([...args, "--bounces", bounce, "--zone", zoneFile]);
  return JSON.parse(result.stdout) as {
    findings: Array<{ id: string; title: string; fix: string[] }>;
  };
}
