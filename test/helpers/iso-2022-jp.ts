import { TextDecoder } from "node:util";

const ESCAPE_TO_JIS_X_0208 = "\x1b$B";
const ESCAPE_TO_ASCII = "\x1b(B";

let table: Map<string, string> | null = null;

/**
 * Encodes `text` as ISO-2022-JP (RFC 1468): ASCII as it is, and other characters in JIS X
 * 0208 after an escape sequence. Node has a decoder for the charset but no encoder, so the
 * table is built by decoding every JIS X 0208 code. Throws a RangeError on a character that
 * JIS X 0208 does not contain.
 */
export function encodeIso2022Jp(text: string): Buffer {
  const codes = jisTable();
  let output = "";
  let inJis = false;
  for (const char of text) {
    if (char.charCodeAt(0) < 0x80) {
      if (inJis) output += ESCAPE_TO_ASCII;
      inJis = false;
      output += char;
      continue;
    }
    const code = codes.get(char);
    if (code === undefined) {
      throw new RangeError(`"${char}" is not in JIS X 0208; write the fixture without it`);
    }
    if (!inJis) output += ESCAPE_TO_JIS_X_0208;
    inJis = true;
    output += code;
  }
  if (inJis) output += ESCAPE_TO_ASCII;
  return Buffer.from(output, "latin1");
}

function jisTable(): Map<string, string> {
  if (table !== null) return table;
  const decoder = new TextDecoder("iso-2022-jp");
  table = new Map();
  for (let row = 0x21; row <= 0x7e; row++) {
    for (let cell = 0x21; cell <= 0x7e; cell++) {
      const code = String.fromCharCode(row, cell);
      const char = decoder.decode(
        Buffer.from(ESCAPE_TO_JIS_X_0208 + code + ESCAPE_TO_ASCII, "latin1"),
      );
      if (char.length === 1 && char !== "\uFFFD" && !table.has(char)) table.set(char, code);
    }
  }
  return table;
}
