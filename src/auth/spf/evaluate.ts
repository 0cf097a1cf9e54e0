import type { DnsContext } from "../../dns/context.js";
import { nameProblem, parseIp } from "../../dns/names.js";
import { isTemporaryFailure, joinTxt } from "../../dns/types.js";
import { expandMacros, parseMacroString } from "./macro.js";
import { countLookup, mechanismMatches, targetOf } from "./mechanisms.js";
import { isSpfRecord, parseSpfRecord, type Qualifier, type SpfRecord } from "./record.js";
import {
  DEFAULT_SPF_LIMITS,
  SpfAbort,
  type EvaluationState,
  type SpfLimits,
  type SpfRequest,
  type SpfResult,
} from "./state.js";
import { macroValues } from "./values.js";

/** The outcome of `check_host()` for one client, with the counts that led to it. */
export interface SpfEvaluation {
  readonly result: SpfResult;
  /** The identity checked: the MAIL FROM domain, or the HELO name for the null sender. */
  readonly domain: string;
  /** Why, in words: the matching term, or the error. */
  readonly reason: string;
  /** The `exp=` text for a fail result, when the domain publishes one. */
  readonly explanation: string | null;
  /**
   * True when the `all` term of the domain's record, or of its redirect target, decided the
   * result. An `all` inside an included record does not count.
   */
  readonly matchedAll: boolean;
  readonly lookups: number;
  readonly voidLookups: number;
}

const QUALIFIER_RESULTS: Record<Qualifier, SpfResult> = {
  "+": "pass",
  "-": "fail",
  "~": "softfail",
  "?": "neutral",
};

/**
 * Evaluates SPF for a client (RFC 7208, section 4): the MAIL FROM identity, or
 * `postmaster@` the HELO name when MAIL FROM is empty. Never rejects; DNS trouble becomes
 * temperror. Throws a TypeError only when `request.ip` is not an IP address.
 */
export async function evaluateSpf(
  request: SpfRequest,
  dns: DnsContext,
  limits: SpfLimits = DEFAULT_SPF_LIMITS,
): Promise<SpfEvaluation> {
  const ip = parseIp(request.ip);
  const [local, domain] = splitSender(request.sender, request.helo);
  const state: EvaluationState = {
    dns,
    limits,
    ip,
    request,
    senderLocal: local,
    senderDomain: domain,
    lookups: 0,
    voidLookups: 0,
    visited: [],
    chain: [],
  };
  const outcome = await topLevel(domain, state);
  return {
    ...outcome,
    domain,
    lookups: Math.min(state.lookups, limits.lookups + 1),
    voidLookups: state.voidLookups,
  };
}

/** Splits MAIL FROM into local part and domain; `postmaster` replaces a missing local part. */
function splitSender(sender: string, helo: string): [string, string] {
  if (sender === "") return ["postmaster", helo];
  const at = sender.lastIndexOf("@");
  if (at < 0) return ["postmaster", sender];
  return [at === 0 ? "postmaster" : sender.slice(0, at), sender.slice(at + 1)];
}

async function topLevel(
  domain: string,
  state: EvaluationState,
): Promise<{
  result: SpfResult;
  reason: string;
  explanation: string | null;
  matchedAll: boolean;
}> {
  const explained: { text: string | null } = { text: null };
  try {
    const { result, reason, matchedAll = false } = await checkHost(domain, state, explained);
    const explanation = result === "fail" ? explained.text : null;
    return { result, reason, explanation, matchedAll };
  } catch (error) {
    if (error instanceof SpfAbort)
      return { result: error.result, reason: error.message, explanation: null, matchedAll: false };
    throw error;
  }
}

interface HostOutcome {
  readonly result: SpfResult;
  readonly reason: string;
  /** True when the deciding term is `all`. */
  readonly matchedAll?: boolean;
}

/** `check_host()` of section 4; `explained` receives the exp= text of the deciding record. */
async function checkHost(
  domain: string,
  state: EvaluationState,
  explained: { text: string | null },
): Promise<HostOutcome> {
  if (!isValidDomain(domain))
    return { result: "none", reason: `"${domain}" is not a valid domain` };
  const key = domain.toLowerCase();
  if (state.chain.some((entered) => entered.toLowerCase() === key)) throw loopAbort(domain, state);
  const found = await fetchRecord(domain, state.dns);
  if ("result" in found) return found;
  state.visited.push(domain);
  state.chain.push(domain);
  try {
    return await checkRecord(domain, found.record, state, explained);
  } finally {
    state.chain.pop();
  }
}

