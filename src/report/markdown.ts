import { putOnHoldSentence } from "./on-hold.js";
import type {
  Diagnosis,
  Finding,
  InputReport,
  OutageReport,
  ProviderVerdict,
  RemovalFormReport,
  ServerReport,
  UnexplainedBlock,
} from "../diagnose/types.js";
import { showHiddenCharacters } from "../diagnose/hidden-characters.js";
import { codeSpan } from "../diagnose/shell-quote.js";
import { PROVIDER_NAMES } from "../knowledge/providers.js";
import { recipientPolicyLine } from "../diagnose/recipient-policy.js";
import { evidenceLines } from "./evidence.js";
import { missingFilterCopiesSentence } from "./filter-copies.js";
import { addressProbesSentence } from "./address-probes.js";
import { expiredWithoutRecipientSentence } from "./expired-without-recipient.js";
import { blockedHostsList, failedHostsList, hostsSentence, ownDecisionHeading } from "./hosts.js";
import { splitCommands } from "./fix-steps.js";
import { showHiddenInReport } from "./log-text.js";
import { escapeMarkdown, evidenceStrings, markdownInline } from "./markdown-text.js";
import { fewDomainsLine, outageSentence } from "./outage.js";
import {
  blockedAttemptsSentence,
  endedKindSentence,
  expiredSentence,
  noProvidersSentence,
  replyChangeSentence,
  replyCodeText,
  verdictSummaryText,
  shownProviders,
  statusCell,
} from "./providers.js";
import { upperFirst } from "../diagnose/findings/build.js";
import {
  lastRequestSentence,
  omittedCommandsSentence,
  recordCommands,
  unknownIpSentence,
} from "./removal-commands.js";
import { dnsChecksMarkdown } from "./markdown-checks.js";
import { lineCountsText } from "./line-counts.js";
import { MAX_SAMPLE_LINES } from "./skipped-samples.js";
import { deferralSentences, isIncident } from "./deferral-text.js";
import { queueSpaceSentences, SERVER_FAULTS_HEADING } from "./queue-space-text.js";
import { verdictLabel } from "./verdict-label.js";
import { bounceOnlySentence, filesRead, inputDetailSentences } from "./text.js";
import {
  frozenSentence,
  localFailuresHeading,
  POLICY_REJECTIONS_HEADING,
  suspendedDeferralSentence,
  undeliveredSentences,
} from "./undelivered-text.js";
import {
  FATAL_ERRORS_HEADING,
  fatalErrorsSentence,
  fatalKindHeading,
  moreFatalKindsText,
} from "./fatal-errors-text.js";
import { inputsNotReadWords } from "./inputs-not-read.js";
import { count, shortTime, shortTimesIn, WIDTH } from "./wrap.js";

/** Maximum length of a skipped-line sample in the report, in characters. */
const MAX_SAMPLE_CHARS = MAX_SAMPLE_LINES * WIDTH;

/**
 * Renders a diagnosis as Markdown, for tickets and chat. Hidden characters in log values are
 * shown as escapes (see `showHiddenInReport`), in code spans too.
 */
