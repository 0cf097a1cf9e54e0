import { describe, expect, it } from "vitest";
import { dnsFailure, type DnsResult } from "../../src/dns/types.js";
import { CATALOGUE } from "../../src/reputation/catalogue.js";
import { interpretAnswer } from "../../src/reputation/interpret.js";
import { judgeProbes } from "../../src/reputation/probe.js";
import type { BlocklistEntry } from "../../src/reputation/types.js";

function list(id: string): BlocklistEntry {
  const entry = CATALOGUE.find((candidate) => candidate.id === id);
  if (entry === undefined) throw new Error(`no list ${id}`);
  return entry;
}

function answer(...records: string[]): DnsResult<"A"> {
  return {
    ok: true,
    name: "q.example",
    type: "A",
    records,
    ttlSeconds: 60,
    canonicalName: "q.example",
    cnameChain: [],
  };
}

const nxdomain = dnsFailure("q.example", "A", "nxdomain", "NXDOMAIN");

describe("blocklist answer interpretation", () => {
  it("maps failures to the closed set", () => {
    const zen = list("spamhaus-zen");
    const kinds = [
      "nxdomain",
      "nodata",
      "timeout",
      "servfail",
      "refused",
      "unreachable",
      "malformed",
    ] as const;
    const got = kinds.map((kind) => interpretAnswer(zen, dnsFailure("q", "A", kind, kind)).status);
    expect(got).toEqual([
      "not-listed",
      "not-listed",
      "timeout",
      "error",
      "refused",
      "error",
      "error",
    ]);
  });

  it("reads documented listing codes", () => {
    const reading = interpretAnswer(list("spamhaus-zen"), answer("127.0.0.4"));
    expect(reading.status).toBe("listed");
    expect(reading.meaning).toMatch(/^XBL/);
    expect(interpretAnswer(list("spamhaus-zen"), answer("127.0.0.6")).status).toBe("listed");
  });

  it("refuses a mixed answer with an error code", () => {
    const reading = interpretAnswer(list("spamhaus-zen"), answer("127.0.0.2", "127.255.255.254"));
    expect(reading.status).toBe("refused");
    expect(reading.refusal).toBe("error-code");
    expect(reading.codes).toEqual(["127.0.0.2", "127.255.255.254"]);
  });

  it("keeps a listing beside an undocumented code", () => {
    const reading = interpretAnswer(list("spamhaus-zen"), answer("127.0.0.2", "127.0.0.8"));
    expect(reading.status).toBe("listed");
    expect(reading.refusal).toBeNull();
    expect(reading.meaning).toMatch(/^SBL/);
    expect(reading.meaning).toContain(
      "the answer also contains 127.0.0.8, which is not a code that Spamhaus ZEN documents",
    );
    expect(reading.codes).toEqual(["127.0.0.2", "127.0.0.8"]);
  });

  it("names the code of each listing", () => {
    const codes = ["127.0.0.2", "127.0.0.77", "127.0.0.5", "127.0.0.6"];
    const reading = interpretAnswer(list("spamhaus-zen"), answer(...codes));

    expect(reading.meaning).toMatch(/^SBL: [^;]*, code 127\.0\.0\.2; XBL /);
    expect(reading.meaning).toContain(", codes 127.0.0.5, 127.0.0.6; the answer also contains");
    expect(reading.meaning?.match(/127\.0\.0\.77/g)).toHaveLength(1);
  });

  it("names no codes without undocumented ones", () => {
    const reading = interpretAnswer(list("spamhaus-zen"), answer("127.0.0.2"));

    expect(reading.meaning).not.toContain("127.0.0.2");
  });

  it("names each undocumented code once", () => {
    const codes = ["127.0.0.12", "127.0.0.4", "127.0.0.12", "127.0.0.8"];
    const reading = interpretAnswer(list("spamhaus-zen"), answer(...codes));
    expect(reading.status).toBe("listed");
    expect(reading.meaning).toContain(
      "127.0.0.12, 127.0.0.8, which are not codes that Spamhaus ZEN documents",
    );
  });

  it("refuses undocumented codes alone", () => {
    const reading = interpretAnswer(list("spamhaus-zen"), answer("127.0.0.8"));
    expect(reading.status).toBe("refused");
    expect(reading.refusal).toBe("undocumented-code");
  });

  it("prefers an error code to a listing", () => {
    const codes = ["127.0.0.2", "127.0.0.8", "127.255.255.254"];
    const reading = interpretAnswer(list("spamhaus-zen"), answer(...codes));
    expect(reading.status).toBe("refused");
    expect(reading.refusal).toBe("error-code");
  });

  it("refuses an IP sent to the DBL", () => {
    const reading = interpretAnswer(list("spamhaus-dbl"), answer("127.0.1.255"));
    expect(reading.status).toBe("refused");
    expect(reading.meaning).toContain("IP address");
  });

  it("never lists 127.0.0.1 by RFC 5782", () => {
    const reading = interpretAnswer(list("spamcop-scbl"), answer("127.0.0.1"));
    expect(reading.status).toBe("refused");
    expect(reading.refusal).toBe("reserved-address");
  });

  it("reads hostkarma's own 127.0.0.1", () => {
    const white = interpretAnswer(list("hostkarma"), answer("127.0.0.1"));
    expect(white.status).toBe("not-listed");
    expect(white.meaning).toContain("white");
    expect(interpretAnswer(list("hostkarma"), answer("127.0.0.3", "127.0.0.5")).status).toBe(
      "listed",
    );
  });

  it("refuses answers outside 127.0.0.0/8", () => {
    const reading = interpretAnswer(list("spamcop-scbl"), answer("198.51.100.53"));
    expect(reading.status).toBe("refused");
    expect(reading.refusal).toBe("outside-loopback");
    expect(interpretAnswer(list("spamcop-scbl"), answer("2001:db8::1")).status).toBe("refused");
  });

  it("decodes URIBL bits", () => {
    const uribl = list("uribl-multi");
    const all = interpretAnswer(uribl, answer("127.0.0.14"));
    expect(all.status).toBe("listed");
    expect(all.meaning?.split("; ")).toHaveLength(3);
    expect(interpretAnswer(uribl, answer("127.0.0.1")).status).toBe("refused");
    expect(interpretAnswer(uribl, answer("127.0.0.16")).refusal).toBe("undocumented-code");
    expect(interpretAnswer(uribl, answer("127.0.1.2")).status).toBe("refused");
  });

  it("decodes dnswl.org categories", () => {
    const dnswl = list("dnswl");
    const reading = interpretAnswer(dnswl, answer("127.0.10.0"));
    expect(reading.status).toBe("listed");
    expect(reading.meaning).toBe("on the allow list: special cases, trust none");
    expect(interpretAnswer(dnswl, answer("127.0.0.255")).status).toBe("refused");
    expect(interpretAnswer(dnswl, answer("127.0.5.255")).status).toBe("refused");
    expect(interpretAnswer(dnswl, answer("127.0.16.1")).status).toBe("refused");
  });

  it("reads Validity's refusal", () => {
    const reading = interpretAnswer(list("validity-rpbl"), answer("127.255.255.255"));
    expect(reading.status).toBe("refused");
    expect(interpretAnswer(list("validity-rpbl"), answer("127.0.0.2")).status).toBe("listed");
  });
});

