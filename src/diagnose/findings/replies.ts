import type { RuleTally, ReplyOccurrence } from "../../analysis/replies.js";
import type { FindingId } from "../../knowledge/categories.js";
import { providerRowName, type ProviderFacts } from "../../analysis/providers.js";
import type { ProviderKey } from "../../knowledge/providers.js";
import type { DiagnoseContext } from "../context.js";
import { providersDo } from "./build.js";
import type { LogSample, ReplyEvidence } from "../types.js";

/** The replies of one provider that support a finding. */
export interface ProviderReplyEvidence {
  readonly name: string;
  /** Replies to single recipients (every retry counts). */
  readonly count: number;
  /** Replies to whole sessions, without a recipient. */
  readonly sessionCount: number;
  readonly recipients: number;
  /** The first recipient-level reply. */
  readonly first: ReplyEvidence | null;
  /** The first session-level reply, when earlier ones had no recipient. */
  readonly firstSession: ReplyEvidence | null;
  readonly last: string;
  readonly codes: Readonly<Record<string, number>>;
  readonly tokens: readonly string[];
  readonly judgedIps: readonly string[];
  readonly senderDomains: Readonly<Record<string, number>>;
  readonly rules: readonly string[];
}

/** The replies of all providers that support a finding. */
export interface ReplyFindingEvidence {
  readonly count: number;
  readonly sessionCount: number;
  readonly first: ReplyEvidence | null;
  readonly firstSession: ReplyEvidence | null;
  readonly last: string;
  readonly codes: Readonly<Record<string, number>>;
  readonly judgedIps: readonly string[];
  readonly tokens: readonly string[];
  readonly providers: Partial<Record<ProviderKey, ProviderReplyEvidence>>;
}

/**
 * Gathers, over all providers, the replies whose knowledge-base rule supports `findingId`
 * (and passes `accept`). Returns null when there are none.
 */
export function collectReplyEvidence(
  context: DiagnoseContext,
  findingId: FindingId,
  accept: (tally: RuleTally) => boolean = () => true,
): ReplyFindingEvidence | null {
  const providers: Partial<Record<ProviderKey, ProviderReplyEvidence>> = {};
  const all: RuleTally[] = [];

  for (const [provider, facts] of context.facts.providers) {
    const tallies = supportingTallies(facts, findingId, accept);
    if (tallies.length === 0) continue;
    all.push(...tallies);
    providers[provider] = providerEvidence(context, facts, tallies);
  }
  if (all.length === 0) return null;

  const recipientLevel = earliest(all.filter((t) => t.count > 0).map((t) => firstOf(t, true)));
  const sessionLevel = earliest(
    all.filter((t) => t.sessionCount > 0).map((t) => firstOf(t, false)),
  );
  return {
    count: sum(all.map((t) => t.count)),
    sessionCount: sum(all.map((t) => t.sessionCount)),
    first: recipientLevel === null ? null : context.reply(recipientLevel),
    firstSession: sessionLevel === null ? null : context.reply(sessionLevel),
    last: context.time(Math.max(...all.map((t) => t.lastTime))),
    codes: mergeCounts(all.map((t) => t.codes)),
    judgedIps: topKeys(mergeMaps(all.map((t) => t.judgedIps)), 10),
    tokens: topKeys(mergeMaps(all.map((t) => t.tokens)), 10),
    providers,
  };
}

/** Returns the tallies of all providers whose rule supports `findingId`. */
export function findingTallies(context: DiagnoseContext, findingId: FindingId): RuleTally[] {
  return [...context.facts.providers.values()].flatMap((facts) =>
    supportingTallies(facts, findingId, () => true),
  );
}

function supportingTallies(
  facts: ProviderFacts,
  findingId: FindingId,
  accept: (tally: RuleTally) => boolean,
): RuleTally[] {
  return [...facts.rules.values()].filter(
    (tally) => tally.reply.findings.includes(findingId) && accept(tally),
  );
}

/** Returns the names of the providers and relay hosts whose replies are in `evidence`. */
/**
 * Builds a title that says which providers reject (any 5xx reply) and which only defer (4xx
 * replies alone) `object`: "Gmail defers mail sent without TLS, and other receivers reject it".
 */
export function rejectOrDeferTitle(
  evidence: Pick<ReplyFindingEvidence, "providers">,
  object: string,
): string {
  const rows = Object.values(evidence.providers).filter((row) => row !== undefined);
  const isPermanent = (row: ProviderReplyEvidence): boolean =>
    Object.keys(row.codes).some((code) => code.startsWith("5"));
  const rejecting = rows.filter(isPermanent).map((row) => row.name);
  const deferring = rows.filter((row) => !isPermanent(row)).map((row) => row.name);
  if (rejecting.length === 0) return `${providersDo(deferring, "defers", "defer")} ${object}`;
  const reject = `${providersDo(rejecting, "rejects", "reject")} ${object}`;
  if (deferring.length === 0) return reject;
  const defer = providersDo(deferring, "defers", "defer");
  return `${reject}, and ${lowerFirstName(defer)} it`;
}

