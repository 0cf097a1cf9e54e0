import { describe, expect, it } from "vitest";
import { nameProblem } from "../../src/dns/names.js";
import { CATALOGUE, isLive, retiredListOfZone } from "../../src/reputation/catalogue.js";
import { isLoopbackCode, parseCode } from "../../src/reputation/codes.js";

describe("blocklist catalogue", () => {
  it("has unique ids", () => {
    const ids = CATALOGUE.map((entry) => entry.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z0-9][a-z0-9-]*$/);
  });

  it("gives every list a valid zone", () => {
    for (const entry of CATALOGUE) {
      for (const zone of [entry.zone, ...entry.otherZones]) {
        expect(nameProblem(zone), `${entry.id}: ${zone}`).toBeNull();
        expect(zone, entry.id).toBe(zone.toLowerCase());
        expect(zone.includes("."), `${entry.id}: ${zone}`).toBe(true);
      }
    }
  });

  it("documents codes in 127.0.0.0/8", () => {
    for (const entry of CATALOGUE) {
      expect(entry.codes.length, entry.id).toBeGreaterThan(0);
      expect(
        entry.codes.some((code) => code.effect === "listed"),
        entry.id,
      ).toBe(true);
      for (const { code, meaning } of entry.codes) {
        expect(parseCode(code), `${entry.id}: ${code}`).not.toBeNull();
        for (const end of code.split("-"))
          expect(isLoopbackCode(end), `${entry.id}: ${code}`).toBe(true);
        expect(meaning.trim(), `${entry.id}: ${code}`).not.toBe("");
      }
    }
  });

  it("uses single bits on bitmask lists", () => {
    const bitmask = CATALOGUE.filter((entry) => entry.decoder === "bitmask");
    expect(bitmask.map((entry) => entry.id)).toEqual(["surbl-multi", "uribl-multi"]);
    for (const entry of bitmask) {
      for (const { code } of entry.codes)
        expect(code).toMatch(/^127\.0\.0\.(1|2|4|8|16|32|64|128)$/);
    }
  });

  it("gives a removal page or a reason for none", () => {
    for (const entry of CATALOGUE) {
      const { delisting } = entry;
      if (delisting.url === null) expect(delisting.reason.trim(), entry.id).not.toBe("");
      else expect(delisting.url, entry.id).toMatch(/^https?:\/\/[a-z0-9.-]+\//);
    }
  });

  it("names the state of retired lists", () => {
    for (const entry of CATALOGUE.filter((e) => e.status !== "active")) {
      expect(entry.statusNote, entry.id).not.toBeNull();
    }
    for (const entry of CATALOGUE.filter((e) => !isLive(e))) {
      expect(entry.defaultEnabled, entry.id).toBe(false);
    }
  });

  it("gives test entries of the right kind", () => {
    for (const entry of CATALOGUE) {
      const tests = entry.testEntries;
      if (tests === null) continue;
      const domainOnly = entry.targets.every((kind) => kind === "domain");
      if (domainOnly) expect(tests.listed, entry.id).not.toMatch(/^\d+\.\d+\.\d+\.\d+$/);
      else expect([tests.listed, tests.notListed], entry.id).toEqual(["127.0.0.2", "127.0.0.1"]);
    }
  });

  it("queries a sensible default set", () => {
    const defaults = CATALOGUE.filter((entry) => entry.defaultEnabled).map((entry) => entry.id);
    expect(defaults).toContain("spamhaus-zen");
    expect(defaults).toContain("spamhaus-dbl");
    expect(defaults).toContain("senderscore-score");
    expect(defaults).not.toContain("spamhaus-sbl");
    expect(defaults).not.toContain("sorbs");
  });

  it("recognises zones of retired lists", () => {
    expect(retiredListOfZone("dnsbl.sorbs.net")?.id).toBe("sorbs");
    expect(retiredListOfZone("spam.dnsbl.sorbs.net")?.id).toBe("sorbs");
    expect(retiredListOfZone("_vouch.dwl.spamhaus.org")?.id).toBe("spamhaus-swl-dwl");
    expect(retiredListOfZone("cbl.abuseat.org")?.id).toBe("cbl-abuseat");
    expect(retiredListOfZone("zen.spamhaus.org")).toBeNull();
    for (const entry of CATALOGUE.filter(isLive)) {
      expect(retiredListOfZone(entry.zone), entry.id).toBeNull();
    }
  });
});
