import type { BlocklistReport, ListReport } from "./report.js";
import { isUncheckedStatus } from "./status.js";
import type { BlocklistResult } from "./types.js";

/** Colour functions for the text report; each returns the text unchanged when colour is off. */
export interface TextStyle {
  readonly good: (text: string) => string;
  readonly bad: (text: string) => string;
  readonly warn: (text: string) => string;
  readonly dim: (text: string) => string;
  readonly bold: (text: string) => string;
}

const WIDTH = 80;
const STATUS_WIDTH = 11;
const MAX_ID_WIDTH = 24;

/**
 * Renders a blocklist run as a table of target × list within 80 columns: one block per
 * target, one row per list, removal pages under listings, then retired or unusable lists,
 * the run's notices and a summary line.
 */
export function renderBlocklistText(
  report: BlocklistReport,
  resolver: string,
  style: TextStyle,
): string {
  const lines: string[] = [
    style.bold(
      `Blocklists: ${plural(report.targets.length, "target")} on ` +
        `${plural(report.lists.length, "list")}, via ${resolver}`,
    ),
  ];
  const unused = new Set(report.lists.filter((list) => !isUsed(list)).map((list) => list.id));
  if (!report.unreachable) {
    const idWidth = Math.min(
      MAX_ID_WIDTH,
      Math.max(4, ...report.results.map((result) => result.list.length)),
    );
    for (const target of report.targets) {
      lines.push("", style.bold(target.value));
      const rows = report.results.filter((result) => result.target === target.value);
      if (rows.length === 0) lines.push("  no chosen list applies to this target");
      for (const row of rows) lines.push(...resultLines(row, idWidth, style, unused));
    }
  }
  // Without any answer every list failed the same way, which the notes say once.
  const reported = report.unreachable
    ? report.lists.filter((list) => ["defunct", "legacy", "needs-key"].includes(list.health))
    : report.lists;
  lines.push(...listLines(reported, outsideZoneLists(report)));
  lines.push(...noticeLines(report, style));
  lines.push("", summary(report, style));
  return `${lines.join("\n")}\n`;
}

function resultLines(
  result: BlocklistResult,
  idWidth: number,
  style: TextStyle,
  unused: ReadonlySet<string>,
): string[] {
  const textStart = 2 + idWidth + 2 + STATUS_WIDTH + 2;
  const label = statusLabel(result);
  const paint = paintFor(result, style);
  // The reason a list was not used is long and the same for every target, so it is shown
  // once under "Lists not used".
  const meaning =
    result.status === "not-checked"
      ? "not in the zone files"
      : unused.has(result.list)
        ? 'not asked: see "Lists not used"'
        : result.meaning;
  // A list may return the same code twice. The JSON keeps every record, the text each code once,
  // and leaves out the codes that the meaning already names.
  const unnamedCodes = [...new Set(result.codes)].filter((code) => !namedCodes(meaning).has(code));
  const codes = unnamedCodes.length > 0 ? ` (${unnamedCodes.join(", ")})` : "";
  const text = meaning === null ? "" : `${meaning}${result.status === "listed" ? codes : ""}`;
  const wrapped = wrap(text, WIDTH - textStart);
  const head = `  ${result.list.padEnd(idWidth)}  ${paint(label.padEnd(STATUS_WIDTH))}  ${wrapped[0] ?? ""}`;
  const lines = [head.trimEnd()];
  for (const more of wrapped.slice(1)) lines.push(`${" ".repeat(textStart)}${more}`);
  if (result.delisting !== null) lines.push(...removalLines(result.delisting, idWidth, style));
  return lines;
}

/**
 * Returns the `remove:` lines of a listing. The label stays in the text column. A link too
 * long to follow it goes whole on the next line, because a link broken over two lines cannot
 * be copied. It starts in the status column when it fits there, else in the list column, so
 * that it lines up with a column of the table.
 */
function removalLines(delisting: string, idWidth: number, style: TextStyle): string[] {
  const statusStart = 2 + idWidth + 2;
  const textStart = statusStart + STATUS_WIDTH + 2;
  const link = `remove: ${delisting}`;
  if (textStart + link.length <= WIDTH) return [`${" ".repeat(textStart)}${style.dim(link)}`];

  const indent = statusStart + delisting.length <= WIDTH ? statusStart : 2;
  return [
    `${" ".repeat(textStart)}${style.dim("remove:")}`,
    `${" ".repeat(indent)}${style.dim(delisting)}`,
  ];
}

/** Returns the IPv4 addresses written in `meaning`, such as answer codes it names. */
function namedCodes(meaning: string | null): Set<string> {
  return new Set(meaning?.match(/\b\d{1,3}(?:\.\d{1,3}){3}\b/g) ?? []);
}

