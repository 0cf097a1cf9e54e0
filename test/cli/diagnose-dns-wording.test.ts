import { describe, expect, test } from "vitest";
import { forbidRealNetwork } from "../dns/guard.js";
import { runCommand } from "../helpers/cli.js";
import { HOUR, PostfixLog, T0 } from "../helpers/postfix-fixture.js";
import { temporaryFiles } from "../helpers/temporary-files.js";

forbidRealNetwork();

const temporary = temporaryFiles();

/**
 * example.com with an SPF include outside the zone files, so SPF is not checked, and a
 * forward-confirmed PTR mail.example.com for 192.0.2.10.
 */
const ZONE = `$ORIGIN example.com.
@ TXT "v=spf1 include:_spf.example.net -all"
@ MX 10 mail
mail A 192.0.2.10
_dmarc TXT "v=DMARC1; p=reject; rua=mailto:dmarc@example.com"
$ORIGIN 2.0.192.in-addr.arpa.
10 PTR mail.example.com.
`;

function deliveredLog(): string {
  const log = new PostfixLog();
  for (let hour = 0; hour < 3; hour++) {
    log.submit({
      time: T0 + hour * HOUR,
      account: "alice@example.com",
      clientIp: "198.51.100.20",
      recipients: [{ address: `user${hour}@gmail.com` }],
    });
  }
  return temporary.file(log.text());
}

async function diagnoseText(): Promise<string> {
  const zone = temporary.file(ZONE, "example.com.zone");
  const args = ["diagnose", deliveredLog(), "--offline", "--zone", zone, "--timezone", "UTC"];
  const target = ["--domain", "example.com", "--ip", "192.0.2.10", "--helo", "other.example.com"];
  const result = await runCommand([...args, ...target]);
  // The report wraps at 80 columns; joining the lines lets a check span a wrap.
  return result.stdout.replace(/\n +/g, " ");
}

describe("DNS checks text", () => {
  test("spells not-checked as words", async () => {
    const text = await diagnoseText();

    expect(text).toContain("SPF not checked");
    expect(text).not.toContain("not-checked");
  });

  test("names the HELO result", async () => {
    const text = await diagnoseText();

    expect(text).toMatch(
      /HELO other\.example\.com +not a forward-confirmed PTR name of 192\.0\.2\.10 \(PTR: mail\.example\.com\)/,
    );
  });

  test("says blocklist look-ups were not sent", async () => {
    const text = await diagnoseText();

    expect(text).not.toContain("refused, timed out or failed");
    expect(text).toContain("not sent, because the lists' test queries got no answer");
    expect(text).toContain("192.0.2.10 on spamhaus-zen (not asked)");
    expect(text).not.toContain("(error)");
  });
});
