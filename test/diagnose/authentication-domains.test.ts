import { beforeAll, describe, expect, test } from "vitest";
import type { Finding } from "../../src/diagnose/types.js";
import { evidenceLines } from "../../src/report/evidence.js";
import { diagnoseText } from "../helpers/diagnose-text.js";
import { HOUR, PostfixLog, SENT, T0, type Outcome } from "../helpers/postfix-fixture.js";

const GMAIL_DMARC: Outcome = {
  status: "bounced",
  dsn: "5.7.26",
  reply:
    "550-5.7.26 Unauthenticated email from customer.example is not accepted due to domain's DMARC policy. Please contact the administrator of customer.example domain if this was a legitimate mail. 550 5.7.26 https://support.google.com/mail/?p=DmarcRejection a1si1 - gsmtp",
};

/**
 * Builds a log in which OpenDKIM signs the mail of example.com but not that of
 * web1.example.net or customer.example, and Gmail rejects the mail of customer.example for
 * DMARC. Each account sends 20 messages to Gmail.
 */
function signingLog(): string {
  const log = new PostfixLog("mx");
  const accounts: ReadonlyArray<readonly [string, boolean, Outcome]> = [
    ["alice@example.com", true, SENT],
    ["shop@web1.example.net", false, SENT],
    ["billing@customer.example", false, GMAIL_DMARC],
  ];
  for (let index = 0; index < 20; index++) {
    accounts.forEach(([account, signed, outcome], offset) => {
      const time = T0 + index * HOUR + offset * 60_000;
      const id = log.submit({
        time,
        account,
        clientIp: "198.51.100.10",
        recipients: [{ address: `friend${index}x${offset}@gmail.com`, outcome }],
      });
      const domain = account.slice(account.indexOf("@") + 1);
      const stamp = new Date(time).toISOString().replace("Z", "+00:00");
      log.raw(
        time,
        signed
          ? `${stamp} mx opendkim[811]: ${id}: DKIM-Signature field added (s=default, d=${domain})`
          : `${stamp} mx opendkim[811]: ${id}: no signing table match for '${account}'`,
      );
    });
  }
  return log.text();
}

describe("authentication domains without rejections", () => {
  let found: Finding | undefined;

  beforeAll(async () => {
    const diagnosis = await diagnoseText(signingLog());
    found = diagnosis.findings.find((finding) => finding.id === "authentication");
  });

  test("evidence lists them as not rejected", () => {
    const evidence = found?.evidence as Record<string, unknown>;

    expect(evidence["notRejectedDomains"]).toEqual(["example.com", "web1.example.net"]);
    expect(evidence["passingDomains"]).toBeUndefined();
  });

  test("summary says what the log shows", () => {
    expect(found?.summary).toContain(
      "No receiver rejected the mail of example.com and web1.example.net for authentication, which does not show that it passed.",
    );
  });

  test("summary names the unsigned domain", () => {
    expect(found?.summary).toContain(
      "OpenDKIM signed none of the mail of web1.example.net (20 messages).",
    );
    expect(found?.summary).not.toContain("none of the mail of example.com");
  });

  test("report calls no domain passing", () => {
    const labels = evidenceLines(found?.evidence ?? {}).map(([label]) => label);

    expect(labels).not.toContain("Passing domains");
    expect(labels).toContain("Failing domains");
  });
});
