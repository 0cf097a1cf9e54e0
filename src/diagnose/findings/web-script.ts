import type { OriginFacts } from "../../analysis/origins.js";
import type { MtaName } from "../../logs/events.js";
import { HOUR_MS, median } from "../../analysis/time.js";
import type { DiagnoseContext } from "../context.js";
import { BURST_FACTOR } from "../series.js";
import type { Finding } from "../types.js";
import { REFERENCES, finding, plural } from "./build.js";
import { codeSpan, shellQuote } from "../shell-quote.js";
import { describeOrigin, phpScript } from "./origin-names.js";
import { mtaStep } from "./mta-steps.js";
import { deleteQueuedStep, holdQueuedStep } from "./queue-commands.js";
import { originHosts, type OriginHosts } from "./origin-hosts.js";
import {
  blockingShare,
  followsDailySchedule,
  isOnlyBulkSender,
  ownUsualPerHour,
} from "./bulk-run-signs.js";

/**
 * A new program's peak hour must exceed the usual local level by this many recipients. Local
 * programs send little (contact forms, cron reports), so a script sending a few dozen an hour
 * for hours is already far above them.
 */
export const MIN_EXCESS_PER_HOUR = 20;

/**
 * Without evidence of abuse, the program's mail must reach this many messages. A newsletter
 * that a shop sends every day with several Bcc recipients per message is no sign of abuse.
 */
const MIN_MESSAGES = 50;

/**
 * With evidence of abuse, the bar counts outbound recipients, not messages, because an abused
 * contact form often puts several Bcc recipients on each message.
 */
const MIN_RECIPIENTS_WHEN_SURGING = 50;

/**
 * When receivers replied to at least this many of the program's delivery attempts with a block
 * reply (spam, block list, reputation), its mail needs only `MIN_RECIPIENTS_WHEN_BLOCKED`
 * recipients, because those replies are the strongest evidence of abuse.
 */
export const MIN_BLOCKED_ATTEMPTS = 5;
export const MIN_RECIPIENTS_WHEN_BLOCKED = 25;

/**
 * The program's own earlier volume is its busiest hour at least this long before its peak
 * hour. A job that runs at the same hour every day then compares with the day before, and the
 * burst's own first hours do not count as its history.
 */
export const OWN_HISTORY_BEFORE_PEAK_MS = 12 * HOUR_MS;

/** A program is new when it first sends this long after the log starts. */
export const NEW_SOURCE_AFTER_MS = 6 * HOUR_MS;

// Directories where uploaded or injected PHP lives, and where a legitimate mailer rarely does.
const SUSPICIOUS_PATH = /\/(?:uploads?|tmp|temp|cache|images?|img|files|\.[^/]+)(?:\/|$)/i;

// Document roots of web sites, as hosting panels and distributions name them.
const WEB_PATH = /(?:^|\/)(?:public_html|httpdocs|htdocs|wwwroot|www|wp-content)(?:\/|$)/i;

/** Unix users that web servers and PHP-FPM pools run as. */
const WEB_SERVER_USERS = new Set(["www-data", "apache", "nginx", "http", "httpd", "wwwrun"]);

/**
 * Their uids where the log shows only a uid (Postfix `pickup`): `www-data` is 33 on Debian and
 * Ubuntu, `apache` is 48 on RHEL and Fedora. Other systems number them differently.
 */
const WEB_SERVER_UIDS = new Set([33, 48]);

/** Signs of a local program that sent a burst, as the log shows them. */
interface SourceSigns {
  readonly isNew: boolean;
  readonly suspicious: boolean;
  /** A PHP script header, a document root or a web server's user. */
  readonly web: boolean;
  /** Receivers rejected or deferred some of its mail as a block. */
  readonly objected: boolean;
}

