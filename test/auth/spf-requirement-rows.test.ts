import { describe, expect, it } from "vitest";
import { checkSenders } from "../../src/auth/report.js";
import type { RequirementRow } from "../../src/auth/requirements.js";
import { forbidRealNetwork } from "../dns/guard.js";
import { zoneDns } from "./zone.js";

forbidRealNetwork();

const IP = "192.0.2.10";

/** Builds a zone in which example.com publishes the SPF record `spf`, a DMARC record and no DKIM key. */
function zoneWith(spf: string): string {
  return `$ORIGIN example.com.
@ MX 10 mail
@ TXT "${spf}"
mail A ${IP}
_dmarc TXT "v=DMARC1; p=none"
spf.missing A 192.0.2.99
$ORIGIN example.org.
_spf TXT "v=spf1 ip4:198.51.100.0/24 -all"
$ORIGIN 10.2.0.192.in-addr.arpa.
@ PTR mail.example.com.
`;
}

async function rows(spf: string): Promise<readonly RequirementRow[]> {
  const report = await checkSenders(
    { domains: ["example.com"], ips: [IP] },
    { dns: zoneDns(zoneWith(spf)), fetcher: null },
  );
  return report.domains[0]?.requirements ?? [];
}

function row(
  list: readonly RequirementRow[],
  provider: string,
  rule: string,
): RequirementRow | undefined {
  return list.find((r) => r.provider === provider && r.rule === rule);
}

describe("SPF requirement rows", () => {
  it("pass when the IP matches before a broken include", async () => {
    const list = await rows(
      "v=spf1 ip4:192.0.2.10 include:_spf.example.org include:spf.missing.example.com -all",
    );
    const spf = row(list, "outlook", "SPF passes");
    expect(spf?.status).toBe("pass");
    expect(spf?.evidence).toContain("192.0.2.10: pass");
    expect(spf?.evidence).toContain("spf.missing.example.com");
    expect(row(list, "gmail", "SPF or DKIM passes")?.status).toBe("pass");
    expect(row(list, "gmail", "SPF and DKIM both pass")?.status).not.toBe("pass");
  });

  it("fail when the broken include is reached", async () => {
    const list = await rows(
      "v=spf1 include:_spf.example.org include:spf.missing.example.com ip4:192.0.2.10 -all",
    );
    expect(row(list, "outlook", "SPF passes")?.status).toBe("fail");
  });

  it("fail on +all although the IP passes", async () => {
    const list = await rows("v=spf1 ip4:192.0.2.10 +all");
    const spf = row(list, "outlook", "SPF passes");
    expect(spf?.status).toBe("fail");
    expect(spf?.evidence).toContain("+all");
  });
});
