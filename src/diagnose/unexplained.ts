import { isBlockSignalOf } from "../analysis/relay-host.js";
import {
  isPluralRow,
  isRelayHostKey,
  providerOfKey,
  type ProviderKey,
} from "../knowledge/providers.js";
import { blockedSender } from "./blocked-sender.js";
import type { DiagnoseContext } from "./context.js";
import { fitStepToMtas } from "./findings/mta-steps.js";
import { explainsBlock } from "./roles.js";
import type { Finding, ProviderVerdict, UnexplainedBlock } from "./types.js";

/**
 * Lists the blocks that no cause or contributing finding explains, such as Gmail's "very low
 * reputation of the sending domain" in a log that shows no abuse. Each entry carries the
 * rules of the provider's block replies with their fixes, the same that `delist explain`
 * gives, so that the report never leaves a block without advice.
 *
 * Only providers that reject or defer mail count. The `other` row is left out, because it
 * mixes many small receivers and does not set the verdict.
 */
export function unexplainedBlocks(
  context: DiagnoseContext,
  findings: readonly Finding[],
  providers: Partial<Record<ProviderKey, ProviderVerdict>>,
): UnexplainedBlock[] {
  const causes = findings.filter(
    (finding) => finding.role === "cause" || finding.role === "contributing",
  );
  const blocks: UnexplainedBlock[] = [];
  const servers = [...context.facts.server.hosts.values()];
  for (const [id, verdict] of Object.entries(providers)) {
    const provider = id as ProviderKey;
    if (verdict === undefined || provider === "other") continue;
    if (verdict.status !== "blocked" && verdict.status !== "rate-limited") continue;
    if (causes.some((finding) => explainsBlock(finding, provider, verdict))) continue;

    const plural = isPluralRow(provider);
    const verb = verdict.status === "blocked" ? "reject" : "defer";
    const subject = isRelayHostKey(provider) ? `the ${verdict.name}` : verdict.name;
    blocks.push({
      provider,
      name: verdict.name,
      summary: `No finding in the log explains why ${subject} ${plural ? verb : `${verb}s`} mail from ${blockedSender(verdict, { hosts: servers })}.`,
      reasons: blockReasons(context, provider, verdict.replyChange?.reply.ruleId ?? null),
    });
  }
  return blocks;
}

/**
 * Returns the rules of a provider's block replies, most replies first. After a change of reply
 * (`changedTo`, the rule in force at the end), that rule comes first, because its fixes are
 * the ones that still apply.
 */
function blockReasons(
  context: DiagnoseContext,
  provider: ProviderKey,
  changedTo: string | null,
): UnexplainedBlock["reasons"] {
  const tallies = [...(context.facts.providers.get(provider)?.rules.values() ?? [])];
  return tallies
    .filter((tally) => isBlockSignalOf(tally.reply, providerOfKey(provider)))
    .map((tally) => ({
      ruleId: tally.reply.ruleId,
      summary: tally.reply.summary,
      count: tally.count + tally.sessionCount,
      fix: tally.reply.fix.map((step) => fitStepToMtas(step, context.facts.server.mtas)),
      reference: tally.reply.reference,
    }))
    .sort(
      (a, b) =>
        Number(b.ruleId === changedTo) - Number(a.ruleId === changedTo) || b.count - a.count,
    );
}
