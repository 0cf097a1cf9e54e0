import { describe, expect, it } from "vitest";
import { evaluateDmarc } from "../../../src/auth/dmarc/alignment.js";
import { checkDmarc } from "../../../src/auth/dmarc/check.js";
import { discoverDmarc, treeWalkNames } from "../../../src/auth/dmarc/discover.js";
import { parseDmarcRecord } from "../../../src/auth/dmarc/record.js";
import { zoneDns } from "../zone.js";

const zone = `$ORIGIN example.com.
_dmarc TXT "v=DMARC1; p=reject; sp=quarantine; np=reject; rua=mailto:agg@example.com"
_dmarc TXT "unrelated text at the same name"
mail A 192.0.2.1
$ORIGIN example.org.
_dmarc TXT "v=DMARC1; p=none; rua=mailto:reports@example.net,mailto:agg@example.org; ruf=mailto:f@example.biz"
$ORIGIN example.net.
example.org._report._dmarc TXT "v=DMARC1"
_dmarc TXT "v=DMARC1; p=none"
_dmarc TXT "v=DMARC1; p=reject"
$ORIGIN gov.
_dmarc TXT "v=DMARC1; p=reject; psd=y"
$ORIGIN example.gov.
@ A 192.0.2.9
`;

describe("DMARC record", () => {
  it("parses tags and defaults", () => {
    const parsed = parseDmarcRecord(
      "v=DMARC1; p=quarantine; pct=50; adkim=s; rua=mailto:a@example.com",
    );
    expect(parsed.ok && parsed.record).toMatchObject({
      policy: "quarantine",
      pct: 50,
      adkim: "s",
      aspf: "r",
      rua: ["mailto:a@example.com"],
    });
  });

  it("rejects a record without p= or rua=", () => {
    const parsed = parseDmarcRecord("v=DMARC1; sp=none");
    expect(parsed.ok).toBe(false);
  });

  it("warns about a bad policy value", () => {
    const parsed = parseDmarcRecord("v=DMARC1; p=reject; sp=maybe");
    expect(parsed.ok && parsed.warnings).toEqual(["sp=maybe is not none, quarantine or reject"]);
  });
});

describe("DMARC discovery", () => {
  it("walks at most eight names, jumping to seven labels", () => {
    expect(treeWalkNames("a.b.c.d.e.f.g.h.example.com")).toEqual([
      "a.b.c.d.e.f.g.h.example.com",
      "d.e.f.g.h.example.com",
      "e.f.g.h.example.com",
      "f.g.h.example.com",
      "g.h.example.com",
      "h.example.com",
      "example.com",
      "com",
    ]);
  });

  it("finds the parent's record and organisational domain", async () => {
    const discovery = await discoverDmarc("deep.sub.example.com", zoneDns(zone));
    expect(discovery.recordDomain).toBe("example.com");
    expect(discovery.organisationalDomain).toBe("example.com");
  });

  it("uses the name below a psd=y record", async () => {
    const discovery = await discoverDmarc("mail.example.gov", zoneDns(zone));
    expect(discovery.recordDomain).toBe("gov");
    expect(discovery.organisationalDomain).toBe("example.gov");
  });

  it("uses the public suffix list when asked", async () => {
    const discovery = await discoverDmarc("deep.sub.example.com", zoneDns(zone), "psl");
    expect(discovery.lookups.map((l) => l.name)).toEqual(["deep.sub.example.com", "example.com"]);
    expect(discovery.organisationalDomain).toBe("example.com");
  });
});

