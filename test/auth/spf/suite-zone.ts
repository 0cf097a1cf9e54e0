import {
  dnsFailure,
  normaliseName,
  type DnsResult,
  type RecordDataMap,
  type RecordType,
  type Resolver,
} from "../../../src/dns/types.js";
import type { YamlValue } from "./suite-yaml.js";

/** One `zonedata` entry: a record, or the TIMEOUT marker. */
type SuiteEntry = { readonly type: string; readonly value: YamlValue } | "TIMEOUT";

/**
 * A resolver that serves a suite scenario's `zonedata` the way pyspf's reference driver does:
 * SPF entries double as TXT unless the name has a TXT entry (even `TXT: NONE`); a TIMEOUT
 * marker times out queries for types not listed before it; unknown names are NXDOMAIN except
 * `error.` names, which time out; CNAMEs are followed.
 */
export function suiteResolver(zonedata: YamlValue): Resolver {
  const zone = new Map<string, SuiteEntry[]>();
  for (const [name, entries] of Object.entries(zonedata as Record<string, YamlValue[]>)) {
    zone.set(normaliseName(name), (Array.isArray(entries) ? entries : []).map(toEntry));
  }

  async function resolve<T extends RecordType>(
    rawName: string,
    type: T,
    depth = 0,
  ): Promise<DnsResult<T>> {
    const name = normaliseName(rawName);
    const entries = zone.get(name);
    if (entries === undefined) {
      return name.startsWith("error.")
        ? dnsFailure(name, type, "timeout", "suite: error. name")
        : dnsFailure(name, type, "nxdomain", "suite: not in zonedata");
    }
    const hasTxt = entries.some((entry) => entry !== "TIMEOUT" && entry.type === "TXT");
    const records: RecordDataMap[T][] = [];
    for (const entry of entries) {
      if (entry === "TIMEOUT") {
        if (records.length === 0) return dnsFailure(name, type, "timeout", "suite: TIMEOUT");
        break;
      }
      if (entry.type === type || (type === "TXT" && entry.type === "SPF" && !hasTxt)) {
        const data = recordData(type, entry.value);
        if (data !== null) records.push(data);
      }
    }
    if (records.length > 0) {
      return { ok: true, name, type, records, ttlSeconds: 0, canonicalName: name, cnameChain: [] };
    }
    const alias = entries.find((entry) => entry !== "TIMEOUT" && entry.type === "CNAME");
    if (alias !== undefined && alias !== "TIMEOUT" && type !== "CNAME" && depth < 8) {
      return resolve(String(alias.value), type, depth + 1);
    }
    return dnsFailure(name, type, "nodata", "suite: no records of this type");
  }

  return { description: "suite zonedata", resolve: (name, type) => resolve(name, type) };
}

function toEntry(item: YamlValue): SuiteEntry {
  if (item === "TIMEOUT") return "TIMEOUT";
  const [type, value] = Object.entries(item as Record<string, YamlValue>)[0] ?? ["", ""];
  return { type, value };
}

function recordData<T extends RecordType>(type: T, value: YamlValue): RecordDataMap[T] | null {
  if (type === "TXT") {
    if (value === "NONE") return null;
    return (Array.isArray(value)
      ? value.map(String)
      : [String(value)]) as unknown as RecordDataMap[T];
  }
  if (type === "MX") {
    const [priority, exchange] = value as string[];
    return { priority: Number(priority), exchange: String(exchange ?? "") } as RecordDataMap[T];
  }
  if (type === "AAAA") return String(value).toLowerCase() as RecordDataMap[T];
  return String(value) as RecordDataMap[T];
}
