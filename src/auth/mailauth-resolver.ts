import type { DnsContext } from "../dns/context.js";
import { RECORD_TYPES, type RecordType } from "../dns/types.js";

const ERROR_CODES: Readonly<Record<string, string>> = {
  nxdomain: "ENOTFOUND",
  nodata: "ENODATA",
  servfail: "ESERVFAIL",
  refused: "EREFUSED",
  timeout: "ETIMEOUT",
  unreachable: "ECONNREFUSED",
  truncated: "EBADRESP",
  malformed: "EBADRESP",
  "invalid-name": "EBADNAME",
  "not-recorded": "ETIMEOUT",
  offline: "ECONNREFUSED",
};

/** A `dns.promises.resolve`-shaped error, as mailauth reads it. */
class MailauthDnsError extends Error {
  override readonly name = "MailauthDnsError";
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

/**
 * Adapts a DNS context to the resolver shape mailauth takes (`dns.promises.resolve`): TXT as
 * arrays of strings, MX as `{exchange, priority}`, failures thrown with Node's error codes.
 * Rejects with a TypeError for a record type the DNS port does not support.
 */
export function mailauthResolver(dns: DnsContext) {
  return async (name: string, rrtype: string): Promise<string[][] | string[]> => {
    const type = rrtype.toUpperCase() as RecordType;
    if (!RECORD_TYPES.includes(type)) throw new TypeError(`unsupported DNS type ${rrtype}`);
    const answer = await dns.lookup(name, type);
    if (!answer.ok) {
      throw new MailauthDnsError(`${answer.detail}`, ERROR_CODES[answer.kind] ?? "ESERVFAIL");
    }
    // mailauth's type leaves out the MX object shape it reads at run time.
    return answer.records.map((record) =>
      Array.isArray(record) ? [...(record as string[])] : record,
    ) as string[][] | string[];
  };
}