/**
 * `web-script`: a local program (a PHP script, a web site's Unix user) starts sending far
 * more mail than local programs usually do. It must be new to the log or live in a directory
 * where uploaded scripts live. An old, busy program with a steady history is a campaign or a
 * shop, which the volume findings cover.
 *
 * A burst is reported only with a sign of a web script or of abuse: a PHP script header, a
 * web directory or web server user, a suspicious directory, or receivers that blocked its
 * mail. A new user's cron job that sends a monthly report shows none of them. Mail of root
 * (uid 0) is the system's own (cron output, logwatch, monitoring) and is reported only from
 * a suspicious directory, as a program running as root.
 */
export function detectWebScripts(context: DiagnoseContext): Finding[] {
  const sources = [...context.facts.origins.localSources.values()];
  const logStart = context.facts.firstTime ?? 0;
  const results: Finding[] = [];

  for (const source of sources) {
    const signs = sourceSigns(source, logStart);
    if (!signs.isNew && !signs.suspicious) continue;
    if (isRoot(source) ? !signs.suspicious : !signs.web && !signs.suspicious && !signs.objected) {
      continue;
    }
    const baseline = baselineOfOthers(sources, source);
    const peak = peakHour(source);
    if (!reachesVolumeBar(source, peak)) continue;
    if (
      peak.recipients < baseline * BURST_FACTOR ||
      peak.recipients - baseline < MIN_EXCESS_PER_HOUR
    ) {
      continue;
    }
    results.push(scriptFinding(context, source, baseline, peak, signs));
  }
  return results.sort((a, b) => evidenceMessages(b) - evidenceMessages(a));
}

function sourceSigns(source: OriginFacts, logStart: number): SourceSigns {
  const paths = `${source.workingDirectory ?? ""} ${source.script ?? ""}`;
  const web =
    source.script !== null ||
    WEB_PATH.test(source.workingDirectory ?? "") ||
    (source.localUser !== null && WEB_SERVER_USERS.has(source.localUser)) ||
    (source.localUser === null && source.uid !== null && WEB_SERVER_UIDS.has(source.uid));
  return {
    isNew: source.firstTime >= logStart + NEW_SOURCE_AFTER_MS,
    suspicious: SUSPICIOUS_PATH.test(paths),
    web,
    objected: source.blockedAttempts > 0,
  };
}

/**
 * Checks the program's volume against its bar. Block replies to 5 or more of its attempts, or
 * a peak hour far above its own earlier hours, are evidence of abuse and make the bar count
 * recipients. Without them the bar is 50 messages.
 */
function reachesVolumeBar(
  source: OriginFacts,
  peak: { hour: number; recipients: number },
): boolean {
  if (source.blockedAttempts >= MIN_BLOCKED_ATTEMPTS) {
    return source.recipients >= MIN_RECIPIENTS_WHEN_BLOCKED;
  }
  if (surgesAboveOwnHistory(source, peak)) return source.recipients >= MIN_RECIPIENTS_WHEN_SURGING;
  return source.messages >= MIN_MESSAGES;
}

/**
 * Tells whether the program's peak hour is `BURST_FACTOR` times its busiest hour that lies at
 * least 12 hours earlier. A program without such earlier hours has no history to compare with.
 * NOTE: a burst that builds up over more than 12 hours is compared with its own first hours,
 * so it often keeps the 50-message bar.
 */
function surgesAboveOwnHistory(
  source: OriginFacts,
  peak: { hour: number; recipients: number },
): boolean {
  const earlierMax = busiestHourBefore(source, peak.hour);
  return earlierMax > 0 && peak.recipients >= earlierMax * BURST_FACTOR;
}

/**
 * Returns the recipients of the source's busiest hour that starts at least 12 hours before
 * `peakHour`, or 0 when the log shows none.
 */
export function busiestHourBefore(source: OriginFacts, peakHour: number): number {
  let earlierMax = 0;
  for (const [hour, counts] of source.hourly) {
    if (hour <= peakHour - OWN_HISTORY_BEFORE_PEAK_MS) {
      earlierMax = Math.max(earlierMax, counts.recipients);
    }
  }
  return earlierMax;
}

