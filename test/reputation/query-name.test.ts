import { describe, expect, it } from "vitest";
import { CATALOGUE } from "../../src/reputation/catalogue.js";
import {
  checkDqsKey,
  listZone,
  parseTarget,
  queryName,
  testQueryName,
} from "../../src/reputation/query-name.js";

const zen = CATALOGUE.find((entry) => entry.id === "spamhaus-zen");
const zrd = CATALOGUE.find((entry) => entry.id === "spamhaus-zrd");
const spamcop = CATALOGUE.find((entry) => entry.id === "spamcop-scbl");

function nibbles(name: string): string[] {
  return name.replace(/\.zen\.spamhaus\.org$/, "").split(".");
}

describe("blocklist query names", () => {
  it("reverses IPv4 octets", () => {
    expect(queryName(parseTarget("192.0.2.5"), "zen.spamhaus.org")).toBe(
      "5.2.0.192.zen.spamhaus.org",
    );
  });

  it("treats IPv4-mapped IPv6 as IPv4", () => {
    const target = parseTarget("::ffff:192.0.2.5");
    expect(target).toEqual({ value: "192.0.2.5", kind: "ipv4" });
  });

  it("writes 32 IPv6 nibbles in reverse", () => {
    const name = queryName(parseTarget("2001:db8::1"), "zen.spamhaus.org");
    expect(nibbles(name)).toHaveLength(32);
    expect(name).toBe(
      "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.zen.spamhaus.org",
    );
  });

  it("expands short IPv6 forms", () => {
    const loopbackTwo = queryName(parseTarget("::2"), "zen.spamhaus.org");
    expect(nibbles(loopbackTwo)).toEqual(["2", ...Array<string>(31).fill("0")]);
    const trailing = queryName(parseTarget("2003:e8:7f1d:f600::"), "zen.spamhaus.org");
    expect(nibbles(trailing).reverse().slice(0, 16).join("")).toBe("200300e87f1df600");
    expect(nibbles(trailing).slice(0, 16)).toEqual(Array<string>(16).fill("0"));
  });

  it("canonicalises IPv6 targets", () => {
    expect(parseTarget("2001:DB8:0:0::25")).toEqual({ value: "2001:db8::25", kind: "ipv6" });
  });

  it("puts domains in front of the zone", () => {
    const target = parseTarget("Mail.Example.COM.");
    expect(target).toEqual({ value: "mail.example.com", kind: "domain" });
    expect(queryName(target, "dbl.spamhaus.org")).toBe("mail.example.com.dbl.spamhaus.org");
  });

  it("rejects targets that are neither", () => {
    expect(() => parseTarget("localhost")).toThrow(TypeError);
    expect(() => parseTarget("192.0.2")).toThrow(/invalid target "192.0.2"/);
    expect(() => parseTarget(`${"a".repeat(64)}.example.com`)).toThrow(/longer than 63/);
  });

  it.each([
    ["192.0.2.1/24", /not a CIDR range/],
    ["2001:db8::/32", /not a CIDR range/],
    ["mail example.com", /contains a space/],
    ["mail_01.example.com", /underscore after its first character/],
    ["_.example.com", /has no letter or digit/],
    ["example..com", /empty label/],
    ["mail-.example.com", /hyphen/],
    ["mail.example.com/path", /contains "\/"/],
  ])("rejects the malformed target %s", (text, reason) => {
    expect(() => parseTarget(text)).toThrow(reason);
    expect(() => parseTarget(text)).toThrow(`invalid target "${text}"`);
  });

  it("keeps service labels and converts IDN", () => {
    expect(parseTarget("_dmarc.example.com").value).toBe("_dmarc.example.com");
    expect(parseTarget("Bücher.Example").value).toBe("xn--bcher-kva.example");
    expect(parseTarget("xn--bcher-kva.example.").value).toBe("xn--bcher-kva.example");
  });

  it("builds test entry names", () => {
    expect(testQueryName("127.0.0.2", "bl.spamcop.net")).toBe("2.0.0.127.bl.spamcop.net");
    expect(testQueryName("TEST", "multi.uribl.com")).toBe("test.multi.uribl.com");
  });

  it("uses the DQS zone with a key", () => {
    if (zen === undefined || zrd === undefined || spamcop === undefined)
      throw new Error("missing list");
    expect(listZone(zen, null)).toEqual({
      zone: "zen.spamhaus.org",
      shown: "zen.spamhaus.org",
      viaDqs: false,
    });
    expect(listZone(zen, "abcdefgh1234")).toEqual({
      zone: "abcdefgh1234.zen.dq.spamhaus.net",
      shown: "<dqs-key>.zen.dq.spamhaus.net",
      viaDqs: true,
    });
    expect(listZone(zrd, null)).toBeNull();
    expect(listZone(spamcop, "abcdefgh1234")?.zone).toBe("bl.spamcop.net");
    expect(listZone(spamcop, "abcdefgh1234")?.viaDqs).toBe(false);
  });

  it("checks DQS keys without echoing them", () => {
    expect(checkDqsKey("ABCdef123456")).toBe("abcdef123456");
    expect(() => checkDqsKey("short")).toThrow(TypeError);
    expect(() => checkDqsKey("bad.key.with.dots")).toThrow(/letters and digits/);
    try {
      checkDqsKey("secret!value");
    } catch (error) {
      expect((error as Error).message).not.toContain("secret");
    }
  });
});
