import {
  formRequests,
  newestFormRequest,
  REMOVAL_FORMS,
  REMOVAL_PROVIDERS,
  REMOVAL_WAIT_MS,
  removalFormRuleForBlock,
  sharesRemovalForm,
  type RemovalProvider,
} from "../diagnose/removal-forms.js";
import type { ReplyRule } from "../knowledge/rule.js";
import { ruleById } from "../knowledge/rules/index.js";
import type { HistoryStore } from "../store/history.js";
import { incidentReport, type IncidentReport } from "../store/report.js";
import { blockKey, type Incident, type RemovalRequest } from "../store/types.js";

export {
  REMOVAL_PROVIDERS,
  REMOVAL_WAIT_MS,
  type RemovalProvider,
} from "../diagnose/removal-forms.js";

const DAY_MS = 24 * 60 * 60 * 1000;

/** A provider's removal form, its rule, and the checklist of what a request contains. */
export interface RemovalGuide {
  readonly provider: RemovalProvider;
  readonly url: string;
  readonly rule: string;
  readonly include: readonly string[];
}

const COMMON_ITEMS = [
  "The sending IP address and the domains in the envelope sender and the From header.",
  "The exact rejection or deferral text with its time, as the receiver sent it.",
  "What caused the block and what was changed to stop it, with the date.",
  "That SPF and DKIM pass and DMARC is published (`delist check DOMAIN --ip IP` shows it).",
  "How much mail the server sends to the provider on a normal day.",
];

/** Returns the removal form, rule and checklist of a provider. */
export function removalGuide(provider: RemovalProvider): RemovalGuide {
  return { provider, ...REMOVAL_FORMS[provider], include: COMMON_ITEMS };
}

/**
 * Returns the removal guide of `provider` with the rule for the block of `ip` that the history
 * records: the current state of the open incident that a request through the form is about
 * (see `formIncident`), `blocked` or `rate-limited`. Without an open incident, the rule covers
 * every kind of block, because Yahoo's deferrals end by themselves and its permanent blocks do
 * not.
 */
export function recordedRemovalGuide(
  store: HistoryStore,
  provider: RemovalProvider,
  ip: string,
): RemovalGuide {
  const incident = formIncident(store, provider, ip);
  const open = incident !== null && incident.closedAt === null;
  const block = open ? (store.states.get(incident.key)?.value ?? null) : null;
  return { ...removalGuide(provider), rule: removalFormRuleForBlock(provider, block) };
}

/** Whether a removal request may be sent now. */
export interface RemovalPermission {
  readonly allowed: boolean;
  /**
   * The newest request recorded through the same form for the IP, or null when none was
   * recorded. It may name another provider that shares the form.
   */
  readonly last: RemovalRequest | null;
  /** When the next request is allowed; null when none was recorded. */
  readonly nextAllowedAt: number | null;
}

/**
 * Checks the 14-day rule for a request about `ip` to the removal form of `provider`. Every
 * request recorded through that form counts, whichever of the form's providers it names.
 */
export function checkRemovalRequest(
  store: HistoryStore,
  provider: string,
  ip: string,
  now: number,
): RemovalPermission {
  return permissionOf(store.incidents.removals(null, null), provider, ip, now);
}

function permissionOf(
  requests: readonly RemovalRequest[],
  provider: string,
  ip: string,
  now: number,
): RemovalPermission {
  const last = newestFormRequest(requests, provider, [ip]);
  if (last === null) return { allowed: true, last, nextAllowedAt: null };
  const nextAllowedAt = last.requestedAt + REMOVAL_WAIT_MS;
  return { allowed: now >= nextAllowedAt, last, nextAllowedAt };
}

/**
 * Records a removal request, linked to the incident of the IP that the request's form is for
 * (see `formIncident`).
 */
export function recordRemovalRequest(
  store: HistoryStore,
  request: { provider: string; ip: string; at: number; forced: boolean; note: string | null },
): RemovalRequest {
  const incident = formIncident(store, request.provider, request.ip);
  return store.incidents.addRemoval({
    provider: request.provider,
    ip: request.ip,
    incidentId: incident?.id ?? null,
    requestedAt: request.at,
    forced: request.forced,
    note: request.note,
  });
}

/**
 * Returns the incident of `ip` that a request through the removal form of `provider` is about:
 * the provider's own open incident, else an open incident of another provider of the same form,
 * else the provider's own latest incident, or null. A probe of a Google-hosted domain records
 * its block under google-workspace, and a request for gmail goes through the same form, so it
 * belongs to that block.
 */
export function formIncident(store: HistoryStore, provider: string, ip: string): Incident | null {
  const own = store.incidents.latest(blockKey(provider, ip));
  if (own !== null && own.closedAt === null) return own;
  const sharing = REMOVAL_PROVIDERS.filter(
    (other) => other !== provider && sharesRemovalForm(provider, other),
  );
  for (const other of sharing) {
    const incident = store.incidents.latest(blockKey(other, ip));
    if (incident !== null && incident.closedAt === null) return incident;
  }
  return own;
}

