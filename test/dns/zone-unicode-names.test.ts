import { describe, expect, it } from "vitest";
import { parseZoneFile } from "../../src/dns/zone-file.js";

const UNICODE_ZONE = `$ORIGIN bücher.example.
@      IN MX  10 mail
@      IN TXT "v=spf1 ip4:192.0.2.10 -all"
mail   IN A   192.0.2.10
straße.bücher.example. IN A 192.0.2.11
`;

describe("zone file Unicode names", () => {
  it("converts owner names to xn-- form", () => {
    const origins = new Set<string>();
    const zone = parseZoneFile(UNICODE_ZONE, "idn.zone", new Map(), [], origins);
    expect([...origins]).toEqual(["xn--bcher-kva.example"]);
    expect(zone.get("xn--bcher-kva.example")?.map((r) => r.type)).toEqual(["MX", "TXT"]);
    expect(zone.get("mail.xn--bcher-kva.example")?.[0]?.type).toBe("A");
    expect(zone.get("xn--strae-oqa.xn--bcher-kva.example")?.[0]?.type).toBe("A");
  });

  it("converts an MX target to xn-- form", () => {
    const zone = parseZoneFile(UNICODE_ZONE, "idn.zone");
    const [mx] = zone.get("xn--bcher-kva.example") ?? [];
    expect(mx?.data).toEqual({ priority: 10, exchange: "mail.xn--bcher-kva.example" });
  });

  it("rejects an unconvertible name with its line", () => {
    const text = "$ORIGIN example.com.\n@ IN A 192.0.2.1\nbü\\ cher IN A 192.0.2.2\n";
    expect(() => parseZoneFile(text, "bad.zone")).toThrow(
      /^bad\.zone, line 3: invalid name "bü cher": it cannot be converted/,
    );
  });
});