describe("blocklist probes", () => {
  const spamcop = list("spamcop-scbl");

  it("passes a list that follows RFC 5782", () => {
    expect(judgeProbes(spamcop, answer("127.0.0.2"), nxdomain).state).toBe("usable");
  });

  it("accepts any listing code for the test entry", () => {
    expect(judgeProbes(list("spamhaus-pbl"), answer("127.0.0.2"), nxdomain).state).toBe("usable");
  });

  it("catches a list that answers everything", () => {
    const state = judgeProbes(spamcop, answer("127.0.0.2"), answer("127.0.0.2"));
    expect(state.state).toBe("answers-everything");
    expect(state.detail).toContain("127.0.0.1");
  });

  it("catches a list that answers nothing", () => {
    expect(judgeProbes(spamcop, nxdomain, nxdomain).state).toBe("answers-nothing");
  });

  it("names the DQS key for an empty zone", () => {
    const zen = list("spamhaus-zen");
    const dqsZone = judgeProbes(zen, nxdomain, nxdomain, true);
    const publicZone = judgeProbes(zen, nxdomain, nxdomain, false);

    expect(dqsZone.state).toBe("answers-nothing");
    expect(dqsZone.detail).toContain("check the key first");
    expect(dqsZone.detail).not.toContain("empty or retired");
    expect(publicZone.detail).toContain("empty or retired");
    expect(publicZone.detail).not.toContain("key");
  });

  it("names the DQS key for a wildcard zone", () => {
    const zen = list("spamhaus-zen");
    const dqsZone = judgeProbes(zen, answer("127.0.0.2"), answer("127.0.0.2"), true);

    expect(dqsZone.state).toBe("answers-everything");
    expect(dqsZone.detail).toContain("check the key first");
  });

  it("keeps the refusal code", () => {
    const state = judgeProbes(
      list("spamhaus-zen"),
      answer("127.255.255.254"),
      answer("127.255.255.254"),
    );
    expect(state.state).toBe("refused");
    expect(state.codes).toEqual(["127.255.255.254"]);
    expect(state.refusal).toBe("error-code");
  });

  it("reports test queries without an answer", () => {
    const timeout = dnsFailure("q", "A", "timeout", "no answer within 300 ms");
    expect(judgeProbes(spamcop, timeout, nxdomain).state).toBe("timeout");
    const servfail = dnsFailure("q", "A", "servfail", "SERVFAIL");
    expect(judgeProbes(spamcop, answer("127.0.0.2"), servfail).state).toBe("error");
  });
});