/** The removal state of one provider and IP: incident, last request, last probe, next request. */
export interface RemovalStatus {
  readonly provider: string;
  readonly ip: string;
  readonly incident: IncidentReport | null;
  /**
   * The newest request through the provider's form for the IP. Its `provider` may be another
   * provider of the form, such as google-workspace for gmail.
   */
  readonly lastRequest: {
    readonly id: number;
    readonly provider: string;
    readonly at: string;
    readonly forced: boolean;
    /** The `--note` given with the request, or null. */
    readonly note: string | null;
  } | null;
  /** Whole days since the last request, or null when none was recorded. */
  readonly daysSinceRequest: number | null;
  /** Requests recorded through the provider's form for the IP, for any provider of the form. */
  readonly requests: number;
  readonly lastProbe: {
    readonly at: string;
    readonly status: string;
    readonly detail: string;
  } | null;
  readonly nextRequestAllowedAt: string | null;
  readonly canRequestNow: boolean;
  /** The next step for the operator, in one or two sentences. */
  readonly advice: string;
  /** The rule of the reply that opened the open incident, or null (see `blockRule`). */
  readonly ruleId: string | null;
  /**
   * The steps that rule gives for the block, as `delist explain` gives them. Empty when no
   * incident is open or its rule is unknown.
   */
  readonly fix: readonly string[];
}

/**
 * Lists the removal status of every provider and IP with a block incident or a removal
 * request, or only those matching `provider` and `ip` when given.
 */
export function removalStatuses(
  store: HistoryStore,
  filter: { provider: string | null; ip: string | null },
  now: number,
): RemovalStatus[] {
  const requests = store.incidents.removals(null, null);
  const pairs = new Map<string, { provider: string; ip: string }>();
  for (const incident of store.incidents.incidents()) {
    const subject = blockSubject(incident.key);
    if (subject !== null) pairs.set(incident.key, subject);
  }
  for (const request of [...requests].reverse()) {
    pairs.set(blockKey(request.provider, request.ip), request);
  }
  return [...pairs.values()]
    .filter((pair) => filter.provider === null || pair.provider === filter.provider)
    .filter((pair) => filter.ip === null || pair.ip === filter.ip)
    .map((pair) => statusOf(store, requests, pair, now));
}

function statusOf(
  store: HistoryStore,
  requests: readonly RemovalRequest[],
  pair: { provider: string; ip: string },
  now: number,
): RemovalStatus {
  const { provider, ip } = pair;
  const incident = store.incidents.latest(blockKey(provider, ip));
  const permission = permissionOf(requests, provider, ip, now);
  const probe = store.probes.lastFor(provider, ip);
  const last = permission.last;
  const status = {
    provider,
    ip,
    incident: incident === null ? null : incidentReport(incident, now),
    lastRequest:
      last === null
        ? null
        : {
            id: last.id,
            provider: last.provider,
            at: iso(last.requestedAt),
            forced: last.forced,
            note: last.note,
          },
    daysSinceRequest: last === null ? null : Math.floor((now - last.requestedAt) / DAY_MS),
    requests: formRequests(requests, provider, [ip]).length,
    lastProbe:
      probe === null
        ? null
        : { at: iso(probe.startedAt), status: probe.status, detail: probe.detail },
    nextRequestAllowedAt: permission.nextAllowedAt === null ? null : iso(permission.nextAllowedAt),
    canRequestNow: permission.allowed,
  };
  const rule = incident === null || incident.closedAt !== null ? null : blockRule(incident);
  return {
    ...status,
    advice: adviceFor(status, last, rule),
    ruleId: rule?.id ?? null,
    fix: rule?.fix ?? [],
  };
}

/**
 * Returns the rule of the reply that opened a block incident, which the monitor and `delist
 * probe` store in its evidence, or null when the evidence names no known rule.
 */
function blockRule(incident: Incident): ReplyRule | null {
  const reply = (incident.openEvidence as { reply?: { ruleId?: unknown } | null }).reply;
  const id = reply?.ruleId;
  return typeof id === "string" ? (ruleById(id) ?? null) : null;
}

function adviceFor(
  status: Omit<RemovalStatus, "advice" | "ruleId" | "fix">,
  last: RemovalRequest | null,
  rule: ReplyRule | null,
): string {
  const incident = status.incident;
  if (incident !== null && incident.status === "closed") {
    return `The block lifted at ${incident.closedAt ?? ""}. Keep watching the logs, the blocklists and DNS.`;
  }
  if (incident === null) return "No block of this IP by this provider has been recorded.";
  if (rule?.removal === false) {
    return "A removal request cannot lift this kind of block: take the steps below instead.";
  }
  if (last === null) {
    return rule === null
      ? "Fix the cause first (`delist diagnose`), then record the request with `delist removal request`."
      : "Take the steps below first (`delist diagnose` finds the cause in the logs), then record the request with `delist removal request`.";
  }
  if (!status.canRequestNow) {
    return `Removal was requested ${status.daysSinceRequest ?? 0} days ago (${describeRequest(last, status.provider)}); wait and probe again. The next request is allowed at ${status.nextRequestAllowedAt ?? ""}.`;
  }
  return "The block is still open 14 days after the last request: check that the cause is gone, then request removal again.";
}

/**
 * Describes a recorded request as `request #3 for gmail 192.0.2.1 at <time>`, and adds that it
 * used the same form when it was recorded for another provider than `provider`.
 */
export function describeRequest(request: RemovalRequest, provider: string): string {
  const shared = request.provider === provider ? "" : `, which uses the same form as ${provider}`;
  return `request #${request.id} for ${request.provider} ${request.ip} at ${iso(request.requestedAt)}${shared}`;
}

/** Splits a `block:<provider>:<ip>` key; IPv6 addresses keep their colons. */
function blockSubject(key: string): { provider: string; ip: string } | null {
  const match = /^block:([^:]+):(.+)$/.exec(key);
  if (match?.[1] === undefined || match[2] === undefined) return null;
  return { provider: match[1], ip: match[2] };
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
