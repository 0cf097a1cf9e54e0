import { describe, expect, it } from "vitest";
import { checkSpf } from "../../../src/auth/spf/check.js";
import { zoneDns } from "../zone.js";

describe("SPF corrected record", () => {
  it("adds an IP that only a wide range passed", async () => {
    const dns = zoneDns(`$ORIGIN example.com.
@ TXT "v=spf1 ip4:0.0.0.0/1 ip4:128.0.0.0/1 -all"
`);
    const check = await checkSpf("example.com", ["192.0.2.20"], null, dns);
    expect(check.evidence.result).toEqual({ "192.0.2.20": "pass" });
    expect(check.evidence.correctedRecord).toBe("v=spf1 ip4:192.0.2.20 -all");
  });

  it("adds an IP that only ptr passed", async () => {
    const dns = zoneDns(`$ORIGIN example.com.
@ TXT "v=spf1 mx ptr -all"
@ MX 10 mail
mail A 192.0.2.10
relay A 192.0.2.20
$ORIGIN 2.0.192.in-addr.arpa.
20 PTR relay.example.com.
`);
    const check = await checkSpf("example.com", ["192.0.2.10", "192.0.2.20"], null, dns);
    expect(check.evidence.result).toEqual({ "192.0.2.10": "pass", "192.0.2.20": "pass" });
    expect(check.evidence.correctedRecord).toBe("v=spf1 mx ip4:192.0.2.20 -all");
  });

  it("adds an IPv6 address that a wide range passed", async () => {
    const dns = zoneDns(`$ORIGIN example.com.
@ TXT "v=spf1 ip4:192.0.2.10 ip6:2001:db8::/16 -all"
`);
    const check = await checkSpf("example.com", ["192.0.2.10", "2001:db8::25"], null, dns);
    expect(check.evidence.correctedRecord).toBe("v=spf1 ip4:192.0.2.10 ip6:2001:db8::25 -all");
  });

  it("adds a mapped IPv6 address as ip4", async () => {
    const dns = zoneDns(`$ORIGIN example.com.
@ TXT "v=spf1 ip4:192.0.2.20 -all"
`);
    const check = await checkSpf("example.com", ["::ffff:192.0.2.21"], null, dns);
    expect(check.evidence.result).toEqual({ "::ffff:192.0.2.21": "fail" });
    expect(check.evidence.correctedRecord).toBe("v=spf1 ip4:192.0.2.20 ip4:192.0.2.21 -all");
  });

  it("adds two spellings of one IPv6 address once", async () => {
    const dns = zoneDns(`$ORIGIN example.com.
@ TXT "v=spf1 ip4:192.0.2.20 -all"
`);
    const ips = ["2001:DB8:0:0:0:0:0:25", "2001:db8:0::25"];
    const check = await checkSpf("example.com", ips, null, dns);
    expect(check.evidence.correctedRecord).toBe("v=spf1 ip4:192.0.2.20 ip6:2001:db8::25 -all");
  });
});
