import type { ReplyRule } from "../knowledge/rule.js";
import { ruleById } from "../knowledge/rules/index.js";
import type { ProviderKey } from "../knowledge/providers.js";
import type { DiagnoseContext } from "./context.js";
import { listNames, providersDo } from "./findings/build.js";
import type { ProviderVerdict, ReadinessItem } from "./types.js";
import { ONGOING_WINDOW_MS } from "./verdict.js";

/**
 * The route change that lifts a rejection of direct mail from a dynamic or residential range,
 * in one sentence that sums up the fixes of the rules that `isRangeRejection` accepts.
 */
export const ROUTE_FIX =
  "Send through the relay (smarthost) of your internet or hosting provider or through an email service, or send from a static IP whose owner sets a PTR record naming this server.";

/**
 * True for a rule that rejects mail sent directly from the IP's kind of range (Gmail's "not
 * authorized to send email directly", Outlook.com DY-001, Comcast's dynamic space). Such a
 * rule maps to `ip-blocklisted` but has `removal: false`, and its category is `reputation`.
 * Exchange Online's tenant block list has `removal: false` too, but its category is
 * `recipient-policy`, because the recipient organisation lifts it and a relay does not.
 */
export function isRangeRejection(rule: ReplyRule | undefined): boolean {
  return (
    rule !== undefined &&
    rule.removal === false &&
    rule.category === "reputation" &&
    rule.findings.includes("ip-blocklisted")
  );
}

/**
 * Returns the names of the providers whose block replies all reject direct mail from the
 * server's range, so that only a relay or a static IP lifts their block.
 */
export function rangeRejectingNames(
  verdicts: ReadonlyArray<ProviderVerdict | undefined>,
): string[] {
  return verdicts.flatMap((verdict) => {
    if (verdict === undefined) return [];
    const blockReasons = verdict.reasons.filter((reason) => reason.blockSignal);
    const rejectedOnly =
      blockReasons.length > 0 &&
      blockReasons.every((reason) => isRangeRejection(ruleById(reason.ruleId)));
    return rejectedOnly ? [verdict.name] : [];
  });
}

/**
 * Returns true when at least one block reply comes from an `ip-blocklisted` rule other than a
 * range rejection, such as a listing on Spamhaus or on Outlook.com's own block list.
 */
export function hasListingReply(verdicts: ReadonlyArray<ProviderVerdict | undefined>): boolean {
  return verdicts.some((verdict) =>
    verdict?.reasons.some((reason) => {
      const rule = ruleById(reason.ruleId);
      return (
        reason.blockSignal && rule?.findings.includes("ip-blocklisted") && !isRangeRejection(rule)
      );
    }),
  );
}

/** The range rejections of one provider in the log. */
interface ProviderRejections {
  readonly name: string;
  /** Time of the latest range rejection, in epoch ms. */
  readonly lastRejection: number;
  /** Time of the latest delivery the provider accepted, in epoch ms, or null for none. */
  readonly lastSent: number | null;
}

/**
 * Builds the `sending-route` readiness item for a log in which a provider rejects direct mail
 * from the server's range, or null when none does. Neither a blocklist check nor a removal
 * request clears such a block, so the item names the route change that does. It passes once
 * each such provider accepted mail after its last rejection and the rejections ended before the
 * last two hours of the log. It fails while they go on, and is not checked when the log has no
 * accepted mail to the provider after them.
 */
export function sendingRouteItem(
  context: DiagnoseContext,
  providers: Partial<Record<ProviderKey, ProviderVerdict>>,
  logEnd: number,
): ReadinessItem | null {
  const rejections = providerRejections(context, providers);
  if (rejections.length === 0) return null;
  const item = { id: "sending-route", title: "Sent through a relay or from a static IP with PTR" };
  const ongoing = rejections.filter((r) => r.lastRejection >= logEnd - ONGOING_WINDOW_MS);
  if (ongoing.length > 0) {
    const last = Math.max(...ongoing.map((r) => r.lastRejection));
    return {
      ...item,
      status: "fail",
      detail: `${providersDo(names(ongoing), "still rejected", "still rejected")} mail sent directly from this server's IP range at ${context.time(last)}, in the last two hours of the log. Neither a blocklist check nor a removal request lifts this. ${ROUTE_FIX}`,
    };
  }
  const unconfirmed = rejections.filter((r) => r.lastSent === null || r.lastSent < r.lastRejection);
  if (unconfirmed.length > 0) {
    const last = Math.max(...unconfirmed.map((r) => r.lastRejection));
    return {
      ...item,
      status: "not-checked",
      detail: `${providersDo(names(unconfirmed), "rejected", "rejected")} mail sent directly from this server's IP range until ${context.time(last)}, and the log shows no mail accepted by ${listNames(names(unconfirmed))} after that. Neither a blocklist check nor a removal request lifts this. ${ROUTE_FIX}`,
    };
  }
  const last = Math.max(...rejections.map((r) => r.lastRejection));
  const accepts = rejections.length === 1 ? "it accepts" : "they accept";
  return {
    ...item,
    status: "pass",
    detail: `${providersDo(names(rejections), "accepted", "accepted")} mail after the last rejection of this server's IP range at ${context.time(last)}, so mail now goes out by a route that ${accepts}.`,
  };
}

function names(rejections: readonly ProviderRejections[]): string[] {
  return rejections.map((rejection) => rejection.name);
}

/** Collects, per provider that a diagnosis judges, the times of its range rejections. */
function providerRejections(
  context: DiagnoseContext,
  providers: Partial<Record<ProviderKey, ProviderVerdict>>,
): ProviderRejections[] {
  const rejections: ProviderRejections[] = [];
  for (const facts of context.facts.providers.values()) {
    const verdict = providers[facts.key];
    if (verdict === undefined) continue;
    const times = [...facts.rules.values()]
      .filter((tally) => isRangeRejection(ruleById(tally.reply.ruleId)))
      .map((tally) => tally.lastTime);
    if (times.length === 0) continue;
    rejections.push({
      name: verdict.name,
      lastRejection: Math.max(...times),
      lastSent: facts.lastSent,
    });
  }
  return rejections;
}
