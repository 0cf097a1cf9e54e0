import { describe, expect, it } from "vitest";
import { checkDmarc } from "../../../src/auth/dmarc/check.js";
import { correctVersionTag, isMalformedDmarcRecord } from "../../../src/auth/dmarc/record.js";
import { zoneDns } from "../zone.js";

const zone = `$ORIGIN example.org.
_dmarc.nosemi TXT "v=DMARC1 p=reject"
_dmarc.late TXT "p=reject; v=DMARC1"
_dmarc.late TXT "unrelated text"
$ORIGIN example.net.
_dmarc TXT "v=DMARC1; p=quarantine; rua=mailto:d@example.net"
_dmarc.sub TXT "v=DMARC1 p=reject"
`;

describe("malformed DMARC record", () => {
  it("fails v=DMARC1 without a semicolon", async () => {
    const check = await checkDmarc("nosemi.example.org", zoneDns(zone));

    expect(check.verdict).toBe("fail");
    expect(check.evidence.record).toBe("v=DMARC1 p=reject");
    expect(check.problems.map((p) => p.code)).toEqual(["dmarc-version-tag"]);
    expect(check.explanation).toBe(
      "The TXT record at _dmarc.nosemi.example.org is not a valid DMARC record: v=DMARC1 must " +
        'be followed by ";", so receivers ignore it and nosemi.example.org has no DMARC policy.',
    );
    expect(check.problems[0]?.fix).toBe('Replace it with "v=DMARC1; p=reject".');
  });

  it("fails v=DMARC1 after another tag", async () => {
    const check = await checkDmarc("late.example.org", zoneDns(zone));

    expect(check.problems.map((p) => p.code)).toEqual(["dmarc-version-tag"]);
    expect(check.problems[0]?.message).toContain('v=DMARC1 must come first, followed by ";"');
    expect(check.problems[0]?.fix).toBe('Replace it with "v=DMARC1; p=reject".');
    expect(check.problems[0]?.fix).not.toContain("Publish");
  });

  it("warns when a parent's record applies", async () => {
    const check = await checkDmarc("sub.example.net", zoneDns(zone));

    expect(check.evidence.appliedPolicy).toBe("quarantine");
    expect(check.problems.map((p) => [p.code, p.severity])).toEqual([
      ["dmarc-version-tag", "warning"],
      ["dmarc-inherited", "info"],
    ]);
    expect(check.problems[0]?.message).toContain("use the record of example.net");
  });
});

describe("version tag correction", () => {
  it.each([
    ["v=DMARC1 p=reject", "v=DMARC1; p=reject"],
    ["p=none; v=DMARC1; rua=mailto:a@example.com", "v=DMARC1; p=none; rua=mailto:a@example.com"],
    [
      "v=DMARC1 p=none rua=mailto:a@example.com, mailto:b@example.com",
      "v=DMARC1; p=none; rua=mailto:a@example.com, mailto:b@example.com",
    ],
    ["v=DMARC2; p=reject", "v=DMARC1; p=reject"],
  ])("rebuilds %s", (text, expected) => {
    expect(correctVersionTag(text)).toBe(expected);
  });

  it("returns null without a policy", () => {
    expect(correctVersionTag("v=DMARC1 sp=none")).toBeNull();
  });

  it.each([
    ["v=DMARC1 p=reject", true],
    ["p=reject; v=DMARC1", true],
    ["v=DMARC1; p=reject", false],
    ["v=spf1 -all", false],
  ])("detects %s as malformed: %s", (text, expected) => {
    expect(isMalformedDmarcRecord(text)).toBe(expected);
  });
});
