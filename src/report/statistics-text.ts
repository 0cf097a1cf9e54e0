import type { LogStatistics, OriginStatistics } from "../diagnose/statistics.js";
import type { Painter } from "./colour.js";
import type { QueueSpaceReport } from "../diagnose/queue-space.js";
import { queueSpaceSentences } from "./queue-space-text.js";
import { showHiddenInReport } from "./log-text.js";
import { copiedLinesSentence } from "./copied-lines.js";
import { lineCountsText, otherProgramsSentence } from "./line-counts.js";
import { filesRead } from "./text.js";
import { nulLinesSentence } from "./nul-lines.js";
import { overlongLinesSentence } from "./overlong-lines.js";
import { inputErrorText } from "./input-error.js";
import { missingFilterCopiesSentence } from "./filter-copies.js";
import { addressProbesSentence } from "./address-probes.js";
import { hostsSentence, ownDecisionHeading } from "./hosts.js";
import {
  frozenLines,
  localFailuresHeading,
  POLICY_REJECTIONS_HEADING,
  suspendedDeferralLines,
  undeliveredLines,
} from "./undelivered-text.js";
import { PROVIDER_COLUMN, providerCell } from "./providers.js";
import { deferralTotalsLines, recipientDomainLines } from "./recipient-domains-text.js";
import {
  column,
  columns,
  count,
  plural,
  shortTime,
  WIDTH,
  wrap,
  wrapBreakingWords,
  wrapItems,
} from "./wrap.js";

/**
 * Renders `delist logs` statistics for a terminal, 80 columns wide, with hidden characters in
 * log values shown as escapes (see `showHiddenInReport`).
 */
