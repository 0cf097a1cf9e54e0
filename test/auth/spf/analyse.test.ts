import { describe, expect, it } from "vitest";
import { analyseSpf } from "../../../src/auth/spf/analyse.js";
import { checkSpf } from "../../../src/auth/spf/check.js";
import { zoneDns } from "../zone.js";

const codes = (problems: readonly { code: string }[]): string[] => problems.map((p) => p.code);

describe("SPF analysis", () => {
  it("counts lookups per include branch", async () => {
    const dns = zoneDns(`$ORIGIN example.com.
@ TXT "v=spf1 a mx include:_a.example.net include:_b.example.net -all"
@ A 192.0.2.1
@ MX 10 mail
mail A 192.0.2.2
$ORIGIN example.net.
_a TXT "v=spf1 include:_c.example.net ip4:198.51.100.0/24 -all"
_b TXT "v=spf1 exists:%{i}.rbl.example.net -all"
_c TXT "v=spf1 a:host.example.net -all"
host A 198.51.100.7
`);
    const analysis = await analyseSpf("example.com", dns);
    expect(analysis.lookups).toBe(7);
    expect(analysis.tree.lookups).toBe(4);
    expect(analysis.tree.children.map((c) => [c.domain, c.totalLookups])).toEqual([
      ["_a.example.net", 2],
      ["_b.example.net", 1],
    ]);
    expect(analysis.problems).toEqual([]);
  });

  it("counts on past the lookup limit and names where receivers stop", async () => {
    const includes = Array.from({ length: 6 }, (_, i) => `include:i${i}.example.net`).join(" ");
    const zone = [
      `$ORIGIN example.net.`,
      ...Array.from({ length: 6 }, (_, i) => `i${i} TXT "v=spf1 a:mail.example.net -all"`),
      `mail A 192.0.2.9`,
    ];
    const dns = zoneDns(
      `$ORIGIN example.com.\n@ TXT "v=spf1 ${includes} -all"\n${zone.join("\n")}\n`,
    );
    const analysis = await analyseSpf("example.com", dns);
    const message = analysis.problems[0]?.message ?? "";
    expect(analysis.lookups).toBe(12);
    expect(analysis.tree.children).toHaveLength(6);
    expect(codes(analysis.problems)).toEqual(["spf-lookup-limit"]);
    expect(message).toMatch(/^The SPF record of example.com needs 12 DNS lookups; more than 10 /);
    expect(message).toContain(
      "The limit is passed at include:i5.example.net in the SPF record of example.com, where",
    );
  });

  it("reports the void lookups past the limit", async () => {
    const includes = Array.from({ length: 6 }, (_, i) => `include:i${i}.example.net`).join(" ");
    const zone = Array.from({ length: 6 }, (_, i) => `i${i} TXT "v=spf1 a mx -all"`);
    const dns = zoneDns(
      `$ORIGIN example.com.\n@ TXT "v=spf1 ${includes} -all"\n$ORIGIN example.net.\n${zone.join("\n")}\n`,
    );
    const analysis = await analyseSpf("example.com", dns);
    expect(analysis.voidLookups).toBe(12);
    expect(analysis.tree.children).toHaveLength(6);
    expect(codes(analysis.problems)).toEqual(["spf-lookup-limit", "spf-void-limit"]);
  });

  it("counts each include in its branch", async () => {
    const includes = Array.from({ length: 11 }, (_, i) => `include:i${i}.example.net`).join(" ");
    const zone = [
      `$ORIGIN example.net.`,
      ...Array.from({ length: 10 }, (_, i) => `i${i} TXT "v=spf1 ip4:198.51.100.${i} -all"`),
      `i10 TXT "v=spf1 a:mail.example.net mx:example.net -all"`,
      `@ MX 10 mail`,
      `mail A 198.51.100.20`,
    ];
    const dns = zoneDns(
      `$ORIGIN example.com.\n@ TXT "v=spf1 ${includes} -all"\n${zone.join("\n")}\n`,
    );
    const analysis = await analyseSpf("example.com", dns);
    const message = analysis.problems[0]?.message ?? "";
    expect(analysis.lookups).toBe(13);
    expect(message).toContain("The limit is passed at include:i10.example.net");
    expect(message).toContain(
      "The largest branches: i10.example.net (3 lookups), i0.example.net (1 lookup), " +
        "i1.example.net (1 lookup).",
    );
    expect(message).not.toContain("(0");
  });

  it("offers no record that stays over the limit", async () => {
    const includes = Array.from({ length: 11 }, (_, i) => `include:i${i}.example.net`).join(" ");
    const zone = Array.from(
      { length: 11 },
      (_, i) => `i${i} TXT "v=spf1 ip4:198.51.100.${i} -all"`,
    );
    const dns = zoneDns(
      `$ORIGIN example.com.\n@ TXT "v=spf1 ${includes} -all"\n$ORIGIN example.net.\n${zone.join("\n")}\n`,
    );
    const check = await checkSpf("example.com", ["192.0.2.1"], null, dns);
    expect(codes(check.problems)).toContain("spf-lookup-limit");
    expect(check.evidence.correctedRecord).toBeNull();
  });

  it("counts void lookups", async () => {
    const dns = zoneDns(`$ORIGIN example.com.
@ TXT "v=spf1 a:gone1.example.com a:gone2.example.com mx:gone3.example.com -all"
`);
    const analysis = await analyseSpf("example.com", dns);
    expect(analysis.voidLookups).toBe(3);
    expect(codes(analysis.problems)).toEqual(["spf-void-limit"]);
    expect(analysis.problems[0]?.message).toContain(
      "(a:gone1.example.com, a:gone2.example.com, mx:gone3.example.com)",
    );
  });

  it("names the one void term", async () => {
    const dns = zoneDns(`$ORIGIN example.com.
@ TXT "v=spf1 a ip4:192.0.2.10 -all"
`);
    const analysis = await analyseSpf("example.com", dns);
    expect(codes(analysis.problems)).toEqual(["spf-void-lookup"]);
    expect(analysis.problems[0]?.message).toBe(
      "The term a (example.com) points at a name with no records.",
    );
  });

  it("finds an include loop", async () => {
    const dns = zoneDns(`$ORIGIN example.com.
@ TXT "v=spf1 include:a.example.com -all"
a TXT "v=spf1 include:b.example.com -all"
b TXT "v=spf1 include:EXAMPLE.com -all"
`);
    const analysis = await analyseSpf("example.com", dns);
    expect(codes(analysis.problems)).toEqual(["spf-loop"]);
    expect(analysis.problems[0]?.fix).toBe(
      "Remove include:EXAMPLE.com from the SPF record of b.example.com.",
    );
  });

  it("names the record of a missing include", async () => {
    const dns = zoneDns(`$ORIGIN example.com.
@ TXT "v=spf1 include:a.example.com -all"
a TXT "v=spf1 include:gone.example.com -all"
`);
    const analysis = await analyseSpf("example.com", dns);
    expect(codes(analysis.problems)).toEqual(["spf-include-none"]);
    expect(analysis.problems[0]?.fix).toBe(
      "Remove include:gone.example.com from the SPF record of a.example.com, or ask the owner of gone.example.com to publish SPF.",
    );
  });

  it("finds a redirect loop", async () => {
    const dns = zoneDns(`$ORIGIN example.com.
@ TXT "v=spf1 redirect=_spf.example.com"
_spf TXT "v=spf1 redirect=example.com"
`);
    const analysis = await analyseSpf("example.com", dns);
    expect(codes(analysis.problems)).toEqual(["spf-loop"]);
  });

  it("does not call a shared include a loop", async () => {
    const dns = zoneDns(`$ORIGIN example.com.
@ TXT "v=spf1 include:a.example.com include:b.example.com -all"
a TXT "v=spf1 include:shared.example.com -all"
b TXT "v=spf1 include:shared.example.com -all"
shared TXT "v=spf1 ip4:192.0.2.0/24 -all"
`);
    const analysis = await analyseSpf("example.com", dns);
    expect(analysis.problems).toEqual([]);
    expect(analysis.lookups).toBe(4);
  });

  it("picks the SPF record among unrelated TXT records", async () => {
    const dns = zoneDns(`$ORIGIN example.com.
@ TXT "google-site-verification=abc"
@ TXT "v=spf1 ip4:192.0.2.1 -all"
@ TXT "MS=ms12345"
`);
    const check = await checkSpf("example.com", ["192.0.2.1"], null, dns);
    expect(check.evidence.records).toEqual(["v=spf1 ip4:192.0.2.1 -all"]);
    expect(check.evidence.result).toEqual({ "192.0.2.1": "pass" });
    expect(check.verdict).toBe("pass");
    expect(check.evidence.correctedRecord).toBeNull();
  });
});

