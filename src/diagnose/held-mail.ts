import type { LogFacts } from "../analysis/analyser.js";
import type { UndeliveredSample, UndeliveredTally } from "../analysis/undelivered.js";
import type { MtaName } from "../logs/events.js";
import { plural } from "./findings/build.js";
import { mtaStep } from "./findings/mta-steps.js";
import {
  mergeCounts,
  serverSubject,
  subjectAtStart,
  type LoggedServer,
  type ServerSubject,
} from "./server-subject.js";
import type { ReadinessReport } from "./types.js";
import { ONGOING_WINDOW_MS } from "./verdict.js";
import { undeliveredReport, type UndeliveredSampleReport } from "./undelivered.js";

/**
 * Outbound mail that this server deferred or bounced itself, before any receiver saw it: at a
 * content filter on this host that could not be reached or rejected the mail, or by the MTA's own
 * decision (`undeliveredByServer`).
 */
export interface HeldMailReport {
  /** Deferral lines of both kinds: every retry counts. */
  readonly deferred: number;
  readonly bounced: number;
  /** Of `deferred` and `bounced`, the lines of hand-offs to a content filter on this host. */
  readonly atFilter: number;
  /** The earliest of these lines. */
  readonly first: UndeliveredSampleReport;
  /** `filter` when the earliest line is a hand-off to a content filter, else `server`. */
  readonly firstKind: "filter" | "server";
  /** The first step to take, chosen by the kind and the reason of the earliest line. */
  readonly check: string;
  /**
   * Of the lines, those of each server that logged them (see `ServerReport.hosts`), most
   * first. Lines of servers past the limit of `ServerReport.hosts` are in no server's count.
   */
  readonly linesByHost: Readonly<Record<string, number>>;
  /**
   * The relay host that the earliest line failed to log in to, with its reply, or null when
   * that line is no failed login to a relay host or names no host.
   */
  readonly relayLogin: RelayLoginReport | null;
}

/** A relay host that rejected this server's login, and its reply. */
export interface RelayLoginReport {
  /** The host name as the log names it, or null when it names only the IP. */
  readonly host: string | null;
  readonly ip: string;
  /**
   * The relay host's first reply to a login in the log, such as `535 5.7.8 Error:
   * authentication failed`, with its time and line, or null when the log has none.
   */
  readonly reply: {
    readonly text: string;
    readonly time: string;
    readonly file: string;
    readonly line: number;
  } | null;
}

/**
 * With remote attempts in the log, at least this many lines of held outbound mail make the
 * server hold mail, because a few are single recipients, such as an unroutable domain.
 * Without any remote attempt, one line is enough, because then no outbound mail left at all.
 * Ten is an estimate. In both cases the latest line must fall within `ONGOING_WINDOW_MS` of the end of
 * the log, as for a block that still goes on, so that a filter restarted in the morning does
 * not hold the evening's verdict.
 */
export const HELD_MIN_LINES = 10;

/** Returns the step that checks the content filter on the servers of `subject`. */
function filterCheck(subject: ServerSubject): string {
  const where = subject.named || subject.plural ? subject.text : "this host";
  return `Check the content filter that the line names (amavis or another filter on ${where}): whether its service runs and listens on that address and port, and what its own log says about the mail. A filter that rejects mail as spam points at the account or script that sent it.`;
}

/** The file or setting with the user name and password for the relay host, by MTA. */
const RELAY_CREDENTIALS: Readonly<Record<MtaName, string>> = {
  postfix: "`smtp_sasl_password_maps`",
  exim: "`client_send` (plaintext) or `client_name` and `client_secret` (cram_md5) of the client authenticator, which Debian's configuration reads from /etc/exim4/passwd.client",
  sendmail: "the `AuthInfo:` entries of /etc/mail/authinfo or of the access db",
};

// Exim's reasons when its transport must log in to the relay host (`hosts_require_auth`) and
// the login failed or the host offered no AUTH (`defer (-42)`), or when the relay host closed
// the connection at the login (`Remote host closed connection in response to AUTH LOGIN`).
const LOGIN_FAILED = /authentication required but | in response to AUTH /i;

