import type { ProviderVerdict } from "../diagnose/types.js";
import type { ProviderId } from "../knowledge/providers.js";
import { isBad } from "../store/changes.js";
import { blockKey, canonicalIp } from "../store/types.js";
import { warnUnlessRepeated, type JobContext } from "./context.js";
import type { ProviderEvidence } from "./log-families.js";
import type { SourceTies } from "./source-ties.js";

/**
 * Warns, at most once an hour for each log, about the blocks that acceptances in the log at
 * `path` can never lift, because no outgoing source of the log is tied to the blocked IP (see
 * `SourceTies`). A block counts when a block reply of this window concerns its IP, or when it
 * was open before and the log shows acceptances by its provider. IPs declared for another log
 * are left out, because that log lifts them. Call it before the window's observations are
 * recorded, so that the warning comes on the run that first sees the block.
 */
export function reportUnliftableBlocks(
  context: JobContext,
  path: string,
  evidence: ProviderEvidence,
  ties: SourceTies,
): void {
  const declared = new Set(
    context.config.logs.flatMap((log) => (log.ip === null ? [] : [canonicalIp(log.ip)])),
  );
  const blocks: string[] = [];
  const ips = new Set<string>();
  for (const [provider, verdict] of blockingProviders(evidence)) {
    const candidates = new Set(ties.blockedIps(provider));
    if (verdict.sent > 0) {
      for (const ip of openBlockIps(context, provider)) candidates.add(ip);
    }
    for (const ip of [...candidates].sort()) {
      if (declared.has(ip) || ties.sourcesOf(ip).length > 0) continue;
      blocks.push(`${provider} ${ip}`);
      ips.add(ip);
    }
  }
  reportUnplacedBlocks(context, path, evidence, ties);
  const [firstIp] = ips;
  if (firstIp === undefined) return;

  const sources = ties.seenSources();
  const [firstSource] = sources;
  const mapping =
    firstSource === undefined
      ? `declare the IP of a log whose mail all leaves from one IP as {"path": "…", "ip": "${firstIp}"} in logs`
      : `map each outgoing source of the log to its IP, as in {"path": "…", "sources": {"${firstSource}": "${firstIp}"}} in logs`;
  warnUnlessRepeated(
    context,
    `lift:${path}`,
    "acceptances in this log cannot lift these blocks, because the log does not show which " +
      "deliveries left from the blocked IP and no block reply tied an outgoing source to it",
    {
      path,
      blocks,
      sources,
      fix: `${mapping}, or add a probe of the provider with "sourceIp": "${firstIp}" to probes (as delist probe --source-ip ${firstIp} sends)`,
    },
  );
}

/**
 * Warns, at most once an hour for each log, about block replies that concern no known IP (see
 * `SourceTies.unplacedSources`), such as deferrals from an instance that `sources` does not map.
 * They open no incident, so without this warning the monitor would stay quiet about them.
 */
function reportUnplacedBlocks(
  context: JobContext,
  path: string,
  evidence: ProviderEvidence,
  ties: SourceTies,
): void {
  const blocks: string[] = [];
  const sources: string[] = [];
  for (const [provider] of blockingProviders(evidence)) {
    for (const source of ties.unplacedSources(provider)) {
      blocks.push(source === "" ? provider : `${provider} from ${source}`);
      if (source !== "") sources.push(source);
    }
  }
  if (blocks.length === 0) return;
  const example = sources[0] ?? "postfix-out1";
  warnUnlessRepeated(
    context,
    `unplaced:${path}`,
    "block replies in this log name no sending IP and come from outgoing sources that no " +
      "setting ties to an IP, so they open no incident",
    {
      path,
      blocks,
      fix: `map each outgoing source of the log to its IP, as in {"path": "…", "sources": {"${example}": "IP"}} in logs, or give the log one "ip" when all its mail leaves from one IP`,
    },
  );
}

/**
 * Returns the named providers of the window with their verdicts, leaving out the ones that
 * could not be reached, because those gave no block reply.
 */
function blockingProviders(evidence: ProviderEvidence): [ProviderId, ProviderVerdict][] {
  return Object.entries(evidence.providers).flatMap(([provider, verdict]) =>
    verdict === undefined || provider === "other" || verdict.status === "unreachable"
      ? []
      : [[provider as ProviderId, verdict]],
  );
}

/** Returns the IPs of the provider's block states that are open. */
function openBlockIps(context: JobContext, provider: string): string[] {
  const prefix = blockKey(provider, "");
  return context.store.states
    .list()
    .filter((state) => state.kind === "block" && isBad(state.kind, state.value))
    .filter((state) => state.key.startsWith(prefix))
    .map((state) => state.key.slice(prefix.length));
}
