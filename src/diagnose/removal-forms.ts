import { ruleById } from "../knowledge/rules/index.js";
import { canonicalIp } from "../store/types.js";
import { REFERENCES } from "./findings/build.js";
import type {
  LastRemovalRequest,
  ProviderVerdict,
  Readiness,
  ReadinessReport,
  RecordedRemovalRequest,
  RemovalForm,
  RemovalTarget,
} from "./types.js";

/** The providers that have a removal or sender-support form. */
export const REMOVAL_PROVIDERS = [
  "gmail",
  "google-workspace",
  "outlook",
  "exchange-online",
  "yahoo",
] as const;

export type RemovalProvider = (typeof REMOVAL_PROVIDERS)[number];

/**
 * The minimum time between two removal requests through one form for one IP: 14 days. Gmail's
 * sender form should be sent at most once every two weeks. A repeated request does not speed
 * up a review at the other providers either, so the same wait applies to all of them.
 * Providers that share a form share the wait (see `sharesRemovalForm`).
 */
export const REMOVAL_WAIT_MS = 14 * 24 * 60 * 60 * 1000;

/** A provider's removal form and the rule for using it. */
export interface RemovalFormRule {
  readonly url: string;
  readonly rule: string;
}

/** The removal form of each provider that has one, for the report and `delist removal`. */
export const REMOVAL_FORMS: Readonly<Record<RemovalProvider, RemovalFormRule>> = {
  gmail: {
    url: REFERENCES.gmailSenderForm,
    rule: "Gmail usually lifts a block by itself within 3 to 5 days once the cause has stopped. Send the form at most once every two weeks.",
  },
  "google-workspace": {
    url: REFERENCES.gmailSenderForm,
    rule: "Google usually lifts a block by itself within 3 to 5 days once the cause has stopped. Send the form at most once every two weeks.",
  },
  outlook: {
    url: REFERENCES.outlookSupportForm,
    rule: "Open one request per IP with the exact reply text; Microsoft answers by e-mail.",
  },
  "exchange-online": {
    url: REFERENCES.exchangeDelist,
    rule: "The self-service delisting portal confirms by e-mail; delisting takes effect within about a day.",
  },
  // `delist diagnose` and `delist removal` pick the deferral or the permanent-block rule when
  // they know the kind of block (see `removalFormRuleOf`, `removalFormRuleForBlock`). This
  // rule covers both for a request whose block is unknown.
  yahoo: {
    url: REFERENCES.yahooSupportForm,
    rule: "Yahoo's deferrals (4xx replies such as TSS04) usually end by themselves once volume and complaints drop, so use the form if they last more than a few days. Its permanent blocks (5xx replies such as TSS09) do not end by themselves, so send the form once the cause is fixed, with the exact reply text.",
  },
};

/** The rule of Yahoo's form for deferrals such as TSS04, which usually end by themselves. */
export const YAHOO_DEFERRAL_RULE =
  "Yahoo's deferrals usually end by themselves once volume and complaints drop; use the form if they last more than a few days.";

/**
 * The rule of Yahoo's form when a block reply of Yahoo is permanent, such as TSS06, TSS09 and
 * TSS11, whose text states "Retrying will NOT succeed". Such a block does not end by itself as
 * the TSS04 deferrals of `YAHOO_DEFERRAL_RULE` do.
 */
export const YAHOO_PERMANENT_BLOCK_RULE =
  "Yahoo's permanent blocks do not end by themselves, so send the form once the cause is fixed, with the exact reply text.";

/**
 * Returns the rule text of the removal form of `provider` for the block replies of `verdict`.
 * Yahoo's rule depends on the kind of reply: a permanent block gets its own text.
 */
export function removalFormRuleOf(
  provider: RemovalProvider,
  verdict: Pick<ProviderVerdict, "reasons">,
): string {
  const permanent = verdict.reasons.some((reason) => reason.blockSignal && reason.permanent);
  return removalFormRuleForBlock(provider, permanent ? "blocked" : "rate-limited");
}

/**
 * Returns the rule text of the removal form of `provider` for a block whose kind is `block`:
 * `blocked` for permanent replies, `rate-limited` for deferrals, as the history stores a
 * block's state, or null when the kind is unknown. Only Yahoo's rule depends on it.
 */
export function removalFormRuleForBlock(provider: RemovalProvider, block: string | null): string {
  if (provider !== "yahoo") return REMOVAL_FORMS[provider].rule;
  if (block === "blocked") return YAHOO_PERMANENT_BLOCK_RULE;
  if (block === "rate-limited") return YAHOO_DEFERRAL_RULE;
  return REMOVAL_FORMS.yahoo.rule;
}

/**
 * Returns false when every block reply of a provider comes from a rule that no removal request
 * can lift (`removal: false`), such as Gmail's rejection of mail sent directly from a dynamic
 * range. The report then offers no removal form for the provider, because the fix is a relay
 * or another IP.
 */
export function removalApplies(verdict: Pick<ProviderVerdict, "reasons">): boolean {
  const blockReasons = verdict.reasons.filter((reason) => reason.blockSignal);
  if (blockReasons.length === 0) return true;
  return blockReasons.some((reason) => ruleById(reason.ruleId)?.removal !== false);
}

/** Returns true when the provider has a removal form. */
export function hasRemovalForm(provider: string): provider is RemovalProvider {
  return (REMOVAL_PROVIDERS as readonly string[]).includes(provider);
}

/**
 * Returns true when requests for `provider` and `other` go through the same removal form, which
 * is the case for `gmail` and `google-workspace`. A provider without a form matches only itself.
 */