function isRoot(source: OriginFacts): boolean {
  return source.uid === 0 || source.localUser === "root";
}

/** Median hourly recipients of all other origins of `sources` before `source` started. */
export function baselineOfOthers(sources: readonly OriginFacts[], source: OriginFacts): number {
  const totals = new Map<number, number>();
  for (const other of sources) {
    if (other === source) continue;
    for (const [hour, counts] of other.hourly) {
      if (hour < source.firstTime) totals.set(hour, (totals.get(hour) ?? 0) + counts.recipients);
    }
  }
  return median([...totals.values()]);
}

function peakHour(source: OriginFacts): { hour: number; recipients: number } {
  let best = { hour: 0, recipients: 0 };
  for (const [hour, counts] of source.hourly) {
    if (counts.recipients > best.recipients) best = { hour, recipients: counts.recipients };
  }
  return best;
}

/**
 * What the burst's program is, which decides the finding's wording and fixes. `user` is a
 * non-root user that shows no sign of a web site but whose mail receivers blocked. Stock
 * Postfix logs only the uid and sender of such mail, so a cron job of the user and a PHP site
 * running as the user (PHP-FPM pools, suEXEC, hosting panels) look the same in the log. Its
 * run may be an intended campaign, so it is a `warning` worded as a bulk run, and its fixes put
 * its queued mail on hold instead of deleting it.
 */
type SourceKind = "web" | "root" | "user";

function sourceKind(source: OriginFacts, signs: SourceSigns): SourceKind {
  if (isRoot(source)) return "root";
  return signs.web || signs.suspicious ? "web" : "user";
}

/** The subject and the predicate of each kind's title, which the program's host goes between. */
const TITLES: Record<SourceKind, readonly [string, string]> = {
  web: ["A web script", "is sending mail"],
  root: ["A program running as root", "is sending mail from a suspicious directory"],
  user: ["A new local program", "sent bulk mail that receivers block"],
};

function scriptFinding(
  context: DiagnoseContext,
  source: OriginFacts,
  baseline: number,
  peak: { hour: number; recipients: number },
  signs: SourceSigns,
): Finding {
  const name = describeOrigin(source);
  const kind = sourceKind(source, signs);
  const hosts = originHosts(context.facts, source);
  const [subject, predicate] = TITLES[kind];
  const usual = ownUsualPerHour(context, source, peak.hour);
  return finding("web-script", {
    severity: kind === "user" ? "warning" : "critical",
    role: "cause",
    title: `${subject}${hosts.phrase} ${predicate}: ${name}`,
    summary:
      `From ${context.time(source.firstTime)} it submitted ${plural(source.messages, "message")} to ` +
      `${plural(source.recipients, "recipient")}, up to ${peak.recipients.toLocaleString("en-US")} an hour${usualClause(usual, baseline)}.` +
      blockedSentence(source) +
      (kind === "user" ? BULK_RUN_SENTENCES : ""),
    evidence: {
      origin: name,
      uid: source.uid,
      localUser: source.localUser,
      script: source.script === null ? null : phpScript(source.script).file,
      scriptUid: source.script === null ? null : phpScript(source.script).uid,
      workingDirectory: source.workingDirectory,
      command: source.command,
      ...volumeEvidence(context, source, peak, baseline, hosts),
      baselineSource: "other-local-programs",
      usualRecipientsPerHour: usual,
      newInLog: signs.isNew,
      suspiciousPath: signs.suspicious,
      webSource: signs.web,
      runsAsRoot: kind === "root",
      dailySchedule: followsDailySchedule(source),
      onlyBulkSender: isOnlyBulkSender(context, source, MIN_EXCESS_PER_HOUR),
    },
    samples: [context.sample(source.firstTime, source.firstPosition, `first message from ${name}`)],
    fix: fixesOf(source, kind, hosts.mtas),
    references: [REFERENCES.gmailSenderForm],
  });
}

