import { describe, expect, test } from "vitest";
import { forbidRealNetwork } from "../dns/guard.js";
import { runCommand } from "../helpers/cli.js";
import { HOUR, PostfixLog, T0, type Outcome } from "../helpers/postfix-fixture.js";
import { temporaryFiles } from "../helpers/temporary-files.js";

forbidRealNetwork();

const temporary = temporaryFiles();

/** Gmail's rejection of unauthenticated mail, naming the envelope domain and the IP. */
const UNAUTHENTICATED: Outcome = {
  status: "bounced",
  dsn: "5.7.26",
  reply:
    "550-5.7.26 This mail is unauthenticated. 550-5.7.26 For this message, DKIM checks did not pass and SPF check for [example.com] 550-5.7.26 did not pass with ip: [192.0.2.10]. 550 5.7.26 https://support.google.com/mail/answer/81126#authentication a1si1 - gsmtp",
};

const KEY =
  "v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAqAUpJpB4exJRNjN09jHxSEhCVCPer4BEmTxjAqF/gmscl3DfZkvUT2M0XG/WK++1UcMtKmOt1JcxH29Tsk5ZMol+DFvJvaXEyVjnqkTmPxOF/52lVXHxHsPAjFi7VVjGAmFNysHI7/C73otrsXphffXSWv6F1tqCTY4Q+G2ZiPzXkCYM1LHkUjhydSoIkwE9qFlJsNikZvB/Q0HGffcaQ9U2cH6MAYiQ609Kp0bNfFuiMeGnEyDmuCDTQrn9rfbXO6qGAhKoppifKQKjxVOQIYPDSyy5XtpnWWbI7Ib0kMxx+WPON2HwbV1u8ip/cxVqhb+ipnsOMmE/mdc4OhuJLwIDAQAB";

/** Writes a zone file for example.com with `spf` and `dmarc` TXT records (none when null). */
function zoneFile(spf: string, dmarc: string | null): string {
  const lines = [
    "$ORIGIN example.com.",
    `@ TXT "${spf}"`,
    "@ MX 10 mail",
    "mail A 192.0.2.10",
    `mail._domainkey TXT "${KEY}"`,
    ...(dmarc === null ? [] : [`_dmarc TXT "${dmarc}"`]),
    "$ORIGIN 2.0.192.in-addr.arpa.",
    "10 PTR mail.example.com.",
  ];
  return temporary.file(`${lines.join("\n")}\n`, "example.com.zone");
}

/** Writes a log of six messages from alice@example.com that Gmail rejects as unauthenticated. */
function rejectedLog(): string {
  const log = new PostfixLog();
  for (let hour = 0; hour < 6; hour++) {
    log.submit({
      time: T0 + hour * HOUR,
      account: "alice@example.com",
      clientIp: "198.51.100.20",
      recipients: [{ address: `user${hour}@gmail.com`, outcome: UNAUTHENTICATED }],
    });
  }
  return temporary.file(log.text());
}

interface FindingJson {
  id: string;
  summary: string;
  fix: string[];
}

async function authenticationFinding(zone: string): Promise<FindingJson | undefined> {
  const args = ["diagnose", rejectedLog(), "--offline", "--zone", zone, "--timezone", "UTC"];
  const result = await runCommand([...args, "--format", "json"]);
  const json = JSON.parse(result.stdout) as { findings: FindingJson[] };
  return json.findings.find((finding) => finding.id === "authentication");
}

const DMARC = "v=DMARC1; p=reject; rua=mailto:dmarc@example.com";

describe("authentication fixes after DNS checks", () => {
  test("passing DNS points past DNS", async () => {
    const finding = await authenticationFinding(zoneFile("v=spf1 ip4:192.0.2.10 -all", DMARC));
    const fixes = finding?.fix.join("\n") ?? "";

    expect(finding?.summary).toContain("DNS shows SPF, DKIM and DMARC passing for example.com");
    expect(fixes).toContain("DNS shows SPF passing from 192.0.2.10");
    expect(fixes).toContain("envelope sender (MAIL FROM) domain and the source IP");
    expect(fixes).toContain("`delist check example.com --message FILE`");
    expect(fixes).toContain("If the records changed after the rejections");
    expect(fixes).not.toContain("Publish an SPF record");
    expect(fixes).not.toContain("Publish at least the DMARC record");
  });

  test("missing DMARC gets one record", async () => {
    const finding = await authenticationFinding(zoneFile("v=spf1 ip4:192.0.2.10 -all", null));
    const dmarcFixes = (finding?.fix ?? []).filter((fix) => fix.includes("v=DMARC1"));

    expect(dmarcFixes).toHaveLength(1);
    expect(dmarcFixes[0]).toContain("_dmarc.example.com");
  });

  test("missing SPF gets one record", async () => {
    const finding = await authenticationFinding(zoneFile("google-site-verification=x", DMARC));
    const spfFixes = (finding?.fix ?? []).filter((fix) => /SPF record|to the SPF/.test(fix));

    expect(spfFixes).toEqual([
      "Publish this SPF record for example.com: v=spf1 ip4:192.0.2.10 ~all",
    ]);
    expect(finding?.fix.join("\n")).not.toContain("corrected record below");
  });
});
