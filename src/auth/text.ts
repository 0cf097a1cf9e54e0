import type { RequirementRow } from "./requirements.js";
import type { DomainReport, SenderCheckReport, Section } from "./report.js";
import type { Problem, Verdict } from "./types.js";

const WIDTH = 80;
const ESCAPE = String.fromCharCode(27);
const COLOUR_CODE = new RegExp(`${ESCAPE}\\[[0-9;]*m`, "g");
// A colour code or one code point.
const TEXT_UNIT = new RegExp(`${ESCAPE}\\[[0-9;]*m|[\\s\\S]`, "gu");
const LABEL = 10;
const REQUIREMENT_INDENT = 27;
// Maximum length of a record printed whole, in characters. An SPF or DMARC record of normal
// size is far shorter, and a longer one would fill screens of text. The JSON keeps it whole.
const MAX_RECORD_CHARS = 512;
// Characters of a longer record that the text output shows.
const SHOWN_RECORD_CHARS = 200;
const STATUS_WORDS = {
  pass: "pass",
  fail: "FAIL",
  unknown: "unknown",
  "not-checked": "not checked",
};

/** Styles the words that carry a verdict; the CLI passes colour or plain functions. */
export interface TextStyle {
  readonly good: (text: string) => string;
  readonly bad: (text: string) => string;
  readonly warn: (text: string) => string;
  readonly dim: (text: string) => string;
  readonly bold: (text: string) => string;
}

/** Run details for the last line: the DNS source and the query counts. */
export interface TextContext {
  readonly resolver: string;
  readonly queries: number;
  readonly cacheHits: number;
  /**
   * True when lookups were not sent because the run is offline (`DnsContext.offline()`). The
   * line then shows no query count, since the lookups counted were never sent.
   */
  readonly offline?: boolean;
}

/** Renders a check report for people, at most 80 columns wide. */
export function renderCheckText(
  report: SenderCheckReport,
  context: TextContext,
  style: TextStyle,
): string {
  const lines: string[] = [];
  for (const domain of report.domains) lines.push(...domainLines(domain, style), "");
  if (report.ptr.length > 0) lines.push(...reverseLines(report, style), "");
  // Each domain gets its own table, because SPF, DKIM and DMARC rows differ by domain.
  for (const domain of report.domains) {
    lines.push(...requirementLines(domain.domain, domain.requirements, style), "");
  }
  const messageLines = messageDomainLines(report, style);
  if (messageLines.length > 0) lines.push(...messageLines, "");
  if (report.findings.length > 0) {
    lines.push(style.bold("Findings"));
    for (const finding of report.findings) {
      const mark =
        finding.severity === "critical"
          ? style.bad("CRITICAL")
          : finding.severity === "warning"
            ? style.warn("WARNING")
            : style.dim("INFO");
      lines.push(...wrap(`${mark} ${finding.id}: ${finding.title}`, 2, 4));
    }
    lines.push("");
  }
  lines.push(`Overall: ${verdictWord(report.verdict, style)}`);
  lines.push(...wrap(dnsLine(context), 0, 2).map(style.dim));
  return `${lines.join("\n")}\n`;
}

function dnsLine(context: TextContext): string {
  if (context.offline === true) return `DNS: ${context.resolver}.`;
  const queries = `${context.queries} ${context.queries === 1 ? "query" : "queries"}`;
  return `DNS: ${context.resolver}; ${queries}, ${context.cacheHits} from cache.`;
}

function domainLines(domain: DomainReport, style: TextStyle): string[] {
  const lines = [`${style.bold(domain.domain)}  ${verdictWord(domain.verdict, style)}`];
  lines.push(...sectionLines("SPF", domain.spf, style, spfDetails(domain)));
  const dkimDetails = domain.dkim.map((s) => `${s.selector}: ${s.status} (${s.detail})`);
  lines.push(...sectionLines("DKIM", domain.dkimSummary, style, dkimDetails));
  const dmarcDetails = domain.dmarc.record === null ? [] : [recordLine(domain.dmarc.record)];
  lines.push(...sectionLines("DMARC", domain.dmarc, style, dmarcDetails));
  lines.push(...sectionLines("MX", domain.mx, style, []));
  lines.push(...optionalSectionLines("MTA-STS", domain.mtaSts, style));
  lines.push(...optionalSectionLines("TLS-RPT", domain.tlsRpt, style));
  lines.push(...optionalSectionLines("BIMI", domain.bimi, style));
  return lines;
}

