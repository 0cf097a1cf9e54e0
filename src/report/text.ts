import type {
  Diagnosis,
  Finding,
  InputReport,
  ProviderVerdict,
  ReplyEvidence,
  ReadinessItem,
  UnexplainedBlock,
} from "../diagnose/types.js";
import { PROVIDER_NAMES } from "../knowledge/providers.js";
import { recipientPolicyLine } from "../diagnose/recipient-policy.js";
import { STDIN_NAME } from "../logs/reader/input-names.js";
import type { Painter } from "./colour.js";
import { evidenceLines } from "./evidence.js";
import { fixStepLines } from "./fix-steps.js";
import { showHiddenInReport } from "./log-text.js";
import { evidenceStrings } from "./markdown-text.js";
import {
  lastRequestSentence,
  omittedCommandsSentence,
  recordCommands,
  unknownIpSentence,
} from "./removal-commands.js";
import { fewDomainsLine, outageTextLines } from "./outage.js";
import {
  blockedAttemptsSentence,
  DEFERRALS_LEGEND,
  endedKindSentence,
  noProvidersSentence,
  PROVIDER_COLUMN,
  expiredSentence,
  providerCell,
  replyChangeSentence,
  replyCodeText,
  verdictSummaryText,
  shownProviders,
  statusCell,
} from "./providers.js";
import { copiedLinesSentence } from "./copied-lines.js";
import { overlongLinesSentence } from "./overlong-lines.js";
import { lineCountsText, otherProgramsSentence } from "./line-counts.js";
import { missingFilterCopiesSentence } from "./filter-copies.js";
import { putOnHoldLines } from "./on-hold.js";
import { addressProbesSentence } from "./address-probes.js";
import { expiredWithoutRecipientSentence } from "./expired-without-recipient.js";
import { blockedHostsList, hostsSentence, ownDecisionHeading } from "./hosts.js";
import {
  blocklistSummarySentence,
  domainCheckSentence,
  heloCheckSentence,
  listingSentence,
  ptrCheckSentence,
} from "./dns-checks.js";
import { skippedSamplesLines } from "./skipped-samples.js";
import { nulLinesSentence } from "./nul-lines.js";
import { inputErrorText } from "./input-error.js";
import {
  frozenLines,
  localFailuresHeading,
  POLICY_REJECTIONS_HEADING,
  suspendedDeferralLines,
  undeliveredLines,
} from "./undelivered-text.js";
import { fatalErrorsSection } from "./fatal-errors-text.js";
import { deferralSentences, isIncident } from "./deferral-text.js";
import { otherReceiverDomainLines } from "./recipient-domains-text.js";
import { queueSpaceSentences, SERVER_FAULTS_HEADING } from "./queue-space-text.js";
import { verdictLabel } from "./verdict-label.js";
import { inputsNotReadWords } from "./inputs-not-read.js";
import {
  droppedFoldersSentence,
  shortInputNames,
  type ShortName,
  withShortReferences,
} from "./reference-names.js";
import { column, count, plural, shortTime, shortTimesIn, wrap, wrapBreakingWords } from "./wrap.js";

/**
 * Renders a diagnosis for a terminal, 80 columns wide, with hidden characters in log values
 * shown as escapes (see `showHiddenInReport`). Line references name long input paths relative
 * to `cwd` or without their folder (see `shortInputNames`).
 */
export function renderDiagnosisText(
  report: Diagnosis,
  paint: Painter,
  cwd: string | null = null,
): string {
  const shortNames = shortInputNames(
    report.input.files.map((file) => file.name),
    cwd,
  );
  const diagnosis = withShortReferences(showHiddenInReport(report), shortNames);
  const lines: string[] = [
    ...header(diagnosis, paint),
    "",
    ...providerSection(diagnosis, paint),
    "",
    ...serverFaultSection(diagnosis, paint),
    ...fatalErrorsSection(diagnosis.mtaFatalErrors, paint),
    ...undeliveredSection(diagnosis, paint),
    ...findingSection(diagnosis, paint),
    "",
    ...checksSection(diagnosis, paint),
    ...readinessSection(diagnosis, paint),
    "",
    ...inputSection(diagnosis.input),
    ...droppedFoldersLines(shortNames),
  ];
  return lines.join("\n") + "\n";
}

