import ipaddr from "ipaddr.js";
import { hasValidDomainEnd, parseMacroString, type MacroPart } from "./macro.js";

/** `+` pass, `-` fail, `~` softfail, `?` neutral (RFC 7208, section 4.6.2). */
export type Qualifier = "+" | "-" | "~" | "?";

/** A domain-spec as written, and parsed into macro parts. */
export interface DomainSpec {
  readonly text: string;
  readonly parts: readonly MacroPart[];
}

export type Mechanism =
  | { readonly kind: "all" }
  | { readonly kind: "include" | "exists"; readonly domain: DomainSpec }
  | {
      readonly kind: "a" | "mx";
      readonly domain: DomainSpec | null;
      readonly cidr4: number;
      readonly cidr6: number;
    }
  | { readonly kind: "ptr"; readonly domain: DomainSpec | null }
  | { readonly kind: "ip4"; readonly network: ipaddr.IPv4; readonly prefix: number }
  | { readonly kind: "ip6"; readonly network: ipaddr.IPv6; readonly prefix: number };

export interface Directive {
  readonly qualifier: Qualifier;
  readonly mechanism: Mechanism;
  /** The term as written. */
  readonly text: string;
}

/** A parsed `v=spf1` record. */
export interface SpfRecord {
  readonly text: string;
  readonly directives: readonly Directive[];
  readonly redirect: DomainSpec | null;
  readonly exp: DomainSpec | null;
  /** Modifiers other than `redirect` and `exp`, which evaluation ignores (section 6). */
  readonly unknownModifiers: readonly string[];
}

export type ParsedRecord =
  | { readonly ok: true; readonly record: SpfRecord }
  | { readonly ok: false; readonly error: string; readonly term: string | null };

/** True when a TXT string is an SPF record: `v=spf1` alone or followed by a space (4.5). */
export function isSpfRecord(text: string): boolean {
  return /^v=spf1( |$)/i.test(text);
}

/**
 * Parses an SPF record (RFC 7208, section 4.6 and 12). Any syntax error anywhere makes the
 * whole record a permerror, even in terms after a match, as section 4.6 requires.
 */
export function parseSpfRecord(text: string): ParsedRecord {
  if (!isSpfRecord(text))
    return { ok: false, error: "the record does not start with v=spf1", term: null };
  const terms = text
    .slice(6)
    .split(" ")
    .filter((term) => term !== "");
  const directives: Directive[] = [];
  const modifiers = new Map<string, DomainSpec>();
  const unknownModifiers: string[] = [];
  for (const term of terms) {
    const modifier = /^([a-z][a-z0-9._-]*)=(.*)$/i.exec(term);
    if (modifier !== null) {
      const error = addModifier(
        modifier[1] ?? "",
        modifier[2] ?? "",
        modifiers,
        unknownModifiers,
        term,
      );
      if (error !== null) return { ok: false, error, term };
      continue;
    }
    const directive = parseDirective(term);
    if (typeof directive === "string") return { ok: false, error: directive, term };
    directives.push(directive);
  }
  const record: SpfRecord = {
    text,
    directives,
    redirect: modifiers.get("redirect") ?? null,
    exp: modifiers.get("exp") ?? null,
    unknownModifiers,
  };
  return { ok: true, record };
}

function addModifier(
  rawName: string,
  value: string,
  modifiers: Map<string, DomainSpec>,
  unknown: string[],
  term: string,
): string | null {
  const name = rawName.toLowerCase();
  if (name !== "redirect" && name !== "exp") {
    const parts = parseMacroString(value, false);
    if (typeof parts === "string") return `invalid modifier "${term}": ${parts}`;
    unknown.push(term);
    return null;
  }
  if (modifiers.has(name)) return `the modifier ${name}= appears twice`;
  const domain = parseDomainSpec(value);
  if (typeof domain === "string") return `invalid ${name}= value "${value}": ${domain}`;
  modifiers.set(name, domain);
  return null;
}

