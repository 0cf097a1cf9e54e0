import type { DnsContext } from "../../dns/context.js";
import { isVoidFailure, joinTxt, type DnsFailure } from "../../dns/types.js";
import { isUnanswered, problem, type Problem } from "../types.js";
import {
  isSpent,
  MAX_LOOKUPS,
  MAX_WALKED_LOOKUPS,
  newLookupBudget,
  spendLookups,
  spendVoidLookup,
  type LookupBudget,
} from "./lookup-budget.js";
import {
  isSpfRecord,
  parseSpfRecord,
  type Directive,
  type DomainSpec,
  type SpfRecord,
} from "./record.js";

/** One record in the include and redirect tree, with the DNS lookups it costs. */
export interface SpfNode {
  readonly domain: string;
  readonly via: "record" | "include" | "redirect";
  /** The SPF record found, or null. */
  readonly record: string | null;
  readonly status: "ok" | "none" | "multiple" | "syntax-error" | "dns-error" | "loop";
  /** Lookups of this record's own terms (include, a, mx, ptr, exists, redirect). */
  readonly lookups: number;
  /** Lookups of this record and everything it includes or redirects to. */
  readonly totalLookups: number;
  readonly voidLookups: number;
  readonly children: readonly SpfNode[];
}

/** The whole analysis of a domain's SPF record. */
export interface SpfAnalysis {
  /** Every `v=spf1` TXT record at the domain (more than one is an error). */
  readonly records: readonly string[];
  readonly tree: SpfNode;
  readonly lookups: number;
  readonly voidLookups: number;
  /** Addresses that top-level `a` and `mx` terms stand for, to flatten a record over the limit. */
  readonly addresses: Readonly<Record<string, readonly string[]>>;
  readonly problems: readonly Problem[];
  /** The failure of the first TXT query when DNS gave no answer to it, else null. */
  readonly unanswered: DnsFailure | null;
  /**
   * Include and redirect targets of the domain's own record behind which a `+all` passes every
   * IP, lower-cased.
   */
  readonly passAllTargets: readonly string[];
}

interface Walk {
  readonly dns: DnsContext;
  readonly problems: Problem[];
  readonly addresses: Record<string, string[]>;
  readonly stack: string[];
  readonly passAllTargets: string[];
  /** The `a` and `mx` terms whose names have no records, such as `a (example.com)`. */
  readonly voidTerms: string[];
  readonly budget: LookupBudget;
  /**
   * Records already walked, by lower-cased domain. A domain reached again is not resolved or
   * walked again, and its lookups are counted from the stored node.
   */
  readonly expanded: Map<string, SpfNode>;
}

/** The path from the domain's own record to a record that the walk visits. */
interface Reach {
  /** The include or redirect term of the domain's own record that leads here, or null. */
  readonly topTerm: { readonly text: string; readonly target: string } | null;
  /**
   * True when a pass of this record makes the domain pass, because every include on the way has
   * the `+` qualifier. A redirect returns its target's result unchanged (RFC 7208, section 6.1).
   */
  readonly passesOn: boolean;
}

const DOMAIN_REACH: Reach = { topTerm: null, passesOn: true };

const MAX_DEPTH = 12;

/** Fetches a domain's SPF record and everything it includes, counting lookups per branch. */
export async function analyseSpf(domain: string, dns: DnsContext): Promise<SpfAnalysis> {
  const walk: Walk = {
    dns,
    problems: [],
    addresses: {},
    stack: [],
    passAllTargets: [],
    voidTerms: [],
    budget: newLookupBudget(),
    expanded: new Map(),
  };
  const first = await dns.lookup(domain, "TXT");
  const records = first.ok ? first.records.map(joinTxt).filter(isSpfRecord) : [];
  const tree = await visit(domain, "record", DOMAIN_REACH, walk);
  checkLimits(tree, walk);
  return {
    records,
    tree,
    lookups: Math.min(tree.totalLookups, MAX_WALKED_LOOKUPS + 1),
    voidLookups: sumVoids(tree),
    addresses: walk.addresses,
    problems: walk.problems,
    unanswered: !first.ok && isUnanswered(first) ? first : null,
    passAllTargets: walk.passAllTargets,
  };
}

/**
 * Walks a record as if `domain` published it, with everything it includes, and returns the
 * problems found. It tests a corrected record before the check offers it.
 */
export async function analyseSpfRecord(
  domain: string,
  record: string,
  dns: DnsContext,
): Promise<readonly Problem[]> {
  const walk: Walk = {
    dns,
    problems: [],
    addresses: {},
    stack: [domain.toLowerCase()],
    passAllTargets: [],
    voidTerms: [],
    budget: newLookupBudget(),
    expanded: new Map(),
  };
  const tree = await visitRecords(domain, "record", [record], DOMAIN_REACH, walk);
  checkLimits(tree, walk);
  return walk.problems;
}

