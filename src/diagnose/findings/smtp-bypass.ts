import { CONNECTION_BUCKET_MS, type ConnectionOrigin } from "../../analysis/bypass.js";
import type { MtaName } from "../../logs/events.js";
import type { DiagnoseContext } from "../context.js";
import type { Finding, LogSample } from "../types.js";
import { finding, plural } from "./build.js";
import { mtaStep, stepMtas } from "./mta-steps.js";

/**
 * How many connections a ten-minute bucket may hold per MTA attempt, plus a constant, and
 * still be the MTA's own. The MTA opens more than one connection per logged attempt when it
 * tries several MX hosts (Postfix tries up to five addresses) or a greeting fails, and fewer
 * when it reuses a connection. NOTE: both numbers are estimates, not measured on real
 * servers, so a small bypass hidden in the MTA's own traffic can go unseen.
 */
const CONNECTIONS_PER_ATTEMPT = 3;
const CONNECTION_ALLOWANCE = 10;

/**
 * Limits for taking an origin (a Unix user, a forwarding machine, or the host when the log
 * names neither) for the MTA. It must not be a user that submitted mail locally, nor come from a rule whose
 * log prefix names bypass (such a rule logs only other processes). It must have at least this
 * share of the MTA's attempts in the time both logs cover, and this share of its ten-minute
 * buckets must stay within the allowance above.
 */
const MTA_MIN_SHARE = 0.25;
const MTA_MIN_BUCKETS_WITHIN = 0.9;

/** Below these counts the bypass or the blocked attempts are noise, not a finding. */
const MIN_BYPASS = 20;
const MIN_BLOCKED = 10;

const MAX_ORIGINS_SHOWN = 5;

/**
 * `smtp-bypass`: firewall logs show outgoing port-25 connections that the MTA did not make.
 * Malware and injected scripts often talk SMTP to the receivers' MX hosts themselves, so
 * their mail never appears in the mail log. Each origin of connections is compared with the
 * MTA's attempts in the same ten minutes, within the time both logs cover. All connections of
 * an origin that does not behave like the MTA count, but an origin that does counts only
 * where it exceeds the MTA's attempts. Attempts that the firewall blocked count on their own:
 * they did not reach a receiver, but something on the server or the network tried.
 */
export function detectSmtpBypass(context: DiagnoseContext): Finding | null {
  const bypass = context.facts.bypass;
  if (bypass.connections === 0) return null;
  const comparison = compareWithMta(context);
  if (comparison.bypass < MIN_BYPASS && bypass.blocked < MIN_BLOCKED) return null;

  const leaked = comparison.bypass >= MIN_BYPASS;
  const origins = [...bypass.origins.values()]
    .sort((a, b) => b.connections - a.connections)
    .slice(0, MAX_ORIGINS_SHOWN);
  const culprits = origins.filter((origin) => !comparison.mtaOrigins.has(origin));
  const named =
    culprits.length > 0
      ? ` from ${culprits.map((origin) => describe(context, origin)).join(", ")}`
      : "";
  const peak = comparison.peak;
  const summary = leaked
    ? `The firewall logged ${plural(comparison.firewall, "outgoing SMTP connection")} while the mail log shows ${plural(comparison.mta, "delivery attempt")} in the same minutes: about ${plural(comparison.bypass, "connection")}${named} did not come from the MTA` +
      (peak === null
        ? "."
        : `, up to ${peak.connections.toLocaleString("en-US")} in the ten minutes from ${context.time(peak.start)}.`)
    : `The firewall blocked ${plural(bypass.blocked, "outgoing SMTP connection")}${named} that did not go through the MTA.`;

  return finding("smtp-bypass", {
    severity: leaked ? "critical" : "warning",
    role: leaked ? "cause" : "contributing",
    title: leaked
      ? "Something on the server sends mail around the MTA"
      : "Something tried to send mail around the MTA",
    summary,
    evidence: {
      firewallConnections: comparison.firewall,
      mtaAttempts: comparison.mta,
      bypassConnections: comparison.bypass,
      blockedConnections: bypass.blocked,
      connectionsOutsideMailLog: comparison.outside,
      retransmissionsIgnored: bypass.retransmissions,
      peakBypassPer10Minutes: peak?.connections ?? 0,
      peakStart: peak === null ? null : context.time(peak.start),
      start: comparison.start === null ? null : context.time(comparison.start),
      end: comparison.end === null ? null : context.time(comparison.end),
      origins: origins.map((origin) =>
        originEvidence(context, origin, comparison.mtaOrigins.has(origin)),
      ),
    },
    samples: samples(context, culprits.length > 0 ? culprits : origins),
    fix: fixes(origins, context.facts.server.mtas),
  });
}

