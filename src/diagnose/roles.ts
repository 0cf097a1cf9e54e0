import type { Category, FindingId } from "../knowledge/categories.js";
import { PROVIDER_OPERATORS, providerOfKey, type ProviderKey } from "../knowledge/providers.js";
import type { Finding, ProviderVerdict } from "./types.js";

/** Reply categories of receivers that judge the sender's reputation, directly or by content. */
const REPUTATION_CATEGORIES: readonly Category[] = [
  "reputation",
  "blocklist",
  "content",
  "rate-limit",
];

/**
 * Reply categories of block replies that each finding can explain. Abuse, volume and list
 * problems hurt the sender's reputation, so receivers reply to them with reputation,
 * blocklist, content or rate replies. A finding is linked to a block only through these, or
 * through its own evidence.
 */
const EXPLAINED_CATEGORIES: Readonly<Record<FindingId, readonly Category[]>> = {
  "high-volume": REPUTATION_CATEGORIES,
  "volume-spike": REPUTATION_CATEGORIES,
  "spam-traps": REPUTATION_CATEGORIES,
  "unknown-recipients": REPUTATION_CATEGORIES,
  "ip-blocklisted": ["blocklist", "reputation"],
  "spam-complaints": REPUTATION_CATEGORIES,
  "new-ip": REPUTATION_CATEGORIES,
  "ip-changed": REPUTATION_CATEGORIES,
  "reverse-dns": ["reverse-dns"],
  authentication: ["authentication"],
  "compromised-account": REPUTATION_CATEGORIES,
  "web-script": REPUTATION_CATEGORIES,
  forwarding: REPUTATION_CATEGORIES,
  "smtp-bypass": REPUTATION_CATEGORIES,
  "spam-content": ["content"],
  "rate-limited": ["rate-limit", "reputation"],
  "tls-required": ["tls"],
  healthy: [],
};

/** Roles of findings that take part in a block. Each of them contradicts a `healthy` finding. */
const BLOCK_ROLES: readonly Finding["role"][] = ["cause", "contributing", "consequence"];

/**
 * Findings about what receivers judge in the sender itself: its IP, reverse DNS, SPF, DKIM and
 * DMARC, TLS, content and sending rate. Each contradicts a `healthy` finding whatever its role,
 * because `healthy` states that no receiver rejects or throttles the server, and its fix is to
 * keep these records as they are.
 */
const SENDER_SIDE_FINDINGS: ReadonlySet<FindingId> = new Set<FindingId>([
  "reverse-dns",
  "authentication",
  "ip-blocklisted",
  "tls-required",
  "spam-content",
  "rate-limited",
]);

type Providers = Partial<Record<ProviderKey, ProviderVerdict>>;

/**
 * Time before a provider's first block reply in which a finding's activity can still have
 * caused the block, because receivers judge a sender by the mail of the hours before.
 * NOTE: 24 hours is an estimate. No receiver publishes how long its reputation lags.
 */
const LEAD_MS = 24 * 3_600_000;

/**
 * Evidence keys of the first and last time of each finding's dated activity. They date the
 * script's messages, the account's abusive submissions or failed logins, the burst hours, and
 * the first forward, whose null end means the end of the log. Findings not listed here are
 * states, such as a missing PTR record, and are linked to blocks whenever they occurred.
 */
const ACTIVITY_KEYS: Partial<Record<FindingId, ReadonlyArray<readonly [string, string | null]>>> = {
  "web-script": [["start", "end"]],
  "compromised-account": [
    ["abuseStart", "abuseEnd"],
    ["firstFailure", "lastFailure"],
  ],
  "volume-spike": [["start", "end"]],
  forwarding: [["first", null]],
};

/**
 * Sets each finding's role from what the providers did, and lowers a `critical` observation
 * to `warning` unless it is abuse (see `asObservation`). With no provider blocking or
 * rate-limiting, `other` included, and none that lifted a block in the log (`pastBlock`), every
 * finding but `healthy` becomes an `observation`, because there is no block for it to cause or
 * worsen. Otherwise a cause or contributing factor that is linked to none of the blocks becomes
 * an `observation` too, so that the report names as likely causes only findings that explain a
 * rejection or deferral in the log.
 *
 * Drops the `healthy` finding when another finding remains a cause, contributing factor or
 * consequence of a block, because a report cannot call the server healthy beside a cause.
 * `healthy` is added only when every named provider is ok, so only a block by other
 * receivers leads here. It is dropped as well beside a sender-side finding in any role, such
 * as a single small receiver that rejected the IP for a missing PTR record.
 */
