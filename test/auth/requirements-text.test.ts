import { describe, expect, it } from "vitest";
import { checkSenders } from "../../src/auth/report.js";
import { renderCheckText } from "../../src/auth/text.js";
import { forbidRealNetwork } from "../dns/guard.js";
import { zoneDns } from "./zone.js";

forbidRealNetwork();

const IP = "192.0.2.10";

// example.com passes SPF for the IP. example.org publishes no SPF record at all.
const zone = `$ORIGIN example.com.
@ TXT "v=spf1 ip4:${IP} -all"
_dmarc TXT "v=DMARC1; p=none"
$ORIGIN example.org.
@ TXT "not an spf record"
_dmarc TXT "v=DMARC1; p=none"
`;

const plain = (text: string): string => text;
const STYLE = { good: plain, bad: plain, warn: plain, dim: plain, bold: plain };

async function checkTwoDomains(): Promise<string> {
  const report = await checkSenders(
    {
      domains: ["example.com", "example.org"],
      ips: [IP],
      selectors: { "example.com": [], "example.org": [] },
    },
    { dns: zoneDns(zone), fetcher: null },
  );
  return renderCheckText(report, { resolver: "zone", queries: 0, cacheHits: 0 }, STYLE);
}

/** Returns the lines of the requirement table headed "Sender requirements for `domain`". */
function tableOf(text: string, domain: string): string[] {
  const lines = text.split("\n");
  const start = lines.indexOf(`Sender requirements for ${domain}`);
  if (start < 0) return [];
  const end = lines.findIndex((line, index) => index > start && !line.startsWith(" "));
  return lines.slice(start + 1, end < 0 ? undefined : end);
}

describe("sender requirements in text", () => {
  it("shows a table for each domain", async () => {
    const text = await checkTwoDomains();
    expect(tableOf(text, "example.com").length).toBeGreaterThan(0);
    expect(tableOf(text, "example.org").length).toBeGreaterThan(0);
  });

  it("shows each domain's own status", async () => {
    const text = await checkTwoDomains();
    const row = (domain: string): string | undefined =>
      tableOf(text, domain).find(
        (line) => line.includes("Outlook bulk") && line.endsWith("SPF passes"),
      );
    expect(row("example.com")).toMatch(/ pass /);
    expect(row("example.org")).toMatch(/ FAIL /);
  });
});
