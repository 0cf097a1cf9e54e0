import { describe, expect, it } from "vitest";
import { checkDmarc } from "../../../src/auth/dmarc/check.js";
import { zoneDns } from "../zone.js";

const zone = `$ORIGIN example.com.
_dmarc TXT "v=DMARC1; p=reject; sp=none; rua=mailto:d@example.com"
news A 192.0.2.20
$ORIGIN example.net.
_dmarc TXT "v=DMARC1; p=none; sp=reject; rua=mailto:d@example.net"
news A 192.0.2.20
$ORIGIN example.org.
_dmarc TXT "v=DMARC1; p=reject; sp=none; np=quarantine; rua=mailto:d@example.org"
news A 192.0.2.20
`;

describe("DMARC policy of a subdomain", () => {
  it("takes sp=none over p=reject", async () => {
    const check = await checkDmarc("news.example.com", zoneDns(zone));

    expect(check.evidence.appliedPolicy).toBe("none");
    expect(check.evidence.appliedPolicyTag).toBe("sp");
    expect(check.explanation).toBe(
      "DMARC policy for news.example.com is sp=none, inherited from example.com.",
    );
    expect(check.problems.map((p) => p.code)).toEqual(["dmarc-monitor-only"]);
    expect(check.problems[0]?.message).toBe(
      "sp=none for news.example.com only monitors: receivers take no action on mail that " +
        "fails DMARC.",
    );
    expect(check.problems[0]?.fix).toBe(
      "Move to sp=quarantine in the record of example.com once the reports show all your " +
        "mail passes.",
    );
  });

  it("keeps p=reject for the record's own domain", async () => {
    const check = await checkDmarc("example.com", zoneDns(zone));

    expect(check.evidence.appliedPolicy).toBe("reject");
    expect(check.evidence.appliedPolicyTag).toBe("p");
    expect(check.problems).toEqual([]);
  });

  it("takes sp=reject over p=none", async () => {
    const check = await checkDmarc("news.example.net", zoneDns(zone));

    expect(check.evidence.appliedPolicy).toBe("reject");
    expect(check.explanation).toBe(
      "DMARC policy for news.example.net is sp=reject, inherited from example.net.",
    );
    expect(check.problems.map((p) => p.code)).not.toContain("dmarc-monitor-only");
  });

  it("takes np= for a subdomain that does not exist", async () => {
    const missing = await checkDmarc("ghost.example.org", zoneDns(zone));
    const existing = await checkDmarc("news.example.org", zoneDns(zone));

    expect(missing.evidence.appliedPolicy).toBe("quarantine");
    expect(missing.evidence.appliedPolicyTag).toBe("np");
    expect(existing.evidence.appliedPolicy).toBe("none");
    expect(existing.evidence.appliedPolicyTag).toBe("sp");
  });
});

describe("DMARC pct=", () => {
  const pctZone = `$ORIGIN example.com.
_dmarc TXT "v=DMARC1; p=quarantine; pct=0; rua=mailto:d@example.com"
$ORIGIN example.net.
_dmarc TXT "v=DMARC1; p=reject; pct=0; rua=mailto:d@example.net"
$ORIGIN example.org.
_dmarc TXT "v=DMARC1; p=reject; pct=50; rua=mailto:d@example.org"
$ORIGIN example.edu.
_dmarc TXT "v=DMARC1; p=none; sp=reject; pct=0; rua=mailto:d@example.edu"
news A 192.0.2.20
`;

  it("reads pct=0 with quarantine as none", async () => {
    const check = await checkDmarc("example.com", zoneDns(pctZone));
    const pct = check.problems.find((p) => p.code === "dmarc-pct");

    expect(pct?.severity).toBe("warning");
    expect(pct?.message).toBe(
      "pct=0 applies p=quarantine to none of the failing mail: receivers apply none instead, " +
        "so the record of example.com acts as none.",
    );
    expect(pct?.message).not.toContain("part of");
  });

  it("reads pct=0 with reject as quarantine", async () => {
    const check = await checkDmarc("example.net", zoneDns(pctZone));
    const pct = check.problems.find((p) => p.code === "dmarc-pct");

    expect(pct?.message).toContain("so the record of example.net acts as quarantine.");
  });

  it("names the weaker policy for pct=50", async () => {
    const check = await checkDmarc("example.org", zoneDns(pctZone));
    const pct = check.problems.find((p) => p.code === "dmarc-pct");

    expect(pct?.severity).toBe("info");
    expect(pct?.message).toBe(
      "pct=50 applies p=reject to 50 % of the failing mail and quarantine to the rest; " +
        "RFC 9989 drops pct.",
    );
  });

  it("applies none for quarantine at pct=0", async () => {
    const check = await checkDmarc("example.com", zoneDns(pctZone));

    expect(check.evidence.policy).toBe("quarantine");
    expect(check.evidence.appliedPolicy).toBe("none");
    expect(check.evidence.appliedPolicyTag).toBe("p");
    expect(check.explanation).toBe(
      "DMARC policy for example.com is p=quarantine, but pct=0 makes receivers apply none.",
    );
  });

  it("applies quarantine for sp=reject at pct=0", async () => {
    const check = await checkDmarc("news.example.edu", zoneDns(pctZone));

    expect(check.evidence.appliedPolicy).toBe("quarantine");
    expect(check.evidence.appliedPolicyTag).toBe("sp");
    expect(check.explanation).toBe(
      "DMARC policy for news.example.edu is sp=reject, inherited from example.edu, but pct=0 " +
        "makes receivers apply quarantine.",
    );
    expect(check.problems.map((p) => p.code)).not.toContain("dmarc-monitor-only");
  });

  it("keeps reject at pct=50", async () => {
    const check = await checkDmarc("example.org", zoneDns(pctZone));

    expect(check.evidence.appliedPolicy).toBe("reject");
    expect(check.explanation).toBe("DMARC policy for example.org is p=reject.");
  });
});