export function renderDiagnosisMarkdown(report: Diagnosis): string {
  const diagnosis = showHiddenInReport(report);
  const input = diagnosis.input;
  const lines: string[] = [
    "# delist diagnosis",
    "",
    headline(input),
    ...hostsParagraph(diagnosis),
    "",
    `**Verdict: ${verdictLabel(diagnosis).words}${inputsNotReadWords(diagnosis.verdict.inputsNotRead)}.** ${escape(shortTimesIn(verdictSummaryText(diagnosis)))}`,
    "",
    "## Providers",
    "",
    ...providersTable(diagnosis),
    ...missingFilterCopiesParagraph(diagnosis),
    ...addressProbesParagraph(diagnosis),
    ...expiredWithoutRecipientParagraph(diagnosis),
    ...suspendedParagraphs(diagnosis),
    ...expiredParagraphs(diagnosis),
    ...deferralParagraphs(diagnosis),
    ...outageBlocks(diagnosis),
    ...undeliveredParagraphs(diagnosis),
    ...fatalErrorParagraphs(diagnosis),
    ...serverFaultParagraphs(diagnosis),
    "",
    "## Findings",
    ...findingBlocks(diagnosis.findings),
    ...diagnosis.unexplainedBlocks.flatMap(unexplainedBlock),
    ...(diagnosis.findings.length === 0 && diagnosis.unexplainedBlocks.length === 0
      ? ["", "No findings in this log."]
      : []),
    ...dnsChecksMarkdown(diagnosis),
    "",
    "## Removal readiness",
    "",
    // GitHub draws only `[ ]` and `[x]` as task boxes, so an item that did not pass gets an
    // empty box, and the status in brackets shows whether it failed, is unknown or not checked.
    ...diagnosis.readiness.items.map(
      (item) =>
        `- ${item.status === "pass" ? "[x]" : "[ ]"} **${item.title}** (${item.status}): ${escape(shortTimesIn(item.detail))}`,
    ),
    "",
    escape(shortTimesIn(diagnosis.readiness.summary)),
    ...diagnosis.readiness.removalForms.map(removalFormLine),
    ...recordCommandBlock(diagnosis),
    "",
    ...input.files
      .filter((file) => file.error !== null)
      .flatMap((file) => [`**Error:** ${escapeMarkdown(`${file.name}: ${file.error ?? ""}`)}`, ""]),
    input.files.length === 0
      ? "No mail log given."
      : `Read ${filesRead(input)}: ${lineCountsText(input)}.`,
    ...inputParagraphs(input),
  ];
  return lines.join("\n") + "\n";
}

function hostsParagraph(diagnosis: Diagnosis): string[] {
  const sentence = hostsSentence(diagnosis.server);
  return sentence === null ? [] : ["", escape(sentence)];
}

function missingFilterCopiesParagraph(diagnosis: Diagnosis): string[] {
  const sentence = missingFilterCopiesSentence(diagnosis.server);
  return sentence === null ? [] : ["", escape(sentence)];
}

function addressProbesParagraph(diagnosis: Diagnosis): string[] {
  const sentence = addressProbesSentence(diagnosis.server);
  return sentence === null ? [] : ["", escape(sentence)];
}

function expiredWithoutRecipientParagraph(diagnosis: Diagnosis): string[] {
  const sentence = expiredWithoutRecipientSentence(diagnosis.server);
  return sentence === null ? [] : ["", escape(sentence)];
}

function headline(input: InputReport): string {
  const bounceOnly = bounceOnlySentence(input);
  if (bounceOnly !== null) return `${bounceOnly.charAt(0).toUpperCase()}${bounceOnly.slice(1)}.`;
  return `${count(input.lines)} log lines from ${shortTime(input.firstTime)} to ${shortTime(input.lastTime)} (${input.timeZone}).`;
}

/**
 * Returns the paragraphs on the input that the text report prints below its count of lines:
 * the same sentences, the bounce read errors, the notes and samples of skipped lines.
 */
function inputParagraphs(input: InputReport): string[] {
  const bounceErrors = (input.bounces?.files ?? []).flatMap((file) => file.errors);
  const samples = input.skippedSamples
    .slice(0, 3)
    .map((sample) => `${sample.file}:${sample.line}: ${sample.text}`);
  return [
    ...inputDetailSentences(input).map(escape),
    ...bounceErrors.map((error) => `**Error:** ${escapeMarkdown(error)}`),
    ...input.notes.map((note) => `**Note:** ${escape(shortTimesIn(note))}`),
    ...samples.map((sample) => `**Skipped:** ${escapeMarkdown(shortened(sample))}`),
  ].flatMap((paragraph) => ["", paragraph]);
}

// A skipped line can be as long as the line limit, so its sample is cut as the text report's
// three lines of 80 columns are.
function shortened(text: string): string {
  return text.length <= MAX_SAMPLE_CHARS ? text : `${text.slice(0, MAX_SAMPLE_CHARS - 1)}…`;
}

function removalFormLine(form: RemovalFormReport): string {
  const line = `- ${PROVIDER_NAMES[form.provider]}: <${form.url}>. ${escape(shortTimesIn(form.rule))}`;
  const requests = form.targets.flatMap((target) =>
    target.lastRequest === null
      ? []
      : [escape(lastRequestSentence(target.lastRequest, (iso) => iso))],
  );
  return [line, ...requests].join(" ");
}

/**
 * Lists the `delist removal request` commands for the forms and IPs with no recorded request
 * in a code block, so that they can be copied whole.
 */