function droppedFoldersLines(shortNames: readonly ShortName[]): string[] {
  const sentence = droppedFoldersSentence(shortNames);
  return sentence === null ? [] : wrapBreakingWords(sentence);
}

function header(diagnosis: Diagnosis, paint: Painter): string[] {
  const input = diagnosis.input;
  const period = `${shortTime(input.firstTime)} to ${shortTime(input.lastTime)} (${input.timeZone})`;
  const label = paintedVerdictLabel(diagnosis, paint);
  const notRead = inputsNotReadWords(diagnosis.verdict.inputsNotRead);
  const hosts = hostsSentence(diagnosis.server);
  const read = bounceOnlySentence(input) ?? `${plural(input.lines, "line")} from ${period}`;
  return [
    ...wrap(`delist diagnose: ${read}`).map(paint.bold),
    ...(hosts === null ? [] : wrap(hosts, "", "  ")),
    "",
    `Verdict: ${label}${notRead === "" ? "" : paint.bold(notRead.toUpperCase())}`,
    ...wrap(shortTimesIn(verdictSummaryText(diagnosis)), "  "),
  ];
}

/** Returns the verdict label (see `verdictLabel`) in capitals, bold and in its colour. */
function paintedVerdictLabel(diagnosis: Diagnosis, paint: Painter): string {
  const label = verdictLabel(diagnosis);
  const words = paint.bold(label.words.toUpperCase());
  return label.tone === "none" ? words : paint[label.tone](words);
}

function providerSection(diagnosis: Diagnosis, paint: Painter): string[] {
  const notes = [
    missingFilterCopiesSentence(diagnosis.server),
    addressProbesSentence(diagnosis.server),
    expiredWithoutRecipientSentence(diagnosis.server),
  ].flatMap((sentence) => (sentence === null ? [] : wrap(sentence, "  ")));
  const entries = shownProviders(diagnosis);
  if (entries.length === 0) {
    return [paint.bold("Providers"), `  ${noProvidersSentence(diagnosis)}`, ...notes];
  }
  const lines = [
    paint.bold("Providers"),
    `  ${column("provider", PROVIDER_COLUMN)}${column("status", 14)}${"sent".padStart(9)}` +
      `${"deferrals".padStart(11)}${"to rcpts".padStart(10)}${"bounced".padStart(9)}`,
  ];
  const shownFixes = new Set<string>();
  for (const verdict of entries) {
    const cell = statusCell(verdict);
    const status = verdict.status === "ok" ? cell : paint.bold(cell);
    const [name, hostLine] = providerCell(verdict, PROVIDER_COLUMN);
    lines.push(
      `  ${column(name, PROVIDER_COLUMN)}${status}${" ".repeat(Math.max(1, 14 - cell.length))}` +
        `${count(verdict.sent).padStart(9)}${count(verdict.deferred).padStart(11)}` +
        `${count(verdict.deferredRecipients).padStart(10)}${count(verdict.bounced).padStart(9)}`,
    );
    if (hostLine !== null) lines.push(...wrap(hostLine, "    "));
    lines.push(...blockLines(verdict, diagnosis));
    const policy = recipientPolicyLine(verdict);
    if (policy !== null) lines.push(...wrap(policy, "                "));
    lines.push(...deferralLines(verdict, diagnosis));
    if (verdict === diagnosis.providers.other) {
      lines.push(...otherReceiverDomainLines(diagnosis.recipientDomains));
    }
    lines.push(...suspendedDeferralLines(verdict.suspendedDeferrals, verdict.deferredRecipients));
    const expired = expiredSentence(verdict);
    if (expired !== null) lines.push(...wrap(expired, "    "));
    // A recovered outage is history: the verdict summary names it, and its fix list would
    // send the admin to fix a network that works again.
    if (verdict.outage?.recovered !== true) {
      lines.push(...outageTextLines(verdict, shownFixes, diagnosis.server));
    }
  }
  if (entries.some((verdict) => verdict.deferred > 0)) {
    lines.push(...wrap(DEFERRALS_LEGEND, "  "));
  }
  lines.push(...notes);
  return lines;
}