/** Lower-cases the first letter of "Other receivers …" inside a sentence; names keep theirs. */
function lowerFirstName(text: string): string {
  return text.startsWith("Other ") ? `o${text.slice(1)}` : text;
}

export function evidenceNames(evidence: Pick<ReplyFindingEvidence, "providers">): string[] {
  return Object.values(evidence.providers).flatMap((provider) =>
    provider === undefined ? [] : [provider.name],
  );
}

function providerEvidence(
  context: DiagnoseContext,
  facts: ProviderFacts,
  tallies: RuleTally[],
): ProviderReplyEvidence {
  const recipientLevel = earliest(tallies.filter((t) => t.count > 0).map((t) => firstOf(t, true)));
  const sessionLevel = earliest(
    tallies.filter((t) => t.sessionCount > 0).map((t) => firstOf(t, false)),
  );
  return {
    name: providerRowName(facts),
    count: sum(tallies.map((t) => t.count)),
    sessionCount: sum(tallies.map((t) => t.sessionCount)),
    recipients: sum(tallies.map((t) => t.recipients.size)),
    first: recipientLevel === null ? null : context.reply(recipientLevel),
    firstSession: sessionLevel === null ? null : context.reply(sessionLevel),
    last: context.time(Math.max(...tallies.map((t) => t.lastTime))),
    codes: mergeCounts(tallies.map((t) => t.codes)),
    tokens: topKeys(mergeMaps(tallies.map((t) => t.tokens)), 10),
    judgedIps: topKeys(mergeMaps(tallies.map((t) => t.judgedIps)), 10),
    senderDomains: Object.fromEntries(
      [...mergeMaps(tallies.map((t) => t.senderDomains))].sort((a, b) => b[1] - a[1]).slice(0, 10),
    ),
    rules: tallies.map((t) => t.reply.ruleId),
  };
}

function firstOf(tally: RuleTally, recipientLevel: boolean): ReplyOccurrence {
  return (recipientLevel ? tally.firstRecipient : tally.firstSession) ?? tally.first;
}

function earliest(occurrences: ReplyOccurrence[]): ReplyOccurrence | null {
  let best: ReplyOccurrence | null = null;
  for (const occurrence of occurrences) {
    if (best === null || occurrence.time < best.time) best = occurrence;
  }
  return best;
}

/**
 * Returns the earlier of the first recipient-level and the first session-level reply, as the
 * provider table's first block does, or null when there is neither.
 */
export function earliestReply(
  evidence: Pick<ReplyFindingEvidence, "first" | "firstSession">,
): ReplyEvidence | null {
  const { first, firstSession } = evidence;
  if (first === null || firstSession === null) return first ?? firstSession;
  return Date.parse(firstSession.time) < Date.parse(first.time) ? firstSession : first;
}

/** Sample lines for a finding: its first recipient-level and session-level replies. */
export function replySamples(
  context: DiagnoseContext,
  evidence: ReplyFindingEvidence,
): LogSample[] {
  const samples: LogSample[] = [];
  for (const reply of [evidence.firstSession, evidence.first]) {
    if (reply === null) continue;
    samples.push({
      file: reply.file,
      line: reply.line,
      time: reply.time,
      text: `${reply.relayHost ?? "remote server"}: ${reply.replyCode ?? ""} ${reply.enhancedStatus ?? ""} ${reply.text}`.replace(
        /\s+/g,
        " ",
      ),
    });
  }
  void context;
  return samples;
}

/** Sums count maps into a plain object sorted by count. */
export function mergeCounts(maps: ReadonlyMap<string, number>[]): Record<string, number> {
  return Object.fromEntries([...mergeMaps(maps)].sort((a, b) => b[1] - a[1]));
}

/** Sums count maps into one map. */
export function mergeMaps<K>(maps: ReadonlyMap<K, number>[]): Map<K, number> {
  const merged = new Map<K, number>();
  for (const map of maps) {
    for (const [key, count] of map) merged.set(key, (merged.get(key) ?? 0) + count);
  }
  return merged;
}

/** Returns the keys with the highest counts. */
export function topKeys(counts: ReadonlyMap<string, number>, limit: number): string[] {
  return [...counts]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([key]) => key);
}

export function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