function sumVoids(node: SpfNode): number {
  return node.voidLookups + node.children.reduce((sum, child) => sum + sumVoids(child), 0);
}

function leaf(
  domain: string,
  via: SpfNode["via"],
  status: SpfNode["status"],
  record: string | null = null,
): SpfNode {
  return { domain, via, record, status, lookups: 0, totalLookups: 0, voidLookups: 0, children: [] };
}

async function visit(
  domain: string,
  via: SpfNode["via"],
  reach: Reach,
  walk: Walk,
): Promise<SpfNode> {
  const key = domain.toLowerCase();
  // The term being followed sits in the record of the domain walked last.
  const parent = walk.stack[walk.stack.length - 1] ?? domain;
  const term = `${via === "include" ? "include:" : "redirect="}${domain}`;
  if (walk.stack.includes(key) || walk.stack.length > MAX_DEPTH) {
    walk.problems.push(
      problem(
        "spf-loop",
        "error",
        `${[...walk.stack, key].join(" → ")} loops back, so receivers return permerror for any IP that no term before the loop matches.`,
        `Remove ${term} from the SPF record of ${parent}.`,
      ),
    );
    return leaf(domain, via, "loop");
  }
  const walked = walk.expanded.get(key);
  if (walked !== undefined) {
    spendLookups(walk.budget, walk.stack, term, walked.totalLookups);
    return { ...walked, via };
  }
  const node = await resolveAndVisit(domain, via, term, parent, reach, walk);
  walk.expanded.set(key, node);
  return node;
}

/** Fetches the SPF record of an include or redirect target and walks it. */
async function resolveAndVisit(
  domain: string,
  via: SpfNode["via"],
  term: string,
  parent: string,
  reach: Reach,
  walk: Walk,
): Promise<SpfNode> {
  const key = domain.toLowerCase();
  const answer = await walk.dns.lookup(domain, "TXT");
  if (!answer.ok && !isVoidFailure(answer.kind)) {
    walk.problems.push(uncheckedTarget(via === "record" ? null : term, parent, answer));
    return leaf(domain, via, "dns-error");
  }
  const records = answer.ok ? answer.records.map(joinTxt).filter(isSpfRecord) : [];
  if (records.length === 0) {
    if (via !== "record") {
      walk.problems.push(
        problem(
          "spf-include-none",
          "error",
          `${term} has no SPF record, so receivers return permerror for any IP that no term before it matches.`,
          `Remove ${term} from the SPF record of ${parent}, or ask the owner of ${domain} to publish SPF.`,
        ),
      );
    }
    return leaf(domain, via, "none");
  }

  walk.stack.push(key);
  const node = await visitRecords(domain, via, records, reach, walk);
  walk.stack.pop();
  return node;
}

/**
 * Builds the warning for a query of the SPF walk that got no usable answer (timeout, SERVFAIL,
 * REFUSED, a failed TCP retry, or a name outside the zone files). Such a failure says nothing
 * about the record, and a receiver whose DNS fails the same way returns temperror (RFC 7208,
 * section 4.4), so the term stays and the check is not a failure. `term` is null for the
 * domain's own record.
 */
function uncheckedTarget(term: string | null, parent: string, failure: DnsFailure): Problem {
  const subject =
    term === null ? `The SPF record of ${parent}` : `${term} in the SPF record of ${parent}`;
  const fix =
    failure.kind === "not-in-zone"
      ? null
      : `Run the check again. If the query keeps failing, ask the DNS host of ${failure.name} to fix its name servers.`;
  return problem(
    "spf-dns-error",
    "warning",
    `${subject} was not checked, because the ${failure.type} query for ${failure.name} failed: ${failure.detail}. ` +
      `A receiver whose DNS fails the same way returns temperror and defers the mail.`,
    fix,
  );
}

/** Walks the terms of a domain's SPF records; several records are walked together. */
async function visitRecords(
  domain: string,
  via: SpfNode["via"],
  records: readonly string[],
  reach: Reach,
  walk: Walk,
): Promise<SpfNode> {
  if (records.length > 1) {
    walk.problems.push(
      problem(
        "spf-multiple",
        "error",
        `${domain} publishes ${records.length} SPF records, so receivers return permerror.`,
        "Merge them into one record.",
      ),
    );
    // Walk the terms of all records anyway, so the merged record's cost and targets are known.
    const parsedAll = records.map(parseSpfRecord).flatMap((p) => (p.ok ? [p.record] : []));
    const directives = parsedAll.flatMap((record) => record.directives);
    const redirect = parsedAll.find((record) => record.redirect !== null)?.redirect ?? null;
    const merged = { text: records.join(" | "), directives, redirect };
    // Receivers return permerror here, so a `+all` among the merged terms passes nothing.
    const node = await visitTerms(domain, via, merged, { ...reach, passesOn: false }, walk);
    return { ...node, status: "multiple" };
  }

  const record = records[0] as string;
  const parsed = parseSpfRecord(record);
  if (!parsed.ok) {
    walk.problems.push(
      problem(
        "spf-syntax",
        "error",
        `The SPF record of ${domain} is invalid: ${parsed.error}.`,
        parsed.term === null ? null : `Correct or remove "${parsed.term}".`,
      ),
    );
    return leaf(domain, via, "syntax-error", record);
  }
  return visitTerms(domain, via, parsed.record, reach, walk);
}