/** The counts of both sides within the time both logs cover, and the bypass per bucket. */
interface MtaComparison {
  readonly firewall: number;
  readonly mta: number;
  readonly bypass: number;
  readonly outside: number;
  readonly mtaOrigins: ReadonlySet<ConnectionOrigin>;
  readonly peak: { readonly start: number; readonly connections: number } | null;
  /** The start of the first and the end of the last bucket with bypass connections. */
  readonly start: number | null;
  readonly end: number | null;
}

function compareWithMta(context: DiagnoseContext): MtaComparison {
  const bypass = context.facts.bypass;
  const span = sharedSpan(context);
  const inSpan = (bucket: number): boolean =>
    span !== null && bucket + CONNECTION_BUCKET_MS > span.start && bucket <= span.end;
  const allowed = (bucket: number): number =>
    (bypass.mtaBuckets.get(bucket) ?? 0) * CONNECTIONS_PER_ATTEMPT + CONNECTION_ALLOWANCE;

  let firewall = 0;
  let outside = 0;
  for (const [bucket, connections] of bypass.firewallBuckets) {
    // A firewall log that reaches past the mail log would look like bypass, because the
    // MTA's attempts of that time are not in the input.
    if (inSpan(bucket)) firewall += connections;
    else outside += connections;
  }
  let mta = 0;
  for (const [bucket, attempts] of bypass.mtaBuckets) if (inSpan(bucket)) mta += attempts;

  // The MTA delivers as one Unix user (postfix, Debian-exim) or from one machine, so of the
  // origins that look like it, only the one whose count is closest to the MTA's attempts
  // is taken for it.
  const mtaOrigins = new Set<ConnectionOrigin>();
  let best: { origin: ConnectionOrigin; distance: number } | null = null;
  for (const origin of bypass.origins.values()) {
    const connections = isMtaLike(context, origin, mta, inSpan, allowed);
    if (connections === null) continue;
    const distance = Math.abs(Math.log(connections / mta));
    if (best === null || distance < best.distance) best = { origin, distance };
  }
  if (best !== null) mtaOrigins.add(best.origin);

  // Per bucket: every connection of the other origins, including those kept without
  // buckets, and what the MTA's origin opens beyond the allowance.
  const perBucket = new Map<number, number>();
  for (const [bucket, connections] of bypass.firewallBuckets) {
    if (inSpan(bucket)) perBucket.set(bucket, connections);
  }
  for (const origin of mtaOrigins) {
    for (const [bucket, connections] of origin.buckets ?? []) {
      if (!inSpan(bucket)) continue;
      const over = Math.max(0, connections - allowed(bucket));
      perBucket.set(bucket, (perBucket.get(bucket) ?? 0) - connections + over);
    }
  }

  let total = 0;
  let peak: { start: number; connections: number } | null = null;
  let start: number | null = null;
  let end: number | null = null;
  for (const [bucket, connections] of perBucket) {
    if (connections <= 0) continue;
    total += connections;
    if (peak === null || connections > peak.connections) peak = { start: bucket, connections };
    if (start === null || bucket < start) start = bucket;
    if (end === null || bucket + CONNECTION_BUCKET_MS > end) end = bucket + CONNECTION_BUCKET_MS;
  }
  return { firewall, mta, bypass: total, outside, mtaOrigins, peak, start, end };
}

/** Computes the time that both the mail log and the firewall log cover; null when they do not meet. */
function sharedSpan(context: DiagnoseContext): { start: number; end: number } | null {
  const bypass = context.facts.bypass;
  if (bypass.mtaFirstTime === null || bypass.mtaLastTime === null) return null;
  if (bypass.firstConnectionTime === null || bypass.lastConnectionTime === null) return null;
  const start = Math.max(bypass.mtaFirstTime, bypass.firstConnectionTime);
  const end = Math.min(bypass.mtaLastTime, bypass.lastConnectionTime);
  return start <= end ? { start, end } : null;
}

/** Returns the origin's connections in the shared time when it looks like the MTA, else null. */
function isMtaLike(
  context: DiagnoseContext,
  origin: ConnectionOrigin,
  mtaAttempts: number,
  inSpan: (bucket: number) => boolean,
  allowed: (bucket: number) => number,
): number | null {
  // A user that submitted mail through the MTA's sendmail command is a web site or a
  // login, not the MTA's delivery agent, and a rule whose prefix names bypass logs only
  // what is not the MTA.
  if (localUserOf(context, origin.uid) !== null || origin.declaredBypass) return null;
  if (origin.buckets === null || mtaAttempts === 0) return null;
  let connections = 0;
  let buckets = 0;
  let within = 0;
  for (const [bucket, count] of origin.buckets) {
    if (!inSpan(bucket)) continue;
    connections += count;
    buckets += 1;
    if (count <= allowed(bucket)) within += 1;
  }
  if (buckets === 0) return null;
  const likeMta =
    connections >= mtaAttempts * MTA_MIN_SHARE && within >= buckets * MTA_MIN_BUCKETS_WITHIN;
  return likeMta ? connections : null;
}

