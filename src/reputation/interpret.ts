import type { DnsResult } from "../dns/types.js";
import { codeMatches, isLoopbackCode, octets } from "./codes.js";
import type { BlocklistEntry, CodeEffect, Interpretation, RefusalKind } from "./types.js";

/** The reading of one A record on one list. */
interface CodeReading {
  readonly effect: CodeEffect;
  readonly meaning: string;
  readonly score: number | null;
  readonly refusal: RefusalKind | null;
}

const DNSWL_CATEGORIES: Readonly<Record<number, string>> = {
  2: "financial services",
  3: "email service providers",
  4: "organisations",
  5: "service and network providers",
  6: "personal and private servers",
  7: "travel and leisure",
  8: "public sector",
  9: "media and technology",
  10: "special cases",
  11: "education and academia",
  12: "healthcare",
  13: "manufacturing and industry",
  14: "retail, wholesale and services",
  15: "email marketing providers",
};

const DNSWL_TRUST = ["none", "low", "medium", "high"] as const;

/**
 * Reads a DNS answer against a list's documented codes. NXDOMAIN and NODATA mean not listed
 * (RFC 5782: a listing is an A record). Error codes, 127.0.0.1 and addresses outside
 * 127.0.0.0/8 make the whole answer `refused`, because a list that answers oddly has not
 * checked the target. An undocumented code beside a documented listing code does not hide
 * the listing, because lists add codes over time; the meaning then names the extra code.
 * Undocumented codes alone are `refused`. Timeouts and server failures are never clean.
 */
export function interpretAnswer(entry: BlocklistEntry, result: DnsResult<"A">): Interpretation {
  if (!result.ok) return interpretFailure(result.kind, result.detail);

  const codes = result.records;
  const readings = codes.map((address) => readCode(entry, address));
  const listings = readings.filter((reading) => reading.effect === "listed");
  const refusal =
    readings.find((reading) => isRefusal(reading) && reading.refusal !== "undocumented-code") ??
    (listings.length > 0 ? undefined : readings.find((reading) => isRefusal(reading)));
  if (refusal !== undefined) {
    return {
      status: "refused",
      meaning: refusal.meaning,
      codes,
      score: null,
      ...refusalOf(refusal),
    };
  }

  const shown = listings.length > 0 ? listings : readings;
  const undocumented = undocumentedCodes(codes, readings);
  // Beside a note that names the undocumented codes, each listing names its own codes too, so
  // that a reader can tell which code means what.
  const meanings =
    undocumented.length > 0
      ? [...listingsWithCodes(codes, readings), undocumentedNote(entry, undocumented)]
      : [...new Set(shown.map((reading) => reading.meaning))];
  const meaning = meanings.join("; ");
  return {
    status: listings.length > 0 ? "listed" : "not-listed",
    meaning: meaning === "" ? null : meaning,
    codes,
    score: listings.find((reading) => reading.score !== null)?.score ?? null,
    refusal: null,
  };
}

function isRefusal(reading: CodeReading): boolean {
  return reading.effect === "refused";
}

/** Returns each code of the answer that the list does not document, once, in answer order. */
function undocumentedCodes(codes: readonly string[], readings: readonly CodeReading[]): string[] {
  const found = codes.filter((_, index) => readings[index]?.refusal === "undocumented-code");
  return [...new Set(found)];
}

/** Returns each listing meaning once with its codes: `listed by Barracuda, code 127.0.0.2`. */
function listingsWithCodes(codes: readonly string[], readings: readonly CodeReading[]): string[] {
  const codesByMeaning = new Map<string, Set<string>>();
  readings.forEach((reading, index) => {
    const code = codes[index];
    if (reading.effect !== "listed" || code === undefined) return;
    const known = codesByMeaning.get(reading.meaning) ?? new Set<string>();
    codesByMeaning.set(reading.meaning, known.add(code));
  });
  return [...codesByMeaning].map(([meaning, found]) => {
    const label = found.size === 1 ? "code" : "codes";
    return `${meaning}, ${label} ${[...found].join(", ")}`;
  });
}

