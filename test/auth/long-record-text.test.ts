import { describe, expect, it } from "vitest";
import { checkSenders, type SenderCheckReport } from "../../src/auth/report.js";
import { renderCheckText } from "../../src/auth/text.js";
import { forbidRealNetwork } from "../dns/guard.js";
import { SENDER_ZONE_IP, senderZone } from "../helpers/sender-dns.js";
import { zoneDns } from "./zone.js";

forbidRealNetwork();

const IP = SENDER_ZONE_IP;
const plain = (text: string): string => text;
const style = { good: plain, bad: plain, warn: plain, dim: plain, bold: plain };
const context = { resolver: "zone file", queries: 0, cacheHits: 0 };

// 30 strings of 250 characters after the version, which SPF joins without spaces.
const FILLER = Array.from({ length: 30 }, () => `"${"a".repeat(250)}"`).join(" ");
const LONG_SPF = `v=spf1 ip4:${IP} ${"a".repeat(250 * 30)} -all`;

async function check(zone: string): Promise<SenderCheckReport> {
  return checkSenders(
    { domains: ["example.com"], ips: [IP] },
    { dns: zoneDns(zone), fetcher: null },
  );
}

function longZone(): string {
  return senderZone().replace(
    `@ IN TXT "v=spf1 ip4:${IP} -all"`,
    `@ IN TXT "v=spf1 ip4:${IP} " ${FILLER} " -all"`,
  );
}

describe("check text with a long record", () => {
  it("keeps the whole record in the report", async () => {
    const report = await check(longZone());
    expect(report.domains[0]?.spf.record).toBe(LONG_SPF);
  });

  it("fits 80 columns", async () => {
    const text = renderCheckText(await check(longZone()), context, style);
    const wide = text.split("\n").filter((line) => line.length > 80);
    expect(wide).toEqual([]);
  });

  it("shortens the record with its length", async () => {
    const text = renderCheckText(await check(longZone()), context, style);
    const length = LONG_SPF.length.toLocaleString("en-US");
    expect(length).toBe("7,526");
    expect(text).toContain(`(shortened: ${length}`);
    expect(text).toMatch(/characters in all; --format json shows the\s+whole record\)/);
    const recordText = /record: [\s\S]*?DNS lookups/.exec(text)?.[0] ?? "";
    expect(recordText.replace(/\s+/g, "")).toContain("a".repeat(150));
    expect(recordText.replace(/\s+/g, "")).not.toContain("a".repeat(250));
  });

  it("prints a normal record whole", async () => {
    const text = renderCheckText(await check(senderZone()), context, style);
    expect(text).toContain(`record: v=spf1 ip4:${IP} -all`);
    expect(text).not.toContain("shortened");
  });
});