/**
 * Renders the mail that no receiver decided: failed local deliveries and the recipients that
 * this server deferred or bounced on its own. Returns no lines when there was none.
 */
function undeliveredSection(diagnosis: Diagnosis, paint: Painter): string[] {
  const lines = [
    ...undeliveredLines(ownDecisionHeading(diagnosis.server), diagnosis.undeliveredByServer),
    ...undeliveredLines(
      localFailuresHeading(diagnosis.localDeliveryFailures),
      diagnosis.localDeliveryFailures,
    ),
    ...undeliveredLines(POLICY_REJECTIONS_HEADING, diagnosis.localPolicyRejections),
    ...frozenLines(diagnosis.frozenMessages),
    ...putOnHoldLines(diagnosis.server),
  ];
  if (lines.length === 0) return [];
  return [paint.bold("Not decided by any receiver"), ...lines, ""];
}

/** Renders the top deferral texts of a row of small receivers or relay hosts. */
function deferralLines(verdict: ProviderVerdict, diagnosis: Diagnosis): string[] {
  const sentences = deferralSentences(verdict.deferralDetail, isIncident(diagnosis));
  if (sentences === null) return [];
  const lines = wrap(sentences.heading, "    ");
  for (const text of sentences.texts) lines.push(...wrap(text, "      ", "        "));
  const stuck = sentences.longDeferred;
  if (stuck !== null) {
    lines.push(...wrap(stuck.heading, "    "));
    for (const recipient of stuck.recipients) lines.push(...wrap(recipient, "      ", "        "));
  }
  return lines;
}

/** Renders the faults of this server itself, or no lines when the log shows none. */
function serverFaultSection(diagnosis: Diagnosis, paint: Painter): string[] {
  const queueSpace = queueSpaceSentences(diagnosis.queueSpace);
  if (queueSpace === null) return [];
  return [
    paint.bold(SERVER_FAULTS_HEADING),
    ...wrap(queueSpace.counts, "  "),
    ...wrap(queueSpace.sample, "    first: ", "      "),
    ...(queueSpace.lost === null ? [] : wrap(queueSpace.lost, "    lost: ", "      ")),
    ...wrap(queueSpace.fix, "    Fix: ", "      "),
    "",
  ];
}

function blockLines(verdict: ProviderVerdict, diagnosis: Diagnosis): string[] {
  const first = verdict.firstBlock;
  if (first === null) return [];
  const lines = firstReplyLines(first);
  // A provider that deferred before it rejected gets the first rejection too, the start of
  // the block that a removal request names.
  const firstRejection = verdict.firstPermanentBlock;
  if (!first.permanent && firstRejection !== null) lines.push(...firstReplyLines(firstRejection));
  lines.push(...wrap(blockedAttemptsSentence(verdict), "                "));
  const ended = endedKindSentence(verdict, diagnosis.input.lastTime);
  if (ended !== null) lines.push(...wrap(ended, "                "));
  const change = replyChangeSentence(verdict);
  if (change !== null) lines.push(...wrap(change, "                "));
  const hosts = blockedHostsList(verdict, diagnosis.server);
  if (hosts !== null) lines.push(...wrap(`From ${hosts}.`, "                "));
  for (const report of verdict.fewDomains) {
    if (report.status !== "unreachable")
      lines.push(...wrap(fewDomainsLine(report), "                "));
  }
  return lines;
}

/** Renders a provider's first block reply of one kind, with its code, meaning and line. */
function firstReplyLines(reply: ReplyEvidence): string[] {
  const code = replyCodeText(reply);
  // The Markdown cell uses the same two labels, and the JSON field is firstBlock for either.
  const label = reply.permanent ? "    first rejection " : "    first defer ";
  return wrap(
    `${shortTime(reply.time)} ${code === "" ? "" : `${code}: `}${reply.summary} (${reply.file}:${reply.line})`,
    label,
    "                ",
  );
}