/** The terms of one record, or of several records walked together. */
type RecordTerms = Pick<SpfRecord, "text" | "directives" | "redirect">;

async function visitTerms(
  domain: string,
  via: SpfNode["via"],
  terms: RecordTerms,
  reach: Reach,
  walk: Walk,
): Promise<SpfNode> {
  const { text: record, directives, redirect } = terms;
  if (reach.topTerm !== null && reach.passesOn) checkPassAll(domain, directives, reach, walk);
  let lookups = 0;
  let voidLookups = 0;
  const children: SpfNode[] = [];
  for (const directive of directives) {
    const mechanism = directive.mechanism;
    if (mechanism.kind === "all" || mechanism.kind === "ip4" || mechanism.kind === "ip6") continue;
    if (isSpent(walk.budget)) break;
    lookups++;
    if (!spendLookups(walk.budget, walk.stack, directive.text)) break;
    const target = mechanism.domain === null ? domain : literalDomain(mechanism.domain);
    if (target === null) continue;
    if (mechanism.kind === "include") {
      const inner = reachThrough(reach, directive.text, target, directive.qualifier === "+");
      children.push(await visit(target, "include", inner, walk));
    }
    if (mechanism.kind === "a" || mechanism.kind === "mx") {
      const found = await addressesBehind(mechanism.kind, target, walk);
      if (found.kind === "void") {
        voidLookups++;
        spendVoidLookup(walk.budget, walk.stack, directive.text);
        // A bare `a` or `mx` names no domain, so the name it points at is added.
        const named = mechanism.domain === null ? ` (${target})` : "";
        walk.voidTerms.push(`${directive.text}${named}`);
      } else if (found.kind === "unknown")
        walk.problems.push(uncheckedTarget(directive.text, domain, found.failure));
      else if (via === "record") walk.addresses[directive.text] = found.addresses;
    }
  }
  const followsRedirect = redirect !== null && !directives.some((d) => d.mechanism.kind === "all");
  if (followsRedirect && !isSpent(walk.budget)) {
    lookups++;
    const text = `redirect=${redirect.text}`;
    const target = literalDomain(redirect);
    const inner = reachThrough(reach, text, target ?? "", true);
    const spent = spendLookups(walk.budget, walk.stack, text);
    if (spent && target !== null) children.push(await visit(target, "redirect", inner, walk));
  }
  const totalLookups = lookups + children.reduce((sum, child) => sum + child.totalLookups, 0);
  return { domain, via, record, status: "ok", lookups, totalLookups, voidLookups, children };
}

/** Extends a reach by one include or redirect term that leads to `target`. */
function reachThrough(reach: Reach, text: string, target: string, passes: boolean): Reach {
  return {
    topTerm: reach.topTerm ?? { text, target: target.toLowerCase() },
    passesOn: reach.passesOn && passes,
  };
}

/**
 * Reports a `+all` in a record that the domain reaches through includes and redirects. It
 * passes every IP that no earlier term decides, and so the domain's record passes them too.
 */
function checkPassAll(
  domain: string,
  directives: readonly Directive[],
  reach: Reach,
  walk: Walk,
): void {
  const all = directives.find((directive) => directive.mechanism.kind === "all");
  if (all?.qualifier !== "+" || reach.topTerm === null) return;
  const owner = walk.stack[0] ?? domain;
  const between = walk.stack.slice(1, -1);
  const through = between.length === 0 ? "" : ` through ${between.join(" → ")}`;
  walk.problems.push(
    problem(
      "spf-pass-all",
      "error",
      `${owner} reaches "${all.text}" in the SPF record of ${domain}${through}, which lets every server on the internet send as ${owner}.`,
      `Remove ${reach.topTerm.text} from the SPF record of ${owner}, or ask the owner of ${domain} to end its record with "~all" or "-all".`,
    ),
  );
  if (!walk.passAllTargets.includes(reach.topTerm.target)) {
    walk.passAllTargets.push(reach.topTerm.target);
  }
}

