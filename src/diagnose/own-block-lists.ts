import { PROVIDER_NAMES, type ProviderId, type ProviderKey } from "../knowledge/providers.js";
import { listNames } from "./findings/build.js";
import { OUTLOOK_IP_RULES, OUTLOOK_RANGE_RULE } from "./findings/ip-blocklisted.js";
import { codeSpan, shellQuote } from "./shell-quote.js";
import type { Finding, ProviderVerdict, ReadinessItem } from "./types.js";

/** Microsoft's Smart Network Data Services: its IP status page shows whether Outlook.com blocks an IP. */
const SNDS_URL = "https://sendersupport.olc.protection.outlook.com/snds/";

/**
 * The recipient of a suggested probe. `delist probe` rejects it because it has no `@`, so a
 * command pasted unchanged probes no one's mailbox.
 */
const MAILBOX_PLACEHOLDER = "MAILBOX";

/**
 * Rewrites the `blocklists` readiness item for an `ip-blocklisted` finding whose replies name a
 * receiver's own block list (Outlook.com S3140 and S3150, Yahoo TSS06 and others, see
 * `ownLists` in the evidence). No DNS block list shows such a list, so the item names what
 * does: a probe to a mailbox of that receiver, and Microsoft SNDS for Outlook.com.
 *
 * The item fails whatever the DNS look-ups found, because they cannot show the receiver's list.
 * An item from the logs keeps its `delist blocklists` command only when replies also name a
 * public list. An item from the DNS look-ups keeps its detail, and the sentences follow it.
 * A receiver that lifted its block (`pastBlock` in `verdicts`) accepts mail from the IP again,
 * so it fails nothing: the item keeps its status and says when that receiver's block ended.
 * Any other item comes back unchanged.
 */
export function withOwnListCheck(
  item: ReadinessItem,
  findings: readonly Finding[],
  source: "logs" | "dns",
  verdicts: Partial<Record<ProviderKey, ProviderVerdict>>,
): ReadinessItem {
  if (item.id !== "blocklists") return item;
  const listed = findings.find((finding) => finding.id === "ip-blocklisted");
  const evidence = listed?.evidence as
    { ownLists?: unknown; publicListReplies?: unknown; ips?: unknown } | undefined;
  const ownLists = stringsOf(evidence?.ownLists) as ProviderId[];
  if (ownLists.length === 0) return item;

  const isLifted = (id: ProviderId): boolean => (verdicts[id]?.pastBlock ?? null) !== null;
  const providers = ownLists.filter((id) => !isLifted(id));
  const liftedNote = ownLists
    .filter(isLifted)
    .flatMap((id) => {
      const verdict = verdicts[id];
      return verdict === undefined ? [] : [liftedListSentence(verdict)];
    })
    .join(" ");
  if (providers.length === 0) return { ...item, detail: `${item.detail} ${liftedNote}` };

  const listing = ownListSentences(providers, stringsOf(evidence?.ips)[0] ?? null);
  const check = liftedNote === "" ? listing : `${listing} ${liftedNote}`;
  if (source === "dns" || evidence?.publicListReplies !== 0) {
    return { ...item, status: "fail", detail: `${item.detail} ${check}` };
  }
  return {
    ...item,
    status: "fail",
    detail: `Receivers rejected or deferred mail for this (ip-blocklisted); fix it first. ${check}`,
  };
}

/** Says that a receiver with its own block list accepts mail again, and since when. */
function liftedListSentence(verdict: ProviderVerdict): string {
  const since =
    verdict.lastBlock === null ? "" : ` since its last block reply at ${verdict.lastBlock.time}`;
  return `${verdict.name} accepts mail again${since}, so its own block list no longer stops mail from the IP.`;
}

/** Builds the sentences on how to confirm that `providers` no longer list the IP. */
function ownListSentences(providers: readonly ProviderId[], ip: string | null): string {
  const names = providers.map((id) => PROVIDER_NAMES[id]);
  const own = providers.length === 1 ? "its own block list" : "their own block lists";
  const first = names[0] ?? "";
  const article = /^[aeiou]/i.test(first) ? "an" : "a";
  const mailbox = providers.length === 1 ? `${article} ${first} mailbox` : "a mailbox of each";
  const sourceOption = ip === null ? "" : ` --source-ip ${shellQuote(ip)}`;
  const probe = codeSpan(`delist probe --to ${MAILBOX_PLACEHOLDER}${sourceOption}`);
  const snds = providers.includes("outlook")
    ? ` and with the IP status in Microsoft SNDS (${SNDS_URL})`
    : "";
  const lists = providers.length === 1 ? "lists" : "list";
  return (
    `${listNames(names)} ${lists} the IP on ${own}, which no DNS block list shows. ` +
    `Once the cause is fixed, confirm that the listing is gone with a probe to ${mailbox} (${probe})${snds}. ` +
    `Replace ${MAILBOX_PLACEHOLDER} with the address of such a mailbox, such as a test account of yours.`
  );
}

/**
 * Returns the rule text of a provider's removal form. For Outlook.com's S3150 listing of part
 * of the IP's network, the text starts with the advice of the S3150 rule and of the
 * `ip-blocklisted` fixes: usually only the hosting provider, who owns the range, can send it.
 * When other replies block the IP itself, the request for the IP is named too, and first when
 * the replies changed from S3150 to one of them (`replyChange`).
 */
export function removalFormRule(verdict: ProviderVerdict, rule: string): string {
  const blockRules = verdict.reasons
    .filter((reason) => reason.blockSignal)
    .map((reason) => reason.ruleId);
  if (!blockRules.includes(OUTLOOK_RANGE_RULE)) return rule;
  const range =
    "Outlook.com lists part of this IP's network (S3150), and usually only the hosting provider, who owns the range, can get it delisted: ask them to send the request.";
  if (!blockRules.some((ruleId) => OUTLOOK_IP_RULES.includes(ruleId))) return `${range} ${rule}`;
  const change = verdict.replyChange;
  if (
    change?.previousRuleId === OUTLOOK_RANGE_RULE &&
    OUTLOOK_IP_RULES.includes(change.reply.ruleId)
  ) {
    return `Outlook.com's latest replies block the IP itself, so send a request for the IP. Its earlier replies (S3150) listed part of the IP's network, which usually only the hosting provider, who owns the range, can get delisted. ${rule}`;
  }
  return `${range} Other replies block the IP itself, so send a request for the IP as well. ${rule}`;
}

function stringsOf(value: unknown): string[] {
  return Array.isArray(value)
    ? value.filter((entry): entry is string => typeof entry === "string")
    : [];
}
