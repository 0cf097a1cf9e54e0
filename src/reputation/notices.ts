import ipaddr from "ipaddr.js";
import type { ListPlan } from "./plan.js";
import { SPAMHAUS_RESOLVER_ADVICE, type PublicResolver } from "./public-resolver.js";
import type { Target } from "./query-name.js";
import type { Notice } from "./report.js";
import type { BlocklistResult } from "./types.js";

/** What the notices of a run are built from. */
export interface NoticeInput {
  readonly plans: readonly ListPlan[];
  readonly results: readonly BlocklistResult[];
  /** Whether the user named the lists: then lists that were skipped are reported. */
  readonly explicit: boolean;
  readonly publicResolver: PublicResolver | null;
  readonly resolver: string;
  /** True when the user chose the resolver (`--resolver`), so the advice names that server. */
  readonly resolverGiven: boolean;
  readonly unreachable: boolean;
  /** True when no query was sent because the run is offline (`--offline`). */
  readonly offline: boolean;
  readonly targets: readonly Target[];
}

/**
 * Collects what applies to the whole run, each reported once: targets in address ranges receivers
 * never see, an offline run, an unreachable resolver, a public resolver, Spamhaus error codes,
 * rewritten DNS replies, timeouts and unusable or retired lists.
 */
export function buildNotices(input: NoticeInput): Notice[] {
  const notices: Notice[] = [];
  const add = (notice: Notice | null): void => {
    if (notice !== null) notices.push(notice);
  };
  for (const target of input.targets) add(specialAddressNotice(target));
  if (input.plans.length === 0) {
    add({
      kind: "no-lists",
      list: null,
      message: "No chosen list applies to these targets, so nothing was checked.",
      advice: "Choose lists with --list, or run delist blocklists --help to see them.",
    });
  }
  if (input.offline) {
    add({
      kind: "offline",
      list: null,
      message: "--offline sent no DNS queries, so no list was checked.",
      advice: "Run again without --offline to look the targets up.",
    });
    return [...notices, ...listNotices(input)];
  }
  if (input.unreachable) {
    add(unreachableNotice(input));
    return [...notices, ...listNotices(input)];
  }
  add(publicResolverNotice(input));
  add(spamhausNotice(input, "127.255.255.254"));
  add(spamhausNotice(input, "127.255.255.255"));
  add(rewriteNotice(input));
  add(timeoutNotice(input));
  return [...notices, ...listNotices(input)];
}

function unreachableNotice(input: NoticeInput): Notice {
  return {
    kind: "dns-unreachable",
    list: null,
    message: `The DNS resolver (${input.resolver}) answered no query, so no list was checked.`,
    advice: input.resolverGiven
      ? "Check that the DNS server given with --resolver is running and reachable from this " +
        "machine, or raise --timeout-ms."
      : "Check the resolver with --resolver HOST, raise --timeout-ms, or use --zone for an " +
        "offline run.",
  };
}

/** The ranges receivers never see as a sender's address, with their names for people. */
const SPECIAL_RANGES: Readonly<Record<string, string>> = {
  private: "a private address (RFC 1918)",
  uniqueLocal: "a unique local address (fc00::/7, RFC 4193)",
  loopback: "a loopback address",
  linkLocal: "a link-local address",
};

/**
 * Builds the note for an IP in a private, loopback or link-local range. Receivers never see
 * mail from such an address, so a result for it shows nothing about the server's public IP.
 * The look-ups still run when asked.
 */
function specialAddressNotice(target: Target): Notice | null {
  if (target.kind === "domain") return null;
  const range = SPECIAL_RANGES[ipaddr.parse(target.value).range()];
  if (range === undefined) return null;
  return {
    kind: "special-address",
    list: null,
    message:
      `${target.value} is ${range}. Receivers never see mail from such an address, so its ` +
      "look-ups say nothing about the public IP your server sends from.",
    advice: "Look up the public IP your mail leaves from, as receivers name it in their replies.",
  };
}

function publicResolverNotice(input: NoticeInput): Notice | null {
  const skipped = input.plans.filter((plan) => plan.health?.state === "public-resolver");
  if (input.publicResolver === null || skipped.length === 0) return null;
  const { address, operator } = input.publicResolver;
  return {
    kind: "public-resolver",
    list: null,
    message:
      `${address} is ${operator}'s public resolver. Spamhaus and other lists refuse queries ` +
      `from it (or answer error codes that look like listings), so these were not asked: ` +
      `${skipped.map((plan) => plan.entry.id).join(", ")}.`,
    advice: SPAMHAUS_RESOLVER_ADVICE,
  };
}

