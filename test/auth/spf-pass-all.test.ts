import { describe, expect, it } from "vitest";
import { checkSenders } from "../../src/auth/report.js";
import { checkSpf } from "../../src/auth/spf/check.js";
import { forbidRealNetwork } from "../dns/guard.js";
import { runCommand } from "../helpers/cli.js";
import { temporaryFiles } from "../helpers/temporary-files.js";
import { zoneDns } from "./zone.js";

forbidRealNetwork();

const temporary = temporaryFiles();

/** example.com with SPF `record`, a DMARC policy and a forward-confirmed PTR for 192.0.2.10. */
function zone(record: string): string {
  return `$ORIGIN example.com.
@ TXT "${record}"
@ MX 10 mail
mail A 192.0.2.10
_dmarc TXT "v=DMARC1; p=reject; rua=mailto:dmarc@example.com"
$ORIGIN 2.0.192.in-addr.arpa.
10 PTR mail.example.com.
`;
}

describe("SPF +all", () => {
  it("keeps the sending IP in the corrected record", async () => {
    const check = await checkSpf("example.com", ["192.0.2.10"], null, zoneDns(zone("v=spf1 +all")));
    expect(check.verdict).toBe("fail");
    expect(check.evidence.result).toEqual({ "192.0.2.10": "pass" });
    expect(check.evidence.correctedRecord).toBe("v=spf1 ip4:192.0.2.10 ~all");
  });

  it("keeps mx without adding its IP", async () => {
    const dns = zoneDns(zone("v=spf1 mx +all"));
    const check = await checkSpf("example.com", ["192.0.2.10"], null, dns);
    expect(check.evidence.correctedRecord).toBe("v=spf1 mx ~all");
  });

  it("adds an IP that passes only through +all", async () => {
    const dns = zoneDns(zone("v=spf1 mx +all"));
    const check = await checkSpf("example.com", ["192.0.2.10", "198.51.100.7"], null, dns);
    expect(check.evidence.correctedRecord).toBe("v=spf1 mx ip4:198.51.100.7 ~all");
  });

  it("fails the readiness item", async () => {
    const report = await checkSenders(
      { domains: ["example.com"], ips: ["192.0.2.10"] },
      { dns: zoneDns(zone("v=spf1 +all")), fetcher: null },
    );
    const item = report.readiness.find((entry) => entry.id === "spf-dkim-dmarc");
    expect(item?.status).toBe("fail");
    expect(item?.detail).toContain("example.com: SPF fail");
  });

  it("does not fail a valid record", async () => {
    const report = await checkSenders(
      { domains: ["example.com"], ips: ["192.0.2.10"] },
      { dns: zoneDns(zone("v=spf1 ip4:192.0.2.10 -all")), fetcher: null },
    );
    const item = report.readiness.find((entry) => entry.id === "spf-dkim-dmarc");
    // No DKIM key is published, so the item is unverified rather than passed.
    expect(item?.status).toBe("not-checked");
    expect(item?.detail).not.toContain("SPF");
  });

  it("check --ip proposes a record with the IP", async () => {
    const file = temporary.file(zone("v=spf1 +all"), "example.com.zone");
    const args = ["check", "example.com", "--ip", "192.0.2.10", "--zone", file];
    const json = await runCommand([...args, "--format", "json"]);
    const text = await runCommand(args);
    const parsed = JSON.parse(json.stdout) as {
      domains: { spf: { correctedRecord: string | null } }[];
    };
    expect(parsed.domains[0]?.spf.correctedRecord).toBe("v=spf1 ip4:192.0.2.10 ~all");
    expect(text.stdout).toContain("v=spf1 ip4:192.0.2.10 ~all");
    expect(text.stdout).not.toContain("v=spf1 ~all");
  });
});
