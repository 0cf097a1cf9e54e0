import { generateKeyPairSync } from "node:crypto";
import { dkimSign } from "mailauth";
import { describe, expect, it } from "vitest";
import { checkMessage, type MessageCheck } from "../../src/auth/message.js";
import { applyMessageCheck } from "../../src/auth/message-report.js";
import { checkSenders, type SenderCheckReport } from "../../src/auth/report.js";
import type { RequirementRow } from "../../src/auth/requirements.js";
import { renderCheckText } from "../../src/auth/text.js";
import { forbidRealNetwork } from "../dns/guard.js";
import { zoneDns } from "./zone.js";

forbidRealNetwork();

function keyPair(): { privateKey: string; record: string } {
  const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const base64 = publicKey.export({ type: "spki", format: "der" }).toString("base64");
  const strings = (base64.match(/.{1,200}/g) ?? []).map((part) => `"${part}"`).join(" ");
  return {
    privateKey: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    record: strings,
  };
}

const published = keyPair();
const unpublished = keyPair();
const otherDomain = keyPair();

// example.com is set up well; example.net has a key but no DMARC record; example.org signs
// mail of other domains.
const zone = `$ORIGIN example.com.
@ MX 10 mail
@ TXT "v=spf1 ip4:192.0.2.1 -all"
mail A 192.0.2.1
_dmarc TXT "v=DMARC1; p=reject; rua=mailto:dmarc@example.com"
s1._domainkey TXT "v=DKIM1; k=rsa; p=" ${published.record}
$ORIGIN example.net.
@ MX 10 mail.example.com.
@ TXT "v=spf1 ip4:192.0.2.1 -all"
s1._domainkey TXT "v=DKIM1; k=rsa; p=" ${published.record}
$ORIGIN example.org.
s1._domainkey TXT "v=DKIM1; k=rsa; p=" ${otherDomain.record}
$ORIGIN 2.0.192.in-addr.arpa.
1 PTR mail.example.com.
`;

const IP = "192.0.2.1";

function plainMessage(fromDomain: string): string {
  return [
    `From: Sender <sender@${fromDomain}>`,
    "To: someone@example.org",
    "Subject: Requirement rows",
    `Message-ID: <rows@${fromDomain}>`,
    "Date: Fri, 04 Dec 2026 10:00:00 +0000",
    "",
    "Hello.",
    "",
  ].join("\r\n");
}

async function signed(
  fromDomain: string,
  signingDomain: string,
  privateKey: string,
): Promise<string> {
  const message = plainMessage(fromDomain);
  // mailauth 4.13 reads the keys from signatureData; its type marks the top-level fields required.
  const entry = { signingDomain, selector: "s1", privateKey };
  const result = await dkimSign(message, { ...entry, signatureData: [entry] } as Parameters<
    typeof dkimSign
  >[1]);
  return result.signatures + message;
}

/** Runs the checks in the order `delist check --message` runs them. */
async function checkWithMessage(
  domain: string,
  message: string | null,
  ips: string[] = [IP],
): Promise<{ report: SenderCheckReport; messageCheck: MessageCheck | null }> {
  const dns = zoneDns(zone);
  const report = await checkSenders(
    { domains: [domain], ips, selectors: { [domain]: [{ selector: "s1", source: "found" }] } },
    { dns, fetcher: null },
  );
  if (message === null) return { report, messageCheck: null };
  const messageCheck = await checkMessage(Buffer.from(message), domain, ips, null, dns);
  return { report: applyMessageCheck(report, messageCheck), messageCheck };
}

function row(report: SenderCheckReport, provider: string, rule: string): RequirementRow {
  const found = report.domains[0]?.requirements.find(
    (r) => r.provider === provider && r.scope === "bulk" && r.rule === rule,
  );
  if (found === undefined) throw new Error(`no ${provider} row "${rule}"`);
  return found;
}

const DKIM_ROWS = [
  ["gmail", "SPF and DKIM both pass"],
  ["yahoo", "SPF and DKIM both pass"],
  ["outlook", "DKIM passes"],
] as const;

const plainStyle = {
  good: (text: string) => text,
  bad: (text: string) => text,
  warn: (text: string) => text,
  dim: (text: string) => text,
  bold: (text: string) => text,
};

function text(report: SenderCheckReport): string {
  return renderCheckText(report, { resolver: "zone", queries: 0, cacheHits: 0 }, plainStyle);
}

