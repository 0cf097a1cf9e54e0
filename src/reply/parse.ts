import type { SmtpStage } from "../knowledge/categories.js";
import { readBody } from "./body.js";
import { cleanInput } from "./clean.js";
import { findJudgedIp } from "./judged-ip.js";
import { findProviderToken, stripGoogleTrailer } from "./tokens.js";
import type { ParsedReply } from "./types.js";
import { unwrap, unwrapDsn } from "./wrappers.js";

/** What the caller knows about a reply apart from its text. */
export interface ParseHints {
  /** Enhanced status code from the log line (Postfix `dsn=`), used when the text has none. */
  readonly dsn?: string | null;
  /** The SMTP stage, when the log says it and the text does not. */
  readonly stage?: SmtpStage | null;
}

/**
 * Parses one SMTP reply from whatever wrapper it arrives in: the wire form, a Postfix `said:`
 * line, an Exim log line or bounce, a DSN `Diagnostic-Code`, a re-wrapped paste, or a client
 * library's exception text. Never throws; a text without a reply code gives `replyCode: null`.
 */
export function parseReply(input: string, hints: ParseHints = {}): ParsedReply {
  const cleaned = cleanInput(input);
  const unwrapped = unwrap(cleaned);
  const body = readBody(unwrapped);
  const providerToken = findProviderToken(body.text);
  const text = stripGoogleTrailer(body.text);
  const dsn = unwrapped.dsn ?? hints.dsn ?? null;
  const replyCode = body.replyCode;
  const enhancedStatus = body.enhancedStatus ?? dsnFallback(dsn, replyCode);
  const remoteIp = validIp(unwrapped.remoteIp);
  const reply = { text, replyCode, enhancedStatus, remoteIp };

  return {
    replyCode,
    enhancedStatus,
    text,
    stage: unwrapped.stage ?? hints.stage ?? null,
    remoteHost: unwrapped.remoteHost,
    remoteIp,
    judgedIp: findJudgedIp(reply) ?? judgedIpOfDsnCopy(cleaned, reply),
    providerToken,
  };
}

/**
 * Uses the MTA's `dsn=` only when its class agrees with the reply code: Postfix logs a 5xx
 * greeting refusal as `dsn=4.0.0` because it will try the next MX, and that code is not the
 * receiver's.
 */
function dsnFallback(dsn: string | null, replyCode: number | null): string | null {
  if (dsn === null || !/^[245]\.\d{1,3}\.\d{1,3}$/.test(dsn)) return null;
  if (replyCode === null) return dsn;
  return dsn.startsWith(String(Math.floor(replyCode / 100))) ? dsn : null;
}

type FirstCopy = Pick<ParsedReply, "text" | "replyCode" | "enhancedStatus" | "remoteIp">;

/**
 * Returns the judged IP of a second copy of the reply in the DSN's `Diagnostic-Code` field.
 * The first copy of a pasted bounce may hide the IP ("banned sending IP [****]") while the
 * DSN keeps it. The copy counts only with the same codes and the same words as the first.
 */
function judgedIpOfDsnCopy(cleaned: string, first: FirstCopy): string | null {
  if (first.replyCode === null && first.enhancedStatus === null) return null;
  if (!/Diagnostic-Code:/i.test(cleaned)) return null;
  const unwrapped = unwrapDsn(cleaned);
  if (unwrapped === null) return null;

  const body = readBody(unwrapped);
  if (body.replyCode !== first.replyCode || body.enhancedStatus !== first.enhancedStatus) {
    return null;
  }
  const text = stripGoogleTrailer(body.text);
  if (!sameWords(text, first.text)) return null;
  return findJudgedIp({ ...first, text });
}

/**
 * True when both texts have the same words once bracketed addresses or masks, digits and
 * punctuation are left out, or when one text is cut short and its words start the other's.
 */
function sameWords(first: string, second: string): boolean {
  const firstWords = wordsOf(first);
  const secondWords = wordsOf(second);
  if (firstWords === " " || secondWords === " ") return false;
  return firstWords.startsWith(secondWords) || secondWords.startsWith(firstWords);
}

/** Returns the words of the text in lower case, each followed by one blank. */
function wordsOf(text: string): string {
  const words = text
    .replace(/\[[^\]\s]*\]/g, " ")
    .replace(/[^a-z]+/gi, " ")
    .trim()
    .toLowerCase();
  return `${words} `;
}

function validIp(ip: string | null): string | null {
  if (ip === null) return null;
  const trimmed = ip.trim();
  return /^[0-9a-fA-F.:]+$/.test(trimmed) && /[.:]/.test(trimmed) ? trimmed : null;
}