/**
 * Returns the volume evidence that the `web-script` findings of local programs and of relay
 * clients share: where and when the source sent, how much, its peak against `baseline`, and
 * the block replies to its mail.
 */
export function volumeEvidence(
  context: DiagnoseContext,
  source: OriginFacts,
  peak: { hour: number; recipients: number },
  baseline: number,
  hosts: OriginHosts,
): Record<string, unknown> {
  const google = source.recipientsByOperator.get("google") ?? 0;
  return {
    host: hosts.host,
    messagesByHost: hosts.messagesByHost,
    start: context.time(source.firstTime),
    firstLine: { file: source.firstPosition.file, line: source.firstPosition.line },
    end: context.time(source.lastTime),
    messages: source.messages,
    recipients: source.recipients,
    senders: Object.fromEntries([...source.senders].slice(0, 5)),
    peakRecipientsPerHour: peak.recipients,
    peakHour: context.time(peak.hour),
    baselineRecipientsPerHour: baseline,
    googleShare: source.recipients > 0 ? Math.round((google / source.recipients) * 100) / 100 : 0,
    blockingShare: blockingShare(source),
    blockedAttempts: source.blockedAttempts,
    blockedAttemptsByOperator: Object.fromEntries(source.blockedByOperator),
  };
}

/**
 * Compares the peak with the program's own usual level at that time of day, the figure that
 * `volume-spike` gives for the same program, and with the other local programs' usual level
 * (`baseline`). Without an earlier day in the log, only `baseline` is known.
 */
function usualClause(usual: number | null, baseline: number): string {
  if (usual === null) return ` while other local programs usually send ${baseline}`;
  return `. At that time of day it usually sends ${usual.toLocaleString("en-US")} an hour, and other local programs ${baseline}`;
}

/** Summary sentences of a local program's bulk run without any sign of a web site. */
const BULK_RUN_SENTENCES =
  " The log shows no sign of a web site: no X-PHP-Originating-Script header, no working directory under a web root and no web server user." +
  " If the run was intended, it is a volume problem. If it was not, look for a script.";

/**
 * Says how many of the program's delivery attempts got a block reply from receivers, or
 * returns "" when none did.
 */
export function blockedSentence(source: OriginFacts): string {
  if (source.blockedAttempts === 0) return "";
  const attempts = source.sent + source.deferred + source.bounced - source.resultsWithoutAttempt;
  return (
    ` Receivers rejected or deferred ${source.blockedAttempts.toLocaleString("en-US")} of its ` +
    `${plural(Math.max(attempts, source.blockedAttempts), "delivery attempt")} for spam, a block list or reputation.`
  );
}

function fixesOf(source: OriginFacts, kind: SourceKind, mtas: ReadonlySet<MtaName>): string[] {
  const deleteQueued = deleteQueuedStep(sendersOf(source), mtas);
  if (kind === "web") return scriptFixes(source, deleteQueued, mtas);
  if (kind === "root") return rootFixes(source, deleteQueued);
  return userFixes(source, holdQueuedStep(sendersOf(source), mtas), mtas);
}

/** Other senders of the program that the queue step names, after its most frequent one. */
const MAX_OTHER_SENDERS = 4;

/** Returns the program's envelope senders, the most frequent first. */
export function sendersOf(source: OriginFacts): string[] {
  return [...source.senders]
    .sort((a, b) => b[1] - a[1])
    .slice(0, MAX_OTHER_SENDERS + 1)
    .map(([sender]) => sender);
}

/**
 * Fixes for a web script. The step that turns on logging of the script behind each mail()
 * call is left out when the log already names the script, because only that logging does.
 */