/** Returns the domain of a domain-spec without macros, or null when it depends on the message. */
function literalDomain(spec: DomainSpec): string | null {
  return spec.parts.every((part) => part.kind === "literal") ? spec.text.replace(/\.$/, "") : null;
}

/**
 * The outcome of resolving an `a` or `mx` term: its addresses, a void lookup (NXDOMAIN or no
 * records, RFC 7208 section 4.6.4), or unknown after any other failure (timeout, SERVFAIL, a
 * name outside the zone files).
 */
type AddressesBehind =
  | { readonly kind: "addresses"; readonly addresses: string[] }
  | { readonly kind: "void" }
  | { readonly kind: "unknown"; readonly failure: DnsFailure };

/** Resolves the A and AAAA addresses behind an `a` or `mx` term. */
async function addressesBehind(
  kind: "a" | "mx",
  name: string,
  walk: Walk,
): Promise<AddressesBehind> {
  const hosts: string[] = [];
  if (kind === "mx") {
    const mx = await walk.dns.lookup(name, "MX");
    if (!mx.ok) return isVoidFailure(mx.kind) ? { kind: "void" } : { kind: "unknown", failure: mx };
    if (mx.records.length > 10) {
      walk.problems.push(
        problem(
          "spf-mx-limit",
          "error",
          `mx at ${name} names ${mx.records.length} hosts; more than 10 is a permerror.`,
          "Replace mx with ip4: and ip6: terms.",
        ),
      );
    }
    hosts.push(...mx.records.map((record) => record.exchange).filter((host) => host !== ""));
  } else hosts.push(name);
  const addresses: string[] = [];
  let failure: DnsFailure | null = null;
  for (const host of hosts.slice(0, 10)) {
    for (const type of ["A", "AAAA"] as const) {
      const answer = await walk.dns.lookup(host, type);
      if (answer.ok) addresses.push(...answer.records);
      else if (!isVoidFailure(answer.kind)) failure ??= answer;
    }
  }
  // Flattening the term into the addresses of a partly failed lookup would drop some of them.
  if (failure !== null) return { kind: "unknown", failure };
  if (kind === "a" && addresses.length === 0) return { kind: "void" };
  return { kind: "addresses", addresses };
}

/**
 * Counts the lookups that removing a branch saves: its own include or redirect term, which the
 * parent record counts, and everything below it.
 */
function branchLookups(child: SpfNode): number {
  return child.totalLookups + 1;
}

function formatLookups(count: number): string {
  return `${count} lookup${count === 1 ? "" : "s"}`;
}

/** Gives a lookup count, or "more than 100" for one that the walk stopped counting. */
function formatTotal(total: number): string {
  return total > MAX_WALKED_LOOKUPS ? `more than ${MAX_WALKED_LOOKUPS}` : String(total);
}

/** Names the term past the limit and the records that lead to it. */
function stopPlace(term: string, chain: readonly string[]): string {
  const owner = chain[chain.length - 1] ?? "";
  const through = chain.length > 1 ? ` (reached through ${chain.join(" → ")})` : "";
  return `The limit is passed at ${term} in the SPF record of ${owner}${through}`;
}

function checkLimits(tree: SpfNode, walk: Walk): void {
  const problems = walk.problems;
  const stop = walk.budget.lookupStop;
  if (stop !== null) {
    const heavy = [...tree.children]
      .sort((a, b) => branchLookups(b) - branchLookups(a))
      .slice(0, 3);
    const named = heavy
      .map((child) => `${child.domain} (${formatLookups(branchLookups(child))})`)
      .join(", ");
    problems.push(
      problem(
        "spf-lookup-limit",
        "error",
        `The SPF record of ${tree.domain} needs ${formatTotal(tree.totalLookups)} DNS lookups; more than ${MAX_LOOKUPS} is a permerror (RFC 7208, section 4.6.4). ` +
          `${stopPlace(stop.term, stop.chain)}, where receivers stop.` +
          (named === "" ? "" : ` The largest branches: ${named}.`),
        "Remove includes you no longer use, and replace a and mx terms with ip4: and ip6: ranges.",
      ),
    );
  }
  const voids = sumVoids(tree);
  const named = walk.voidTerms.join(", ");
  if (voids > 2) {
    problems.push(
      problem(
        "spf-void-limit",
        "error",
        `${voids} terms point at names with no records (${named}). More than 2 is a permerror (RFC 7208, section 4.6.4).`,
        "Remove terms whose names no longer exist.",
      ),
    );
  } else if (voids > 0) {
    problems.push(
      problem(
        "spf-void-lookup",
        "warning",
        voids === 1
          ? `The term ${named} points at a name with no records.`
          : `${voids} terms point at names with no records: ${named}.`,
        "Remove terms whose names no longer exist.",
      ),
    );
  }
}
