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
 * non-terminal) answers NODATA. Any other unknown name returns NXDOMAIN when it is at or below
 * one of `origins`, and `not-in-zone` when it is outside all of them, because the data cannot
 * show whether another zone contains it. Without `origins`, every unknown name is NXDOMAIN.
 * CNAMEs are followed as a recursive server would.
 * NOTE: wildcard owners (`*.example.com`) are not expanded.
 */
export function zoneResolver(
  zone: ZoneData,
  description = "zone data",
  origins?: ReadonlySet<string>,
): Resolver {
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
          : unknownName(name, type, current, origins);
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

/** Builds the failure for `current`, the end of the CNAME chain of `name`, which has no records. */
function unknownName<T extends RecordType>(
  name: string,
  type: T,
  current: string,
  origins: ReadonlySet<string> | undefined,
): DnsResult<T> {
  if (origins === undefined || isInside(current, origins))
    return dnsFailure(name, type, "nxdomain", `${current} does not exist in the zone`);
  return dnsFailure(name, type, "not-in-zone", notInZoneDetail(current, origins));
}

/** True when `name` is at or below one of `origins`. The root origin is the empty string. */
function isInside(name: string, origins: ReadonlySet<string>): boolean {
  for (const origin of origins) {
    if (origin === "" || name === origin || name.endsWith(`.${origin}`)) return true;
  }
  return false;
}

/** How many zone origins a `not-in-zone` detail names; the rest are counted. */
const NAMED_ORIGINS = 3;

function notInZoneDetail(name: string, origins: ReadonlySet<string>): string {
  const list = [...origins].sort();
  const named = list.slice(0, NAMED_ORIGINS).join(", ");
  const more = list.length > NAMED_ORIGINS ? ` and ${list.length - NAMED_ORIGINS} more` : "";
  const zones = list.length === 1 ? "only the zone" : "only the zones";
  if (list.length === 0) return `${name} is not in the zone files, which contain no zone`;
  return `${name} is not in the zone files, which contain ${zones} ${named}${more}`;
}

function answer<T extends RecordType>(
  name: string,
  type: T,
  records: readonly ZoneRecord[],
  canonicalName: string,
  cnameChain: readonly string[],
): DnsResult<T> {
  // Under RFC 2181 (section 5), servers suppress records equal in name, class, type and data,
  // so a record repeated in one zone file or in two is answered once.
  const unique = new Map(records.map((record) => [JSON.stringify(record.data), record]));
  return {
    ok: true,
    name,
    type,
    records: [...unique.values()].map((record) => record.data as RecordDataMap[T]),
    ttlSeconds: Math.min(...records.map((record) => record.ttlSeconds)),
    canonicalName,
    cnameChain,
  };
}

/** The text of a zone file and the name that notes, errors and the resolver's description use. */
export interface ZoneText {
  readonly text: string;
  readonly source: string;
}

/**
 * Reads and merges zone files into one resolver, in the given order, appending a note to
 * `notes` for each record skipped. `read` reads one name (default: the file at that path).
 * Throws an InputFileError for a file that cannot be read and a SyntaxError naming a bad line.
 */
export async function zoneFileResolver(
  names: readonly string[],
  notes: string[] = [],
  read: (name: string) => Promise<ZoneText> = readZoneFile,
): Promise<Resolver> {
  const zone: ZoneData = new Map();
  const origins = new Set<string>();
  const sources: string[] = [];
  for (const name of names) {
    const input = await read(name);
    parseZoneFile(input.text, input.source, zone, notes, origins);
    sources.push(input.source);
  }
  return zoneResolver(zone, `zone ${sources.join(", ")}`, origins);
}

/** Reads the zone file at `path`; throws an InputFileError when it cannot be read. */
export async function readZoneFile(path: string): Promise<ZoneText> {
  try {
    return { text: await readFile(path, "utf8"), source: path };
  } catch (error) {
    throw new InputFileError(fileError(path, error, "the zone file"), { cause: error });
  }
}