describe("requirement rows with a sample message", () => {
  it("pass for a good signature", async () => {
    const baseline = await checkWithMessage("example.com", null);
    const { report } = await checkWithMessage(
      "example.com",
      await signed("example.com", "example.com", published.privateKey),
    );

    for (const [provider, rule] of DKIM_ROWS) {
      expect(row(report, provider, rule).status).toBe("pass");
      expect(row(report, provider, rule).evidence).toContain(
        "sample message: DKIM d=example.com s=s1: pass, aligned with example.com",
      );
    }
    expect(row(report, "gmail", "From domain aligned with SPF or DKIM").status).toBe("pass");
    expect(report.verdict).toBe(baseline.report.verdict);
    expect(report.domains[0]?.verdict).toBe(baseline.report.domains[0]?.verdict);
  });

  it("fail for a tampered body", async () => {
    const message = (await signed("example.com", "example.com", published.privateKey)).replace(
      "Hello.",
      "Hello!",
    );
    const { report, messageCheck } = await checkWithMessage("example.com", message);

    expect(messageCheck?.signatures[0]?.comment).toMatch(/body hash/);
    for (const [provider, rule] of DKIM_ROWS) {
      expect(row(report, provider, rule).status).toBe("fail");
      expect(row(report, provider, rule).evidence).toMatch(
        /^sample message: DKIM d=example\.com s=s1: \w+ \(body hash did not verify\)$/,
      );
    }
    expect(report.domains[0]?.verdict).toBe("fail");
    expect(report.verdict).toBe("fail");
  });

  it("warn in the DKIM section for a tampered body", async () => {
    const message = (await signed("example.com", "example.com", published.privateKey)).replace(
      "Hello.",
      "Hello!",
    );
    const { report } = await checkWithMessage("example.com", message);
    const dkim = report.domains[0]?.dkimSummary;

    expect(dkim?.verdict).toBe("warn");
    expect(dkim?.explanation).toContain("The sample message's signature does not verify.");
    expect(dkim?.problems.map((p) => p.code)).toContain("dkim-message-signature");
    expect(text(report)).toMatch(/DKIM\s+warn/i);
    expect(text(report)).toContain("s=s1 neutral (body hash did not verify)");
  });

  it("keep the DKIM section for a good signature", async () => {
    const baseline = await checkWithMessage("example.com", null);
    const message = await signed("example.com", "example.com", published.privateKey);
    const { report } = await checkWithMessage("example.com", message);
    expect(report.domains[0]?.dkimSummary).toEqual(baseline.report.domains[0]?.dkimSummary);
  });

  it("fail for a key that is not published", async () => {
    const message = await signed("example.com", "example.com", unpublished.privateKey);
    const { report, messageCheck } = await checkWithMessage("example.com", message);

    expect(messageCheck?.signatures[0]?.result).toBe("fail");
    for (const [provider, rule] of DKIM_ROWS) {
      expect(row(report, provider, rule).status).toBe("fail");
      expect(row(report, provider, rule).evidence).toContain(
        "sample message: DKIM d=example.com s=s1: fail",
      );
    }
    expect(report.verdict).toBe("fail");
  });

  it("fail without a signature", async () => {
    const { report } = await checkWithMessage("example.com", plainMessage("example.com"));

    for (const [provider, rule] of DKIM_ROWS) {
      expect(row(report, provider, rule).status).toBe("fail");
      expect(row(report, provider, rule).evidence).toBe(
        "sample message: the message has no DKIM-Signature header",
      );
    }
    expect(report.verdict).toBe("fail");
  });

  it("fail for a d= not aligned", async () => {
    const message = await signed("example.com", "example.org", otherDomain.privateKey);
    const { report, messageCheck } = await checkWithMessage("example.com", message);

    expect(messageCheck?.signatures[0]?.result).toBe("pass");
    expect(row(report, "outlook", "DKIM passes").status).toBe("fail");
    expect(row(report, "outlook", "DKIM passes").evidence).toBe(
      "sample message: DKIM d=example.org s=s1: pass, but d= is not aligned with the From domain example.com",
    );
    // SPF passes from the IP for example.com itself, so the From domain is still aligned.
    const aligned = row(report, "gmail", "From domain aligned with SPF or DKIM");
    expect(aligned.status).toBe("pass");
    expect(aligned.evidence).toBe("sample message: SPF passes aligned with example.com");
  });

  it("pass without a DMARC record", async () => {
    const { report, messageCheck } = await checkWithMessage(
      "example.net",
      await signed("example.net", "example.net", published.privateKey),
    );

    expect(messageCheck?.dmarc?.result).toBe("none");
    expect(row(report, "outlook", "DKIM passes").status).toBe("pass");
    expect(row(report, "gmail", "DMARC record published (p=none is enough)").status).toBe("fail");
  });

  it("leave alignment unchecked without an IP", async () => {
    const message = (await signed("example.com", "example.com", published.privateKey)).replace(
      "Hello.",
      "Hello!",
    );
    const { report } = await checkWithMessage("example.com", message, []);
    const aligned = row(report, "gmail", "From domain aligned with SPF or DKIM");

    expect(aligned.status).toBe("not-checked");
    expect(aligned.evidence).toBe(
      "sample message: SPF not evaluated because no sending IP was given (use --ip)",
    );
    expect(row(report, "outlook", "DKIM passes").status).toBe("fail");
  });

  it("show in the text report", async () => {
    const message = (await signed("example.com", "example.com", published.privateKey)).replace(
      "Hello.",
      "Hello!",
    );
    const output = text((await checkWithMessage("example.com", message)).report);

    expect(output).toMatch(/Outlook bulk FAIL +DKIM passes/);
    expect(output).toMatch(/Gmail +bulk FAIL +SPF and DKIM both pass/);
    expect(output).toContain("body hash did not verify");
    expect(output).toContain("Overall: FAIL");
    expect(output).not.toContain("key published for s1");
  });

  it("name the failed rows in the finding", async () => {
    const message = await signed("example.com", "example.com", unpublished.privateKey);
    const { report } = await checkWithMessage("example.com", message);
    const finding = report.findings.find((f) => f.id === "authentication");

    const evidence = finding?.evidence as { failedRequirements: string[] } | undefined;

    expect(evidence?.failedRequirements).toContain(
      "example.com: outlook DKIM passes: sample message: DKIM d=example.com s=s1: fail (bad signature)",
    );
  });
});

