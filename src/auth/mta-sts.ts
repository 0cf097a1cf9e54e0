import type { DnsContext } from "../dns/context.js";
import { HostLookupError } from "../dns/host-lookup.js";
import type { HttpsFetcher, HttpsResponse } from "./https.js";
import { findTxtRecord } from "./txt-record.js";
import {
  notChecked,
  notCheckedText,
  dnsProblem,
  isUnanswered,
  problem,
  verdictOf,
  type CheckResult,
  type Problem,
} from "./types.js";

/** A parsed MTA-STS policy file (RFC 8461, section 3.2). */
export interface MtaStsPolicy {
  readonly version: string | null;
  readonly mode: "enforce" | "testing" | "none" | null;
  readonly mx: readonly string[];
  readonly maxAgeSeconds: number | null;
}

export interface MtaStsEvidence {
  readonly domain: string;
  readonly record: string | null;
  readonly policyUrl: string;
  readonly policy: MtaStsPolicy | null;
  /** MX hosts no `mx:` pattern of the policy matches. */
  readonly unmatchedMx: readonly string[];
}

export type MtaStsCheck = CheckResult<MtaStsEvidence>;

const MAX_AGE_LIMIT = 31557600;

/**
 * Checks the MTA-STS TXT record and, through `fetcher`, the policy file; null skips the fetch
 * (`--offline`). MTA-STS is optional, so a domain without it passes with a note.
 */
export async function checkMtaSts(
  domain: string,
  mxHosts: readonly string[],
  dns: DnsContext,
  fetcher: HttpsFetcher | null,
): Promise<MtaStsCheck> {
  const policyUrl = `https://mta-sts.${domain}/.well-known/mta-sts.txt`;
  const evidence: MtaStsEvidence = {
    domain,
    record: null,
    policyUrl,
    policy: null,
    unmatchedMx: [],
  };
  const found = await findTxtRecord(dns, `_mta-sts.${domain}`, (text) =>
    /^v=STSv1\s*(;|$)/i.test(text),
  );

  if (found.kind === "unanswered") {
    return notChecked(evidence, notCheckedText(found.failure));
  }
  if (found.kind === "error")
    return finish(evidence, [dnsProblem("mta-sts-dns-error", found.failure)]);
  if (found.kind === "none") {
    return finish(evidence, [
      problem(
        "mta-sts-none",
        "info",
        `${domain} publishes no MTA-STS policy (optional; it makes senders require TLS to your MX).`,
      ),
    ]);
  }
  if (found.kind === "multiple") {
    return finish(evidence, [
      problem(
        "mta-sts-multiple",
        "error",
        `_mta-sts.${domain} has ${found.records.length} STSv1 records, so senders ignore MTA-STS.`,
        "Keep one record.",
      ),
    ]);
  }

  const record = found.record;
  const problems: Problem[] = [];
  if (!/(^|;)\s*id=[A-Za-z0-9]{1,32}\s*(;|$)/.test(record)) {
    problems.push(
      problem(
        "mta-sts-id",
        "error",
        `The MTA-STS record "${record}" has no valid id= (1 to 32 letters and digits).`,
        "Add id=YYYYMMDDnn and change it whenever the policy changes.",
      ),
    );
  }
  if (fetcher === null) {
    return finish(
      { ...evidence, record },
      problems,
      "The policy file was not fetched, because the run is offline.",
    );
  }
  const withRecord = { ...evidence, record };
  const fetched = await fetchPolicy(withRecord.policyUrl, fetcher);
  // DNS that gave no usable answer for the policy host (timeout, SERVFAIL, REFUSED) shows
  // nothing about the policy, so the check is not done. A host that does not exist fails.
  if (fetched instanceof HostLookupError && isUnanswered(fetched.failure)) {
    const reason = `the policy host ${fetched.hostname} did not resolve (${fetched.failure.detail})`;
    // An invalid id= fails the check whatever the policy file contains.
    if (problems.length > 0)
      return finish(withRecord, problems, `The policy file was not checked, because ${reason}.`);
    return notChecked(withRecord, `not checked: ${reason}`);
  }
  return finish(withPolicy(withRecord, mxHosts, fetched, problems), problems);
}

