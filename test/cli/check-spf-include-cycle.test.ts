import { describe, expect, test } from "vitest";
import { analyseSpf } from "../../src/auth/spf/analyse.js";
import { forbidRealNetwork } from "../dns/guard.js";
import { zoneDns } from "../auth/zone.js";
import { runCommand } from "../helpers/cli.js";
import { temporaryFiles } from "../helpers/temporary-files.js";

forbidRealNetwork();

const temporary = temporaryFiles();

/**
 * Writes a zone whose SPF record includes `width` names that each include the same `width`
 * names, so every include leads back into the cycle.
 */
function fanOutCycleZone(width: number): string {
  const names = Array.from({ length: width }, (_, i) => `b${i}`);
  const includes = names.map((name) => `include:${name}.example.com`).join(" ");
  const records = names.map((name) => `${name} IN TXT "v=spf1 ${includes} -all"`);
  return [
    "$ORIGIN example.com.",
    "$TTL 300",
    `@ IN TXT "v=spf1 ${includes} -all"`,
    ...records,
    "",
  ].join("\n");
}

interface SpfJson {
  lookups: number;
  results: { ip: string; result: string }[];
  problems: { code: string; message: string }[];
}

describe("SPF include cycle with fan-out", () => {
  test("check --zone stops counting past 100 lookups", async () => {
    const zone = temporary.file(fanOutCycleZone(12), "cycle.zone");
    const args = ["check", "example.com", "--ip", "192.0.2.5", "--zone", zone];
    const started = Date.now();
    const json = await runCommand([...args, "--format", "json"]);
    const text = await runCommand(args);
    const spf = (JSON.parse(json.stdout) as { domains: { spf: SpfJson }[] }).domains[0]?.spf;
    const limits = spf?.problems.filter((p) => p.code === "spf-lookup-limit") ?? [];
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(spf?.lookups).toBe(101);
    expect(spf?.results.map((r) => r.result)).toEqual(["permerror"]);
    expect(limits).toHaveLength(1);
    expect(limits[0]?.message).toContain(
      "(reached through example.com → b0.example.com → b1.example.com",
    );
    expect(text.stdout).toContain("DNS lookups: more than 100 of 10;");
    expect(limits[0]?.message).toContain("needs more than 100 DNS lookups");
  });

  test("analysis queries each name once", async () => {
    const dns = zoneDns(fanOutCycleZone(6));
    const analysis = await analyseSpf("example.com", dns);
    const stats = dns.stats();
    expect(analysis.lookups).toBe(101);
    expect(stats.queries).toBeLessThanOrEqual(7);
  });

  test("shared include counts in each branch", async () => {
    const dns = zoneDns(`$ORIGIN example.com.
@ TXT "v=spf1 include:a.example.com include:b.example.com -all"
a TXT "v=spf1 include:shared.example.com -all"
b TXT "v=spf1 include:shared.example.com -all"
shared TXT "v=spf1 a:mail.example.com -all"
mail A 192.0.2.1
`);
    const analysis = await analyseSpf("example.com", dns);
    expect(analysis.lookups).toBe(6);
    expect(analysis.problems).toEqual([]);
  });
});
