import { dropMilliseconds, formatDuration, wrap } from "../report/wrap.js";
import type { HistoryReport } from "../store/index.js";

/** The indent of a state change or request line: two spaces, a time to the second, two spaces. */
const TIME_INDENT = " ".repeat(2 + "2024-03-05T22:09:51Z".length + 2);

/**
 * Renders `delist history` for people, wrapped at 80 columns, with times to the second. The
 * JSON output keeps the milliseconds.
 */
export function renderHistoryText(report: HistoryReport): string {
  const since = report.since === null ? "" : ` since ${dropMilliseconds(report.since)}`;
  const lines = [`Incidents${since}:`];
  if (report.incidents.length === 0) lines.push("  none");
  for (const incident of report.incidents) {
    const span =
      incident.closedAt === null
        ? `open since ${incident.openedAt} (${formatDuration(incident.hours)})`
        : `${incident.openedAt} to ${incident.closedAt} (${formatDuration(incident.hours)})`;
    const line = `#${incident.id} ${incident.subject} [${incident.kind}]: ${span}`;
    lines.push(...wrap(dropMilliseconds(line), "  ", "      "));
  }

  lines.push("", "State changes:");
  if (report.changes.length === 0) lines.push("  none");
  for (const change of report.changes) lines.push(...timedLine(change.at, change.summary));

  if (report.removalRequests.length > 0) {
    lines.push("", "Removal requests:");
    for (const request of report.removalRequests) {
      const forced = request.forced ? " (forced)" : "";
      lines.push(...timedLine(request.requestedAt, `${request.provider} ${request.ip}${forced}`));
      if (request.note !== null) lines.push(...wrap(`note: ${request.note}`, TIME_INDENT));
    }
  }
  return `${lines.join("\n")}\n`;
}

// Wraps `text` after its time, with the continuation lines under the text.
function timedLine(at: string, text: string): string[] {
  const time = `  ${dropMilliseconds(at)}  `;
  return wrap(dropMilliseconds(text), time, TIME_INDENT);
}