export function sharesRemovalForm(provider: string, other: string): boolean {
  if (provider === other) return true;
  if (!hasRemovalForm(provider) || !hasRemovalForm(other)) return false;
  return REMOVAL_FORMS[provider].url === REMOVAL_FORMS[other].url;
}

/**
 * Returns the newest of `requests` that went through the removal form of `provider` for one of
 * `ips`, or null when there is none. IPs match in any spelling of the same address. `delist
 * diagnose`, `delist removal` and the monitor all match requests to forms here, so that
 * providers sharing a form share one 14-day wait.
 */
export function newestFormRequest<T extends RecordedRemovalRequest>(
  requests: readonly T[],
  provider: string,
  ips: readonly string[],
): T | null {
  let newest: T | null = null;
  for (const request of formRequests(requests, provider, ips)) {
    if (newest === null || request.requestedAt > newest.requestedAt) newest = request;
  }
  return newest;
}

/** Returns the `requests` that went through the removal form of `provider` for one of `ips`. */
export function formRequests<T extends RecordedRemovalRequest>(
  requests: readonly T[],
  provider: string,
  ips: readonly string[],
): T[] {
  const targetIps = new Set(ips.map(canonicalIp));
  return requests.filter(
    (request) =>
      sharesRemovalForm(request.provider, provider) && targetIps.has(canonicalIp(request.ip)),
  );
}

/**
 * Placeholder for the IP of a removal command when neither the log nor `--ip` gives it.
 * `delist removal request` rejects it, so a command pasted unchanged records nothing.
 */
export const UNKNOWN_IP_PLACEHOLDER = "YOUR.SENDING.IP";

/** The facts that decide which IPs each removal form is for. */
export interface RemovalTargetInput {
  /**
   * The IPs that receivers' replies named as the sender's, most named first, each with the
   * providers whose replies named it.
   */
  readonly judgedIps: ReadonlyArray<readonly [ip: string, providers: ReadonlySet<string>]>;
  /** The IPs given with `--ip`, or none. */
  readonly givenIps: readonly string[];
  readonly requests: readonly RecordedRemovalRequest[];
  /** The current time in epoch ms, to tell whether the two weeks since a request are over. */
  readonly now: number;
  /** Formats an epoch-ms time as the report's timestamps. */
  readonly time: (epochMs: number) => string;
}

/**
 * Adds to each removal form the IPs to ask it about and the newest request recorded for each,
 * matched by form and IP. The form's `lastRequest` becomes the newest of those requests, so
 * that a request recorded for another IP of the server does not count for this form.
 * `withTargetSummary` then builds the readiness summary again from these requests.
 */
export function withRemovalTargets(
  readiness: Readiness,
  input: RemovalTargetInput,
): ReadinessReport {
  const removalForms = readiness.removalForms.map((form) => {
    const targets = removalTargets(form, input);
    const ips = targets.flatMap((target) => (target.ip === null ? [] : [target.ip]));
    return { ...form, lastRequest: lastRequestFor(form.provider, ips, input), targets };
  });
  return { ...readiness, removalForms };
}

/**
 * Chooses the IPs to name on one form. They are the IPs that the replies of the form's
 * providers named, narrowed to those given with `--ip` when any of them is among them. When
 * those replies named no IP, the choice falls to the `--ip` values, else to the one IP that
 * other receivers named, else to a target with no IP.
 */
export function removalTargets(form: RemovalForm, input: RemovalTargetInput): RemovalTarget[] {
  const judged = judgedIpsOfForm(form.url, input.judgedIps);
  const optionIps = input.givenIps.map(canonicalIp);
  let chosen: Array<Pick<RemovalTarget, "ip" | "source">>;
  if (judged.length > 0) {
    const narrowed = judged.filter((ip) => optionIps.includes(canonicalIp(ip)));
    chosen = (narrowed.length > 0 ? narrowed : judged).map((ip) => ({ ip, source: "judged" }));
  } else if (optionIps.length > 0) {
    chosen = [...new Set(optionIps)].map((ip) => ({ ip, source: "given" }));
  } else if (input.judgedIps.length === 1) {
    chosen = input.judgedIps.map(([ip]) => ({ ip, source: "only-sending-ip" }));
  } else {
    chosen = [{ ip: null, source: "unknown" }];
  }
  return chosen.map((target) => ({
    ...target,
    lastRequest: target.ip === null ? null : lastRequestFor(form.provider, [target.ip], input),
  }));
}

/**
 * Returns the IPs named by the replies of the providers that use the form at `url`, each
 * address once in the spelling first seen.
 */
function judgedIpsOfForm(url: string, judgedIps: RemovalTargetInput["judgedIps"]): string[] {
  const providers = REMOVAL_PROVIDERS.filter((provider) => REMOVAL_FORMS[provider].url === url);
  const ips = new Map<string, string>();
  for (const [ip, namedBy] of judgedIps) {
    if (!providers.some((provider) => namedBy.has(provider))) continue;
    if (!ips.has(canonicalIp(ip))) ips.set(canonicalIp(ip), ip);
  }
  return [...ips.values()];
}

/** Finds the newest request recorded through the form of `provider` for one of `ips`. */
function lastRequestFor(
  provider: string,
  ips: readonly string[],
  input: RemovalTargetInput,
): LastRemovalRequest | null {
  const newest = newestFormRequest(input.requests, provider, ips);
  if (newest === null) return null;
  const nextAllowed = newest.requestedAt + REMOVAL_WAIT_MS;
  return {
    provider: newest.provider,
    ip: newest.ip,
    at: input.time(newest.requestedAt),
    nextAllowedAt: input.time(nextAllowed),
    nextAllowedNow: input.now >= nextAllowed,
  };
}
