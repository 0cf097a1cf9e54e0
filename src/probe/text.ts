import { PROVIDER_NAMES, type ProviderId } from "../knowledge/providers.js";
import { columns, plural, WIDTH, wrap, wrapBreakingWords } from "../report/wrap.js";
import { connectionFailureAdvice } from "./advice.js";
import { withFailedHost } from "../knowledge/rules/connection.js";
import { sameOperator } from "../reply/provider-text.js";
import { afterDataNote } from "./status.js";
import type { ProbeReply, ProbeResult } from "./types.js";

/** Colours for the probe report; each returns its text unchanged when colour is off. */
export interface ProbeTextStyle {
  readonly good: (text: string) => string;
  readonly bad: (text: string) => string;
  readonly warn: (text: string) => string;
  readonly dim: (text: string) => string;
  readonly bold: (text: string) => string;
}

/**
 * Renders a probe for people, wrapped at 80 columns: the status, the steps to take, the
 * conversation and the DATA limitation.
 */
export function renderProbeText(
  result: ProbeResult,
  ip: string | null,
  style: ProbeTextStyle,
): string {
  const lines = [...headingLines(result, style), ...wrap(result.detail), ""];

  lines.push(
    ...wrap(`${providerName(result.provider)}${otherProviderNote(result)}`, "Provider:   "),
  );
  const connectedFrom =
    result.localAddress === null ? "" : ` (connected from ${result.localAddress})`;
  lines.push(...wrap(`${ip ?? "unknown"}${connectedFrom}`, "Sending IP: "));
  lines.push(...wrap(tlsLine(result), "TLS:        "));

  if (result.failedHosts.length > 0) {
    const failures = result.failedHosts.map((f) => `${f.host} [${f.address}]: ${f.error}`);
    lines.push(...wrap(failures.join("; "), "Unreachable: ", "  "));
    const advice = result.mx === null ? connectionFailureAdvice(result.failedHosts) : null;
    if (advice !== null) {
      // NOTE: only the summary and the test commands take the port. The steps about hosting
      // providers and firewalls still name port 25, which real receivers listen on.
      const port = result.failedHosts[0]?.port ?? SMTP_PORT;
      lines.push("", ...wrap(onPort(advice.summary, port)));
      const host = shellSafeHost(result.failedHosts);
      lines.push(...stepLines(withFailedHost(advice.fix, host, port)));
    }
  }
  if (result.fix.length > 0) lines.push("", ...stepLines(result.fix));
  if (result.replies.length > 0 || result.unanswered !== null) {
    lines.push("", style.bold("Conversation:"));
    for (const line of conversationLines(result, style)) lines.push(line);
  }
  lines.push("", ...wrap(afterDataNote(result), "Note: ", "  "));
  return `${lines.join("\n")}\n`;
}

/** The port that the connection rules' summaries name. */
const SMTP_PORT = 25;

/** Returns `text` with `port` in place of the "port 25" that a connection rule names. */
function onPort(text: string, port: number): string {
  return port === SMTP_PORT ? text : text.replaceAll(`port ${SMTP_PORT}`, `port ${port}`);
}

/** Returns `What to do:` and the numbered steps, wrapped under their numbers. */
function stepLines(steps: readonly string[]): string[] {
  const lines = ["What to do:"];
  steps.forEach((step, index) => lines.push(...wrap(step, `  ${index + 1}. `, "     ")));
  return lines;
}

/**
 * Returns the transcript: each command, its reply, and the rule of a deferral or rejection.
 * A reply cut off before its last line is marked with the reason it was cut off. An
 * unanswered command without such a reply ends the transcript.
 */
function conversationLines(result: ProbeResult, style: ProbeTextStyle): string[] {
  const lines: string[] = [];
  const unanswered = result.unanswered;
  const last = result.replies.at(-1);
  const cutOff =
    unanswered !== null &&
    last !== undefined &&
    !last.complete &&
    last.stage === unanswered.stage &&
    last.command === unanswered.command;
  for (const reply of result.replies) {
    if (reply.command !== null) lines.push(...wrap(reply.command, "  > ").map(style.dim));
    for (const line of replyLines(reply.text, style)) lines.push(line);
    if (!reply.complete) {
      const reason = reply.incompleteReason ?? "its last line never came";
      lines.push(...wrap(`(incomplete reply: ${reason})`, "    ").map(style.warn));
    }
    if (reply.replyCode >= 400) {
      lines.push(...wrap(`${reply.ruleId}: ${reply.summary}`, "    ").map(style.dim));
    }
  }
  if (unanswered !== null && !cutOff) {
    lines.push(...wrap(unanswered.command, "  > ").map(style.dim));
    lines.push(...wrap(`(${unanswered.error})`, "    ").map(style.warn));
  }
  return lines;
}

/**
 * The maximum number of lines of one reply that the transcript shows. A real reply has a few lines, an EHLO
 * reply one per extension, and a server that sends thousands would bury the rest of the report.
 */
const MAX_SHOWN_REPLY_LINES = 30;

/**
 * The maximum number of characters of one reply line that the transcript shows. RFC 5321 (section
 * 4.5.3.1.5) limits a reply line to 512 octets, its code and CRLF included.
 */
const MAX_SHOWN_LINE_CHARS = 512;

/**
 * Returns the lines of one reply for the transcript, wrapped, with at most
 * `MAX_SHOWN_REPLY_LINES` lines of at most `MAX_SHOWN_LINE_CHARS` characters each. A note
 * counts the lines left out or cut, which `--format json` prints whole.
 */