describe("SPF check", () => {
  it("flags +all, ptr and wide ranges and corrects them", async () => {
    const dns = zoneDns(`$ORIGIN example.com.
@ TXT "v=spf1 ptr ip4:198.0.0.0/8 ip4:192.0.2.0/28 +all"
`);
    const check = await checkSpf("example.com", ["203.0.113.5"], null, dns);
    expect(codes(check.problems)).toEqual(["spf-pass-all", "spf-ptr", "spf-broad-range"]);
    expect(check.evidence.result["203.0.113.5"]).toBe("pass");
    expect(check.evidence.correctedRecord).toBe("v=spf1 ip4:192.0.2.0/28 ip4:203.0.113.5 ~all");
    expect(check.verdict).toBe("fail");
  });

  it("adds a failing sending IP to the corrected record", async () => {
    const dns = zoneDns(`$ORIGIN example.com.\n@ TXT "v=spf1 ip4:192.0.2.1 -all"\n`);
    const check = await checkSpf("example.com", ["192.0.2.1", "2001:db8::7"], null, dns);
    expect(check.evidence.result).toEqual({ "192.0.2.1": "pass", "2001:db8::7": "fail" });
    expect(check.evidence.correctedRecord).toBe("v=spf1 ip4:192.0.2.1 ip6:2001:db8::7 -all");
  });

  it("merges several records into one", async () => {
    const dns = zoneDns(`$ORIGIN example.com.
@ TXT "v=spf1 ip4:192.0.2.1 -all"
@ TXT "v=spf1 include:_spf.example.net ~all"
$ORIGIN example.net.
_spf TXT "v=spf1 ip4:198.51.100.1 -all"
`);
    const check = await checkSpf("example.com", ["192.0.2.1"], null, dns);
    expect(check.evidence.result["192.0.2.1"]).toBe("permerror");
    expect(codes(check.problems)).toContain("spf-multiple");
    // The records end in -all and ~all; the merge keeps the softer ending and names it.
    expect(check.evidence.correctedRecord).toBe(
      "v=spf1 ip4:192.0.2.1 include:_spf.example.net ~all",
    );
    expect(check.problems.find((p) => p.code === "spf-multiple")?.fix).toContain(
      "endings are -all and ~all",
    );
  });

  it("flattens a and mx over the lookup limit", async () => {
    const includes = Array.from({ length: 9 }, (_, i) => `include:i${i}.example.net`).join(" ");
    const zone = Array.from({ length: 9 }, (_, i) => `i${i} TXT "v=spf1 ip4:198.51.100.${i} -all"`);
    const dns = zoneDns(`$ORIGIN example.com.
@ TXT "v=spf1 a mx ${includes} -all"
@ A 192.0.2.1
@ MX 10 mail
mail A 192.0.2.2
$ORIGIN example.net.
${zone.join("\n")}
`);
    const check = await checkSpf("example.com", [], null, dns);
    expect(check.evidence.lookups).toBe(11);
    expect(check.evidence.correctedRecord).toBe(
      `v=spf1 ip4:192.0.2.1 ip4:192.0.2.2 ${includes} -all`,
    );
  });

  it("evaluates the HELO identity", async () => {
    const dns = zoneDns(`$ORIGIN example.com.
@ TXT "v=spf1 ip4:192.0.2.1 -all"
mail TXT "v=spf1 a -all"
mail A 192.0.2.1
old TXT "v=spf1 -all"
`);
    const good = await checkSpf("example.com", ["192.0.2.1"], "mail.example.com", dns);
    const bad = await checkSpf("example.com", ["192.0.2.1"], "old.example.com", dns);
    expect(good.evidence.heloResult).toEqual({ "192.0.2.1": "pass" });
    expect(bad.evidence.heloResult).toEqual({ "192.0.2.1": "fail" });
    expect(codes(bad.problems)).toEqual(["spf-helo-fail"]);
  });

  it("offers no record for a nested loop", async () => {
    const dns = zoneDns(`$ORIGIN example.com.
@ TXT "v=spf1 include:a.example.com -all"
a TXT "v=spf1 include:b.example.com -all"
b TXT "v=spf1 include:example.com -all"
`);
    const check = await checkSpf("example.com", [], null, dns);
    const withIp = await checkSpf("example.com", ["192.0.2.1"], null, dns);
    expect(codes(check.problems)).toEqual(["spf-loop"]);
    expect(check.problems[0]?.fix).toBe(
      "Remove include:example.com from the SPF record of b.example.com.",
    );
    expect(check.evidence.correctedRecord).toBeNull();
    expect(withIp.evidence.result).toEqual({ "192.0.2.1": "permerror" });
    expect(withIp.evidence.correctedRecord).toBeNull();
  });

  it("drops a looping include at the top", async () => {
    const dns = zoneDns(`$ORIGIN example.com.
@ TXT "v=spf1 ip4:192.0.2.1 include:example.com -all"
`);
    const check = await checkSpf("example.com", ["192.0.2.1"], null, dns);
    expect(codes(check.problems)).toContain("spf-loop");
    expect(check.evidence.correctedRecord).toBe("v=spf1 ip4:192.0.2.1 -all");
  });

  it("writes a record for a domain without one", async () => {
    const dns = zoneDns(`$ORIGIN example.com.\n@ A 192.0.2.1\n`);
    const check = await checkSpf("example.com", ["192.0.2.1"], null, dns);
    expect(codes(check.problems)).toContain("spf-missing");
    expect(check.evidence.correctedRecord).toBe("v=spf1 ip4:192.0.2.1 ~all");
  });
});
