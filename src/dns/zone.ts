import { readFile } from "node:fs/promises";
import { fileError, InputFileError } from "../input/file-error.js";
import { parseZoneFile, type ZoneData, type ZoneRecord } from "./zone-file.js";
import {
  dnsFailure,
  normaliseName,
  type DnsResult,
  type RecordDataMap,
  type RecordType,
  type Resolver,
} from "./types.js";

const MAX_CNAME_HOPS = 8;

/**
 * A resolver that answers from zone data in memory, for offline runs and for checking records
 * before they are published. A name with no records but with records below it (an empty
 * non-terminal) answers NODATA, any other unknown name NXDOMAIN. CNAMEs are followed as a
 * recursive server would. NOTE: wildcard owners (`*.example.com`) are not expanded.
 */
export function zoneResolver(zone: ZoneData, description = "zone data"): Resolver {
  const owners = new Set(zone.keys());
  const exists = (name: string): boolean =>
    owners.has(name) || [...owners].some((owner) => owner.endsWith(`.${name}`));

  async function resolve<T extends RecordType>(name: string, type: T): Promise<DnsResult<T>> {
    const chain: string[] = [];
    let current = normaliseName(name);
    for (let hop = 0; hop <= MAX_CNAME_HOPS; hop++) {
      const records = zone.get(current) ?? [];
      const matching = records.filter((record) => record.type === type);
      if (matching.length > 0) return answer(name, type, matching, current, chain);
      const alias = records.find((record) => record.type === "CNAME");
      if (alias === undefined || type === "CNAME") {
        return exists(current)
          ? dnsFailure(name, type, "nodata", `no ${type} record at ${current}`)
          : dnsFailure(name, type, "nxdomain", `${current} does not exist in the zone`);
      }
      current = String(alias.data);
      if (chain.includes(current))
        return dnsFailure(name, type, "servfail", `CNAME loop at ${current}`);
      chain.push(current);
    }
    return dnsFailure(name, type, "servfail", `CNAME chain longer than ${MAX_CNAME_HOPS}`);
  }

  return { description, resolve: (name, type) => resolve(name, type) };
}

function answer<T extends RecordType>(
  name: string,
  type: T,
  records: readonly ZoneRecord[],
  canonicalName: string,
  cnameChain: readonly string[],
): DnsResult<T> {
  return {
    ok: true,
    name,
    type,
    records: records.map((record) => record.data as RecordDataMap[T]),
    ttlSeconds: Math.min(...records.map((record) => record.ttlSeconds)),
    canonicalName,
    cnameChain,
  };
}

/**
 * Reads and merges zone files into one resolver, appending a note to `notes` for each
 * record skipped. Throws an InputFileError for a file that cannot be read and a SyntaxError
 * naming a bad line.
 */
export async function zoneFileResolver(
  paths: readonly string[],
  notes: string[] = [],
): Promise<Resolver> {
  const zone: ZoneData = new Map();
  for (const path of paths) parseZoneFile(await readZoneFile(path), path, zone, notes);
  return zoneResolver(zone, `zone ${paths.join(", ")}`);
}

async function readZoneFile(path: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    throw new InputFileError(fileError(path, error, "the zone file"), { cause: error });
  }
}