function spfDetails(domain: DomainReport): string[] {
  const spf = domain.spf;
  const details: string[] = [];
  if (spf.record !== null) details.push(recordLine(spf.record));
  // A not-checked SPF check has no record when the domain's own TXT query failed. Its lookup
  // counts leave out the includes that DNS did not return, so they are not shown.
  if (spf.verdict !== "not-checked") {
    // The walk stops counting past 100 lookups, so 101 means "more than 100".
    const lookups = spf.lookups > 100 ? "more than 100 of 10" : `${spf.lookups} of 10`;
    details.push(`DNS lookups: ${lookups}; void lookups: ${spf.voidLookups} of 2`);
  }
  if (spf.results.length > 0)
    details.push(spf.results.map((r) => `${r.ip} ${r.result}`).join(", "));
  return details;
}

/** Returns the detail line of a record, shortened with its length when it is very long. */
function recordLine(record: string): string {
  if (record.length <= MAX_RECORD_CHARS) return `record: ${record}`;
  return (
    `record: ${record.slice(0, SHOWN_RECORD_CHARS)}… (shortened: ${record.length.toLocaleString("en-US")} ` +
    "characters in all; --format json shows the whole record)"
  );
}

/**
 * Renders a check of a record that a domain may leave out (MTA-STS, TLS-RPT, BIMI). Its JSON
 * verdict is `pass` when the record is absent, because the verdicts have no value for absent,
 * so the text shows "none" in its place.
 */
function optionalSectionLines(
  label: string,
  section: Section<{ readonly record: string | null }>,
  style: TextStyle,
): string[] {
  const absent = section.record === null && section.verdict === "pass";
  return sectionLines(label, section, style, [], absent ? style.dim("none") : undefined);
}

function sectionLines(
  label: string,
  section: Section<object>,
  style: TextStyle,
  details: readonly string[],
  word = verdictWord(section.verdict, style),
): string[] {
  const lines = wrap(`${label.padEnd(LABEL - 2)}${word}  ${section.explanation}`, 2, LABEL);
  for (const detail of details) lines.push(...wrap(style.dim(detail), LABEL, LABEL + 2));
  for (const item of section.problems) lines.push(...problemLines(item, style));
  const evidence = section as { correctedRecord?: string | null; domain?: string };
  if (typeof evidence.correctedRecord === "string") {
    lines.push(...correctedRecordLines(evidence.domain ?? "@", evidence.correctedRecord));
  }
  return lines;
}

/** Indent of the strings of a corrected record in zone-file syntax. */
const RECORD_INDENT = LABEL + 4;

/**
 * Renders a corrected record so that it can be copied. A record that fits goes on one line.
 * A longer one is written in zone-file syntax as several quoted strings, each ending before a
 * space that it keeps, because receivers join the strings of one TXT record with nothing
 * between them (RFC 7208, section 3.3). A plain wrap would put line breaks into the record.
 */
function correctedRecordLines(domain: string, record: string): string[] {
  const indent = " ".repeat(LABEL);
  if (LABEL + 2 + record.length <= WIDTH) {
    return [`${indent}Corrected record:`, `${indent}  ${record}`];
  }
  const lines = wrap(
    "Corrected record, one TXT record in zone-file syntax (its quoted strings join with no space added):",
    LABEL,
    LABEL,
  );
  lines.push(`${indent}  ${domain}. IN TXT (`);
  // Room for one string: the quotes and the closing " )" take 4 columns.
  const room = WIDTH - RECORD_INDENT - 4;
  const strings: string[] = [];
  let current = "";
  for (const word of record.split(" ")) {
    const piece = current === "" ? word : `${current} ${word}`;
    if (current !== "" && piece.length + 1 > room) {
      strings.push(`${current} `);
      current = word;
    } else current = piece;
  }
  strings.push(current);
  strings.forEach((text, index) => {
    const end = index === strings.length - 1 ? " )" : "";
    lines.push(`${" ".repeat(RECORD_INDENT)}"${text}"${end}`);
  });
  return lines;
}

function problemLines(item: Problem, style: TextStyle): string[] {
  const mark =
    item.severity === "error"
      ? style.bad("✗")
      : item.severity === "warning"
        ? style.warn("!")
        : style.dim("i");
  const lines = wrap(`${mark} ${item.message}`, LABEL, LABEL + 2);
  if (item.fix !== null) lines.push(...wrap(`Fix: ${item.fix}`, LABEL + 2, LABEL + 2));
  return lines;
}

function reverseLines(report: SenderCheckReport, style: TextStyle): string[] {
  const lines = [`${style.bold("Reverse DNS")}  ${verdictWord(report.reverseDns.verdict, style)}`];
  for (const ptr of report.ptr) {
    if (ptr.error !== null) {
      lines.push(...wrap(`${ptr.ip}  ${style.dim(ptr.error)}`, 2, 4));
      continue;
    }
    const names = ptr.names.length > 0 ? ptr.names.join(", ") : "no PTR";
    const state = ptr.forwardConfirmed
      ? style.good("forward-confirmed")
      : style.bad("not confirmed");
    lines.push(...wrap(`${ptr.ip}  ${names}  ${state}`, 2, 4));
  }
  for (const item of report.reverseDns.problems) lines.push(...problemLines(item, style));
  return lines;
}