/** Spamhaus answers 127.255.255.254 to public resolvers and .255 to resolvers over quota. */
function spamhausNotice(input: NoticeInput, code: string): Notice | null {
  const spamhaus = new Set(
    input.plans.filter((plan) => plan.entry.dqsLabel !== null).map((plan) => plan.entry.id),
  );
  const fromProbes = input.plans.some(
    (plan) => spamhaus.has(plan.entry.id) && plan.health?.codes.includes(code) === true,
  );
  const fromResults = input.results.some(
    (result) => spamhaus.has(result.list) && result.codes.includes(code),
  );
  if (!fromProbes && !fromResults) return null;
  const overQuota = code === "127.255.255.255";
  return {
    kind: overQuota ? "spamhaus-over-quota" : "spamhaus-refused",
    list: null,
    message: overQuota
      ? "Spamhaus answered 127.255.255.255: this resolver sends more queries than free use " +
        "allows. Its Spamhaus results are refusals, not listings."
      : `Spamhaus answered 127.255.255.254: it refuses queries from your resolver ` +
        `(${input.resolver}) because the queries reach it through a public or shared ` +
        "resolver, or one without attributable reverse DNS. Its Spamhaus results are " +
        "refusals, not listings.",
    advice: overQuota
      ? "Get a Spamhaus Data Query Service key and pass --spamhaus-dqs-key KEY."
      : SPAMHAUS_RESOLVER_ADVICE,
  };
}

function rewriteNotice(input: NoticeInput): Notice | null {
  const rewritten =
    input.results.some((result) => result.refusal === "outside-loopback") ||
    input.plans.some((plan) => plan.health?.refusal === "outside-loopback");
  if (!rewritten) return null;
  return {
    kind: "resolver-rewrites",
    list: null,
    message:
      "The resolver returned addresses outside 127.0.0.0/8 to blocklist queries: it rewrites " +
      "NXDOMAIN answers or filters these domains. Those results are refusals, not listings.",
    advice: "Use a resolver that passes NXDOMAIN through unchanged (--resolver HOST).",
  };
}

function timeoutNotice(input: NoticeInput): Notice | null {
  const timedOut = input.results.filter((result) => result.status === "timeout");
  if (timedOut.length === 0) return null;
  const lists = [...new Set(timedOut.map((result) => result.list))];
  const single = timedOut.length === 1;
  return {
    kind: "timeouts",
    list: null,
    message:
      `${timedOut.length} ${single ? "check" : "checks"} on ${lists.join(", ")} got no answer ` +
      `in time and ${single ? "is" : "are"} not counted as clean.`,
    advice: "Run again later, or raise --timeout-ms.",
  };
}

function listNotices(input: NoticeInput): Notice[] {
  return input.plans.flatMap((plan): Notice[] => {
    const state = plan.health;
    const id = plan.entry.id;
    if (state === null) return [];
    switch (state.state) {
      case "defunct":
      case "legacy":
        return [
          {
            kind: "list-retired",
            list: id,
            message: `${id} is ${state.state} and was not asked: ${state.detail}`,
            advice: "Remove it from your config or --list.",
          },
        ];
      case "needs-key":
        return input.explicit
          ? [{ kind: "needs-key", list: id, message: `${id} was not asked.`, advice: state.detail }]
          : [];
      case "answers-everything":
      case "answers-nothing":
        return [
          {
            kind: "list-unusable",
            list: id,
            message: `${id} is unusable in this run: ${state.detail}.`,
            advice: unusableListAdvice(plan),
          },
        ];
      default:
        return [];
    }
  });
}

/**
 * Returns the advice for a list that failed its test entries. When the list was asked in a
 * Data Query Service zone, the advice points to the key in the zone name, which the user can fix.
 */
function unusableListAdvice(plan: ListPlan): string {
  const keyed = plan.zone?.viaDqs === true;
  return keyed
    ? "Compare the Spamhaus DQS key that this run used with the key in your Spamhaus account."
    : "Leave it out of your config if it stays this way.";
}