function recordCommandBlock(diagnosis: Diagnosis): string[] {
  const forms = diagnosis.readiness.removalForms;
  const { shown, omitted } = recordCommands(forms);
  if (shown.length === 0) return [];
  const unknown = unknownIpSentence(forms, diagnosis.server.sendingIps.length);
  return [
    "",
    "After sending a form, record it, so that delist can tell when the next is allowed:",
    "",
    "```sh",
    ...shown,
    "```",
    ...(omitted > 0 ? ["", escape(omittedCommandsSentence(omitted))] : []),
    ...(unknown === null ? [] : ["", escape(unknown)]),
  ];
}

/** Notes, below the table, each provider's recipients that expired in the queue. */
function expiredParagraphs(diagnosis: Diagnosis): string[] {
  return shownProviders(diagnosis).flatMap((verdict) => {
    const sentence = expiredSentence(verdict);
    return sentence === null ? [] : ["", `${escape(verdict.name)}: ${escape(sentence)}`];
  });
}

/** Notes, below the table, the deferrals that the MTA made without trying each provider. */
function suspendedParagraphs(diagnosis: Diagnosis): string[] {
  return shownProviders(diagnosis).flatMap((verdict) =>
    verdict.suspendedDeferrals === 0
      ? []
      : [
          "",
          `${escape(verdict.name)}: ${escape(suspendedDeferralSentence(verdict.suspendedDeferrals, verdict.deferredRecipients))}`,
        ],
  );
}

/**
 * Lists the mail that no receiver decided: the recipients that this server deferred or bounced
 * itself, failed local deliveries and the bounces of its own rules, each with its earliest line,
 * the frozen messages and the messages put on hold.
 */
function undeliveredParagraphs(diagnosis: Diagnosis): string[] {
  const tallies = [
    undeliveredSentences(ownDecisionHeading(diagnosis.server), diagnosis.undeliveredByServer),
    undeliveredSentences(
      localFailuresHeading(diagnosis.localDeliveryFailures),
      diagnosis.localDeliveryFailures,
    ),
    undeliveredSentences(POLICY_REJECTIONS_HEADING, diagnosis.localPolicyRejections),
  ];
  const paragraphs = tallies.flatMap((sentences) => {
    if (sentences === null) return [];
    const first = sentences.first === null ? [] : [`- first: ${escape(sentences.first)}`];
    return ["", escape(sentences.counts), ...(first.length === 0 ? [] : ["", ...first])];
  });
  const queued = [frozenSentence(diagnosis.frozenMessages), putOnHoldSentence(diagnosis.server)];
  for (const sentence of queued) if (sentence !== null) paragraphs.push("", escape(sentence));
  return paragraphs;
}

/**
 * Returns the paragraph on the MTA's fatal errors and a list of their kinds, each with its
 * first line and fix, or no lines when the log shows none.
 */
function fatalErrorParagraphs(diagnosis: Diagnosis): string[] {
  const report = diagnosis.mtaFatalErrors;
  if (report === null) return [];
  const more = moreFatalKindsText(report);
  const kinds = report.kinds.map((kind) => {
    const { sample } = kind;
    const line = codeSpan(`${sample.file}:${sample.line}`);
    return `- ${escape(fatalKindHeading(kind))}. First: ${codeSpan(sample.text)} (line ${line}). Fix: ${escape(kind.fix)}`;
  });
  return [
    "",
    `${FATAL_ERRORS_HEADING}: ${escape(fatalErrorsSentence(report))}`,
    "",
    ...kinds,
    ...(more === null ? [] : [`- ${escape(more)}.`]),
  ];
}

/** Lists, below the table, the top deferral texts of each row of small receivers or relay hosts. */
function deferralParagraphs(diagnosis: Diagnosis): string[] {
  return shownProviders(diagnosis).flatMap((verdict) => {
    const sentences = deferralSentences(verdict.deferralDetail, isIncident(diagnosis));
    if (sentences === null) return [];
    const stuck = sentences.longDeferred;
    const long =
      stuck === null
        ? []
        : ["", escape(stuck.heading), "", ...stuck.recipients.map((item) => `- ${escape(item)}`)];
    return [
      "",
      `**${escape(verdict.name)}**: ${escape(sentences.heading)}`,
      "",
      ...sentences.texts.map((text) => `- ${escape(text)}`),
      ...long,
    ];
  });
}