function replyLines(text: string, style: ProbeTextStyle): string[] {
  const wireLines = text.split("\n");
  const lines: string[] = [];
  let cut = 0;
  for (const wireLine of wireLines.slice(0, MAX_SHOWN_REPLY_LINES)) {
    const visible =
      wireLine.length > MAX_SHOWN_LINE_CHARS
        ? `${wireLine.slice(0, MAX_SHOWN_LINE_CHARS)}…`
        : wireLine;
    if (visible !== wireLine) cut += 1;
    lines.push(...wrapKeepingSpaces(visible, "  < ", "      "));
  }
  const leftOut = wireLines.length - MAX_SHOWN_REPLY_LINES;
  const notes: string[] = [];
  if (leftOut > 0) notes.push(`${plural(leftOut, "more line")} of this reply left out`);
  if (cut > 0) {
    notes.push(`${plural(cut, "line")} cut at ${MAX_SHOWN_LINE_CHARS} characters`);
  }
  if (notes.length > 0) {
    const note = `(${notes.join(", ")}; --format json shows the whole reply)`;
    lines.push(...wrap(note, "    ").map(style.warn));
  }
  return lines;
}

/**
 * Wraps a reply line like `wrapBreakingWords`, but keeps each run of spaces inside a line as the
 * receiver sent it, because padding such as Gmail's `[192.0.2.1      1]` is part of the text. A
 * line that fits is returned whole. Only the spaces at a line break are dropped.
 */
function wrapKeepingSpaces(text: string, first: string, rest: string): string[] {
  if (columns(first) + columns(text) <= WIDTH) return [`${first}${text}`];
  const lines: string[] = [];
  let line = first;
  let hasWord = false;
  let space = "";
  for (const token of text.split(/( +)/)) {
    if (token === "") continue;
    if (token.startsWith(" ")) {
      space = token;
      continue;
    }
    if (hasWord && columns(line) + space.length + columns(token) > WIDTH) {
      lines.push(line);
      line = rest;
      hasWord = false;
    }
    if (!hasWord && columns(line) + columns(token) > WIDTH) {
      // A word longer than a line is broken as `wrapBreakingWords` breaks it.
      const pieces = wrapBreakingWords(token, line, rest);
      lines.push(...pieces.slice(0, -1));
      line = pieces.at(-1) ?? rest;
    } else {
      line += `${hasWord ? space : ""}${token}`;
    }
    hasWord = true;
    space = "";
  }
  lines.push(line);
  return lines;
}

/**
 * Returns the bold heading, `Probe of RECIPIENT via HOST [ADDRESS]:PORT: STATUS`, wrapped, with
 * the status in its colour. The status is one word, so it ends the last line.
 */
function headingLines(result: ProbeResult, style: ProbeTextStyle): string[] {
  const status =
    result.status === "accepted"
      ? style.good(result.status)
      : result.status === "rate-limited"
        ? style.warn(result.status)
        : style.bad(result.status);
  const where =
    result.mx === null ? "" : ` via ${result.mx.host} [${result.mx.address}]:${result.mx.port}`;
  const lines = wrap(`Probe of ${result.recipient}${where}: ${result.status}`);
  const last = lines.length - 1;
  return lines.map((line, index) =>
    index < last
      ? style.bold(line)
      : `${style.bold(line.slice(0, -result.status.length))}${status}`,
  );
}

/**
 * Builds the note for a reply whose text reads like another provider's. The probe does not
 * take that provider, because any server can copy such a text. Returns "" when no reply does.
 */
function otherProviderNote(result: ProbeResult): string {
  const other = result.replies.find(
    (reply) =>
      reply.provider !== null &&
      reply.provider !== "other" &&
      (result.provider === "other" || !sameOperator(result.provider, reply.provider)),
  );
  if (other?.provider == null) return "";
  return ` (a reply reads like ${PROVIDER_NAMES[other.provider]}, but the MX host and the recipient domain are not theirs)`;
}

function providerName(provider: ProviderId | "other"): string {
  return provider === "other" ? "other receiver" : PROVIDER_NAMES[provider];
}

function tlsLine(result: ProbeResult): string {
  const tls = result.tls;
  if (tls === null) {
    // Only a complete reply to EHLO lists the extensions, so without one STARTTLS may still
    // be on offer.
    if (!result.replies.some(isHeloAccepted)) return "unknown (no complete reply to EHLO)";
    return result.extensions.includes("STARTTLS") ? "offered, not negotiated" : "not offered";
  }
  const check = tls.authorized
    ? "certificate verified"
    : `certificate not verified${tls.authorizationError === null ? "" : `: ${tls.authorizationError}`}`;
  return `${tls.version ?? "unknown version"}, ${tls.cipher ?? "unknown cipher"}, ${check}`;
}

/** True for a complete 2xx reply to EHLO, or to HELO after EHLO failed. */
function isHeloAccepted(reply: ProbeReply): boolean {
  return reply.stage === "helo" && reply.complete && reply.replyCode < 300;
}

/**
 * Returns the first host the probe could not connect to, when its name is safe to print inside
 * a shell command (letters, digits, dots, hyphens and the colons of an IPv6 address), or null.
 */
function shellSafeHost(failedHosts: ProbeResult["failedHosts"]): string | null {
  const host = failedHosts[0]?.host;
  return host !== undefined && /^[a-z0-9][a-z0-9.:-]*$/i.test(host) ? host : null;
}