export function assignRoles(findings: readonly Finding[], providers: Providers): Finding[] {
  const blocking = Object.entries(providers).filter(
    (entry): entry is [string, ProviderVerdict] =>
      entry[1] !== undefined && (entry[1].status !== "ok" || entry[1].pastBlock !== null),
  );
  const assigned = findings.map((finding) => {
    if (finding.role === "status") return finding;
    if (blocking.length === 0) return asObservation(finding);
    if (finding.role !== "cause" && finding.role !== "contributing") return finding;
    const linked = blocking.some(([id, verdict]) =>
      explainsBlock(finding, id as ProviderKey, verdict),
    );
    return linked ? finding : asObservation(finding);
  });

  const linkedToBlock = assigned.some((finding) => BLOCK_ROLES.includes(finding.role));
  const senderSide = assigned.some((finding) => SENDER_SIDE_FINDINGS.has(finding.id));
  return linkedToBlock || senderSide
    ? assigned.filter((finding) => finding.id !== "healthy")
    : assigned;
}

/**
 * Findings of abuse sent from this server. They stay `critical` as observations, because the
 * abuse needs stopping before any receiver blocks the server for it.
 */
const ABUSE_FINDINGS: ReadonlySet<FindingId> = new Set<FindingId>([
  "compromised-account",
  "web-script",
  "smtp-bypass",
]);

/**
 * Makes a finding an `observation` and lowers `critical` to `warning` unless the finding is
 * abuse, because an observation is linked to no block in the log.
 */
function asObservation(finding: Finding): Finding {
  const lowered = finding.severity === "critical" && !ABUSE_FINDINGS.has(finding.id);
  return { ...finding, role: "observation", severity: lowered ? "warning" : finding.severity };
}

/**
 * True when a finding explains the block of one provider: the provider's own replies are the
 * finding's evidence, the provider blocked the mail of the finding's account or program, or a
 * block reply of the provider has a category that the finding explains. Forwarding is linked
 * only to a provider that received forwarded mail, and to it whenever receivers rejected
 * forwarded mail.
 */
export function explainsBlock(
  finding: Finding,
  provider: ProviderKey,
  verdict: ProviderVerdict,
): boolean {
  const evidence = finding.evidence as {
    providers?: Partial<Record<ProviderKey, unknown>>;
    blockedAttempts?: number;
    blockedAttemptsByOperator?: Record<string, number>;
    recipientsByOperator?: Record<string, number>;
  };
  if (evidence.providers?.[provider] !== undefined) return true;
  if (!overlapsBlock(finding, verdict)) return false;

  // The origin's own rejected mail links it whatever the reply's category, so also through a
  // reply that the knowledge base does not know (category `unknown`).
  const operator = PROVIDER_OPERATORS[providerOfKey(provider)];
  if ((evidence.blockedAttemptsByOperator?.[operator] ?? 0) > 0) return true;

  if (finding.id === "forwarding") {
    if ((evidence.recipientsByOperator?.[operator] ?? 0) === 0) return false;
    if ((evidence.blockedAttempts ?? 0) > 0) return true;
  }
  const categories = EXPLAINED_CATEGORIES[finding.id];
  return verdict.reasons.some(
    (reason) => reason.blockSignal && categories.includes(reason.category),
  );
}

/**
 * True unless the finding's activity, as its evidence dates it, ended more than
 * {@link LEAD_MS} before the provider's first block reply or began after its last one. A block
 * that still goes on at the end of the log has no last reply. Findings without dates, and
 * providers without a block reply, always overlap.
 */
function overlapsBlock(finding: Finding, verdict: ProviderVerdict): boolean {
  const activity = activityOf(finding);
  const first = verdict.firstBlock === null ? NaN : Date.parse(verdict.firstBlock.time);
  if (activity === null || Number.isNaN(first)) return true;

  const last =
    verdict.ongoing || verdict.lastBlock === null ? Infinity : Date.parse(verdict.lastBlock.time);
  return activity.start <= last && activity.end >= first - LEAD_MS;
}

/** Returns the span of a finding's activity in ms since the epoch, or null when it has none. */
function activityOf(finding: Finding): { start: number; end: number } | null {
  const evidence = finding.evidence as Record<string, unknown>;
  for (const [startKey, endKey] of ACTIVITY_KEYS[finding.id] ?? []) {
    const start = timeOf(evidence[startKey]);
    if (start === null) continue;
    const end = endKey === null ? Infinity : (timeOf(evidence[endKey]) ?? Infinity);
    return { start, end };
  }
  return null;
}

function timeOf(value: unknown): number | null {
  if (typeof value !== "string") return null;
  const time = Date.parse(value);
  return Number.isNaN(time) ? null : time;
}