describe("requirement rows without a sample message", () => {
  it("judge the published key", async () => {
    const { report } = await checkWithMessage("example.com", null);

    for (const [provider, rule] of DKIM_ROWS) {
      expect(row(report, provider, rule).status).toBe("pass");
      expect(row(report, provider, rule).evidence).toContain("key published for s1");
    }
  });
});

function readiness(report: SenderCheckReport): { status: string; detail: string } {
  const item = report.readiness.find((entry) => entry.id === "spf-dkim-dmarc");
  if (item === undefined) throw new Error("no spf-dkim-dmarc readiness item");
  return item;
}

describe("readiness with a sample message", () => {
  it("passes for a good signature", async () => {
    const message = await signed("example.com", "example.com", published.privateKey);
    const item = readiness((await checkWithMessage("example.com", message)).report);

    expect(item.status).toBe("pass");
    expect(item.detail).toContain("For example.com, DKIM is judged by the sample message");
    expect(item.detail).toContain(
      "d=example.com s=s1 pass, aligned with the From domain example.com",
    );
  });

  it("fails for a tampered body", async () => {
    const message = (await signed("example.com", "example.com", published.privateKey)).replace(
      "Hello.",
      "Hello!",
    );
    const baseline = readiness((await checkWithMessage("example.com", null)).report);
    const item = readiness((await checkWithMessage("example.com", message)).report);

    // DNS alone shows a usable key, so only the message can fail the item.
    expect(baseline.status).toBe("pass");
    expect(item.status).toBe("fail");
    expect(item.detail).toMatch(
      /^example\.com: SPF pass, DMARC p=reject, DKIM fail in the sample message, because its DKIM signature does not verify: d=example\.com s=s1 \w+ \(body hash did not verify\)$/,
    );
  });

  it("fails for an unpublished key", async () => {
    const message = await signed("example.com", "example.com", unpublished.privateKey);
    const item = readiness((await checkWithMessage("example.com", message)).report);

    expect(item.status).toBe("fail");
    expect(item.detail).toContain("its DKIM signature does not verify: d=example.com s=s1 fail");
  });

  it("fails without a signature", async () => {
    const message = plainMessage("example.com");
    const item = readiness((await checkWithMessage("example.com", message)).report);

    expect(item.status).toBe("fail");
    expect(item.detail).toContain("because the message has no DKIM-Signature header");
  });

  it("fails for a d= not aligned", async () => {
    const message = await signed("example.com", "example.org", otherDomain.privateKey);
    const item = readiness((await checkWithMessage("example.com", message)).report);

    expect(item.status).toBe("fail");
    expect(item.detail).toContain(
      "d=example.org s=s1 pass, but d= is not aligned with the From domain example.com",
    );
  });
});

describe("sample message with several domains", () => {
  async function checkTwoDomains(message: string): Promise<SenderCheckReport> {
    const dns = zoneDns(zone);
    const report = await checkSenders(
      {
        domains: ["example.com", "example.net"],
        ips: [IP],
        selectors: {
          "example.com": [{ selector: "s1", source: "found" }],
          "example.net": [{ selector: "s1", source: "given" }],
        },
      },
      { dns, fetcher: null },
    );
    const messageCheck = await checkMessage(Buffer.from(message), "example.com", [IP], null, dns);
    return applyMessageCheck(report, messageCheck);
  }

  it("names the domain judged", async () => {
    const message = await signed("example.com", "example.com", published.privateKey);
    const report = await checkTwoDomains(message);

    expect(report.messageDomain).toBe("example.com");
    expect(text(report).replace(/\s+/g, " ")).toContain(
      "The sample message was judged against example.com only, so the checks of example.net show DNS alone.",
    );
  });

  it("keeps other domains on DNS", async () => {
    const message = await signed("example.com", "example.com", unpublished.privateKey);
    const report = await checkTwoDomains(message);
    const other = report.domains[1]?.requirements.find((r) => r.rule === "DKIM passes");

    expect(other?.status).toBe("pass");
    expect(other?.evidence).toBe("key published for s1");
    expect(readiness(report).detail).toMatch(/^example\.com: .*DKIM fail in the sample message/);
    expect(readiness(report).detail).toContain("example.net: SPF pass, DKIM pass, DMARC missing");
  });

  it("adds no note for one domain", async () => {
    const message = await signed("example.com", "example.com", published.privateKey);
    const { report } = await checkWithMessage("example.com", message);

    expect(report.messageDomain).toBe("example.com");
    expect(text(report)).not.toContain("The sample message was judged against");
  });
});