export function renderStatisticsText(report: LogStatistics, paint: Painter): string {
  const statistics = showHiddenInReport(report);
  const input = statistics.input;
  const hosts = hostsSentence(statistics.server);
  const lines = [
    ...wrap(
      `delist logs: ${plural(input.lines, "line")} from ${shortTime(input.firstTime)} to ${shortTime(input.lastTime)} (${input.timeZone})`,
    ).map(paint.bold),
    ...(hosts === null ? [] : wrap(hosts, "", "  ")),
    "",
    paint.bold("Outbound by provider"),
    `  ${column("provider", PROVIDER_COLUMN)}${"sent".padStart(9)}${"deferred".padStart(10)}${"bounced".padStart(9)}${"expired".padStart(9)}  top codes`,
  ];
  for (const provider of Object.values(statistics.providers)) {
    if (provider === undefined) continue;
    // Connection failures carry no reply code, so they get a name of their own among the codes.
    const failures: Array<[string, number]> =
      provider.connectionFailures > 0 ? [["connection failed", provider.connectionFailures]] : [];
    const codes = [...failures, ...Object.entries(provider.codes)]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 2)
      .map(([code, n]) => `${code} ×${count(n)}`);
    const [name, hostLine] = providerCell(provider, PROVIDER_COLUMN);
    const row =
      `  ${column(name, PROVIDER_COLUMN)}${count(provider.sent).padStart(9)}${count(provider.deferred).padStart(10)}` +
      `${count(provider.bounced).padStart(9)}${count(provider.expired).padStart(9)}`;
    lines.push(
      ...topCodeLines(row, codes),
      ...(hostLine === null ? [] : wrap(hostLine, "    ")),
      ...suspendedDeferralLines(provider.suspendedDeferrals, provider.deferredRecipients),
    );
  }
  lines.push(
    ...deferralTotalsLines(statistics.deferralTotals),
    ...undeliveredLines(
      `${ownDecisionHeading(statistics.server)}, without trying any receiver`,
      statistics.undeliveredByServer,
    ),
    ...frozenLines(statistics.frozenMessages),
  );
  const domainLines = recipientDomainLines(statistics.recipientDomains, paint);
  if (domainLines.length > 0) lines.push("", ...domainLines);
  lines.push("", paint.bold("Outbound per day"));
  for (const day of statistics.days) {
    lines.push(
      `  ${day.day}  ${count(day.messages).padStart(8)} messages  ${count(day.recipients).padStart(8)} recipients`,
    );
  }
  lines.push("", ...originTable("SASL accounts", statistics.accounts, paint));
  // Local programs submit without a client IP and the analyser counts IPs only for accounts,
  // so the table of local programs has no IPs column.
  lines.push("", ...originTable("Local programs", statistics.localSources, paint, false));
  if (statistics.accounts.length > 0 || statistics.localSources.length > 0) {
    lines.push(
      "",
      ...wrap(
        "rcpts: outbound recipients, each counted once. Deliveries to mailboxes and " +
          "programs on this server are not counted.",
        "  ",
      ),
      ...wrap(
        "undelivered: recipients that no attempt delivered, because they were rejected, " +
          "expired in the queue or were still deferred at the end of the log.",
        "  ",
      ),
    );
  }
  const inbound = statistics.inbound;
  // Shown only when there are warnings, so logs without warn_if_reject keep their line as it was.
  const warnings =
    inbound.rejectWarnings > 0
      ? `${plural(inbound.rejectWarnings, "reject warning")} (warn_if_reject), `
      : "";
  lines.push(
    "",
    paint.bold("Inbound and logins"),
    ...wrap(
      `${plural(inbound.localDeliveries, "local delivery", "local deliveries")}, ` +
        `${plural(inbound.rejects, "SMTP reject")}${rejectClasses(inbound)}, ${warnings}` +
        `${plural(inbound.authFailures, "failed login")}`,
      "  ",
    ),
    ...undeliveredLines(
      localFailuresHeading(inbound.localDeliveryFailures),
      inbound.localDeliveryFailures,
    ),
    ...undeliveredLines(POLICY_REJECTIONS_HEADING, inbound.localPolicyRejections),
    ...queueSpaceLines(statistics.queueSpace),
  );
  const handoffs = handoffCounts(inbound);
  if (handoffs.length > 0) {
    lines.push(...wrap(handoffs.join(", "), "  passed on without a mailbox: ", "    "));
  }
  const missingCopies = missingFilterCopiesSentence(statistics.server);
  if (missingCopies !== null) lines.push(...wrap(missingCopies, "  ", "  "));
  const probes = addressProbesSentence(statistics.server);
  if (probes !== null) lines.push(...wrap(probes, "  ", "  "));
  const ips = Object.entries(inbound.authFailureIps).slice(0, 5);
  if (ips.length > 0) {
    lines.push(
      ...wrap(
        ips.map(([ip, n]) => `${ip} (${count(n)})`).join(", "),
        "  failed logins from: ",
        "    ",
      ),
    );
  }
  lines.push(
    "",
    ...wrap(
      `Messages queued, outgoing and incoming: ${count(inbound.messagesAccepted)}. ` +
        `Forwarded messages: ${count(statistics.forwardedMessages)}. Outbound TLS sessions: ${count(statistics.outboundTlsSessions)}.`,
    ),
    ...earlierQueuedLines(statistics.server.outboundMessages, inbound.messagesAccepted),
    ...wrap(`Read ${filesRead(input)}: ${lineCountsText(input)}.`),
  );
  const copied = copiedLinesSentence(input);
  if (copied !== null) lines.push(...wrap(copied));
  const others = otherProgramsSentence(input);
  if (others !== null) lines.push(...wrap(others));
  const overlong = overlongLinesSentence(input);
  if (overlong !== null) lines.push(...wrap(overlong));
  const nul = nulLinesSentence(input);
  if (nul !== null) lines.push(...wrap(nul));
  for (const file of input.files) {
    if (file.error === null) continue;
    lines.push(...wrap(inputErrorText(file.name, file.error), "Error: ", "  "));
  }
  return lines.join("\n") + "\n";
}

/**
 * Renders the top ten accounts or local programs with the name last, wrapped under its column,
 * because the end of a name (the script's directory, the Unix user) is what an admin looks for.
 */