/** The settings of the transport that a held line names, by MTA. */
const TRANSPORT_SETTINGS: Readonly<Record<MtaName, string>> = {
  postfix: "`transport_maps` and master.cf",
  exim: "the router (`R=`) and transport (`T=`) of the line",
  sendmail: "the mailer of the line (`mailer=`) and its definition in the mc file",
};

/**
 * The thing that the first step for held mail checks: content filter, relay login, the Exim
 * router of a line without a transport, or transport.
 */
type HeldCheck = "filter" | "login" | "router" | "server";

/**
 * Builds the report of the outbound mail that this server held itself, or returns null when
 * there is none or too little of it (see `HELD_MIN_LINES`).
 */
export function heldMailReport(
  facts: LogFacts,
  time: (epochMs: number) => string,
): HeldMailReport | null {
  const filter = facts.server.outboundFilterFailures;
  const server = facts.server.undeliveredByServer;
  const deferred = filter.deferred + server.deferred;
  const bounced = filter.bounced + server.bounced;
  const lines = deferred + bounced;
  if (lines === 0) return null;
  if (facts.remoteAttempts > 0 && lines < HELD_MIN_LINES) return null;
  const latest = Math.max(filter.lastTime, server.lastTime);
  if (facts.lastTime !== null && latest < facts.lastTime - ONGOING_WINDOW_MS) return null;

  const firstKind = isEarlier(filter, server) ? "filter" : "server";
  const tally = firstKind === "filter" ? filter : server;
  const first = undeliveredReport(tally, time).first;
  if (first === null || tally.first === null) return null;
  const check = checkFor(firstKind, tally.first);
  const linesByHost = Object.fromEntries(
    Object.entries(
      mergeCounts([Object.fromEntries(filter.byHost), Object.fromEntries(server.byHost)]),
    ).sort((a, b) => b[1] - a[1]),
  );
  const subject = serverSubject(linesByHost, facts.server.hosts.values());
  return {
    deferred,
    bounced,
    atFilter: filter.deferred + filter.bounced,
    first,
    firstKind,
    check: checkText(check, subject, facts.server.mtas, tally.first),
    linesByHost,
    relayLogin: check === "login" ? relayLoginReport(facts, tally, time) : null,
  };
}

/**
 * Builds the report of the relay host that the earliest line of `tally` names, with the
 * first reply of that host to a whole session. Exim logs the reply to the login on a line
 * of its own before the address line (`plain authenticator failed H=smtp.example.net
 * [192.0.2.250] 535 5.7.8 …`), and the parser gives that host to the address line.
 */
function relayLoginReport(
  facts: LogFacts,
  tally: UndeliveredTally,
  time: (epochMs: number) => string,
): RelayLoginReport | null {
  const ip = tally.first?.relayIp ?? null;
  if (ip === null) return null;
  const reply = facts.server.firstSessionReplies.get(ip);
  return {
    host: tally.first?.relayHost ?? reply?.relayHost ?? null,
    ip,
    reply:
      reply === undefined
        ? null
        : {
            text: reply.response,
            time: time(reply.time),
            file: reply.position.file,
            line: reply.position.line,
          },
  };
}

/** Returns the first step for held mail whose earliest line is `first`. */
function checkFor(kind: HeldMailReport["firstKind"], first: UndeliveredSample): HeldCheck {
  if (kind === "filter") return "filter";
  if (first.text !== null && LOGIN_FAILED.test(first.text)) return "login";
  return first.transport === null && first.router !== null ? "router" : "server";
}

/**
 * Builds the text of the first step for held mail, with the settings of the MTAs that the log
 * shows and the servers that held the mail. `first` is the earliest line.
 */
