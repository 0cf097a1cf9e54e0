/**
 * Turns log text as the reader decodes it (latin1: one char per byte) into text for people.
 *
 * The reader never decodes UTF-8, because that is slower, can fail, and changes lengths. The
 * report layer calls `decodeForDisplay` on every log excerpt it shows (sample lines, replies,
 * subjects, account names). It decodes each valid UTF-8 sequence as UTF-8 and keeps every
 * other byte as its Latin-1 char, because invalid UTF-8 in mail logs is mostly Latin-1 text
 * (names, subjects) or binary junk. Control characters other than tab become `\xNN` escapes,
 * so that a logged escape sequence cannot act on the terminal.
 */
export function decodeForDisplay(text: string): string {
  if (isPrintableAscii(text)) return text;
  let output = "";
  let index = 0;
  while (index < text.length) {
    const length = utf8SequenceLength(text, index);
    if (length > 1) {
      output += Buffer.from(text.slice(index, index + length), "latin1").toString("utf8");
      index += length;
      continue;
    }
    output += displayChar(text.charCodeAt(index));
    index += 1;
  }
  return output;
}

/**
 * Decodes each valid UTF-8 sequence in log text as the reader decodes it, and keeps every
 * other char as it is, control characters included. Reports that carry values, such as
 * JSON, use it, so their values stay as the log wrote them. Escaping for the terminal happens
 * when the output is written. Text that came from elsewhere (a proper JavaScript string from
 * a MIME parser) passes unchanged, because chars above U+00FF never start a sequence here.
 */
export function decodeUtf8Sequences(text: string): string {
  let index = 0;
  while (index < text.length && text.charCodeAt(index) < 0x80) index += 1;
  if (index === text.length) return text;
  let output = text.slice(0, index);
  while (index < text.length) {
    const length = utf8SequenceLength(text, index);
    if (length > 1) {
      output += Buffer.from(text.slice(index, index + length), "latin1").toString("utf8");
      index += length;
      continue;
    }
    output += text[index];
    index += 1;
  }
  return output;
}

function isPrintableAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if ((code < 32 && code !== 9) || code > 126) return false;
  }
  return true;
}

function displayChar(code: number): string {
  const isControl = (code < 32 && code !== 9) || (code >= 0x7f && code <= 0x9f);
  if (!isControl) return String.fromCharCode(code);
  return `\\x${code.toString(16).padStart(2, "0")}`;
}

/**
 * Returns the length of the well-formed UTF-8 sequence of two to four bytes at `index`
 * (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF), or 1 when there is
 * none. The second byte's allowed range depends on the lead byte; later bytes are 80–BF.
 * `text` is log text as the reader decodes it, one char per byte.
 */
export function utf8SequenceLength(text: string, index: number): number {
  const lead = text.charCodeAt(index);
  let length: number;
  let low = 0x80;
  let high = 0xbf;
  if (lead >= 0xc2 && lead <= 0xdf) length = 2;
  else if (lead >= 0xe0 && lead <= 0xef) length = 3;
  else if (lead >= 0xf0 && lead <= 0xf4) length = 4;
  else return 1;
  if (lead === 0xe0) low = 0xa0;
  else if (lead === 0xed) high = 0x9f;
  else if (lead === 0xf0) low = 0x90;
  else if (lead === 0xf4) high = 0x8f;

  const second = text.charCodeAt(index + 1);
  if (!(second >= low && second <= high)) return 1;
  for (let i = 2; i < length; i++) {
    const next = text.charCodeAt(index + i);
    if (!(next >= 0x80 && next <= 0xbf)) return 1;
  }
  return length;
}
