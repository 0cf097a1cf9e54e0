import type { DnsContext } from "../dns/context.js";
import { isVoidFailure, joinTxt, type DnsFailure } from "../dns/types.js";
import { isUnanswered } from "./types.js";

/** The outcome of looking for one tagged TXT record (`v=STSv1`, `v=TLSRPTv1`, `v=BIMI1`). */
export type TxtLookup =
  | { readonly kind: "unanswered"; readonly failure: DnsFailure }
  | { readonly kind: "error"; readonly failure: DnsFailure }
  | { readonly kind: "none" }
  | { readonly kind: "multiple"; readonly records: readonly string[] }
  | { readonly kind: "one"; readonly record: string };

/**
 * Looks up the TXT records at `name` and keeps those `isRecord` accepts, so unrelated TXT
 * records at the same name are ignored. NXDOMAIN and NODATA count as no record.
 */
export async function findTxtRecord(
  dns: DnsContext,
  name: string,
  isRecord: (text: string) => boolean,
): Promise<TxtLookup> {
  const answer = await dns.lookup(name, "TXT");
  if (!answer.ok) {
    if (isUnanswered(answer)) return { kind: "unanswered", failure: answer };
    if (!isVoidFailure(answer.kind)) return { kind: "error", failure: answer };
    return { kind: "none" };
  }
  const records = answer.records.map(joinTxt).filter(isRecord);
  if (records.length === 0) return { kind: "none" };
  if (records.length > 1) return { kind: "multiple", records };
  return { kind: "one", record: records[0] as string };
}
