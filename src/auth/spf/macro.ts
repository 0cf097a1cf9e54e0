/**
 * SPF macros (RFC 7208, section 7): parsing a macro-string once, then expanding it for one
 * check. `c`, `r` and `t` are allowed only in the `exp=` explanation text (section 7.2).
 */

/** A literal text run, or one `%{…}` macro with its transformers. */
export type MacroPart =
  | { readonly kind: "literal"; readonly text: string }
  | {
      readonly kind: "macro";
      readonly letter: string;
      /** Keep this many right-hand parts; null keeps all. */
      readonly keep: number | null;
      readonly reverse: boolean;
      readonly delimiters: string;
      /** Upper-case letters URL-escape the expansion (section 7.3). */
      readonly escape: boolean;
    };

const DOMAIN_LETTERS = "slodiphv";
const EXP_LETTERS = "slodiphvcrt";
const DELIMITERS = ".-+,/_=";

/**
 * Parses a macro-string. Returns the parts, or the syntax error in words (a permerror).
 * Only visible ASCII is allowed (RFC 7208, section 7.1, `macro-literal`).
 */
export function parseMacroString(text: string, explanation: boolean): MacroPart[] | string {
  const parts: MacroPart[] = [];
  let literal = "";
  for (let index = 0; index < text.length; index++) {
    const char = text[index] as string;
    const code = char.charCodeAt(0);
    if (char !== "%") {
      if ((code < 0x21 || code > 0x7e) && !(explanation && char === " ")) {
        return `the character U+${code.toString(16).padStart(4, "0")} is not allowed`;
      }
      literal += char;
      continue;
    }
    const next = text[index + 1];
    if (next === "%" || next === "_" || next === "-") {
      literal += next === "%" ? "%" : next === "_" ? " " : "%20";
      index++;
      continue;
    }
    if (next !== "{") return `"%" must be followed by "{", "%", "_" or "-"`;
    const end = text.indexOf("}", index);
    if (end < 0) return "a macro is not closed with }";
    const macro = parseMacro(text.slice(index + 2, end), explanation);
    if (typeof macro === "string") return macro;
    if (literal !== "") parts.push({ kind: "literal", text: literal });
    literal = "";
    parts.push(macro);
    index = end;
  }
  if (literal !== "") parts.push({ kind: "literal", text: literal });
  return parts;
}

function parseMacro(body: string, explanation: boolean): MacroPart | string {
  const match = /^([a-zA-Z])(\d*)(r?)(.*)$/i.exec(body);
  if (match === null) return `invalid macro "%{${body}}"`;
  const [, letter = "", digits = "", reverse = "", delimiters = ""] = match;
  const allowed = explanation ? EXP_LETTERS : DOMAIN_LETTERS;
  if (!allowed.includes(letter.toLowerCase())) return `unknown macro letter "${letter}"`;
  if ([...delimiters].some((char) => !DELIMITERS.includes(char))) {
    return `invalid delimiter in macro "%{${body}}"`;
  }
  if (digits !== "" && Number(digits) === 0) return `macro "%{${body}}" keeps zero parts`;
  return {
    kind: "macro",
    letter: letter.toLowerCase(),
    keep: digits === "" ? null : Number(digits),
    reverse: reverse !== "",
    delimiters: delimiters === "" ? "." : delimiters,
    escape: letter !== letter.toLowerCase(),
  };
}

/** The values behind the macro letters for one check. */
export type MacroValues = (letter: string) => Promise<string>;

/** Expands parsed parts, fetching letter values only when used (`p` costs DNS queries). */
export async function expandMacros(
  parts: readonly MacroPart[],
  values: MacroValues,
): Promise<string> {
  let out = "";
  for (const part of parts) {
    if (part.kind === "literal") {
      out += part.text;
      continue;
    }
    const raw = await values(part.letter);
    const split = raw.split(new RegExp(`[${escapeClass(part.delimiters)}]`));
    const ordered = part.reverse ? split.reverse() : split;
    const kept =
      part.keep === null ? ordered : ordered.slice(Math.max(0, ordered.length - part.keep));
    const joined = kept.join(".");
    out += part.escape ? encodeURIComponent(joined).replace(/[!'()*]/g, percent) : joined;
  }
  return out;
}

function escapeClass(delimiters: string): string {
  return delimiters.replace(/[-\\\]^/]/g, "\\$&");
}

function percent(char: string): string {
  return `%${char.charCodeAt(0).toString(16).toUpperCase()}`;
}

/**
 * Shortens an expanded domain longer than 253 octets by dropping labels from the left
 * (RFC 7208, section 7.3).
 */
export function truncateDomain(domain: string): string {
  let labels = domain.split(".");
  while (labels.join(".").length > 253 && labels.length > 1) labels = labels.slice(1);
  return labels.join(".");
}

/** True when a macro-string ends in a macro or in `.` and a valid top label (section 7.1). */
export function hasValidDomainEnd(parts: readonly MacroPart[]): boolean {
  const last = parts[parts.length - 1];
  if (last === undefined) return false;
  if (last.kind === "macro") return true;
  const text = last.text.endsWith(".") ? last.text.slice(0, -1) : last.text;
  const dot = text.lastIndexOf(".");
  if (dot < 0) return false;
  const topLabel = text.slice(dot + 1);
  return /^([a-z0-9]*[a-z][a-z0-9]*|[a-z0-9]+-[a-z0-9-]*[a-z0-9])$/i.test(topLabel);
}
