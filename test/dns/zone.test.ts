import { readFileSync } from "node:fs";
import { answerOf } from "./answer.js";
import { describe, expect, it } from "vitest";
import { reverseName } from "../../src/dns/names.js";
import { joinTxt } from "../../src/dns/types.js";
import { zoneResolver } from "../../src/dns/zone.js";
import { parseZoneFile } from "../../src/dns/zone-file.js";

const fixture = new URL("./fixtures/mixed.zone", import.meta.url);
const zone = parseZoneFile(readFileSync(fixture, "utf8"), "mixed.zone");
const resolver = zoneResolver(zone);

describe("zone file", () => {
  it("reads relative names, TTLs and MX", async () => {
    const mx = await resolver.resolve("example.com", "MX");
    const a = await resolver.resolve("mail.example.com.", "A");
    expect(answerOf(mx).records).toEqual([{ priority: 10, exchange: "mail.example.com" }]);
    expect(answerOf(a).ttlSeconds).toBe(300);
    expect(answerOf(mx).ttlSeconds).toBe(3600);
  });

  it("keeps each TXT record apart and joins its strings", async () => {
    const apex = await resolver.resolve("example.com", "TXT");
    const long = await resolver.resolve("long.example.com", "TXT");
    expect(answerOf(apex).records.map(joinTxt)).toEqual([
      "v=spf1 mx -all",
      "google-site-verification=abc123",
    ]);
    expect(answerOf(long).records).toEqual([["first part; ", "second part"]]);
  });

  it("applies escapes inside quoted strings", async () => {
    const result = await resolver.resolve("escaped.example.com", "TXT");
    expect(joinTxt(answerOf(result).records[0] ?? [])).toBe(
      'quote " and byte A and semicolon ; inside',
    );
  });

  it("holds forward and reverse zones in one file", async () => {
    const v4 = await resolver.resolve(reverseName("192.0.2.25"), "PTR");
    const v6 = await resolver.resolve(reverseName("2001:db8::25"), "PTR");
    expect(answerOf(v4).records).toEqual(["mail.example.com"]);
    expect(answerOf(v6).records).toEqual(["mail.example.com"]);
  });

  it("tells NXDOMAIN from NODATA, empty non-terminals included", async () => {
    const noData = await resolver.resolve("mail.example.com", "TXT");
    const between = await resolver.resolve("b.deep.example.com", "A");
    const missing = await resolver.resolve("nothing.example.com", "A");
    expect(noData.ok ? "answer" : noData.kind).toBe("nodata");
    expect(between.ok ? "answer" : between.kind).toBe("nodata");
    expect(missing.ok ? "answer" : missing.kind).toBe("nxdomain");
  });

  it("follows CNAMEs", async () => {
    const result = await resolver.resolve("www.example.com", "AAAA");
    expect(answerOf(result).records).toEqual(["2001:db8::25"]);
    expect(answerOf(result).canonicalName).toBe("mail.example.com");
  });

  it("names the file and line of a syntax error", () => {
    const text = "$ORIGIN example.com.\n@ IN A 192.0.2.1\nmail IN A 192.0.2.999\n";
    expect(() => parseZoneFile(text, "bad.zone")).toThrow(/bad\.zone, line 3: invalid A/);
  });

  it("rejects a relative name before $ORIGIN", () => {
    expect(() => parseZoneFile("mail IN A 192.0.2.1\n", "bad.zone")).toThrow(/before any \$ORIGIN/);
  });

  it("rejects an unclosed parenthesis", () => {
    const text = '$ORIGIN example.com.\n@ IN TXT ( "a"\n';
    expect(() => parseZoneFile(text, "bad.zone")).toThrow(/never closed/);
  });

  it.each([
    [
      "an unclosed quote",
      '@ IN A 192.0.2.1\n@ IN TXT "v=spf1 -all\n',
      3,
      /quoted string is not closed/,
    ],
    ["a stray parenthesis", "@ IN A 192.0.2.1\n@ IN A 192.0.2.2 )\n", 3, /"\)" without "\("/],
    ["an escape over 255", '@ IN A 192.0.2.1\n\n@ IN TXT "a\\256"\n', 4, /escape \\256/],
    ["an unclosed parenthesis", '@ IN A 192.0.2.1\n@ IN TXT ( "a"\n', 3, /never closed/],
  ])("names file and line of %s", (_case, records, line, message) => {
    const text = `$ORIGIN example.com.\n${records}`;
    let thrown: unknown = null;
    try {
      parseZoneFile(text, "bad.zone");
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(SyntaxError);
    expect((thrown as Error).message).toMatch(new RegExp(`^bad\\.zone, line ${line}: `));
    expect((thrown as Error).message).toMatch(message);
  });
});

describe("zone file TXT size", () => {
  const record = (bytes: number): string =>
    `$ORIGIN example.com.\n@ TXT "v=spf1 ${"a".repeat(bytes)} -all"\n`;

  it("rejects text over one record", () => {
    expect(() => parseZoneFile(record(70_000), "big.zone")).toThrow(
      /^big\.zone, line 2: the TXT record has 70,012 bytes of text, more than the 65,535 /,
    );
  });

  it("reads a long string under the limit", async () => {
    const parsed = parseZoneFile(record(1_000), "long.zone");
    const answer = await zoneResolver(parsed).resolve("example.com", "TXT");
    expect(answer.ok ? joinTxt(answer.records[0] ?? []).length : 0).toBe(1_012);
  });

  it("reads escapes around long text", async () => {
    const text = `$ORIGIN example.com.\n@ TXT "\\065${"b".repeat(500)}\\"c"\n`;
    const parsed = parseZoneFile(text, "escapes.zone");
    const answer = await zoneResolver(parsed).resolve("example.com", "TXT");
    expect(answer.ok ? joinTxt(answer.records[0] ?? []) : "").toBe(`A${"b".repeat(500)}"c`);
  });
});