/** Returns the non-zero counts of recipients passed on without a mailbox delivery. */
function handoffCounts(inbound: LogStatistics["inbound"]): string[] {
  const counts: string[] = [];
  if (inbound.filterHops > 0) {
    counts.push(
      plural(
        inbound.filterHops,
        "hand-off to a filter or local MTA",
        "hand-offs to a filter or local MTA",
      ),
    );
  }
  if (inbound.localForwards > 0) {
    counts.push(
      plural(
        inbound.localForwards,
        "forward by alias or .forward",
        "forwards by alias or .forward",
      ),
    );
  }
  if (inbound.discarded > 0) counts.push(`${count(inbound.discarded)} discarded`);
  return counts;
}

/**
 * Lays out a provider row with its top codes. The codes column starts after 59 of the 80
 * columns, so each code goes on a line of its own there, with its count. When one code and its
 * count (`connection failed ×88,`) is wider than the column, all codes go on a line below the
 * row instead, because an entry split over two lines reads as two entries.
 */
function topCodeLines(row: string, codes: readonly string[]): string[] {
  const indent = " ".repeat(row.length + 2);
  const room = WIDTH - indent.length;
  const fits = codes.every((code, index) => {
    const entry = index < codes.length - 1 ? `${code},` : code;
    return columns(entry) <= room;
  });
  if (fits) return wrapItems(codes, `${row}  `, indent).map((line) => line.trimEnd());
  return [row, ...wrapItems(codes, "    top codes: ", " ".repeat(15))];
}

/**
 * Builds the " (4 temporary, 11 permanent)" split of the SMTP rejects, or "" when there are
 * none. A client retries after a temporary (4xx) reject, such as greylisting, but not after a
 * permanent (5xx) one.
 */
function rejectClasses(inbound: LogStatistics["inbound"]): string {
  if (inbound.rejects === 0) return "";
  const classes = [
    `${count(inbound.temporaryRejects)} temporary`,
    `${count(inbound.permanentRejects)} permanent`,
  ];
  const unknown = inbound.rejects - inbound.temporaryRejects - inbound.permanentRejects;
  if (unknown > 0) classes.push(`${count(unknown)} without a reply code`);
  return ` (${classes.join(", ")})`;
}

/**
 * Explains outbound messages that outnumber the messages queued: a message queued before the
 * log starts is not counted as queued, but its delivery attempts in the log make it outbound.
 */
function earlierQueuedLines(outboundMessages: number, queued: number): string[] {
  if (outboundMessages <= queued) return [];
  return wrap(
    `Outbound messages: ${count(outboundMessages)}, more than were queued, because messages ` +
      "queued before the log starts count as outbound on the day of their first line in the log.",
  );
}

function originTable(
  title: string,
  origins: readonly OriginStatistics[],
  paint: Painter,
  showIps = true,
): string[] {
  if (origins.length === 0) return [paint.bold(title), "  none in the log"];
  const ipsHeader = showIps ? "IPs".padStart(5) : "";
  const lines = [
    paint.bold(title),
    `  ${"msgs".padStart(7)}${"rcpts".padStart(8)}${ipsHeader}${"undelivered".padStart(12)}  name`,
  ];
  for (const origin of origins.slice(0, 10)) {
    const ips = showIps ? String(origin.clientIps).padStart(5) : "";
    const counts =
      `  ${count(origin.messages).padStart(7)}${count(origin.recipients).padStart(8)}${ips}` +
      `${count(origin.undeliveredRecipients).padStart(12)}  `;
    const name = origin.kind === "account" ? origin.key : origin.name.replace(/^local /, "");
    lines.push(...wrapBreakingWords(name, counts));
  }
  return lines;
}

/** Renders the sentences on the queue disk, its first line and the first lost submission, if any. */
function queueSpaceLines(report: QueueSpaceReport | null): string[] {
  const sentences = queueSpaceSentences(report);
  if (sentences === null) return [];
  const lost = sentences.lost === null ? [] : wrap(sentences.lost, "    lost: ", "      ");
  return [
    ...wrap(sentences.counts, "  "),
    ...wrap(sentences.sample, "    first: ", "      "),
    ...lost,
  ];
}
