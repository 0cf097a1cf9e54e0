import { generateKeyPairSync } from "node:crypto";
import { dkimSign } from "mailauth";
import { describe, expect, it } from "vitest";
import { checkMessage } from "../../src/auth/message.js";
import { applyMessageCheck } from "../../src/auth/message-report.js";
import { checkSenders, type SenderCheckReport } from "../../src/auth/report.js";
import { renderCheckText } from "../../src/auth/text.js";
import { forbidRealNetwork } from "../dns/guard.js";
import { zoneDns } from "./zone.js";

forbidRealNetwork();

const IP = "192.0.2.10";
const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const keyBase64 = publicKey.export({ type: "spki", format: "der" }).toString("base64");
const keyStrings = (keyBase64.match(/.{1,200}/g) ?? []).map((part) => `"${part}"`).join(" ");

// example.com publishes a DKIM key and signs its mail. example.org publishes no key.
const zone = `$ORIGIN example.com.
@ TXT "v=spf1 ip4:${IP} -all"
_dmarc TXT "v=DMARC1; p=none"
s1._domainkey TXT "v=DKIM1; k=rsa; p=" ${keyStrings}
$ORIGIN example.org.
@ TXT "v=spf1 ip4:${IP} -all"
_dmarc TXT "v=DMARC1; p=none"
`;

async function signedByExampleCom(): Promise<string> {
  const message = [
    "From: Sender <sender@example.com>",
    "To: someone@example.net",
    "Subject: Other domain",
    "Message-ID: <other@example.com>",
    "Date: Fri, 04 Dec 2026 10:00:00 +0000",
    "",
    "Hello.",
    "",
  ].join("\r\n");
  const entry = {
    signingDomain: "example.com",
    selector: "s1",
    privateKey: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
  };
  // mailauth 4.13 reads the keys from signatureData; its type marks the top-level fields required.
  const result = await dkimSign(message, { ...entry, signatureData: [entry] } as Parameters<
    typeof dkimSign
  >[1]);
  return result.signatures + message;
}

async function checkOrg(withMessage: boolean): Promise<SenderCheckReport> {
  const dns = zoneDns(zone);
  const report = await checkSenders(
    { domains: ["example.org"], ips: [IP], selectors: { "example.org": [] } },
    { dns, fetcher: null },
  );
  if (!withMessage) return report;
  const message = Buffer.from(await signedByExampleCom());
  return applyMessageCheck(report, await checkMessage(message, "example.org", [IP], null, dns));
}

describe("sample message from another domain", () => {
  it("leaves the rows to DNS", async () => {
    const withMessage = await checkOrg(true);
    const dnsOnly = await checkOrg(false);
    expect(withMessage.domains[0]?.requirements).toEqual(dnsOnly.domains[0]?.requirements);
    expect(withMessage.readiness).toEqual(dnsOnly.readiness);
    expect(withMessage.verdict).toBe(dnsOnly.verdict);
    const dkimRow = withMessage.domains[0]?.requirements.find(
      (r) => r.provider === "outlook" && r.rule === "DKIM passes",
    );
    expect(dkimRow?.status).not.toBe("pass");
    expect(withMessage.messageDomain).toBeNull();
  });

  it("says why in the text", async () => {
    const report = await checkOrg(true);
    const plain = (text: string): string => text;
    const style = { good: plain, bad: plain, warn: plain, dim: plain, bold: plain };
    const text = renderCheckText(report, { resolver: "zone", queries: 0, cacheHits: 0 }, style);
    expect(text).toContain("From domain is example.com, not example.org");
  });
});