function parseDomainSpec(text: string): DomainSpec | string {
  if (text === "") return "the domain is empty";
  const parts = parseMacroString(text, false);
  if (typeof parts === "string") return parts;
  if (!hasValidDomainEnd(parts)) return "the domain must end in a dot and a valid top-level label";
  return { text, parts };
}

function parseDirective(term: string): Directive | string {
  const qualifier = "+-~?".includes(term[0] ?? "") ? (term[0] as Qualifier) : "+";
  const body = qualifier === "+" && term[0] !== "+" ? term : term.slice(1);
  const match = /^([a-z0-9]+)(.*)$/i.exec(body);
  const name = match?.[1]?.toLowerCase() ?? "";
  const rest = match?.[2] ?? body;
  const mechanism = parseMechanism(name, rest);
  if (typeof mechanism === "string") return `invalid term "${term}": ${mechanism}`;
  return { qualifier, mechanism, text: term };
}

function parseMechanism(name: string, rest: string): Mechanism | string {
  switch (name) {
    case "all":
      return rest === "" ? { kind: "all" } : "all takes no argument";
    case "include":
    case "exists": {
      if (!rest.startsWith(":")) return `${name} needs ":domain"`;
      const domain = parseDomainSpec(rest.slice(1));
      return typeof domain === "string" ? domain : { kind: name, domain };
    }
    case "a":
    case "mx":
      return parseAddressMechanism(name, rest);
    case "ptr": {
      if (rest === "") return { kind: "ptr", domain: null };
      if (!rest.startsWith(":")) return "ptr takes only an optional :domain";
      const domain = parseDomainSpec(rest.slice(1));
      return typeof domain === "string" ? domain : { kind: "ptr", domain };
    }
    case "ip4":
    case "ip6":
      return parseIpMechanism(name, rest);
    default:
      return `unknown mechanism "${name}"`;
  }
}

function parseAddressMechanism(kind: "a" | "mx", rest: string): Mechanism | string {
  const match = /^(?::(.*?))?(?:\/(\d+))?(?:\/\/(\d+))?$/.exec(rest);
  if (match === null) return `${kind} takes ":domain/cidr4//cidr6"`;
  const [, domainText, cidr4Text, cidr6Text] = match;
  const cidr4 = parseCidr(cidr4Text, 32);
  const cidr6 = parseCidr(cidr6Text, 128);
  if (cidr4 === null || cidr6 === null) return "invalid CIDR prefix length";
  if (domainText === undefined) return { kind, domain: null, cidr4, cidr6 };
  const domain = parseDomainSpec(domainText);
  return typeof domain === "string" ? domain : { kind, domain, cidr4, cidr6 };
}

function parseCidr(text: string | undefined, max: number): number | null {
  if (text === undefined) return max;
  if (!/^(0|[1-9]\d*)$/.test(text)) return null;
  const value = Number(text);
  return value <= max ? value : null;
}

function parseIpMechanism(kind: "ip4" | "ip6", rest: string): Mechanism | string {
  const match = /^:([^/]+)(?:\/(\d+))?$/.exec(rest);
  if (match === null) return `${kind} needs ":address" and an optional "/prefix"`;
  const [, address = "", prefixText] = match;
  const prefix = parseCidr(prefixText, kind === "ip4" ? 32 : 128);
  if (prefix === null) return "invalid CIDR prefix length";
  if (kind === "ip4") {
    if (!ipaddr.IPv4.isValidFourPartDecimal(address)) return `"${address}" is not an IPv4 address`;
    return { kind, network: ipaddr.IPv4.parse(address), prefix };
  }
  if (!address.includes(":") || !ipaddr.IPv6.isValid(address)) {
    return `"${address}" is not an IPv6 address`;
  }
  return { kind, network: ipaddr.IPv6.parse(address), prefix };
}