function scriptFixes(
  source: OriginFacts,
  deleteQueued: string,
  mtas: ReadonlySet<MtaName>,
): string[] {
  const script = source.script === null ? null : phpScript(source.script).file;
  const where = source.workingDirectory ?? (script !== null ? `the script ${script}` : "the site");
  const target =
    source.workingDirectory !== null
      ? `it in ${source.workingDirectory}`
      : script !== null
        ? script
        : "it";
  return [
    `Stop the script: find ${target} (and files changed at the same time), remove it, and take the site offline if you cannot.`,
    `Find how it got there: update the CMS and its plugins, check upload folders for .php files, and rotate the site's passwords.`,
    deleteQueued,
    ...(script === null ? [logScriptStep(mtas)] : []),
    `Limit how much a local user may send (a rate limit in the MTA or the PHP sendmail wrapper) for ${where}.`,
  ];
}

/**
 * Settings that make each MTA log the script behind a local submission. Postfix logs the
 * header that `mail.add_x_header` adds only through a `header_checks` rule, and then the log
 * names the script. Exim names only the script's directory (`cwd=`, with `+arguments`) and
 * Sendmail only the uid (`ctladdr=`), so for them PHP's own `mail.log` names the script.
 */
const LOG_SCRIPT_BY_MTA: Readonly<Record<MtaName, string>> = {
  postfix:
    "a `header_checks` rule `/^X-PHP-Originating-Script:/ WARN` writes that header to the mail log",
  exim: "`log_selector = +arguments` logs the working directory of each local submission (`cwd=`)",
  sendmail: "its log names only the uid (`ctladdr=`), so read the script in PHP's log file",
};

/** Builds the step that makes PHP and the MTAs of `mtas` log the script behind each mail() call. */
export function logScriptStep(mtas: ReadonlySet<MtaName>): string {
  return mtaStep(
    "Log the script behind every mail() call. In php.ini, `mail.add_x_header = On` adds its name to each message as X-PHP-Originating-Script, and `mail.log = /var/log/php-mail.log` logs its path and line.",
    LOG_SCRIPT_BY_MTA,
    mtas,
  );
}

/** Fixes for a program that runs as root from a suspicious directory. */
function rootFixes(source: OriginFacts, deleteQueued: string): string[] {
  return [
    `Find the process: \`ps -ef\` and ${codeSpan(`ls -la ${shellQuote(source.workingDirectory ?? "/tmp")}`)}, and compare root's crontab and /etc/cron.* with what you installed.`,
    "A program that runs as root from such a directory means the server itself is compromised: take it off the network, keep a copy of the files for analysis, and reinstall it rather than clean it.",
    deleteQueued,
  ];
}

/**
 * Fixes for a non-root user's program. The log cannot tell a cron job from a PHP site that
 * runs as the same user, so the fixes cover both. The run may be an intended campaign, so the
 * queued mail is put on hold (`holdQueued`), never deleted, until its owner confirms whether it was intended.
 */
function userFixes(source: OriginFacts, holdQueued: string, mtas: ReadonlySet<MtaName>): string[] {
  const user = source.localUser ?? (source.uid !== null ? `uid ${source.uid}` : "its user");
  // The log names the user or only its uid. `crontab -u` needs the name, so without one the
  // commands keep the USER placeholder.
  const userWord = source.localUser === null ? "USER" : shellQuote(source.localUser);
  return [
    `Ask ${user} whether the run was intended. If it was, treat it as a volume problem: send in smaller batches spread over days, to opted-in recipients only, and grow volume gradually.`,
    holdQueued,
    `If it was not, find the program: the crontab of ${user} (${codeSpan(`crontab -l -u ${userWord}`)}) and its processes (${codeSpan(`ps -u ${userWord}`)}). If the user did not start it, lock the account and change its password.`,
    `If ${user} runs a web site (PHP-FPM pool, suEXEC, hosting panel), look for the script in its document root: update the CMS and its plugins, check upload folders for .php files, and rotate the site's passwords.`,
    logScriptStep(mtas),
    `Limit how much ${user} may send with a rate limit in the MTA.`,
  ];
}

function evidenceMessages(result: Finding): number {
  return (result.evidence as { messages?: number }).messages ?? 0;
}
