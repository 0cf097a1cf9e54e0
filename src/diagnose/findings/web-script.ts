import type { OriginFacts } from "../../analysis/origins.js";
import { HOUR_MS, median } from "../../analysis/time.js";
import type { DiagnoseContext } from "../context.js";
import { BURST_FACTOR } from "../series.js";
import type { Finding } from "../types.js";
import { REFERENCES, finding, plural } from "./build.js";
import { describeOrigin } from "./origin-names.js";

/**
 * A new program's peak hour must exceed the usual local level by this many recipients, and
 * it must send this many messages in all. Local programs send little (contact forms, cron
 * reports), so a script sending a few dozen an hour for hours is already far above them.
 */
const MIN_EXCESS_PER_HOUR = 20;
const MIN_MESSAGES = 50;

/** A program is new when it first sends this long after the log starts. */
const NEW_SOURCE_AFTER_MS = 6 * HOUR_MS;

// Directories where uploaded or injected PHP lives, and where a legitimate mailer rarely does.
const SUSPICIOUS_PATH = /\/(?:uploads?|tmp|temp|cache|images?|img|files|\.[^/]+)(?:\/|$)/i;

/**
 * `web-script`: a local program (a PHP script, a web site's Unix user) starts sending far
 * more mail than local programs usually do. It must be new to the log or live in a directory
 * where uploaded scripts live. An old, busy program with a steady history is a campaign or a
 * shop, which the volume findings cover.
 */
export function detectWebScripts(context: DiagnoseContext): Finding[] {
  const sources = [...context.facts.origins.localSources.values()];
  const logStart = context.facts.firstTime ?? 0;
  const results: Finding[] = [];

  for (const source of sources) {
    const isNew = source.firstTime >= logStart + NEW_SOURCE_AFTER_MS;
    const suspicious = SUSPICIOUS_PATH.test(
      `${source.workingDirectory ?? ""} ${source.script ?? ""}`,
    );
    if (!isNew && !suspicious) continue;
    const baseline = localBaseline(sources, source);
    const peak = peakHour(source);
    if (source.messages < MIN_MESSAGES) continue;
    if (
      peak.recipients < baseline * BURST_FACTOR ||
      peak.recipients - baseline < MIN_EXCESS_PER_HOUR
    ) {
      continue;
    }
    results.push(scriptFinding(context, source, baseline, peak, isNew, suspicious));
  }
  return results.sort((a, b) => evidenceMessages(b) - evidenceMessages(a));
}

/** Median hourly recipients of all other local programs before `source` started. */
function localBaseline(sources: readonly OriginFacts[], source: OriginFacts): number {
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

function scriptFinding(
  context: DiagnoseContext,
  source: OriginFacts,
  baseline: number,
  peak: { hour: number; recipients: number },
  isNew: boolean,
  suspicious: boolean,
): Finding {
  const google = source.recipientsByOperator.get("google") ?? 0;
  const name = describeOrigin(source);
  return finding("web-script", {
    severity: "critical",
    role: "cause",
    title: `A web script is sending mail: ${name}`,
    summary:
      `From ${context.time(source.firstTime)} it submitted ${plural(source.messages, "message")} to ` +
      `${plural(source.recipients, "recipient")}, up to ${peak.recipients.toLocaleString("en-US")} an hour while local programs usually send ${baseline}.`,
    evidence: {
      uid: source.uid,
      localUser: source.localUser,
      script: source.script,
      workingDirectory: source.workingDirectory,
      command: source.command,
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
      blockedAttempts: source.blockedAttempts,
      newInLog: isNew,
      suspiciousPath: suspicious,
    },
    samples: [context.sample(source.firstTime, source.firstPosition, `first message from ${name}`)],
    fix: scriptFixes(source),
    references: [REFERENCES.gmailSenderForm],
  });
}

function scriptFixes(source: OriginFacts): string[] {
  const where =
    source.workingDirectory ??
    (source.script !== null ? `the script ${source.script}` : "the site");
  return [
    `Stop the script: find it${source.workingDirectory !== null ? ` in ${source.workingDirectory}` : ""} (and files changed at the same time), remove it, and take the site offline if you cannot.`,
    `Find how it got there: update the CMS and its plugins, check upload folders for .php files, and rotate the site's passwords.`,
    `Delete its queued mail (Postfix: \`postsuper -d\` for its queue ids; Exim: \`exiqgrep -i -f SENDER | xargs exim -Mrm\`).`,
    "Log the script behind every mail() call: `mail.add_x_header = On` in php.ini and a Postfix `header_checks` rule `/^X-PHP-Originating-Script:/ WARN`.",
    `Limit how much a local user may send (a rate limit in the MTA or the PHP sendmail wrapper) for ${where}.`,
  ];
}

function evidenceMessages(result: Finding): number {
  return (result.evidence as { messages?: number }).messages ?? 0;
}
