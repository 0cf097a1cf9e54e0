import type { LookupAddress } from "node:dns";
import type { LookupFunction } from "node:net";
import type { DnsContext } from "./context.js";
import { isVoidFailure, type DnsFailure, type DnsResult } from "./types.js";

/**
 * The error that a lookup function of `contextLookup` passes to its callback when the DNS
 * context returns no address. `code` follows `getaddrinfo`: `ENOTFOUND` when the name has no
 * address (NXDOMAIN or NODATA for both A and AAAA), `EAI_AGAIN` when a query failed.
 */
export class HostLookupError extends Error {
  readonly code: "ENOTFOUND" | "EAI_AGAIN";
  readonly hostname: string;
  /** The query failure behind the error; a failed query of either type wins over NXDOMAIN. */
  readonly failure: DnsFailure;

  constructor(hostname: string, failure: DnsFailure) {
    const code = isVoidFailure(failure.kind) ? "ENOTFOUND" : "EAI_AGAIN";
    super(`lookup of ${hostname} failed: ${failure.detail}`);
    this.name = "HostLookupError";
    this.code = code;
    this.hostname = hostname;
    this.failure = failure;
  }
}

/**
 * Creates a `lookup` for `net` and `https` that queries the DNS context for A and AAAA records,
 * so HTTPS requests resolve names with the same resolver as the DNS checks, not with the
 * system's `getaddrinfo`. It honours the `family` and `all` options that Node passes.
 */
export function contextLookup(dns: DnsContext): LookupFunction {
  return (hostname, options, callback) => {
    resolveAddresses(dns, hostname, options.family).then(
      (result) => {
        if (result instanceof HostLookupError) {
          callback(result, options.all === true ? [] : "", 0);
          return;
        }
        if (options.all === true) {
          callback(null, result);
          return;
        }
        const first = result[0] as LookupAddress;
        callback(null, first.address, first.family);
      },
      (error: unknown) => {
        callback(error as NodeJS.ErrnoException, "", 0);
      },
    );
  };
}

/**
 * Returns the addresses of a host name, IPv4 first, or the error for the callback. `family`
 * is 4, 6, `"IPv4"`, `"IPv6"`, or 0 or undefined for both.
 */
async function resolveAddresses(
  dns: DnsContext,
  hostname: string,
  family: number | string | undefined,
): Promise<LookupAddress[] | HostLookupError> {
  const wantsV4 = family !== 6 && family !== "IPv6";
  const wantsV6 = family !== 4 && family !== "IPv4";
  const [v4, v6] = await Promise.all([
    wantsV4 ? dns.lookup(hostname, "A") : null,
    wantsV6 ? dns.lookup(hostname, "AAAA") : null,
  ]);
  const addresses = [...addressesOf(v4, 4), ...addressesOf(v6, 6)];
  if (addresses.length > 0) return addresses;

  const failures = [v4, v6].flatMap((result): DnsFailure[] =>
    result === null || result.ok ? [] : [result],
  );
  // A failed query outweighs NXDOMAIN or NODATA of the other type, because its address is unknown.
  const failure =
    failures.find((result) => !isVoidFailure(result.kind)) ?? failures[0] ?? emptyAnswer(hostname);
  return new HostLookupError(hostname, failure);
}

function addressesOf(
  result: DnsResult<"A"> | DnsResult<"AAAA"> | null,
  family: 4 | 6,
): LookupAddress[] {
  if (result === null || !result.ok) return [];
  return result.records.map((address) => ({ address, family }));
}

/** The failure for an answer that has the record type but no record in it. */
function emptyAnswer(hostname: string): DnsFailure {
  return { kind: "nodata", name: hostname, type: "A", detail: `${hostname} has no address` };
}