/**
 * Builds the permerror for an include or redirect that leads back to a record still being
 * evaluated. The record repeats the same terms with the same inputs, and every round costs at
 * least one lookup, so receivers end in permerror at the lookup limit (RFC 7208, section
 * 4.6.4). Naming the loop instead of the limit shows the admin which record to change.
 */
function loopAbort(domain: string, state: EvaluationState): SpfAbort {
  const path = [...state.chain, domain].join(" → ");
  return new SpfAbort("permerror", `${path} loops back`);
}

/** Evaluates the terms of one parsed record, then its redirect (RFC 7208, sections 4.6 and 6.1). */
async function checkRecord(
  domain: string,
  record: SpfRecord,
  state: EvaluationState,
  explained: { text: string | null },
): Promise<HostOutcome> {
  for (const directive of record.directives) {
    const nested = (target: string, inner: EvaluationState): Promise<SpfResult> =>
      checkHost(target, inner, { text: null }).then((outcome) => outcome.result);
    if (await mechanismMatches(directive.mechanism, state, domain, nested)) {
      const result = QUALIFIER_RESULTS[directive.qualifier];
      if (result === "fail") explained.text = await explanation(record, state, domain);
      return {
        result,
        reason: `${domain} matched "${directive.text}"`,
        matchedAll: directive.mechanism.kind === "all",
      };
    }
  }
  const redirect = record.redirect;
  if (redirect !== null && !record.directives.some((d) => d.mechanism.kind === "all")) {
    countLookup(state, "redirect");
    const target = await targetOf(redirect, state, domain);
    const outcome = await checkHost(target, state, explained);
    if (outcome.result === "none") {
      throw new SpfAbort("permerror", `redirect=${target} has no SPF record`);
    }
    return outcome;
  }
  return { result: "neutral", reason: `no term of ${domain}'s record matched` };
}

/** True for a name check_host() may query: DNS limits kept, and at least two labels (4.3). */
function isValidDomain(domain: string): boolean {
  const bare = domain.replace(/\.$/, "");
  return nameProblem(bare) === null && bare.includes(".");
}

/** Fetches and parses the one SPF record of a domain (sections 4.4 and 4.5). */
async function fetchRecord(
  domain: string,
  dns: DnsContext,
): Promise<HostOutcome | { record: SpfRecord }> {
  const answer = await dns.lookup(domain, "TXT");
  if (!answer.ok) {
    if (isTemporaryFailure(answer.kind)) {
      throw new SpfAbort("temperror", `DNS failed for ${domain} TXT: ${answer.detail}`);
    }
    return { result: "none", reason: `${domain} has no TXT records (${answer.kind})` };
  }
  const records = answer.records.map(joinTxt).filter(isSpfRecord);
  if (records.length === 0) return { result: "none", reason: `${domain} publishes no SPF record` };
  if (records.length > 1) {
    throw new SpfAbort(
      "permerror",
      `${domain} publishes ${records.length} SPF records; only one is allowed`,
    );
  }
  const parsed = parseSpfRecord(records[0] as string);
  if (!parsed.ok) throw new SpfAbort("permerror", `${domain}: ${parsed.error}`);
  return { record: parsed.record };
}

/** Builds the exp= explanation (section 6.2); any problem leaves no explanation. */
async function explanation(
  record: SpfRecord,
  state: EvaluationState,
  domain: string,
): Promise<string | null> {
  if (record.exp === null) return null;
  const target = await targetOf(record.exp, state, domain);
  if (!isValidDomain(target)) return null;
  const answer = await state.dns.lookup(target, "TXT");
  if (!answer.ok || answer.records.length !== 1) return null;
  const parts = parseMacroString(joinTxt(answer.records[0] ?? []), true);
  if (typeof parts === "string") return null;
  return expandMacros(parts, macroValues(state, domain, state.dns.now));
}