function findingSection(diagnosis: Diagnosis, paint: Painter): string[] {
  // The findings come sorted by role, then severity, so a warning about a cause can precede
  // a critical consequence. The role in each heading shows why.
  const lines = [paint.bold(findingsHeading(diagnosis.findings))];
  const quoted = new Map<string, number>();
  diagnosis.findings.forEach((item, index) => {
    lines.push("", ...findingLines(item, index + 1, paint, quoted));
  });
  for (const block of diagnosis.unexplainedBlocks) {
    lines.push("", ...unexplainedLines(block, paint));
  }
  if (diagnosis.findings.length === 0 && diagnosis.unexplainedBlocks.length === 0) {
    lines.push("  No findings in this log.");
  }
  return lines;
}

/** Renders a block that no finding explains, followed by the fixes of its replies' rules. */
function unexplainedLines(block: UnexplainedBlock, paint: Painter): string[] {
  const lines = wrap(block.summary, "  ").map(paint.bold);
  if (block.reasons.length > 0) {
    lines.push(...wrap(`The fixes that ${block.name}'s replies name:`, "  "));
  }
  for (const reason of block.reasons) {
    lines.push(
      ...wrap(
        `${reason.summary} (${plural(reason.count, "reply", "replies")}, rule ${reason.ruleId})`,
        "  - ",
        "    ",
      ),
    );
    reason.fix.forEach((step, index) => {
      lines.push(...fixStepLines(step, `      ${index + 1}. `, "         "));
    });
  }
  return lines;
}

/** Names the order of the findings by the roles they have. */
function findingsHeading(findings: readonly Finding[]): string {
  const roles = new Set(findings.map((item) => item.role));
  const blockRoles = roles.has("cause") || roles.has("contributing") || roles.has("consequence");
  if (!blockRoles) {
    return roles.has("observation") ? "Findings: observations, linked to no block" : "Findings";
  }
  const order = roles.has("observation")
    ? "contributing factors, consequences and observations"
    : "contributing factors and consequences";
  return `Findings: causes first, then ${order}`;
}

const ROLE_NAMES: Record<Finding["role"], string> = {
  cause: "cause",
  contributing: "contributing factor",
  consequence: "consequence",
  observation: "observation, linked to no block",
  status: "status",
};

/**
 * Renders one finding. `quoted` maps each sample line already quoted (`file:line`) to the
 * number of its finding, and a later finding refers to that number instead of quoting the
 * same reply again.
 */
function findingLines(
  item: Finding,
  number: number,
  paint: Painter,
  quoted: Map<string, number>,
): string[] {
  const severity =
    item.severity === "critical"
      ? paint.red("CRITICAL")
      : item.severity === "warning"
        ? paint.yellow("WARNING")
        : "INFO";
  const lines = [
    `${String(number).padStart(2)}. ${severity} ${paint.bold(item.id)} (${ROLE_NAMES[item.role]})`,
  ];
  lines.push(...wrap(shortTimesIn(item.title), "    "));
  lines.push(...wrap(shortTimesIn(item.summary), "    "));
  for (const [label, value] of evidenceLines(item.evidence)) {
    lines.push(...wrap(value, `    ${label}: `, "      "));
  }
  for (const sample of item.samples.slice(0, 3)) {
    const place = `${sample.file}:${sample.line}`;
    const first = quoted.get(place);
    if (first !== undefined) {
      lines.push(...wrap(`${place}, quoted under finding ${first}`, "    line ", "      "));
      continue;
    }
    quoted.set(place, number);
    // The sample texts of findings are delist's own words, so their times can be shortened.
    const text = shortTimesIn(sample.text);
    lines.push(...wrap(`${place} ${text}`, "    line ", "      "));
  }
  if (item.fix.length > 0) lines.push("    Fix:");
  // The fixes repeat account names and paths from the evidence.
  const logValues = evidenceStrings(item.evidence);
  item.fix.forEach((step, index) => {
    lines.push(...fixStepLines(step, `      ${index + 1}. `, undefined, logValues));
  });
  return lines;
}

