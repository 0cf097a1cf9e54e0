import { describe, expect, it } from "vitest";
import { createDnsContext, type DnsContext } from "../../src/dns/context.js";
import { reverseName } from "../../src/dns/names.js";
import {
  dnsFailure,
  type DnsFailureKind,
  type DnsResult,
  type RecordType,
  type Resolver,
} from "../../src/dns/types.js";

/**
 * A resolver that returns at once the failure kind `kindOf` gives for a query: `timeout` or
 * `unreachable` for no response, `nxdomain` for an answer. `sent` lists the queries it
 * received, as `TYPE name`.
 */
function scriptedResolver(
  kindOf: (name: string, type: RecordType) => DnsFailureKind,
): Resolver & { sent: string[] } {
  const sent: string[] = [];
  return {
    description: "scripted",
    sent,
    resolve<T extends RecordType>(name: string, type: T): Promise<DnsResult<T>> {
      sent.push(`${type} ${name}`);
      const kind = kindOf(name, type);
      return Promise.resolve(dnsFailure(name, type, kind, `${kind} from the scripted resolver`));
    },
  };
}

/** Looks up each `TYPE name` in turn and returns the failure kind of each result. */
async function lookUpInTurn(dns: DnsContext, queries: readonly string[]): Promise<string[]> {
  const outcomes: string[] = [];
  for (const query of queries) {
    const [type = "", name = ""] = query.split(" ");
    const result = await dns.lookup(name, type as RecordType);
    outcomes.push(result.ok ? "records" : result.kind);
  }
  return outcomes;
}

const PTR_1 = `PTR ${reverseName("192.0.2.1")}`;
const PTR_2 = `PTR ${reverseName("198.51.100.2")}`;
const PTR_6 = `PTR ${reverseName("2001:db8::1")}`;

describe("DNS context with a partly silent server", () => {
  it("keeps asking after reverse lookups time out", async () => {
    const resolver = scriptedResolver((_, type) => (type === "PTR" ? "timeout" : "nxdomain"));
    const dns = createDnsContext({ resolver });
    const queries = [PTR_1, PTR_2, PTR_6, "TXT example.com", "MX example.com"];
    const outcomes = await lookUpInTurn(dns, queries);

    expect(outcomes).toEqual(["timeout", "timeout", "timeout", "nxdomain", "nxdomain"]);
    expect(resolver.sent).toEqual(queries);
    expect(dns.stats().skipped).toBe(0);
    expect(dns.unreachable()).toBe(false);
  });

  it("keeps asking after one forward name times out", async () => {
    const resolver = scriptedResolver((name) => (name === "example.com" ? "timeout" : "nxdomain"));
    const dns = createDnsContext({ resolver });
    const queries = ["TXT example.com", "TXT example.com", "TXT _dmarc.example.com"];
    const outcomes = await lookUpInTurn(dns, queries);

    // A timeout is not cached, so the repeated query is sent again and counts once.
    expect(outcomes).toEqual(["timeout", "timeout", "nxdomain"]);
    expect(resolver.sent).toEqual(queries);
  });

  it("stops after two different names time out", async () => {
    const resolver = scriptedResolver(() => "timeout");
    const dns = createDnsContext({ resolver });
    const queries = [PTR_1, "TXT example.com", "TXT _dmarc.example.com", "MX example.com"];
    const outcomes = await lookUpInTurn(dns, queries);
    const skipped = await dns.lookup("_mta-sts.example.com", "TXT");

    expect(outcomes).toEqual(["timeout", "timeout", "timeout", "timeout"]);
    expect(resolver.sent).toEqual([PTR_1, "TXT example.com"]);
    expect(skipped.ok ? "records" : skipped.kind).toBe("timeout");
    expect(skipped.ok ? "" : skipped.detail).toBe(
      "not sent, because the DNS server answered none of the earlier queries",
    );
    expect(dns.stats()).toMatchObject({ queries: 2, skipped: 3 });
    expect(dns.unreachable()).toBe(true);
  });

  it("sends queries started together", async () => {
    const resolver = scriptedResolver(() => "timeout");
    const dns = createDnsContext({ resolver });
    const names = ["example.com", "_dmarc.example.com", "_smtp._tls.example.com"];
    await Promise.all(names.map((name) => dns.lookup(name, "TXT")));
    await dns.lookup("default._bimi.example.com", "TXT");

    expect(resolver.sent).toEqual(names.map((name) => `TXT ${name}`));
    expect(dns.stats()).toMatchObject({ queries: 3, skipped: 1 });
  });

  it("waits for the round of a timeout", async () => {
    const delays: Record<string, number> = { "example.com": 10, "_dmarc.example.com": 40 };
    const sent: string[] = [];
    const resolver: Resolver = {
      description: "slow",
      resolve<T extends RecordType>(name: string, type: T): Promise<DnsResult<T>> {
        sent.push(name);
        const failure = dnsFailure(name, type, "timeout", "no answer within the test delay");
        return new Promise((resolve) => setTimeout(() => resolve(failure), delays[name] ?? 1));
      },
    };
    const dns = createDnsContext({ resolver });
    // The SPF lookup reacts to its own timeout while the DMARC query is still in flight.
    const spf = dns.lookup("example.com", "TXT").then(() => dns.lookup("a.example.com", "TXT"));
    const [follow] = await Promise.all([spf, dns.lookup("_dmarc.example.com", "TXT")]);

    expect(follow.ok ? "records" : follow.detail).toContain("not sent");
    expect(sent).toEqual(["example.com", "_dmarc.example.com"]);
  });

  it("stops at once after a network error", async () => {
    const resolver = scriptedResolver(() => "unreachable");
    const dns = createDnsContext({ resolver });
    const outcomes = await lookUpInTurn(dns, ["TXT example.com", "MX example.com"]);

    expect(outcomes).toEqual(["unreachable", "unreachable"]);
    expect(resolver.sent).toEqual(["TXT example.com"]);
    expect(dns.stats()).toMatchObject({ queries: 1, skipped: 1 });
  });

  it("never stops once a query was answered", async () => {
    const resolver = scriptedResolver((name) => (name === "example.com" ? "nxdomain" : "timeout"));
    const dns = createDnsContext({ resolver });
    const queries = [
      "TXT example.com",
      "TXT a.example.com",
      "TXT b.example.com",
      "TXT c.example.com",
    ];
    const outcomes = await lookUpInTurn(dns, queries);

    expect(outcomes).toEqual(["nxdomain", "timeout", "timeout", "timeout"]);
    expect(resolver.sent).toEqual(queries);
    expect(dns.unreachable()).toBe(false);
  });
});
