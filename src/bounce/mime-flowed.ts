/**
 * Unwrapping of `format=flowed` text (RFC 3676), for the MIME fast path. The result is the
 * one postal-mime 4.2 gives, which `test/bounce/mime-fast-path.test.ts` checks.
 */

const QUOTE_MARK = 0x3e; // ">"
const SPACE = 0x20;

/**
 * Joins the flowed lines of a text/plain body whose line ends are LF. A line whose content
 * ends in a space is flowed, and the next line of the same quote depth continues its
 * paragraph (RFC 3676 sections 4.1 and 4.5). The signature separator `-- ` neither flows nor
 * continues a paragraph (section 4.3). With `deleteSpace` (`DelSp=yes`, section 5) the
 * trailing space of a flowed line is removed when it is joined. Continuation lines lose their
 * quote marks and space stuffing (section 4.4). The first line of a paragraph keeps both when
 * it is quoted, and loses only the stuffing when it is not.
 */
export function unwrapFlowed(text: string, deleteSpace: boolean): string {
  const pieces: string[] = [];
  let flowed = false;
  let paragraphDepth = 0;

  for (const [index, line] of text.split("\n").entries()) {
    let depth = 0;
    while (line.charCodeAt(depth) === QUOTE_MARK) depth++;
    const content = line.slice(line.charCodeAt(depth) === SPACE ? depth + 1 : depth);
    const signature = content === "-- ";

    if (flowed && depth === paragraphDepth && !signature) {
      const last = pieces.length - 1;
      if (deleteSpace) pieces[last] = (pieces[last] ?? "").slice(0, -1);
      pieces.push(content);
    } else {
      if (index > 0) pieces.push("\n");
      pieces.push(depth > 0 ? line : content);
    }

    flowed = !signature && content.endsWith(" ");
    paragraphDepth = depth;
  }
  return pieces.join("");
}
