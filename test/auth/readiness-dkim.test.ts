import { readFileSync } from "node:fs";
import type dnsPacket from "dns-packet";
import { afterEach, describe, expect, it } from "vitest";
import { checkSenders, type SenderCheckReport } from "../../src/auth/report.js";
import type { ReadinessItem } from "../../src/diagnose/types.js";
import { createDnsContext } from "../../src/dns/context.js";
import { serverResolver } from "../../src/dns/system.js";
import { forbidRealNetwork } from "../dns/guard.js";
import { startDnsServer, tableHandler, type TestDnsServer } from "../dns/server.js";
import { EXAMPLE_ZONE, zoneDns } from "./zone.js";

forbidRealNetwork();

const zone = readFileSync(EXAMPLE_ZONE, "utf8");

let server: TestDnsServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

function authItem(report: SenderCheckReport): ReadinessItem | undefined {
  return report.readiness.find((item) => item.id === "spf-dkim-dmarc");
}

async function checkExampleCom(selectors: string[]): Promise<SenderCheckReport> {
  return checkSenders(
    {
      domains: ["example.com"],
      ips: ["192.0.2.25"],
      selectors: { "example.com": selectors.map((selector) => ({ selector, source: "given" })) },
    },
    { dns: zoneDns(zone), fetcher: null },
  );
}

function txt(name: string, data: string): dnsPacket.Answer {
  return { type: "TXT", name, ttl: 300, data };
}

describe("SPF/DKIM/DMARC readiness item", () => {
  it("is not checked without a key found", async () => {
    const report = await checkExampleCom([]);
    const item = authItem(report);

    expect(report.domains[0]?.dkim).toEqual([]);
    expect(item?.status).toBe("not-checked");
    expect(item?.detail).toContain("no DKIM key found under the common selectors");
    expect(item?.detail).toContain("`delist check example.com --selector SELECTOR`");
    expect(item?.detail).not.toContain("published");
  });

  it("passes with a usable key", async () => {
    const item = authItem(await checkExampleCom(["s2048"]));

    expect(item?.status).toBe("pass");
    expect(item?.detail).toContain("a usable DKIM key is published");
  });

  it("fails on SPF even without a key found", async () => {
    const report = await checkSenders(
      { domains: ["example.com"], ips: ["203.0.113.9"] },
      { dns: zoneDns(zone), fetcher: null },
    );
    const item = authItem(report);

    expect(report.domains[0]?.spf.result).toEqual({ "203.0.113.9": "softfail" });
    expect(item?.status).toBe("fail");
    expect(item?.detail).toContain("example.com: SPF");
  });

  it("is not checked when DKIM queries time out", async () => {
    const answer = tableHandler({
      "TXT example.com": [txt("example.com", "v=spf1 ip4:192.0.2.25 -all")],
      "TXT _dmarc.example.com": [txt("_dmarc.example.com", "v=DMARC1; p=none")],
    });
    server = await startDnsServer((question, transport) =>
      question.name.includes("._domainkey.") ? { drop: true } : answer(question, transport),
    );
    const dns = createDnsContext({
      resolver: serverResolver(server.address, { timeoutMs: 1000, retries: 0 }),
      timeoutMs: 3000,
    });
    const report = await checkSenders(
      {
        domains: ["example.com"],
        ips: ["192.0.2.25"],
        selectors: { "example.com": [{ selector: "s1", source: "given" }] },
      },
      { dns, fetcher: null },
    );
    await dns.close();
    const item = authItem(report);

    expect(report.domains[0]?.spf.verdict).toBe("pass");
    expect(report.domains[0]?.dkimSummary.verdict).toBe("not-checked");
    expect(item?.status).toBe("not-checked");
    expect(item?.detail).toContain("example.com: DKIM not checked");
  });
});