/** Returns the section on the faults of this server itself, or no lines when the log shows none. */
function serverFaultParagraphs(diagnosis: Diagnosis): string[] {
  const queueSpace = queueSpaceSentences(diagnosis.queueSpace);
  if (queueSpace === null) return [];
  return [
    "",
    `## ${SERVER_FAULTS_HEADING}`,
    "",
    escape(queueSpace.counts),
    "",
    `- first: ${escape(queueSpace.sample)}`,
    ...(queueSpace.lost === null ? [] : [`- lost: ${escape(queueSpace.lost)}`]),
    `- fix: ${escape(queueSpace.fix)}`,
  ];
}

/** Returns the providers table, or the sentence that replaces it when no row shows outbound mail. */
function providersTable(diagnosis: Diagnosis): string[] {
  const rows = shownProviders(diagnosis).map((verdict) => providerRow(verdict, diagnosis));
  if (rows.length === 0) return [escape(noProvidersSentence(diagnosis))];
  return [
    "| provider | status | sent | deferrals | deferred recipients | bounced | first defer or rejection |",
    "| --- | --- | ---: | ---: | ---: | ---: | --- |",
    ...rows,
  ];
}

function providerRow(verdict: ProviderVerdict, diagnosis: Diagnosis): string {
  const first = verdict.firstBlock;
  const hosts = blockedHostsList(verdict, diagnosis.server);
  const from = hosts === null ? "" : ` Blocked attempts from ${escape(hosts)}.`;
  const change = replyChangeSentence(verdict);
  const changed = change === null ? "" : ` ${escape(change)}`;
  const kindEnd = endedKindSentence(verdict, diagnosis.input.lastTime);
  const ended = kindEnd === null ? "" : ` ${escape(kindEnd)}`;
  const few = verdict.fewDomains
    .filter((report) => report.status !== "unreachable")
    .map((report) => ` ${escape(fewDomainsLine(report))}`)
    .join("");
  const firstRejection = verdict.firstPermanentBlock;
  const rejection =
    first === null || first.permanent || firstRejection === null
      ? ""
      : ` First rejection ${shortTime(firstRejection.time)} \`${replyCodeText(firstRejection)}\` ${escape(firstRejection.summary)}`;
  const policyLine = recipientPolicyLine(verdict);
  const policy = policyLine === null ? "" : escape(policyLine);
  const block =
    first === null
      ? policy
      : `${first.permanent ? "First rejection" : "First defer"} ${shortTime(first.time)} \`${replyCodeText(first)}\` ${escape(first.summary)}${rejection} ${escape(upperFirst(blockedAttemptsSentence(verdict)))}${ended}${changed}${from}${few}${policy === "" ? "" : ` ${policy}`}`;
  // The status cell prints the JSON status, or "lifted" for a lifted block, as the text report
  // does. The block cell, or the outage paragraph below the table, states whether the block goes
  // on at the end of the log.
  return `| ${verdict.name} | ${statusCell(verdict)} | ${count(verdict.sent)} | ${count(verdict.deferred)} | ${count(verdict.deferredRecipients)} | ${count(verdict.bounced)} | ${block} |`;
}

/**
 * Lists each unreachable provider's first connection failure and the fix of its rule below
 * the table, because a table cell cannot hold numbered steps.
 */
function outageBlocks(diagnosis: Diagnosis): string[] {
  const shownFixes = new Set<string>();
  return shownProviders(diagnosis).flatMap((verdict) => {
    const outage = verdict.outage;
    // The verdict summary names a recovered outage, which needs no fix.
    if (outage === null || outage.recovered) return [];
    const first = outage.first;
    // A few-domain outage of the `other` row has steps of its own, so the key is the steps.
    const fixKey = outage.fix.join("\n");
    const repeated = shownFixes.has(fixKey);
    shownFixes.add(fixKey);
    const fewOutage = verdict.fewDomains.find((report) => report.status === "unreachable");
    const few = fewOutage === undefined ? "" : ` ${escape(fewDomainsLine(fewOutage))}`;
    // The row of a few-domain outage stays ok, so the heading names the domains that failed.
    const name =
      fewOutage === undefined || fewOutage.domains.length === 0
        ? verdict.name
        : fewOutage.domains.join(", ");
    return [
      "",
      `**${escape(name)} unreachable** since ${shortTime(first.time)}: ${codeSpan(first.text)} (line ${codeSpan(`${first.file}:${first.line}`)}). ${escape(first.summary)} ${escape(outageSentence(outage, fewOutage !== undefined))}${failedFrom(outage, diagnosis.server)}${few}`,
      "",
      ...(repeated
        ? ["Fix: the steps above."]
        : outage.fix.flatMap((step, index) => markdownFixStep(step, `${index + 1}. `))),
    ];
  });
}

