import { readFile } from "node:fs/promises";
import { isIpAddress, nameProblem } from "../dns/names.js";
import { fileError } from "../input/file-error.js";
import { CATALOGUE, retiredListOfZone } from "./catalogue.js";
import { isLoopbackCode, parseCode } from "./codes.js";
import {
  defineList,
  listed,
  RFC5782_DOMAIN_TESTS,
  RFC5782_IP_TESTS,
  refused,
} from "./lists/define.js";
import type { BlocklistEntry, Relevance, ReturnCode, TargetKind } from "./types.js";

/**
 * A user's changes to the catalogue, from a JSON file such as
 * `{"disable": ["uceprotect-l1"], "enable": ["dnswl"], "lists": [{"id": "example-bl",
 * "zone": "bl.example.net", "targets": ["ipv4"], "codes": {"127.0.0.2": "spam source"}}]}`.
 */
export interface BlocklistConfig {
  readonly lists: readonly BlocklistEntry[];
  readonly enable: readonly string[];
  readonly disable: readonly string[];
}

/** A config file that cannot be used; the message names the file, the entry and the fix. */
export class BlocklistConfigError extends Error {
  override readonly name = "BlocklistConfigError";
}

type Json = Record<string, unknown>;

const TOP_KEYS = ["lists", "enable", "disable"];
const LIST_KEYS = [
  "id",
  "name",
  "zone",
  "targets",
  "type",
  "bitmask",
  "codes",
  "errorCodes",
  "testEntries",
  "delisting",
  "noDelistingReason",
  "queriesPerSecond",
  "relevance",
  "refusesPublicResolvers",
  "description",
  "usage",
];
const TARGET_KINDS: readonly TargetKind[] = ["ipv4", "ipv6", "domain"];
const RELEVANCES: readonly Relevance[] = ["high", "medium", "low", "none"];

/**
 * Reads and checks a config file. Throws a BlocklistConfigError when the file cannot be read
 * (missing, not readable, a directory) or its content is invalid.
 */
export async function loadBlocklistConfig(
  path: string,
  catalogue: readonly BlocklistEntry[] = CATALOGUE,
): Promise<BlocklistConfig> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new BlocklistConfigError(fileError(path, error, "the blocklist config").message, {
      cause: error,
    });
  }
  return parseBlocklistConfig(text, path, catalogue);
}

/**
 * Parses and checks a config file's text. Every error names `source`, the JSON path of the
 * bad entry (`lists[2] ("example-bl").zone`) and what to write instead.
 */
export function parseBlocklistConfig(
  text: string,
  source: string,
  catalogue: readonly BlocklistEntry[] = CATALOGUE,
): BlocklistConfig {
  const fail = (path: string, message: string): never => {
    throw new BlocklistConfigError(`invalid blocklist config ${source}: ${path}: ${message}`);
  };
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new BlocklistConfigError(
      `invalid blocklist config ${source}: not valid JSON (${(error as Error).message})`,
    );
  }
  const top = objectAt(data, "the file", fail);
  checkKeys(top, TOP_KEYS, "the file", fail);

  const known = new Set(catalogue.map((entry) => entry.id));
  const enable = idList(top["enable"], "enable", known, fail);
  const disable = idList(top["disable"], "disable", known, fail);
  const rawLists = top["lists"] ?? [];
  if (!Array.isArray(rawLists)) fail("lists", "must be an array of list objects");
  const lists: BlocklistEntry[] = [];
  for (const [index, raw] of (rawLists as unknown[]).entries()) {
    const entry = parseList(raw, `lists[${index}]`, fail);
    if (known.has(entry.id) || entry.id === "all") {
      fail(
        `lists[${index}] ("${entry.id}").id`,
        "this id is taken; choose a new id, and disable the built-in list if it should not run",
      );
    }
    known.add(entry.id);
    lists.push(entry);
  }
  return { lists, enable, disable };
}