function checkText(
  check: HeldCheck,
  subject: ServerSubject,
  mtas: ReadonlySet<MtaName>,
  first: UndeliveredSample,
): string {
  if (check === "filter") return filterCheck(subject);
  if (check === "router") {
    return `Check the router that the line names (Exim \`R=${first.router ?? ""}\`), and the MTA's warnings at that time.`;
  }
  if (check === "server") {
    return mtaStep(
      "Check the transport that the line names, and the MTA's warnings at that time.",
      TRANSPORT_SETTINGS,
      mtas,
    );
  }
  const [uses, its] = subject.plural ? ["use", "their"] : ["uses", "its"];
  return mtaStep(
    `Check the user name and password that ${subject.text} ${uses} to log in to ${its} relay host, and that the relay host still accepts them.`,
    RELAY_CREDENTIALS,
    mtas,
  );
}

/**
 * True when the earliest line of `a` comes before that of `b`, or `b` has none. Lines of the
 * same second in one file are ordered by line number.
 */
function isEarlier(a: UndeliveredTally, b: UndeliveredTally): boolean {
  if (a.first === null) return false;
  if (b.first === null || a.first.time < b.first.time) return true;
  if (a.first.time > b.first.time) return false;
  const [first, other] = [a.first.position, b.first.position];
  return first.file !== other.file || first.line <= other.line;
}

/**
 * Describes the held mail for the verdict, such as "This server itself holds outbound mail:
 * 30 deferrals before any receiver saw the mail. The first, at …, for
 * <bob@gmail.com> by smtp: connect to 127.0.0.1[127.0.0.1]:10024: Connection refused
 * (mail.log:3). Check the content filter …". A failed login to a relay host adds the host and
 * its reply before the check.
 */
export function heldMailSentence(held: HeldMailReport, servers: Iterable<LoggedServer>): string {
  const { first } = held;
  const subject = serverSubject(held.linesByHost, servers);
  const holdPhrase = subject.plural ? "themselves hold" : "itself holds";
  const transport = first.transport === null ? "" : ` by ${first.transport}`;
  const reason = first.text ?? "no reason logged";
  const login = held.relayLogin === null ? "" : `${relayLoginSentence(held.relayLogin)} `;
  return (
    `${subjectAtStart(subject)} ${holdPhrase} outbound mail: ${heldCounts(held)} before any receiver saw the mail. ` +
    `The first, at ${first.time}, for <${first.recipient}>${transport}: ${reason} (${first.file}:${first.line}). ${login}${held.check}`
  );
}

/** Returns the counts that are not 0, such as "3 deferrals and 1 bounce" or "1 bounce". */
function heldCounts(held: HeldMailReport): string {
  const counts: string[] = [];
  if (held.deferred > 0) counts.push(plural(held.deferred, "deferral"));
  if (held.bounced > 0) counts.push(plural(held.bounced, "bounce"));
  return counts.join(" and ");
}

/**
 * Names the relay host and its reply to the login, such as "The relay host smtp.example.net
 * [192.0.2.250] replied to the login at …: 535 5.7.8 Error: authentication failed (mail.log:2)."
 */
function relayLoginSentence(login: RelayLoginReport): string {
  const host = login.host === null ? `[${login.ip}]` : `${login.host} [${login.ip}]`;
  const reply = login.reply;
  if (reply === null) return `The relay host ${host} left no reply to the login in the log.`;
  return `The relay host ${host} replied to the login at ${reply.time}: ${reply.text} (${reply.file}:${reply.line}).`;
}

/**
 * Adds a failed `mail-leaves` item to the readiness checklist while this server keeps outbound
 * mail back itself. No removal request helps while the mail does not leave, so the list is not
 * ready.
 */
export function withHeldMailItem(
  readiness: ReadinessReport,
  held: HeldMailReport | null,
  servers: readonly LoggedServer[],
): ReadinessReport {
  if (held === null) return readiness;
  const subject = serverSubject(held.linesByHost, servers);
  const holdPhrase = subject.plural ? "themselves hold" : "itself holds";
  return {
    ...readiness,
    ready: false,
    summary: `Not ready: ${subject.text} ${holdPhrase} outbound mail, so fix that first. ${readiness.summary}`,
    items: [
      ...readiness.items,
      {
        id: "mail-leaves",
        title: `Outbound mail leaves ${subject.text}`,
        status: "fail",
        detail: heldMailSentence(held, servers),
      },
    ],
  };
}