function originEvidence(
  context: DiagnoseContext,
  origin: ConnectionOrigin,
  isMta: boolean,
): object {
  return {
    name: describe(context, origin),
    isMta,
    uid: origin.uid,
    localUser: localUserOf(context, origin.uid),
    forwardedFrom: origin.forwardedFrom,
    connections: origin.connections,
    blocked: origin.blocked,
    first: context.time(origin.firstTime),
    last: context.time(origin.lastTime),
    destinations: Object.fromEntries(origin.destinations),
  };
}

/**
 * Returns the user name that a local submission (Postfix pickup) logged with the same uid,
 * so that `uid 33` reads as `www-data`. Null when no local submission names the uid.
 */
function localUserOf(context: DiagnoseContext, uid: number | null): string | null {
  if (uid === null) return null;
  for (const source of context.facts.origins.localSources.values()) {
    if (source.uid === uid && source.localUser !== null) return source.localUser;
  }
  return null;
}

function describe(context: DiagnoseContext, origin: ConnectionOrigin): string {
  if (origin.forwardedFrom !== null) return `the machine ${origin.forwardedFrom}`;
  if (origin.uid === null) return "this host";
  const user = localUserOf(context, origin.uid);
  return user === null ? `uid ${origin.uid}` : `uid ${origin.uid} (${user})`;
}

function samples(context: DiagnoseContext, origins: readonly ConnectionOrigin[]): LogSample[] {
  const result = origins.map((origin) =>
    context.sample(
      origin.firstTime,
      origin.firstPosition,
      `first outgoing SMTP connection from ${describe(context, origin)}`,
    ),
  );
  const blocked = context.facts.bypass.firstBlocked;
  if (blocked !== null) {
    result.push(context.sample(blocked.time, blocked.position, "first blocked SMTP connection"));
  }
  return result;
}

/** The Unix user whose connections the firewall rule allows, by MTA. */
const MTA_USERS: Readonly<Record<MtaName, string>> = {
  postfix: "the user is `postfix`",
  exim: "the user is `Debian-exim` on Debian and Ubuntu, often `exim` elsewhere",
  sendmail: "the user is the one that its delivery processes run as, which `ps -ef` shows",
};

/** The user that the firewall rule names when the log shows only this MTA. */
const RULE_USERS: Readonly<Partial<Record<MtaName, string>>> = {
  postfix: "postfix",
  exim: "Debian-exim",
};

/**
 * Builds the step of the firewall rule that lets only the MTA's user connect to port 25. The
 * rule names the user when the log shows only Postfix or only Exim, and USER otherwise.
 */
export function firewallStep(mtas: ReadonlySet<MtaName>): string {
  const logged = stepMtas(mtas);
  const only = logged.length === 1 ? logged[0] : undefined;
  const named = only === undefined ? undefined : RULE_USERS[only];
  const user = named ?? "USER";
  const rule = `iptables -A OUTPUT -p tcp --dport 25 -m owner ! --uid-owner ${user} -j LOG --log-prefix "SMTP-BYPASS: " --log-uid`;
  const replace = user === "USER" ? " Replace USER with the MTA's user." : "";
  return mtaStep(
    `Allow outgoing port 25 only to the MTA's user and reject the rest, logging what is rejected: \`${rule}\`, then the same rule with \`-j REJECT\`.${replace}`,
    MTA_USERS,
    mtas,
  );
}

function fixes(origins: readonly ConnectionOrigin[], mtas: ReadonlySet<MtaName>): string[] {
  const forwarded = origins.some((origin) => origin.forwardedFrom !== null);
  const result = [
    firewallStep(mtas),
    "Find the process: `ss -tnp state syn-sent '( dport = :25 )'` and `ss -tnp '( dport = :25 )'` show who holds the connections now; `lsof -u UID -a -i` lists one user's sockets.",
    "Look for what the user runs: its crontab, files in its web root and /tmp changed when the connections began, and processes with odd names; remove them and rotate the user's passwords.",
  ];
  if (forwarded) {
    result.push(
      "Connections forwarded from other machines come from the local network: block outgoing port 25 for every host except the mail server on the gateway, and check the named machines for malware.",
    );
  }
  return result;
}