/** Fetches the policy file, and returns the error in place of the response when it fails. */
async function fetchPolicy(url: string, fetcher: HttpsFetcher): Promise<HttpsResponse | Error> {
  try {
    return await fetcher(url);
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}

function withPolicy(
  evidence: MtaStsEvidence,
  mxHosts: readonly string[],
  response: HttpsResponse | Error,
  problems: Problem[],
): MtaStsEvidence {
  if (response instanceof Error) {
    problems.push(
      problem(
        "mta-sts-fetch",
        "error",
        `Fetching ${evidence.policyUrl} failed: ${response.message}.`,
        `Serve the policy over HTTPS with a valid certificate for mta-sts.${evidence.domain}.`,
      ),
    );
    return evidence;
  }
  if (response.status !== 200) {
    problems.push(
      problem(
        "mta-sts-fetch",
        "error",
        `${evidence.policyUrl} answered HTTP ${response.status}.`,
        "Serve the policy file with status 200 and no redirect.",
      ),
    );
    return evidence;
  }
  if (!(response.contentType ?? "").toLowerCase().startsWith("text/plain")) {
    problems.push(
      problem(
        "mta-sts-content-type",
        "warning",
        `${evidence.policyUrl} is served as ${response.contentType ?? "no type"}, not text/plain.`,
        "Serve it as text/plain.",
      ),
    );
  }
  const policy = parseMtaStsPolicy(response.body);
  problems.push(...policyProblems(policy));
  const unmatchedMx =
    policy.mode === "none"
      ? []
      : mxHosts.filter((host) => !policy.mx.some((pattern) => mxMatches(pattern, host)));
  for (const host of unmatchedMx) {
    problems.push(
      problem(
        "mta-sts-mx-mismatch",
        policy.mode === "enforce" ? "error" : "warning",
        `The MX host ${host} matches no mx: line of the MTA-STS policy, so senders that enforce it cannot deliver there.`,
        `Add "mx: ${host}" to the policy and change the id= of the TXT record.`,
      ),
    );
  }
  return { ...evidence, policy, unmatchedMx };
}

/** Parses the `key: value` lines of a policy file; unknown keys are ignored (RFC 8461, 3.2). */
export function parseMtaStsPolicy(text: string): MtaStsPolicy {
  let version: string | null = null;
  let mode: MtaStsPolicy["mode"] = null;
  let maxAgeSeconds: number | null = null;
  const mx: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*([a-z_]+)\s*:\s*(.*?)\s*$/i.exec(line);
    if (match === null) continue;
    const [, key = "", value = ""] = match;
    if (key === "version") version = value;
    else if (key === "mode" && (value === "enforce" || value === "testing" || value === "none"))
      mode = value;
    else if (key === "max_age" && /^\d{1,10}$/.test(value)) maxAgeSeconds = Number(value);
    else if (key === "mx") mx.push(value.toLowerCase());
  }
  return { version, mode, mx, maxAgeSeconds };
}

function policyProblems(policy: MtaStsPolicy): Problem[] {
  const problems: Problem[] = [];
  if (policy.version !== "STSv1")
    problems.push(
      problem(
        "mta-sts-policy",
        "error",
        'The policy file lacks "version: STSv1".',
        'Start the file with "version: STSv1".',
      ),
    );
  if (policy.mode === null)
    problems.push(
      problem(
        "mta-sts-policy",
        "error",
        "The policy file has no valid mode (enforce, testing or none).",
        'Add "mode: testing" or "mode: enforce".',
      ),
    );
  if (policy.maxAgeSeconds === null || policy.maxAgeSeconds > MAX_AGE_LIMIT)
    problems.push(
      problem(
        "mta-sts-policy",
        "error",
        `The policy file needs max_age from 0 to ${MAX_AGE_LIMIT} seconds.`,
        'Add "max_age: 604800".',
      ),
    );
  if (policy.mode !== "none" && policy.mx.length === 0)
    problems.push(
      problem(
        "mta-sts-policy",
        "error",
        "The policy file lists no mx: host.",
        'Add one "mx:" line per MX host.',
      ),
    );
  if (policy.mode === "testing")
    problems.push(
      problem(
        "mta-sts-testing",
        "info",
        "MTA-STS is in testing mode: senders report TLS failures but still deliver.",
        null,
      ),
    );
  return problems;
}

/** `mx.example.com` matches itself; `*.example.com` matches exactly one extra label. */
export function mxMatches(pattern: string, host: string): boolean {
  const name = host.toLowerCase().replace(/\.$/, "");
  const wanted = pattern.toLowerCase().replace(/\.$/, "");
  if (!wanted.startsWith("*.")) return name === wanted;
  const dot = name.indexOf(".");
  return dot > 0 && name.slice(dot + 1) === wanted.slice(2);
}

function finish(evidence: MtaStsEvidence, problems: Problem[], note?: string): MtaStsCheck {
  const mode = evidence.policy?.mode;
  const base =
    evidence.record === null
      ? `${evidence.domain} publishes no MTA-STS policy.`
      : mode === undefined || mode === null
        ? `${evidence.domain} publishes an MTA-STS record.`
        : `${evidence.domain} publishes an MTA-STS policy in ${mode} mode.`;
  return {
    verdict: verdictOf(problems),
    explanation: note === undefined ? base : `${base} ${note}`,
    evidence,
    problems,
  };
}