describe("DMARC check", () => {
  it("reports the policy and ignores unrelated TXT", async () => {
    const check = await checkDmarc("example.com", zoneDns(zone));
    expect(check.evidence).toMatchObject({
      policy: "reject",
      subdomainPolicy: "quarantine",
      nonexistentPolicy: "reject",
    });
    expect(check.verdict).toBe("pass");
  });

  it("checks the external report authorisation", async () => {
    const check = await checkDmarc("example.org", zoneDns(zone));
    expect(check.evidence.externalDestinations.map((d) => [d.domain, d.authorised])).toEqual([
      ["example.net", true],
      ["example.biz", false],
    ]);
    expect(check.problems.map((p) => p.code)).toEqual([
      "dmarc-monitor-only",
      "dmarc-external-unauthorised",
    ]);
  });

  it("fails on several records", async () => {
    const check = await checkDmarc("example.net", zoneDns(zone));
    expect(check.problems.map((p) => p.code)).toEqual(["dmarc-multiple"]);
    expect(check.verdict).toBe("fail");
  });

  it("fails when no record exists", async () => {
    const check = await checkDmarc("example.biz", zoneDns(zone));
    expect(check.problems.map((p) => p.code)).toEqual(["dmarc-missing"]);
  });

  it("explains several records by the error", async () => {
    const check = await checkDmarc("example.net", zoneDns(zone));
    expect(check.explanation).toBe(
      "_dmarc.example.net has 2 DMARC records; receivers then ignore DMARC.",
    );
  });

  it("explains an invalid record by its bad tag", async () => {
    const invalid = `$ORIGIN example.com.
_dmarc TXT "v=DMARC1; p=none; rua=mailto:a@example.com; x"
`;
    const check = await checkDmarc("example.com", zoneDns(invalid));
    expect(check.verdict).toBe("fail");
    expect(check.evidence.record).toBe("v=DMARC1; p=none; rua=mailto:a@example.com; x");
    expect(check.problems.map((p) => p.code)).toEqual(["dmarc-syntax"]);
    expect(check.explanation).toBe(
      'The DMARC record of example.com is invalid: "x" is not a tag=value pair.',
    );
    expect(check.explanation).not.toContain("p=?");
  });

  it("explains a valid record by its policy", async () => {
    const check = await checkDmarc("example.com", zoneDns(zone));
    expect(check.explanation).toBe("DMARC policy for example.com is p=reject.");
  });

  it("explains a subdomain by sp=", async () => {
    const check = await checkDmarc("mail.example.com", zoneDns(zone));
    expect(check.explanation).toBe(
      "DMARC policy for mail.example.com is sp=quarantine, inherited from example.com.",
    );
    expect(check.evidence.policy).toBe("reject");
    expect(check.evidence.appliedPolicy).toBe("quarantine");
    expect(check.evidence.appliedPolicyTag).toBe("sp");
  });
});

describe("DMARC alignment", () => {
  it("passes with relaxed SPF alignment on a subdomain", async () => {
    const result = await evaluateDmarc(
      "example.com",
      { domain: "bounces.example.com", result: "pass" },
      [],
      zoneDns(zone),
    );
    expect(result).toMatchObject({ result: "pass", spfAligned: true, appliedPolicy: "reject" });
  });

  it("fails when only an unrelated domain passes", async () => {
    const result = await evaluateDmarc(
      "example.com",
      { domain: "example.org", result: "pass" },
      [{ domain: "example.net", result: "pass" }],
      zoneDns(zone),
    );
    expect(result).toMatchObject({ result: "fail", spfAligned: false, dkimAligned: false });
  });

  it("reports alignment without a record", async () => {
    const result = await evaluateDmarc(
      "example.biz",
      { domain: "example.org", result: "pass" },
      [{ domain: "example.biz", result: "pass" }],
      zoneDns(zone),
    );
    expect(result.result).toBe("none");
    expect(result.spfAligned).toBe(false);
    expect(result.dkimAligned).toBe(true);
  });

  it("reports alignment with several records", async () => {
    const result = await evaluateDmarc(
      "example.net",
      { domain: "example.net", result: "pass" },
      [],
      zoneDns(zone),
    );
    expect(result.result).toBe("permerror");
    expect(result.spfAligned).toBe(true);
    expect(result.dkimAligned).toBe(false);
  });

  it("applies np= to a subdomain that does not exist", async () => {
    const missing = await evaluateDmarc("ghost.example.com", null, [], zoneDns(zone));
    const existing = await evaluateDmarc("mail.example.com", null, [], zoneDns(zone));
    expect(missing.appliedPolicy).toBe("reject");
    expect(existing.appliedPolicy).toBe("quarantine");
  });
});