function checksSection(diagnosis: Diagnosis, paint: Painter): string[] {
  const checks = diagnosis.checks;
  if (checks === null) {
    return diagnosis.blocklists === null
      ? []
      : [paint.bold("DNS checks"), ...blocklistLines(diagnosis, paint), ""];
  }
  const lines = [paint.bold(`DNS checks (${checks.resolver})`)];
  for (const domain of checks.domains) {
    lines.push(
      ...wrap(domainCheckSentence(domain), `  ${column(domain.domain, 24)}`, " ".repeat(26)),
    );
  }
  for (const entry of checks.ptr) {
    lines.push(
      ...wrap(ptrCheckSentence(entry), `  ${column(`PTR ${entry.ip}`, 24)}`, " ".repeat(26)),
    );
  }
  if (checks.helo !== null) {
    const text = heloCheckSentence(checks.helo, checks.ptr);
    lines.push(...wrap(text, `  ${column(`HELO ${checks.helo}`, 24)}`, " ".repeat(26)));
  }
  return [...lines, ...blocklistLines(diagnosis, paint), ""];
}

function blocklistLines(diagnosis: Diagnosis, paint: Painter): string[] {
  const blocklists = diagnosis.blocklists;
  if (blocklists === null) return [];
  const lines = wrap(blocklistSummarySentence(blocklists), "  ");
  for (const listing of blocklists.listed) {
    lines.push(...wrap(listingSentence(listing), `  ${paint.red("listed")} `, "    "));
  }
  for (const notice of blocklists.notices) lines.push(...wrap(notice, "  Note: ", "    "));
  return lines;
}

/** The box of each readiness status, as the text report draws it. */
const READINESS_MARKS: Readonly<Record<ReadinessItem["status"], string>> = {
  pass: "[x]",
  fail: "[ ]",
  unknown: "[?]",
  "not-checked": "[-]",
};

function readinessSection(diagnosis: Diagnosis, paint: Painter): string[] {
  const readiness = diagnosis.readiness;
  const lines = [paint.bold("Removal readiness")];
  for (const item of readiness.items) {
    lines.push(
      ...fixStepLines(
        `${item.title}: ${shortTimesIn(item.detail)}`,
        `  ${READINESS_MARKS[item.status]} `,
      ),
    );
  }
  lines.push("", ...wrap(shortTimesIn(readiness.summary), "  "));
  for (const form of readiness.removalForms) {
    // The link stands alone on its line, so that copying it takes no trailing punctuation.
    lines.push(
      `  - ${PROVIDER_NAMES[form.provider]}: ${form.url}`,
      ...wrap(shortTimesIn(form.rule), "    "),
    );
    for (const target of form.targets) {
      if (target.lastRequest === null) continue;
      lines.push(...wrap(lastRequestSentence(target.lastRequest, shortTime), "    "));
    }
  }
  return [...lines, ...recordCommandLines(diagnosis)];
}

/**
 * Lists one `delist removal request` command per form and IP with no recorded request, and
 * explains the IP placeholder where a form's IP is unknown.
 */
function recordCommandLines(diagnosis: Diagnosis): string[] {
  const forms = diagnosis.readiness.removalForms;
  const { shown, omitted } = recordCommands(forms);
  if (shown.length === 0) return [];
  const lines = [
    ...wrap(
      "After sending a form, record it, so that delist can tell when the next is allowed:",
      "  ",
    ),
    ...shown.map((command) => `    ${command}`),
  ];
  if (omitted > 0) lines.push(...wrap(omittedCommandsSentence(omitted), "  "));
  const unknown = unknownIpSentence(forms, diagnosis.server.sendingIps.length);
  if (unknown !== null) lines.push(...wrap(unknown, "  "));
  return lines;
}