/** Returns the status word of a row. Allow lists and scores read differently from block lists. */
function statusLabel(result: BlocklistResult): string {
  switch (result.status) {
    case "listed":
      if (result.listType === "score") return `score ${result.score ?? "?"}`;
      return result.listType === "allow" ? "allowed" : "LISTED";
    case "not-listed":
      if (result.listType === "score") return "no score";
      return result.listType === "allow" ? "not on it" : "clean";
    case "not-checked":
      return "not checked";
    case "refused":
      // An answer code the list does not document is not the DNS rcode REFUSED, which the
      // same word would suggest.
      return result.refusal === "undocumented-code" ? "UNKNOWN" : "REFUSED";
    default:
      return result.status.toUpperCase();
  }
}

function paintFor(result: BlocklistResult, style: TextStyle): (text: string) => string {
  if (result.status === "listed") return isBlocking(result) ? style.bad : style.good;
  return result.status === "not-listed" ? style.good : style.warn;
}

function isBlocking(result: BlocklistResult): boolean {
  return result.listType === "block" || result.listType === "mixed";
}

/** True when the list was asked about the targets. */
function isUsed(list: ListReport): boolean {
  return list.health === "usable" || list.health === "unprobed";
}

/**
 * Returns the ids of the lists that the zone files of an offline run contain no data for: lists
 * whose test entries are outside the zone files, and lists without test entries whose
 * look-ups were.
 */
function outsideZoneLists(report: BlocklistReport): string[] {
  const ids = new Set(
    report.lists.filter((list) => list.health === "outside-zones").map((list) => list.id),
  );
  for (const result of report.results) if (result.status === "not-checked") ids.add(result.list);
  return report.lists.map((list) => list.id).filter((id) => ids.has(id));
}

/**
 * Renders why lists were not used, one line per list. Lists outside the zone files share one
 * line, because their reason is the same.
 */
function listLines(lists: readonly ListReport[], outsideZones: readonly string[]): string[] {
  const skipped = lists.filter((list) => !isUsed(list) && !outsideZones.includes(list.id));
  if (skipped.length === 0 && outsideZones.length === 0) return [];
  const lines = ["", "Lists not used"];
  if (outsideZones.length > 0) {
    const names = outsideZones.join(", ");
    const sentence = `The zone files contain no zone of these lists, so they were not checked: ${names}.`;
    lines.push(...indentWrap(sentence, "  ", "    "));
  }
  for (const list of skipped) {
    lines.push(...indentWrap(`${list.id} (${list.health}): ${list.detail}`, "  ", "    "));
  }
  return lines;
}

/** Renders the notices about the whole run; those about one list are under "Lists not used". */
function noticeLines(report: BlocklistReport, style: TextStyle): string[] {
  const notices = report.notices.filter((notice) => notice.list === null);
  if (notices.length === 0) return [];
  const lines = ["", "Notes"];
  for (const notice of notices) {
    const wrapped = indentWrap(notice.message, "  ! ", "    ");
    lines.push(style.warn(wrapped[0] ?? ""), ...wrapped.slice(1));
    if (notice.advice !== null) {
      lines.push(...indentWrap(`What to do: ${notice.advice}`, "    ", "    "));
    }
  }
  return lines;
}

function summary(report: BlocklistReport, style: TextStyle): string {
  const listed = report.results.filter((r) => r.status === "listed" && isBlocking(r));
  const unchecked = report.results.filter((r) => isUncheckedStatus(r.status));
  const clean = report.results.length - listed.length - unchecked.length;
  if (listed.length === 0 && clean === 0) {
    return style.warn(`Result: nothing could be checked (${plural(unchecked.length, "check")}).`);
  }
  const parts = [
    listed.length > 0 ? style.bad(plural(listed.length, "listing")) : style.good("no listing"),
    `${clean} clean or informational`,
  ];
  if (unchecked.length > 0) parts.push(style.warn(`${unchecked.length} not checked`));
  return `Result: ${parts.join(", ")}.`;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

function indentWrap(text: string, first: string, rest: string): string[] {
  return wrap(text, WIDTH - rest.length).map(
    (line, index) => `${index === 0 ? first : rest}${line}`,
  );
}

/** Splits text into lines of at most `width` characters, at spaces where possible. */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter((w) => w !== "")) {
    let rest = word;
    while (rest.length > width) {
      if (line !== "") lines.push(line);
      lines.push(rest.slice(0, width));
      rest = rest.slice(width);
      line = "";
    }
    if (line === "") line = rest;
    else if (line.length + 1 + rest.length <= width) line = `${line} ${rest}`;
    else {
      lines.push(line);
      line = rest;
    }
  }
  if (line !== "") lines.push(line);
  return lines;
}
