import { listNames } from "./findings/build.js";

/** The servers that a sentence is about, as its subject, and whether the verb is plural. */
export interface ServerSubject {
  /** "this server", "these servers", or host names such as "mx2" or "mx1 and mx2". */
  readonly text: string;
  readonly plural: boolean;
  /** True when `text` is host names, whose case a sentence must keep. */
  readonly named: boolean;
}

/** A server of the log, as `ServerReport.hosts` and `ServerAnalyser.hosts` list it. */
export interface LoggedServer {
  readonly name: string;
  readonly remoteAttempts: number;
}

/** Maximum number of servers that a subject names. The rest are counted. */
const MAX_NAMED_SERVERS = 3;

const THIS_SERVER: ServerSubject = { text: "this server", plural: false, named: false };
const THESE_SERVERS: ServerSubject = { text: "these servers", plural: true, named: false };

/**
 * Names the servers that a sentence is about, from the count of its lines or attempts per
 * server (`counts`, by `serverOf` name) and the servers of the log (`servers`). The subject
 * is "this server" when the log shows at most one server that sent mail or is in `counts`, and
 * "these servers" when `counts` covers all of them or names none. Otherwise it names the
 * servers in `counts`, most first, such as "mx2" or "mx1, mx2 and 3 more hosts".
 */
export function serverSubject(
  counts: Readonly<Record<string, number>>,
  servers: Iterable<LoggedServer>,
): ServerSubject {
  const named = Object.entries(counts)
    .filter(([, count]) => count > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([name]) => name);
  const all = new Set(named);
  for (const server of servers) {
    if (server.remoteAttempts > 0) all.add(server.name);
  }
  if (all.size <= 1) return THIS_SERVER;
  if (named.length === 0 || named.length === all.size) return THESE_SERVERS;
  if (named.length <= MAX_NAMED_SERVERS) {
    return { text: listNames(named), plural: named.length > 1, named: true };
  }
  const more = named.length - MAX_NAMED_SERVERS + 1;
  return {
    text: listNames([...named.slice(0, MAX_NAMED_SERVERS - 1), `${more} more hosts`]),
    plural: true,
    named: true,
  };
}

/** Returns `counts` summed by name, for a sentence about several outages or tallies. */
export function mergeCounts(
  counts: Iterable<Readonly<Record<string, number>>>,
): Record<string, number> {
  const merged: Record<string, number> = {};
  for (const entry of counts) {
    for (const [name, count] of Object.entries(entry)) merged[name] = (merged[name] ?? 0) + count;
  }
  return merged;
}

/** Returns the subject's text for the start of a sentence: host names keep their case. */
export function subjectAtStart(subject: ServerSubject): string {
  if (subject.named) return subject.text;
  return `${subject.text.charAt(0).toUpperCase()}${subject.text.slice(1)}`;
}

/**
 * Names the network of the subject's servers, such as "this server's own network", "mx2's own
 * network" or "the networks of mx1 and mx2".
 */
export function ownNetworkOf(subject: ServerSubject): string {
  if (!subject.named) {
    return subject.plural ? "these servers' own networks" : "this server's own network";
  }
  return subject.plural ? `the networks of ${subject.text}` : `${subject.text}'s own network`;
}
