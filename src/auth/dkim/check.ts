import type { DnsContext } from "../../dns/context.js";
import { isVoidFailure, joinTxt } from "../../dns/types.js";
import {
  DNS_UNREACHABLE,
  notCheckedText,
  isUnanswered,
  problem,
  verdictOf,
  type CheckResult,
  type Problem,
} from "../types.js";
import { isDkimKeyRecord, parseDkimKey } from "./key.js";
import { shellQuote } from "../../diagnose/shell-quote.js";
import { namedList } from "../named-list.js";
import { COMMON_SELECTORS } from "./selectors.js";

/** The state of one selector's key. */
export type DkimStatus =
  | "valid"
  | "weak"
  | "too-short"
  | "no-sha256"
  | "testing"
  | "revoked"
  | "invalid"
  | "missing"
  | "dns-error"
  | "not-checked";

/** One selector of a domain and the state of its key record. */
export interface DkimSelectorResult {
  readonly selector: string;
  readonly domain: string;
  readonly name: string;
  /** Source of the selector: given, found in a log or message, or the common list. */
  readonly source: "given" | "found" | "common";
  readonly status: DkimStatus;
  readonly keyType: string | null;
  readonly bits: number | null;
  readonly testing: boolean;
  readonly record: string | null;
  readonly detail: string;
}

export type DkimCheck = CheckResult<{
  readonly domain: string;
  readonly selectors: readonly DkimSelectorResult[];
}>;

/** A selector to check and where it came from. */
export interface SelectorSource {
  readonly selector: string;
  readonly source: "given" | "found";
}

/**
 * Checks the DKIM keys of a domain: the selectors given or found in logs and messages, or,
 * when there are none, the common selectors (reporting only those that exist).
 * Keys under 1024 bits fail and 1024-bit keys warn, because Gmail requires at least 1024.
 */
export async function checkDkim(
  domain: string,
  selectors: readonly SelectorSource[],
  dns: DnsContext,
): Promise<DkimCheck> {
  const guessing = selectors.length === 0;
  const sources: { selector: string; source: DkimSelectorResult["source"] }[] = guessing
    ? COMMON_SELECTORS.map((selector) => ({ selector, source: "common" }))
    : [...selectors];
  const checked = await Promise.all(
    sources.map((s) => checkSelector(domain, s.selector, s.source, dns)),
  );
  const results = guessing
    ? checked.filter((r) => r.status !== "missing" && r.status !== "not-checked")
    : checked;
  const evidence = { domain, selectors: results };
  if (checked.every((r) => r.status === "not-checked")) {
    return {
      verdict: "not-checked",
      explanation: checked[0]?.detail ?? DNS_UNREACHABLE,
      evidence: { domain, selectors: guessing ? [] : checked },
      problems: [],
    };
  }
  const problems = results.flatMap((r) => selectorProblems(r));
  if (results.length === 0) problems.push(notFoundProblem(domain, checked));
  const usable = usableKeys(results);
  if (usable.length === 0 && results.length > 0 && verdictOf(problems) === "pass")
    problems.push(noUsableKeyProblem(domain, results));
  return {
    verdict: verdictOf(problems),
    explanation:
      usable.length > 0
        ? `${domain} publishes ${usable.length} usable DKIM key${usable.length === 1 ? "" : "s"} (${namedList(usable.map((r) => r.selector))}).`
        : `${domain} has no usable DKIM key among the selectors checked: ${namedList(checked.map((r) => r.selector))}.`,
    evidence,
    problems,
  };
}

/**
 * Returns the selectors whose key verifies signatures without a caveat that receivers act
 * on: `valid` and `weak` (1024-bit). Revoked, invalid, too short and `t=y` keys do not count.
 */
export function usableKeys(selectors: readonly DkimSelectorResult[]): DkimSelectorResult[] {
  return selectors.filter((s) => s.status === "valid" || s.status === "weak");
}

/**
 * Builds the warning for a domain with no key under the common selectors. It counts only the
 * selectors DNS answered for, and names those that got no answer, because a key may exist there.
 */
function notFoundProblem(domain: string, checked: readonly DkimSelectorResult[]): Problem {
  const unanswered = checked.filter((r) => r.status === "not-checked").map((r) => r.selector);
  const answered = checked.length - unanswered.length;
  const fix = selectorFix(domain);
  if (unanswered.length === 0) {
    return problem(
      "dkim-not-found",
      "warning",
      `No DKIM key found for ${domain} under ${answered} common selectors; DKIM is unverified, not necessarily absent.`,
      fix,
    );
  }
  return problem(
    "dkim-not-found",
    "warning",
    `No DKIM key found for ${domain} under ${answered} of ${checked.length} common selectors, and ${unanswered.length} got no DNS answer (${unanswered.join(", ")}); DKIM is unverified, not necessarily absent.`,
    `Run the check again. ${fix}`,
  );
}

/**
 * Builds the warning that keeps a domain without a usable key from passing when no selector's
 * own problem lowers the verdict (revoked keys under common selectors are only `info`).
 * Without a usable key DKIM fails for every message, so DMARC rests on SPF and breaks on
 * forwarding.
 */
function noUsableKeyProblem(domain: string, results: readonly DkimSelectorResult[]): Problem {
  const found = namedList(results.map((r) => `${r.selector} (${r.status})`));
  return problem(
    "dkim-no-usable-key",
    "warning",
    `${domain} has no usable DKIM key among ${found}, so mail signed with these selectors fails DKIM.`,
    `Publish the public key of the selector your signer uses. If it is not a common one, check it with ${selectorCommand(domain)}.`,
  );
}

