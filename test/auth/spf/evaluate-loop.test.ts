import { describe, expect, it } from "vitest";
import { checkSpf } from "../../../src/auth/spf/check.js";
import { evaluateSpf } from "../../../src/auth/spf/evaluate.js";
import { zoneDns } from "../zone.js";

const request = { ip: "192.0.2.20", sender: "postmaster@example.com", helo: "mail.example.com" };

describe("SPF evaluation of a loop", () => {
  it("names an include loop as the reason", async () => {
    const dns = zoneDns(`$ORIGIN example.com.
@ TXT "v=spf1 include:a.example.com -all"
a TXT "v=spf1 include:EXAMPLE.com -all"
`);
    const outcome = await evaluateSpf(request, dns);
    expect(outcome.result).toBe("permerror");
    expect(outcome.reason).toBe("example.com → a.example.com → EXAMPLE.com loops back");
    expect(outcome.lookups).toBe(2);
  });

  it("names a redirect loop as the reason", async () => {
    const dns = zoneDns(`$ORIGIN example.com.
@ TXT "v=spf1 ip4:198.51.100.1 redirect=b.example.com"
b TXT "v=spf1 redirect=example.com"
`);
    const outcome = await evaluateSpf(request, dns);
    expect(outcome.result).toBe("permerror");
    expect(outcome.reason).toBe("example.com → b.example.com → example.com loops back");
  });

  it("passes when a term before the loop matches", async () => {
    const dns = zoneDns(`$ORIGIN example.com.
@ TXT "v=spf1 include:a.example.com -all"
a TXT "v=spf1 ip4:192.0.2.20 include:example.com -all"
`);
    const outcome = await evaluateSpf(request, dns);
    expect(outcome.result).toBe("pass");
  });

  it("allows one record included twice", async () => {
    const dns = zoneDns(`$ORIGIN example.com.
@ TXT "v=spf1 include:a.example.com include:b.example.com -all"
a TXT "v=spf1 include:c.example.com -all"
b TXT "v=spf1 include:c.example.com ip4:192.0.2.20 -all"
c TXT "v=spf1 ip4:198.51.100.3 -all"
`);
    const outcome = await evaluateSpf(request, dns);
    expect(outcome.result).toBe("pass");
    expect(outcome.lookups).toBe(4);
  });

  it("check reports the loop, not the lookup limit", async () => {
    const dns = zoneDns(`$ORIGIN example.com.
@ TXT "v=spf1 include:a.example.com -all"
a TXT "v=spf1 include:example.com -all"
`);
    const check = await checkSpf("example.com", ["192.0.2.20"], null, dns);
    const reason = check.evidence.results[0]?.reason ?? "";
    expect(check.evidence.lookups).toBe(2);
    expect(reason).toContain("loops back");
    expect(reason).not.toContain("lookups");
  });
});
