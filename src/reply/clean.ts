/**
 * Undoing what logs, client libraries and forums do to a reply before delist sees it: escaped
 * line breaks (Exim's main log, Python and Rust string reprs), CRLF, no-break spaces, and
 * Markdown decoration from issue trackers (quote prefixes, links, bold, backticks).
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
  return stripMarkdown(text);
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
  if (!/[>[*`]/.test(text)) return text;

  // Quote prefixes ("> ", ">     "), also sendmail's "<<< " transcript marks for server lines.
  let result = text.replace(/^[ \t]*(?:(?:>+|<<<)(?=[ \t]|$)[ \t]?)+/gm, "");
  // Code fences and inline backticks around a pasted reply.
  result = result.replace(/^[ \t]*```[^\n]*(?:\n|$)/gm, "").replace(/`+/g, "");
  // Links that GitHub made of addresses and domains: [text](http://…) or [text](mailto:…). The
  // link text excludes "[", so a line of many "[" and no "]" is scanned once, not once per "[".
  result = result.replace(/\[([^[\]\n]*)\]\((?:https?|mailto):[^)\s]*\)/g, "$1");
  return result.replace(/\*\*([^*\n]+)\*\*/g, "$1");
}
