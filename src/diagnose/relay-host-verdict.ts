import {
  isRelayHostKey,
  submissionHostProvider,
  type ProviderKey,
} from "../knowledge/providers.js";
import { plural } from "./findings/build.js";
import type { ProviderVerdict } from "./types.js";

/** The rows of a diagnosis by key, as in `Diagnosis.providers`. */
type Providers = Partial<Record<ProviderKey, ProviderVerdict>>;

/** A relay host's mail is named by its domains up to this many; more are counted. */
const NAMED_DOMAINS = 3;

/**
 * True when `key`'s row carries every delivery attempt of the log, so this server sends all
 * its outbound mail through that relay host.
 */
export function carriesAllMail(key: ProviderKey, providers: Providers): boolean {
  return Object.entries(providers).every(
    ([other, verdict]) => other === key || verdict === undefined || verdict.attempts === 0,
  );
}

/**
 * Returns the subject of the verdict's clause for a relay host that defers or rejects mail.
 * When it carries all the mail, that is the relay host's name ("relay host smtp.example.net").
 * Otherwise it names the mail that goes through it by recipient domain, such as "mail for
 * gmail.com goes through relay host smtp.example.net:587, which", so that the clause continues
 * with "defers it since …". The verdict starts its sentence with a capital, so the subject
 * starts in lower case, also when another clause comes first.
 */
export function relayHostSubject(key: ProviderKey, providers: Providers): string {
  const verdict = providers[key];
  if (verdict === undefined) return "relay host";
  if (carriesAllMail(key, providers)) return verdict.name;
  return `mail for ${relayDomainsPhrase(verdict)} goes through ${verdict.name}, which`;
}

/**
 * Names the recipient domains of a relay host's mail: "gmail.com", "gmail.com and
 * example.org", or "12 recipient domains, such as gmail.com, example.org and example.net".
 */
function relayDomainsPhrase(verdict: ProviderVerdict): string {
  const domains = Object.keys(verdict.relayDomains ?? {});
  const count = verdict.relayDomainCount ?? domains.length;
  if (domains.length === 0) return "some recipients";
  if (count <= NAMED_DOMAINS) return listAnd(domains.slice(0, count));
  return `${count} recipient domains, such as ${listAnd(domains.slice(0, NAMED_DOMAINS))}`;
}

/**
 * Returns the clause that names the other mail that was delivered, when only relay hosts defer or
 * reject mail: "mail sent directly to other domains is delivered", and "mail through the 3
 * other relay hosts" when relay hosts accept their mail too. It counts those relay hosts and
 * names none, because the verdict names only the relay hosts that defer or reject mail.
 * Returns "" when a provider's row defers or rejects mail as well, or when no other row
 * delivered mail.
 * NOTE: a relay host on port 25 is recognised only by mail for a named provider's domain, so
 * its mail for other domains counts in their rows and reads here as sent directly.
 */
export function deliveredElsewhereClause(providers: Providers): string {
  const rows = Object.entries(providers).flatMap(([key, verdict]) =>
    verdict === undefined ? [] : [{ key: key as ProviderKey, verdict }],
  );
  const affected = rows.filter((row) => row.verdict.status !== "ok");
  if (affected.length === 0 || !affected.every((row) => isRelayHostKey(row.key))) return "";

  const delivering = rows.filter((row) => row.verdict.status === "ok" && row.verdict.sent > 0);
  const direct = delivering.some((row) => !isRelayHostKey(row.key));
  const relayHosts = delivering
    .filter((row) => isRelayHostKey(row.key))
    .reduce((sum, row) => sum + (row.verdict.relayHostCount ?? 1), 0);
  if (!direct && relayHosts === 0) return "";
  if (relayHosts === 0) return "mail sent directly to other domains is delivered";
  const through =
    relayHosts === 1
      ? "through the other relay host"
      : `through the ${plural(relayHosts, "other relay host")}`;
  return direct
    ? `mail sent directly to other domains and mail ${through} is delivered`
    : `mail ${through} is delivered`;
}

/** The title and summary of the `healthy` finding when relay hosts took outbound mail. */
export interface RelayHostHealth {
  /** The title when relay hosts took all the outbound mail, else null. */
  readonly title: string | null;
  /** The summary that replaces the usual one when relay hosts took all the mail, else null. */
  readonly summary: string | null;
  /** The sentence added to the usual summary when relay hosts took part of the mail, else "". */
  readonly note: string;
}

/**
 * Describes the mail that relay hosts accepted, for the `healthy` finding. The log shows only
 * the relay hosts' replies, so it cannot show how the recipients' providers treat that mail,
 * and a finding that said "no receiver rejects this server's mail" would claim too much.
 */