function requirementLines(
  domain: string,
  rows: readonly RequirementRow[],
  style: TextStyle,
): string[] {
  const lines = [style.bold(`Sender requirements for ${domain}`)];
  const names = { gmail: "Gmail", yahoo: "Yahoo", outlook: "Outlook" };
  for (const row of rows) {
    const word = STATUS_WORDS[row.status].padEnd(12);
    let status = style.dim(word);
    if (row.status === "pass") status = style.good(word);
    if (row.status === "fail") status = style.bad(word);
    const line = `${names[row.provider].padEnd(8)}${row.scope.padEnd(5)}${status}${row.rule}`;
    lines.push(...wrap(line, 2, REQUIREMENT_INDENT));
    if (row.status === "fail") {
      lines.push(...wrap(style.dim(row.evidence), REQUIREMENT_INDENT, REQUIREMENT_INDENT));
    }
  }
  return lines;
}

/**
 * Says which domain a sample message was judged against when several domains are checked,
 * because only that domain's rows follow the message and the others' checks show DNS alone.
 * Says instead why the message judged no domain, when its From domain is not the one checked.
 */
function messageDomainLines(report: SenderCheckReport, style: TextStyle): string[] {
  if (report.messageNote != null) return wrap(style.dim(report.messageNote), 2, 2);
  const domain = report.messageDomain ?? null;
  const others = report.domains.filter((d) => d.domain !== domain).map((d) => d.domain);
  if (domain === null || others.length === 0) return [];
  const note =
    `The sample message was judged against ${domain} only, so the checks of ` +
    `${others.join(", ")} show DNS alone.`;
  return wrap(style.dim(note), 2, 2);
}

function verdictWord(verdict: Verdict, style: TextStyle): string {
  if (verdict === "pass") return style.good("pass");
  if (verdict === "warn") return style.warn("warn");
  if (verdict === "fail") return style.bad("FAIL");
  return style.dim("not checked");
}

/**
 * Wraps text to the width; the first line starts at `indent`, the rest at `hanging`. A word
 * wider than a line, such as a record without spaces, is broken into pieces.
 */
function wrap(text: string, indent: number, hanging: number): string[] {
  const lines: string[] = [];
  let line = " ".repeat(indent);
  let empty = true;
  const words = codeSpanWords(text.split(" "), WIDTH - hanging).flatMap((word) =>
    breakWord(word, WIDTH - hanging),
  );
  for (const word of words) {
    const visible = visibleLength(line) + (empty ? 0 : 1) + visibleLength(word);
    if (!empty && visible > WIDTH) {
      lines.push(line);
      line = " ".repeat(hanging) + word;
    } else line += (empty ? "" : " ") + word;
    empty = false;
  }
  lines.push(line);
  return lines;
}

/**
 * Joins the words of each code span, such as `delist check example.com --selector NAME`, into
 * one word, because a command copied from two lines would run without its arguments. A span
 * wider than `width` keeps its separate words, since it cannot fit on one line anyway.
 */
function codeSpanWords(words: readonly string[], width: number): string[] {
  const joined: string[] = [];
  let span: string[] = [];
  for (const word of words) {
    const ticks = word.split("`").length - 1;
    if (span.length === 0 && ticks % 2 === 0) {
      joined.push(word);
      continue;
    }
    span.push(word);
    if (span.length > 1 && ticks % 2 === 1) {
      const whole = span.join(" ");
      joined.push(...(visibleLength(whole) <= width ? [whole] : span));
      span = [];
    }
  }
  joined.push(...span);
  return joined;
}

/** Splits a word into pieces of at most `width` visible characters; colour codes take none. */
function breakWord(word: string, width: number): string[] {
  if (visibleLength(word) <= width) return [word];
  const pieces: string[] = [];
  let piece = "";
  let visible = 0;
  for (const unit of word.match(TEXT_UNIT) ?? []) {
    const isColourCode = unit.length > 1 && unit.startsWith(ESCAPE);
    if (!isColourCode && visible === width) {
      pieces.push(piece);
      piece = "";
      visible = 0;
    }
    piece += unit;
    if (!isColourCode) visible++;
  }
  if (piece !== "") pieces.push(piece);
  return pieces;
}

function visibleLength(text: string): number {
  // Colour codes take no columns.
  return text.replace(COLOUR_CODE, "").length;
}