/** Returns the catalogue with the config's lists added after the built-in ones. */
export function withConfig(
  catalogue: readonly BlocklistEntry[],
  config: BlocklistConfig,
): BlocklistEntry[] {
  return [...catalogue, ...config.lists];
}

type Fail = (path: string, message: string) => never;

function objectAt(value: unknown, path: string, fail: Fail): Json {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return fail(path, "must be a JSON object");
  }
  return value as Json;
}

function checkKeys(value: Json, allowed: readonly string[], path: string, fail: Fail): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) {
      fail(path, `unknown field "${key}"; the fields are ${allowed.join(", ")}`);
    }
  }
}

function idList(value: unknown, path: string, known: ReadonlySet<string>, fail: Fail): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((id) => typeof id !== "string")) {
    return fail(path, 'must be an array of list ids such as ["spamhaus-zen"]');
  }
  for (const id of value as string[]) {
    if (!known.has(id)) fail(path, `unknown list id "${id}"; run delist blocklists --help`);
  }
  return value as string[];
}

function parseList(raw: unknown, at: string, fail: Fail): BlocklistEntry {
  const list = objectAt(raw, at, fail);
  const id = list["id"];
  if (typeof id !== "string" || !/^[a-z0-9][a-z0-9-]{0,62}$/.test(id)) {
    return fail(
      `${at}.id`,
      'give an id of lower-case letters, digits and "-", such as "example-bl"',
    );
  }
  const path = `${at} ("${id}")`;
  checkKeys(list, LIST_KEYS, path, fail);

  const zone = zoneOf(list["zone"], `${path}.zone`, fail);
  const targets = targetsOf(list["targets"], `${path}.targets`, fail);
  const bitmask = optionalBoolean(list["bitmask"], `${path}.bitmask`, fail) ?? false;
  const codes = [
    ...codeTable(list["errorCodes"], `${path}.errorCodes`, false, refused, fail),
    ...codeTable(list["codes"], `${path}.codes`, bitmask, listed, fail),
  ];
  if (!codes.some((code) => code.effect === "listed")) {
    fail(`${path}.codes`, 'give at least one listing code, such as {"127.0.0.2": "listed"}');
  }
  const retired = retiredListOfZone(zone);
  return defineList({
    id,
    name: optionalString(list["name"], `${path}.name`, fail) ?? id,
    zone,
    targets,
    listType: listTypeOf(list["type"], `${path}.type`, fail),
    description: optionalString(list["description"], `${path}.description`, fail) ?? "",
    decoder: bitmask ? "bitmask" : "codes",
    codes,
    testEntries: testEntriesOf(list["testEntries"], targets, `${path}.testEntries`, fail),
    usage: optionalString(list["usage"], `${path}.usage`, fail) ?? "From the config file.",
    delisting: delistingOf(list, path, fail),
    relevance: relevanceOf(list["relevance"], `${path}.relevance`, fail),
    defaultEnabled: true,
    refusesPublicResolvers:
      optionalBoolean(list["refusesPublicResolvers"], `${path}.refusesPublicResolvers`, fail) ??
      false,
    queriesPerSecond: rateOf(list["queriesPerSecond"], `${path}.queriesPerSecond`, fail),
    ...(retired === null
      ? {}
      : { status: "defunct", statusNote: `the zone of ${retired.name}: ${retired.statusNote}` }),
  });
}

function zoneOf(value: unknown, path: string, fail: Fail): string {
  if (typeof value !== "string")
    return fail(path, "give the list's DNS zone, such as bl.example.net");
  const zone = value.toLowerCase().replace(/\.$/, "");
  const problem = nameProblem(zone);
  if (problem !== null || !zone.includes(".") || isIpAddress(zone)) {
    fail(path, `"${value}" is no DNS zone (${problem ?? "it needs two labels or more"})`);
  }
  return zone;
}

function targetsOf(value: unknown, path: string, fail: Fail): TargetKind[] {
  const valid =
    Array.isArray(value) &&
    value.length > 0 &&
    value.every((kind) => TARGET_KINDS.includes(kind as TargetKind));
  if (!valid) return fail(path, `give a non-empty array of ${TARGET_KINDS.join(", ")}`);
  return [...new Set(value as TargetKind[])];
}