/**
 * Builds the fix that checks the signer's selector or a signed message. It names the `delist check`
 * command in full, because `delist diagnose` reports this problem too and has neither option.
 */
function selectorFix(domain: string): string {
  const message = `\`delist check ${shellQuote(domain)} --message FILE\``;
  return `Check the selector your signer uses with ${selectorCommand(domain)}, or a message it signed with ${message}.`;
}

function selectorCommand(domain: string): string {
  return `\`delist check ${shellQuote(domain)} --selector NAME\``;
}

async function checkSelector(
  domain: string,
  selector: string,
  source: DkimSelectorResult["source"],
  dns: DnsContext,
): Promise<DkimSelectorResult> {
  const name = `${selector}._domainkey.${domain}`;
  const base = {
    selector,
    domain,
    name,
    source,
    keyType: null,
    bits: null,
    testing: false,
    record: null,
  };
  const answer = await dns.lookup(name, "TXT");
  if (!answer.ok) {
    if (isUnanswered(answer))
      return { ...base, status: "not-checked", detail: notCheckedText(answer) };
    if (isVoidFailure(answer.kind))
      return { ...base, status: "missing", detail: `${name} has no TXT record` };
    return { ...base, status: "dns-error", detail: answer.detail };
  }
  const records = answer.records.map(joinTxt).filter(isDkimKeyRecord);
  if (records.length === 0)
    return { ...base, status: "missing", detail: `${name} has no DKIM key record` };
  if (records.length > 1)
    return {
      ...base,
      status: "invalid",
      record: records.join(" | "),
      detail: `${name} has ${records.length} key records`,
    };
  const record = records[0] as string;
  const key = parseDkimKey(record);
  const known = { ...base, keyType: key.keyType, bits: key.bits, testing: key.testing, record };
  if (key.revoked)
    return { ...known, status: "revoked", detail: "p= is empty: the key is revoked" };
  if (key.error !== null) return { ...known, status: "invalid", detail: key.error };
  if (key.hashAlgorithms !== null && !key.hashAlgorithms.includes("sha256")) {
    // h= lists the hashes this key may verify (RFC 6376, section 3.6.1). RFC 8301 forbids
    // rsa-sha1, and the other algorithms (rsa-sha256, ed25519-sha256) hash with SHA-256.
    return {
      ...known,
      status: "no-sha256",
      detail: `h=${key.hashAlgorithms.join(":")} does not include sha256`,
    };
  }
  if (key.keyType === "rsa" && key.bits !== null && key.bits < 1024)
    return { ...known, status: "too-short", detail: `${key.bits}-bit RSA key` };
  if (key.testing) return { ...known, status: "testing", detail: "t=y: DKIM is in test mode" };
  if (key.keyType === "rsa" && key.bits === 1024)
    return { ...known, status: "weak", detail: "1024-bit RSA key" };
  return {
    ...known,
    status: "valid",
    detail: `${key.bits ?? "?"}-bit ${key.keyType.toUpperCase()} key`,
  };
}

function selectorProblems(result: DkimSelectorResult): Problem[] {
  const where = `${result.selector}._domainkey.${result.domain}`;
  switch (result.status) {
    case "too-short":
      return [
        problem(
          "dkim-key-too-short",
          "error",
          `${where} has a ${result.bits ?? "?"}-bit key; Gmail requires at least 1024 bits.`,
          "Generate a 2048-bit key, publish it under a new selector and switch the signer to it.",
        ),
      ];
    case "weak":
      return [
        problem(
          "dkim-key-1024",
          "warning",
          `${where} has a 1024-bit key, the minimum Gmail accepts.`,
          "Move to a 2048-bit key under a new selector.",
        ),
      ];
    case "no-sha256":
      return [
        problem(
          "dkim-no-sha256",
          "error",
          `${where} cannot verify rsa-sha256 or ed25519-sha256 signatures (${result.detail}), and receivers reject rsa-sha1 (RFC 8301), so no signature passes with this key.`,
          "Remove h= from the key record, or set h=sha256, and sign with rsa-sha256.",
        ),
      ];
    case "testing":
      return [
        problem(
          "dkim-testing",
          "warning",
          `${where} has t=y, so receivers may treat signed mail as unsigned.`,
          "Remove t=y from the key record.",
        ),
      ];
    case "revoked":
      return [
        problem(
          "dkim-revoked",
          result.source === "common" ? "info" : "error",
          `${where} is revoked (empty p=).`,
          result.source === "common" ? null : "Sign with a selector whose key is published.",
        ),
      ];
    case "invalid":
      return [
        problem(
          "dkim-invalid",
          "error",
          `${where} is not a valid key record: ${result.detail}.`,
          "Publish the key record exactly as the signer printed it.",
        ),
      ];
    case "missing":
      return [
        problem(
          "dkim-missing",
          "error",
          `${where} does not exist, so signatures with this selector fail.`,
          "Publish the public key of this selector.",
        ),
      ];
    case "dns-error":
      return [
        problem(
          "dkim-dns-error",
          "error",
          `The query for ${where} failed: ${result.detail}.`,
          "Make every name server of the zone answer.",
        ),
      ];
    default:
      return result.keyType === "ed25519"
        ? [
            problem(
              "dkim-ed25519-only",
              "info",
              `${where} is an Ed25519 key; sign with an RSA key too, since not every receiver verifies Ed25519.`,
              null,
            ),
          ]
        : [];
  }
}