export function relayHostHealth(providers: Providers): RelayHostHealth {
  const rows = Object.entries(providers).flatMap(([key, verdict]) =>
    verdict === undefined || verdict.attempts === 0 ? [] : [{ key, verdict }],
  );
  const relayRows = rows.filter((row) => isRelayHostKey(row.key)).map((row) => row.verdict);
  if (relayRows.length === 0) return { title: null, summary: null, note: "" };

  const hosts = relayRows.reduce((sum, verdict) => sum + (verdict.relayHostCount ?? 1), 0);
  const [only] = relayRows;
  const named =
    hosts === 1 && only !== undefined ? only.name : `the ${plural(hosts, "relay host")}`;
  const ownLog = hosts === 1 ? "The relay host's own log can." : "The relay hosts' logs can.";
  if (rows.length > relayRows.length) {
    return {
      title: null,
      summary: null,
      note:
        ` The mail handed to ${named} goes no further in this log, so it cannot show how the` +
        ` recipients' providers treat that mail. ${ownLog}`,
    };
  }

  const attempts = relayRows.reduce((sum, verdict) => sum + verdict.attempts, 0);
  const sent = relayRows.reduce((sum, verdict) => sum + verdict.sent, 0);
  const accepted =
    sent === attempts
      ? "accepted it"
      : `accepted ${sent.toLocaleString("en-US")} of ${plural(attempts, "delivery attempt")}`;
  return {
    title:
      hosts === 1
        ? "The relay host accepts this server's mail"
        : "The relay hosts accept this server's mail",
    summary:
      `All outbound mail went to ${named}, which ${accepted}. This log cannot show how the` +
      ` recipients' providers treat that mail. ${ownLog}`,
    note: "",
  };
}

/**
 * Explains the relay hosts that defer or reject mail: the recipients' providers never received
 * the mail they held, so the admin has to ask each relay host's operator. Returns "" when no
 * relay host does.
 */
export function relayHostNote(providers: Providers): string {
  const blocking = Object.entries(providers).flatMap(([key, verdict]) =>
    verdict === undefined || !isRelayHostKey(key) || verdict.status === "ok"
      ? []
      : [{ key: key as ProviderKey, verdict }],
  );
  if (blocking.length === 0) return "";

  const names = listAnd(blocking.map((row) => row.verdict.name));
  const [only] = blocking;
  const heldMail =
    blocking.length === 1 && only !== undefined && carriesAllMail(only.key, providers)
      ? `This server sends all its outbound mail through ${names}, so the mail it held`
      : `The mail that ${names} held`;
  const operator =
    blocking.length === 1 ? "the relay host's operator" : "the operator of each relay host";
  return (
    ` ${heldMail} never reached the recipients' providers. The replies are about this server's` +
    ` account or mail at the relay host: ask ${operator}, not the recipients' providers.`
  );
}

/**
 * Returns the submission host that sent a row's block replies, such as smtp.office365.com, or
 * null when another host sent them. A server that relays through a provider's submission host
 * sends as that provider's customer, so the provider's row then counts as a relay host's.
 */
export function submissionHostOf(verdict: ProviderVerdict): string | null {
  const host = (verdict.lastBlock ?? verdict.firstBlock)?.relayHost ?? null;
  return host !== null && submissionHostProvider(host) !== null ? host : null;
}

/** True when a row is a relay host's, or a provider's whose submission host rejected mail. */
export function actsAsRelayHost(key: ProviderKey, verdict: ProviderVerdict | undefined): boolean {
  return isRelayHostKey(key) || (verdict !== undefined && submissionHostOf(verdict) !== null);
}

/**
 * Explains the provider rows whose block replies come from the provider's submission host:
 * the provider rejects this server's account there, so the recipients never got the mail,
 * and only the provider can lift the restriction. Returns "" when no row has such
 * replies.
 */
export function submissionHostNote(providers: Providers): string {
  return Object.values(providers)
    .flatMap((verdict) => {
      if (verdict === undefined || verdict.status === "ok") return [];
      const host = submissionHostOf(verdict);
      if (host === null) return [];
      return [
        ` ${verdict.name}'s replies come from ${host}, where this server hands in its mail` +
          ` as a customer. They reject this server's account or tenant, so that mail never` +
          ` reached its recipients. Fix the account, then ask ${verdict.name}'s support, not` +
          ` the recipients' providers.`,
      ];
    })
    .join("");
}

/** Joins names as "a", "a and b" or "a, b and c". */
function listAnd(names: readonly string[]): string {
  if (names.length <= 1) return names.join("");
  return `${names.slice(0, -1).join(", ")} and ${names[names.length - 1] ?? ""}`;
}
