import type { LogStatistics, OriginStatistics, OriginTotals } from "../diagnose/statistics.js";
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
import { putOnHoldLines } from "./on-hold.js";
import { addressProbesSentence } from "./address-probes.js";
import { expiredWithoutRecipientSentence } from "./expired-without-recipient.js";
import { hostsSentence, ownDecisionHeading } from "./hosts.js";
import {
  frozenLines,
  localFailuresHeading,
  POLICY_REJECTIONS_HEADING,
  suspendedDeferralLines,
  undeliveredLines,
} from "./undelivered-text.js";
import { DEFERRALS_LEGEND, expiredSentence, PROVIDER_COLUMN, providerCell } from "./providers.js";
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
    `  ${column("provider", PROVIDER_COLUMN)}${"sent".padStart(9)}${"deferrals".padStart(11)}` +
      `${"to rcpts".padStart(10)}${"bounced".padStart(9)}  top codes`,
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
      `  ${column(name, PROVIDER_COLUMN)}${count(provider.sent).padStart(9)}` +
      `${count(provider.deferred).padStart(11)}${count(provider.deferredRecipients).padStart(10)}` +
      `${count(provider.bounced).padStart(9)}`;
    const expired = expiredSentence(provider);
    lines.push(
      ...topCodeLines(row, codes),
      ...(hostLine === null ? [] : wrap(hostLine, "    ")),
      ...(expired === null ? [] : wrap(expired, "    ")),
      ...suspendedDeferralLines(provider.suspendedDeferrals, provider.deferredRecipients),
    );
  }
  const providers = Object.values(statistics.providers);
  if (providers.some((provider) => provider !== undefined && provider.deferred > 0)) {
    lines.push(...wrap(DEFERRALS_LEGEND, "  "));
  }
  lines.push(
    ...deferralTotalsLines(statistics.deferralTotals),
    ...undeliveredLines(
      `${ownDecisionHeading(statistics.server)}, without trying any receiver`,
      statistics.undeliveredByServer,
    ),
    ...frozenLines(statistics.frozenMessages),
    ...putOnHoldLines(statistics.server),
  );
  const domainLines = recipientDomainLines(statistics.recipientDomains, paint);
  if (domainLines.length > 0) lines.push("", ...domainLines);
  lines.push("", paint.bold("Outbound per day"));
  for (const day of statistics.days) {
    lines.push(
      `  ${day.day}  ${count(day.messages).padStart(8)} ${noun(day.messages, "message").padEnd(8)}  ${count(day.recipients).padStart(8)} ${noun(day.recipients, "recipient")}`,
    );
  }
  lines.push(
    "",
    ...originTable("SASL accounts", statistics.accounts, paint),
    ...omittedOriginLines(statistics.accounts, statistics.accountTotals, "account"),
  );
  // Local programs submit without a client IP and the analyser counts IPs only for accounts,
  // so the table of local programs has no IPs column.
  lines.push(
    "",
    ...originTable("Local programs", statistics.localSources, paint, false),
    ...omittedOriginLines(statistics.localSources, statistics.localSourceTotals, "program"),
  );
  // A relay client is one IP, so its table has no IPs column either.
  lines.push(
    "",
    ...originTable("Relay clients without SMTP AUTH", statistics.relayClients, paint, false),
  );
  const origins = [...statistics.accounts, ...statistics.localSources, ...statistics.relayClients];
  if (origins.length > 0) {
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
  const expired = expiredWithoutRecipientSentence(statistics.server);
  if (expired !== null) lines.push(...wrap(expired, "  ", "  "));
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
 * Lays out a provider row with its top codes. The codes column starts after 61 of the 80
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

/** How many accounts and how many local programs the text tables list. */
const TEXT_ORIGIN_ROWS = 10;

/**
 * Renders the line under an origin table on the rows that it leaves out, such as "390 more
 * accounts with 25,530 messages to 30,114 recipients", or no lines when it lists them all.
 */
function omittedOriginLines(
  origins: readonly OriginStatistics[],
  totals: OriginTotals,
  noun: string,
): string[] {
  const shown = origins.slice(0, TEXT_ORIGIN_ROWS);
  const omitted = totals.count - shown.length;
  if (omitted <= 0) return [];
  const messages = totals.messages - shown.reduce((sum, origin) => sum + origin.messages, 0);
  const recipients = totals.recipients - shown.reduce((sum, origin) => sum + origin.recipients, 0);
  return wrap(
    `${count(omitted)} more ${omitted === 1 ? noun : `${noun}s`} with ` +
      `${plural(messages, "message")} to ${plural(recipients, "recipient")}`,
    "  ",
  );
}

/**
 * Renders the top ten accounts, local programs or relay clients with the name last, wrapped
 * under its column, because the end of a name (the script's directory, the Unix user) is what
 * an admin looks for.
 */
function originTable(
  title: string,
  origins: readonly OriginStatistics[],
  paint: Painter,
  showIps = true,
): string[] {
  if (origins.length === 0) return [paint.bold(title), "  none in the log"];
  const rows = origins.slice(0, TEXT_ORIGIN_ROWS);
  const msgs = columnWidth(7, rows, (origin) => count(origin.messages));
  const rcpts = columnWidth(8, rows, (origin) => count(origin.recipients));
  const ips = showIps ? columnWidth(5, rows, (origin) => String(origin.clientIps)) : 0;
  const undelivered = columnWidth(12, rows, (origin) => count(origin.undeliveredRecipients));
  const ipsHeader = showIps ? "IPs".padStart(ips) : "";
  const lines = [
    paint.bold(title),
    `  ${"msgs".padStart(msgs)}${"rcpts".padStart(rcpts)}${ipsHeader}${"undelivered".padStart(undelivered)}  name`,
  ];
  for (const origin of rows) {
    const ipCell = showIps ? String(origin.clientIps).padStart(ips) : "";
    const counts =
      `  ${count(origin.messages).padStart(msgs)}${count(origin.recipients).padStart(rcpts)}${ipCell}` +
      `${count(origin.undeliveredRecipients).padStart(undelivered)}  `;
    const mark = origin.earlierMessagesDropped ? ` ${DROPPED_MARK}` : "";
    lines.push(...wrapBreakingWords(`${tableName(origin)}${mark}`, counts));
  }
  if (rows.some((origin) => origin.earlierMessagesDropped)) {
    lines.push(
      ...wrap(
        `${DROPPED_MARK} This row was dropped earlier to bound memory, so its counts start ` +
          "at its return and miss its earlier messages.",
        "  ",
      ),
    );
  }
  return lines;
}

/**
 * Returns the width of a table column: `least` (its header's), or wider for counts of 7 digits
 * and more, with a space before each cell so that two counts never run together.
 */
function columnWidth(
  least: number,
  rows: readonly OriginStatistics[],
  cell: (origin: OriginStatistics) => string,
): number {
  return Math.max(least, ...rows.map((origin) => cell(origin).length + 1));
}

/** The mark after the name of a row whose earlier messages were dropped to bound memory. */
const DROPPED_MARK = "*";

/** Returns an origin's name for its table, without the words that the table's title gives. */
function tableName(origin: OriginStatistics): string {
  if (origin.kind === "account") return origin.key;
  if (origin.kind === "client") {
    return origin.clientHost == null ? origin.key : `${origin.clientHost}[${origin.key}]`;
  }
  return origin.name.replace(/^local /, "");
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

/** Returns the noun after a count in a table cell: "message" for 1, else "messages". */
function noun(value: number, singular: string): string {
  return value === 1 ? singular : `${singular}s`;
}
