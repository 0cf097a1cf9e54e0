import { describe, expect, it } from "vitest";
import { checkSenders } from "../../src/auth/report.js";
import { forbidRealNetwork } from "../dns/guard.js";
import { SENDER_ZONE_IP, senderZone } from "../helpers/sender-dns.js";
import { zoneDns } from "./zone.js";

forbidRealNetwork();

const IP = SENDER_ZONE_IP;

async function checkAuthentication(zone: string) {
  const report = await checkSenders(
    { domains: ["example.com"], ips: [IP] },
    { dns: zoneDns(zone), fetcher: null },
  );
  return report.findings.find((f) => f.id === "authentication");
}

describe("authentication finding severity", () => {
  it("warns when provider requirements fail", async () => {
    const found = await checkAuthentication(
      senderZone('default._domainkey IN TXT "v=DKIM1; k=rsa; p="'),
    );
    expect(found?.severity).toBe("warning");
    expect(found?.role).toBe("cause");
    expect(found?.title).toBe("3 provider sender requirements are not met");
  });

  it("lists the failed rows as evidence", async () => {
    const found = await checkAuthentication(
      senderZone('default._domainkey IN TXT "v=DKIM1; k=rsa; p="'),
    );
    const evidence = found?.evidence as { failedRequirements: string[] };
    expect(evidence.failedRequirements.map((row) => row.split(": ").slice(0, 2))).toEqual([
      ["example.com", "gmail SPF and DKIM both pass"],
      ["example.com", "yahoo SPF and DKIM both pass"],
      ["example.com", "outlook DKIM passes"],
    ]);
  });

  it("stays info when no row fails", async () => {
    const found = await checkAuthentication(senderZone());
    expect(found?.severity).toBe("info");
    expect(found?.title).toBe("DNS shows SPF, DKIM or DMARC warnings");
  });
});