/** Names the servers whose attempts failed in an outage, when the log shows several. */
function failedFrom(outage: OutageReport, server: ServerReport): string {
  const hosts = failedHostsList(outage, server);
  return hosts === null ? "" : ` Failed attempts from ${escape(hosts)}.`;
}

/** Renders a block that no finding explains, followed by the fixes of its replies' rules. */
function unexplainedBlock(block: UnexplainedBlock): string[] {
  const reasons = block.reasons.flatMap((reason) => [
    `- ${escape(reason.summary)} (${count(reason.count)} ${reason.count === 1 ? "reply" : "replies"}, rule \`${reason.ruleId}\`)`,
    ...reason.fix.flatMap((step, index) => markdownFixStep(step, `  ${index + 1}. `)),
  ]);
  return [
    "",
    `**${escape(block.summary)}**`,
    ...(reasons.length === 0
      ? []
      : ["", `The fixes that ${block.name}'s replies name:`, "", ...reasons]),
  ];
}

/** Renders the findings, quoting each sample line once. */
function findingBlocks(findings: readonly Finding[]): string[] {
  const quoted = new Map<string, string>();
  return findings.flatMap((item) => findingBlock(item, quoted));
}

/**
 * Renders one finding. `quoted` maps each sample line already quoted (`file:line`) to the id
 * of its finding, and a later finding refers to that finding instead of quoting the same reply
 * again.
 */
function findingBlock(item: Finding, quoted: Map<string, string>): string[] {
  // The title, summary and fixes repeat account names and paths from the evidence.
  const logValues = evidenceStrings(item.evidence);
  const samples = item.samples.map((sample) => {
    const place = `${sample.file}:${sample.line}`;
    const first = quoted.get(place);
    if (first !== undefined) return `- line ${codeSpan(place)}: quoted under \`${first}\``;
    quoted.set(place, item.id);
    return `- line ${codeSpan(place)}: ${escapeMarkdown(shortTimesIn(sample.text))}`;
  });
  return [
    "",
    `### ${item.severity}: ${markdownInline(shortTimesIn(item.title), logValues)} (\`${item.id}\`, ${item.role})`,
    "",
    markdownInline(shortTimesIn(item.summary), logValues),
    "",
    ...evidenceLines(item.evidence).map(([label, value]) => `- ${label}: ${escapeMarkdown(value)}`),
    ...samples,
    "",
    "Fix:",
    "",
    ...item.fix.flatMap((step, index) => markdownFixStep(step, `${index + 1}. `, logValues)),
  ];
}

/**
 * Renders a fix step as a list item that starts with `marker`. Each of its commands (see
 * `splitCommands`) becomes a fenced code block inside the item, so that it is shown on a line
 * of its own and copied whole.
 */
function markdownFixStep(
  step: string,
  marker: string,
  logValues: readonly string[] = [],
): string[] {
  const indent = " ".repeat(marker.length);
  const lines: string[] = [];
  for (const part of splitCommands(step, logValues)) {
    const prefix = lines.length === 0 ? marker : indent;
    if (lines.length > 0) lines.push("");
    if (part.kind === "text") {
      lines.push(`${prefix}${markdownInline(part.text, logValues)}`);
      continue;
    }
    if (lines.length === 0) lines.push(marker.trimEnd(), "");
    const fence = "`".repeat(Math.max(3, longestBacktickRun(part.text) + 1));
    const command = showHiddenCharacters(part.text);
    lines.push(`${indent}${fence}sh`, `${indent}${command}`, `${indent}${fence}`);
  }
  return lines;
}

function longestBacktickRun(text: string): number {
  return Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
}

/** Escapes report text outside its code spans, so that log-derived text renders as itself. */
function escape(text: string): string {
  return markdownInline(text);
}