function bounceInputSentence(input: InputReport): string | null {
  const bounces = input.bounces;
  if (bounces === null) return null;
  const messages = bounces.files.reduce((sum, file) => sum + file.messages, 0);
  const recipients = bounces.files.reduce((sum, file) => sum + file.recipients, 0);
  const files = plural(bounces.files.length, "file");
  // A folder of ordinary mail gives messages but no recipient results.
  return messages > 0 && recipients === 0
    ? `Read ${plural(messages, "message")} from ${files}, but no bounce, complaint report or automatic reply with a recipient: check that --bounces names the folder where bounces arrive.`
    : `Read ${plural(messages, "bounce message")} from ${files}: ` +
        `${count(bounces.failed)} failed and ${count(bounces.delayed)} delayed recipients, ` +
        `${plural(bounces.complaints, "spam complaint")}, ${plural(bounces.autoReplies, "auto-reply", "auto-replies")}.`;
}

/**
 * Returns the sentences on the input after the count of lines read: lines left out as copies,
 * overlong lines, NUL bytes, other programs' lines and the bounce messages read. The text and
 * Markdown reports both print them.
 */
export function inputDetailSentences(input: InputReport): string[] {
  const sentences: string[] = [];
  const copied = copiedLinesSentence(input);
  if (copied !== null) sentences.push(copied);
  const overlong = overlongLinesSentence(input, {
    one: "It usually counts as unparsed.",
    many: "They usually count as unparsed.",
  });
  if (overlong !== null) sentences.push(overlong);
  const nul = nulLinesSentence(input);
  if (nul !== null) sentences.push(nul);
  const others = otherProgramsSentence(input);
  if (others !== null) sentences.push(others);
  const bounces = bounceInputSentence(input);
  if (bounces !== null) sentences.push(bounces);
  return sentences;
}

/**
 * Returns the headline of a run that was given bounce messages and no mail log, such as "no
 * mail log given; 3 bounce messages with 2 failed and 1 delayed recipients", else null.
 */
export function bounceOnlySentence(input: InputReport): string | null {
  const bounces = input.bounces;
  if (input.files.length > 0 || bounces === null) return null;
  const messages = bounces.files.reduce((sum, file) => sum + file.messages, 0);
  return (
    `no mail log given; ${plural(messages, "bounce message")} with ` +
    `${count(bounces.failed)} failed and ${count(bounces.delayed)} delayed recipients`
  );
}

function inputSection(input: InputReport): string[] {
  // Read errors come first: a file that was not read changes every count below it.
  const lines: string[] = [];
  for (const file of input.files) {
    if (file.error === null) continue;
    lines.push(...wrap(inputErrorText(file.name, file.error), "Error: ", "  "));
  }
  lines.push(
    ...wrap(
      input.files.length === 0
        ? "No mail log given."
        : `Read ${filesRead(input)}: ${lineCountsText(input)}.`,
      "",
    ),
  );
  for (const sentence of inputDetailSentences(input)) lines.push(...wrap(sentence, ""));
  for (const file of input.bounces?.files ?? []) {
    for (const error of file.errors) lines.push(...wrap(error, "Error: ", "  "));
  }
  for (const note of input.notes) lines.push(...wrap(shortTimesIn(note), "Note: ", "  "));
  lines.push(...skippedSamplesLines(input.skippedSamples));
  return lines;
}

/**
 * Describes which inputs were read: `1 file`, `1 of 2 files` when some failed, `standard input`, or
 * `2 files and standard input`. Standard input that could not be read is left out, and its
 * error is printed above the Read line.
 */
export function filesRead(input: InputReport): string {
  const wasRead = (file: InputReport["files"][number]): boolean =>
    file.error === null || file.lines > 0;
  const files = input.files.filter((file) => file.name !== STDIN_NAME);
  const stdinRead = input.files.some((file) => file.name === STDIN_NAME && wasRead(file));
  const read = files.filter(wasRead).length;
  const parts: string[] = [];
  if (files.length > 0) {
    const total = files.length;
    parts.push(
      read === total ? plural(total, "file") : `${count(read)} of ${plural(total, "file")}`,
    );
  }
  if (stdinRead) parts.push("standard input");
  return parts.length === 0 ? "no input" : parts.join(" and ");
}
