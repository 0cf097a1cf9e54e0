import type { DnsContext } from "../../dns/context.js";
import type { DnsAnswer, DnsResult, RecordType } from "../../dns/types.js";

/**
 * Wraps a DNS context so that the TXT query for `domain` returns `record` as its only TXT
 * record, as if the domain published it. Every other query goes to `dns`. It lets a corrected
 * record be evaluated before the check offers it.
 */
export function withPublishedRecord(dns: DnsContext, domain: string, record: string): DnsContext {
  const name = bareName(domain);
  const answer: DnsAnswer<"TXT"> = {
    ok: true,
    name,
    type: "TXT",
    records: [[record]],
    ttlSeconds: 0,
    canonicalName: name,
    cnameChain: [],
  };
  const lookup = <T extends RecordType>(queried: string, type: T): Promise<DnsResult<T>> => {
    if (type === "TXT" && bareName(queried) === name) {
      return Promise.resolve(answer as unknown as DnsResult<T>);
    }
    return dns.lookup(queried, type);
  };
  return {
    description: dns.description,
    lookup,
    stats: () => dns.stats(),
    unreachable: () => dns.unreachable(),
    offline: () => dns.offline(),
    now: dns.now,
    close: () => dns.close(),
  };
}

function bareName(name: string): string {
  return name.replace(/\.$/, "").toLowerCase();
}