function undocumentedNote(entry: BlocklistEntry, codes: readonly string[]): string {
  const clause = codes.length === 1 ? "which is not a code" : "which are not codes";
  return `the answer also contains ${codes.join(", ")}, ${clause} that ${entry.name} documents`;
}

function refusalOf(reading: CodeReading): { refusal: RefusalKind } {
  return { refusal: reading.refusal ?? "undocumented-code" };
}

function interpretFailure(kind: string, detail: string): Interpretation {
  const base = { codes: [], score: null, refusal: null } as const;
  switch (kind) {
    case "nxdomain":
    case "nodata":
      return { ...base, status: "not-listed", meaning: null };
    case "refused":
      return { ...base, status: "refused", meaning: detail, refusal: "server-refused" };
    case "timeout":
      return { ...base, status: "timeout", meaning: detail };
    case "not-in-zone":
      return { ...base, status: "not-checked", meaning: detail };
    default:
      return { ...base, status: "error", meaning: detail };
  }
}

/** Reads one A record: loopback check, documented refusals, the list's decoder, then RFC 5782. */
export function readCode(entry: BlocklistEntry, address: string): CodeReading {
  if (!isLoopbackCode(address)) {
    return refusedReading(
      "outside-loopback",
      `${address} is outside 127.0.0.0/8, so it is no blocklist answer: a resolver or network ` +
        "filter rewrote the answer, or the list's domain now points elsewhere",
    );
  }
  const rule = entry.codes.find((code) => codeMatches(code.code, address));
  if (rule !== undefined && (rule.effect === "refused" || entry.decoder === "codes")) {
    return {
      effect: rule.effect,
      meaning: rule.meaning,
      score: null,
      refusal: rule.effect === "refused" ? "error-code" : null,
    };
  }
  const decoded = decode(entry, address);
  if (decoded !== null) return decoded;
  if (address === "127.0.0.1") {
    return refusedReading(
      "reserved-address",
      "127.0.0.1 is never a listing: lists such as URIBL and SURBL answer it to refuse a query",
    );
  }
  return refusedReading(
    "undocumented-code",
    `${address} is not a code that ${entry.name} documents, so it is not taken as a listing`,
  );
}

function refusedReading(refusal: RefusalKind, meaning: string): CodeReading {
  return { effect: "refused", meaning, score: null, refusal };
}

function decode(entry: BlocklistEntry, address: string): CodeReading | null {
  const [, b, c, d] = octets(address);
  switch (entry.decoder) {
    case "bitmask":
      return b === 0 && c === 0 ? decodeBits(entry, d) : null;
    case "dnswl":
      return decodeDnswl(b, c, d);
    case "score":
      return b === 0 && c === 4 && d <= 100
        ? { effect: "listed", meaning: `Sender Score ${d} of 100`, score: d, refusal: null }
        : null;
    case "codes":
      return null;
  }
}

/** SURBL and URIBL add bits in the last octet; bit 1 means the query was refused. */
function decodeBits(entry: BlocklistEntry, value: number): CodeReading | null {
  if (value === 0) return null;
  if ((value & 1) === 1) {
    const rule = entry.codes.find((code) => code.code === "127.0.0.1");
    return refusedReading("error-code", rule?.meaning ?? "bit 1 set: the list refused the query");
  }
  const meanings: string[] = [];
  for (let bit = 2; bit <= 128; bit *= 2) {
    if ((value & bit) === 0) continue;
    const rule = entry.codes.find((code) => code.code === `127.0.0.${bit}`);
    if (rule === undefined || rule.effect !== "listed") return null;
    meanings.push(rule.meaning);
  }
  return { effect: "listed", meaning: meanings.join("; "), score: null, refusal: null };
}

/** dnswl.org answers 127.0.X.Y: X the sector, Y the trust level; Y = 255 refuses the query. */
function decodeDnswl(b: number, category: number, trust: number): CodeReading | null {
  if (b !== 0) return null;
  if (trust === 255) return refusedReading("error-code", "dnswl.org refused the query");
  const sector = DNSWL_CATEGORIES[category];
  const level = DNSWL_TRUST[trust];
  if (sector === undefined || level === undefined) return null;
  return {
    effect: "listed",
    meaning: `on the allow list: ${sector}, trust ${level}`,
    score: null,
    refusal: null,
  };
}