function codeTable(
  value: unknown,
  path: string,
  bitmask: boolean,
  make: (code: string, meaning: string) => ReturnCode,
  fail: Fail,
): ReturnCode[] {
  if (value === undefined) return [];
  const table = objectAt(value, path, fail);
  return Object.entries(table).map(([code, meaning]) => {
    const at = `${path}["${code}"]`;
    const range = parseCode(code);
    const [first, last] = code.split("-");
    if (range === null || !isLoopbackCode(first ?? "") || !isLoopbackCode(last ?? first ?? "")) {
      fail(
        at,
        'give an address or range in 127.0.0.0/8, such as "127.0.0.2" or "127.0.0.2-127.0.0.5"',
      );
    }
    if (bitmask && !/^127\.0\.0\.(2|4|8|16|32|64|128)$/.test(code)) {
      fail(at, "a bitmask list's codes are 127.0.0.N with N one of 2, 4, 8, 16, 32, 64, 128");
    }
    if (typeof meaning !== "string" || meaning.trim() === "") {
      fail(at, "give the code's meaning as text");
    }
    return make(code, meaning as string);
  });
}

function testEntriesOf(
  value: unknown,
  targets: readonly TargetKind[],
  path: string,
  fail: Fail,
): BlocklistEntry["testEntries"] {
  const domainOnly = targets.every((kind) => kind === "domain");
  if (value === undefined) return domainOnly ? RFC5782_DOMAIN_TESTS : RFC5782_IP_TESTS;
  if (value === null) return null;
  const tests = objectAt(value, path, fail);
  checkKeys(tests, ["listed", "notListed"], path, fail);
  const check = (key: "listed" | "notListed"): string => {
    const entry = tests[key];
    const ok =
      typeof entry === "string" && (domainOnly ? nameProblem(entry) === null : isIpAddress(entry));
    if (!ok) {
      fail(
        `${path}.${key}`,
        domainOnly ? "give a name such as test" : "give an IPv4 address such as 127.0.0.2",
      );
    }
    return entry as string;
  };
  return { listed: check("listed"), notListed: check("notListed") };
}

function delistingOf(list: Json, path: string, fail: Fail): BlocklistEntry["delisting"] {
  const url = list["delisting"];
  const reason = optionalString(list["noDelistingReason"], `${path}.noDelistingReason`, fail);
  if (url === undefined || url === null) {
    return { url: null, reason: reason ?? "No removal page is given in the config file." };
  }
  if (typeof url !== "string" || !/^https?:\/\/[^\s/]+/.test(url)) {
    return fail(`${path}.delisting`, "give the removal page as an http or https URL");
  }
  return { url, note: null };
}

function listTypeOf(value: unknown, path: string, fail: Fail): "block" | "allow" | "mixed" {
  if (value === undefined) return "block";
  if (value === "block" || value === "allow" || value === "mixed") return value;
  return fail(path, "give block, allow or mixed");
}

function relevanceOf(value: unknown, path: string, fail: Fail): Relevance {
  if (value === undefined) return "low";
  if (RELEVANCES.includes(value as Relevance)) return value as Relevance;
  return fail(path, `give one of ${RELEVANCES.join(", ")}`);
}

function rateOf(value: unknown, path: string, fail: Fail): number | null {
  if (value === undefined) return null;
  if (typeof value !== "number" || !(value >= 0.1) || value > 1000) {
    return fail(path, "give queries per second as a number from 0.1 to 1000");
  }
  return value;
}

function optionalString(value: unknown, path: string, fail: Fail): string | null {
  if (value === undefined) return null;
  if (typeof value !== "string") return fail(path, "must be text");
  return value;
}

function optionalBoolean(value: unknown, path: string, fail: Fail): boolean | null {
  if (value === undefined) return null;
  if (typeof value !== "boolean") return fail(path, "must be true or false");
  return value;
}
