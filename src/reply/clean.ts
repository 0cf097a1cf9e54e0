/**
 * Undoing what logs, client libraries and forums do to a reply before delist sees it: escaped
 * line breaks (Exim's main log, Python and Rust string reprs), CRLF, no-break spaces, Markdown
 * decoration from issue trackers (quote prefixes, links, bold, backticks), and quoted-printable
 * pieces of a bounce copied from its raw source.
 */

const HTML_ENTITIES: Readonly<Record<string, string>> = {
  "&lt;": "<",
  "&gt;": ">",
  "&amp;": "&",
  "&quot;": '"',
  "&#39;": "'",
};

/** Returns the text with escapes undone, line ends as `\n` and Markdown decoration removed. */
export function cleanInput(raw: string): string {
  let text = unescapeLiterals(raw);
  text = text.replace(/\r\n?/g, "\n");
  text = text.replace(/[\u00a0\u2007\u202f\u2000-\u200a]/g, " ").replace(/[\u200b\ufeff]/g, "");
  text = text.replace(/&(?:lt|gt|amp|quot|#39);/g, (entity) => HTML_ENTITIES[entity] ?? entity);
  return decodeQuotedPrintable(stripMarkdown(text));
}

// Exim's main log writes the line breaks of a multi-line reply as a literal `\n`; Python's
// bytes repr and Rust's debug output escape them (and quotes and backslashes) the same way.
function unescapeLiterals(text: string): string {
  if (!text.includes("\\")) return text;
  return text.replace(/\\(r\\n|n|r|t|"|'|\\)/g, (_match, escaped: string) => {
    if (escaped === "n" || escaped === "r\\n" || escaped === "r") return "\n";
    if (escaped === "t") return "\t";
    return escaped;
  });
}

function stripMarkdown(text: string): string {
  if (!/[<>[*`]/.test(text)) return text;

  // Quote prefixes ("> ", ">     "), also sendmail's "<<< " transcript marks for server lines.
  let result = text.replace(/^[ \t]*(?:(?:>+|<<<)(?=[ \t]|$)[ \t]?)+/gm, "");
  // Code fences and inline backticks around a pasted reply.
  result = result.replace(/^[ \t]*```[^\n]*(?:\n|$)/gm, "").replace(/`+/g, "");
  // Links that GitHub made of addresses and domains: [text](http://…) or [text](mailto:…). The
  // link text excludes "[", so a line of many "[" and no "]" is scanned once, not once per "[".
  result = result.replace(/\[([^[\]\n]*)\]\((?:https?|mailto):[^)\s]*\)/g, "$1");
  return result.replace(/\*\*([^*\n]+)\*\*/g, "$1");
}

// A soft line break of quoted-printable (RFC 2045 section 6.7, rule 5): "=" at a line end,
// maybe with the blanks that the rules let transports add.
const SOFT_BREAK = /=[ \t]*\n/;
// An escape of quoted-printable, whose hex digits encoders must write in upper case (rule 1).
const ESCAPE = /=[0-9A-F]{2}/;
const ESCAPE_RUN = /(?:=[0-9A-F]{2})+/g;
// An "=" that starts neither an escape nor a soft line break, which an encoder would have
// written as "=3D": "?p=BlockedMessage", "c=rdns".
const LITERAL_EQUALS = /=(?![0-9A-F]{2}|[ \t]*\n)/;
// A soft line break that ends the text: the last line of an encoded part.
const FINAL_SOFT_BREAK = /=[ \t]*\n\s*$/;
// A line that ends in "=", with the text before the "=" in group 1.
const LINE_BEFORE_SOFT_BREAK = /^(.*)=[ \t]*\n/gm;

/**
 * Characters, the "=" included, that a line ending in "=" needs to count as cut by an encoder
 * when the text has no escape. Encoders fill lines up to the limit of 76 characters (RFC 2045
 * section 6.7, rule 5) before they cut them. A shorter line that ends in "=" is more likely
 * text, such as Gmail's "with ip: [2001:db8::2] =" before its next reply line. The margin
 * below 76 is a guess, for encoders that cut earlier.
 */
const MIN_CUT_LINE_CHARS = 60;

/**
 * Decodes the text when it shows quoted-printable: a soft line break, and no "=" that starts
 * neither a soft line break nor an escape such as `=20` or `=3D`. With an escape too, every
 * soft line break is joined and every escape decoded. Without one, only long lines that end in
 * "=" are joined, because a pasted reply whose long line ends in "=" was almost always cut by
 * an encoder ("[192.0.2.1=" before "0]"). A soft line break that ends the text is removed in
 * any case, so a URL on the last line does not keep the "=".
 * NOTE: a text with escapes but no soft line break ("weren=E2=80=99t") stays encoded.
 */
function decodeQuotedPrintable(text: string): string {
  if (!text.includes("=")) return text;
  if (!SOFT_BREAK.test(text) || LITERAL_EQUALS.test(text)) {
    return text.replace(FINAL_SOFT_BREAK, "\n");
  }
  if (!ESCAPE.test(text)) return joinCutLines(text).replace(FINAL_SOFT_BREAK, "\n");

  const joined = text.replace(new RegExp(SOFT_BREAK.source, "g"), "");
  return joined.replace(ESCAPE_RUN, (run) =>
    decodeBytes(Buffer.from(run.replace(/=/g, ""), "hex")),
  );
}

/** Joins each line of at least `MIN_CUT_LINE_CHARS` that ends in "=" with the next line. */
function joinCutLines(text: string): string {
  return text.replace(LINE_BEFORE_SOFT_BREAK, (line: string, head: string) =>
    head.length + 1 >= MIN_CUT_LINE_CHARS ? head : line,
  );
}

/** Decodes bytes as UTF-8, or as Latin-1 when they are not valid UTF-8. */
function decodeBytes(bytes: Buffer): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return bytes.toString("latin1");
  }
}
