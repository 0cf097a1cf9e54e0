import type dnsPacket from "dns-packet";
import {
  dnsFailure,
  type DnsResult,
  type MxRecord,
  type RecordDataMap,
  type RecordType,
} from "./types.js";

/** An answer record as dns-packet decodes it, without the OPT pseudo-record's shape. */
interface LooseAnswer {
  readonly type: string;
  readonly name: string;
  readonly ttl?: number;
  readonly data?: unknown;
}

/** What one response says: a final result, or a CNAME target still to be asked for. */
export type ResponseStep<T extends RecordType> =
  | { readonly next: null; readonly result: DnsResult<T> }
  | { readonly next: string; readonly chain: readonly string[] };

/**
 * Reads one response: the response code, the CNAME chain inside the answer section and the
 * records of the asked type at its end. A chain that leaves the answer without records of
 * that type yields its last target, so the caller can ask again (a forwarder may not follow).
 */
export function interpretResponse<T extends RecordType>(
  packet: dnsPacket.DecodedPacket,
  originalName: string,
  currentName: string,
  type: T,
  chainSoFar: readonly string[],
): ResponseStep<T> {
  const answers = (packet.answers ?? []) as readonly LooseAnswer[];
  const chain: string[] = [];
  let owner = currentName.toLowerCase();
  let ttlSeconds = Number.MAX_SAFE_INTEGER;
  for (let hop = 0; hop < 16 && type !== "CNAME"; hop++) {
    const alias = answers.find((a) => a.type === "CNAME" && a.name.toLowerCase() === owner);
    if (alias === undefined) break;
    owner = String(alias.data).toLowerCase();
    ttlSeconds = Math.min(ttlSeconds, alias.ttl ?? 0);
    chain.push(owner);
  }

  const rcode = (packet as { rcode?: string }).rcode ?? "NOERROR";
  if (rcode !== "NOERROR") return { next: null, result: failureFor(originalName, type, rcode) };

  const matching = answers.filter((a) => a.type === type && a.name.toLowerCase() === owner);
  if (matching.length === 0 && chain.length > 0 && !chainSoFar.includes(owner)) {
    return { next: owner, chain };
  }
  if (matching.length === 0) {
    return { next: null, result: dnsFailure(originalName, type, "nodata", `no ${type} record`) };
  }
  for (const answer of matching) ttlSeconds = Math.min(ttlSeconds, answer.ttl ?? 0);
  const records = matching.map((answer) => recordData(type, answer));
  const fullChain = [...chainSoFar, ...chain];
  const result: DnsResult<T> = {
    ok: true,
    name: originalName,
    type,
    records,
    ttlSeconds,
    canonicalName: owner,
    cnameChain: fullChain,
  };
  return { next: null, result };
}

function failureFor<T extends RecordType>(name: string, type: T, rcode: string): DnsResult<T> {
  switch (rcode) {
    case "NXDOMAIN":
      return dnsFailure(name, type, "nxdomain", "the name does not exist (NXDOMAIN)");
    case "REFUSED":
      return dnsFailure(name, type, "refused", "the server refused the query (REFUSED)");
    case "SERVFAIL":
      return dnsFailure(name, type, "servfail", "the server failed to answer (SERVFAIL)");
    default:
      return dnsFailure(name, type, "servfail", `the server answered ${rcode}`);
  }
}

function recordData<T extends RecordType>(type: T, answer: LooseAnswer): RecordDataMap[T] {
  const data = answer.data;
  if (type === "TXT") return txtStrings(data) as unknown as RecordDataMap[T];
  if (type === "MX") {
    const mx = data as dnsPacket.MxData;
    const record: MxRecord = { priority: mx.preference ?? 0, exchange: mx.exchange };
    return record as RecordDataMap[T];
  }
  return String(data) as RecordDataMap[T];
}

/** Decodes TXT character-strings as UTF-8, or byte for byte (Latin-1) when not valid UTF-8. */
function txtStrings(data: unknown): string[] {
  const parts = Array.isArray(data) ? (data as unknown[]) : [data];
  return parts.map((part) => {
    if (!Buffer.isBuffer(part)) return String(part);
    const text = part.toString("utf8");
    return text.includes("\uFFFD") ? part.toString("latin1") : text;
  });
}
