import { describe, expect, it } from "vitest";
import { notCheckedText } from "../../src/auth/types.js";
import { dnsFailure, type DnsFailureKind } from "../../src/dns/types.js";

function textFor(kind: DnsFailureKind, detail = "detail of the failure"): string {
  const failure = dnsFailure("example.com", "TXT", kind, detail);
  if (failure.ok) throw new Error("dnsFailure returned an answer");
  return notCheckedText(failure);
}

describe("notCheckedText", () => {
  it("timeout reads as timed out", () => {
    expect(textFor("timeout")).toBe("not checked: the DNS query timed out");
  });

  it("network error reads as unreachable", () => {
    expect(textFor("unreachable")).toBe("not checked: DNS unreachable");
  });

  it("offline names --offline", () => {
    expect(textFor("offline")).toBe("not checked: --offline");
  });

  it("other failures give their detail", () => {
    expect(textFor("servfail", "SERVFAIL from 127.0.0.1")).toBe(
      "not checked: SERVFAIL from 127.0.0.1",
    );
  });
});
