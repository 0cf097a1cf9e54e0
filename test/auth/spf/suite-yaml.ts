/**
 * A reader for the YAML subset of the openspf test suites: documents split by `---`, block
 * mappings and sequences by indentation, plain, single- and double-quoted scalars (with `\xNN`
 * escapes), flow sequences of scalars, and folded or literal block scalars. It is enough for
 * `rfc7208-tests.yml` and not a general YAML parser; the project has no YAML dependency.
 */

export type YamlValue = string | YamlValue[] | { [key: string]: YamlValue };

interface Line {
  readonly indent: number;
  readonly text: string;
}

/** Parses every document of a multi-document file read as Latin-1. */
export function parseYamlDocuments(source: string): YamlValue[] {
  const documents: string[][] = [[]];
  for (const line of source.split(/\r?\n/)) {
    if (/^---\s*$/.test(line)) documents.push([]);
    else (documents[documents.length - 1] as string[]).push(line);
  }
  return documents
    .map((lines) => lines.map(toLine).filter((line): line is Line => line !== null))
    .filter((lines) => lines.some((line) => line.indent >= 0))
    .map((lines) => new BlockParser(lines).parse());
}

function toLine(raw: string): Line | null {
  const text = raw.trimStart();
  if (text === "" || text.startsWith("#")) return { indent: -1, text: "" };
  return { indent: raw.length - text.length, text: text.trimEnd() };
}

class BlockParser {
  private index = 0;
  constructor(private readonly lines: readonly Line[]) {}

  parse(): YamlValue {
    this.skipBlank();
    return this.block((this.lines[this.index] as Line).indent);
  }

  private skipBlank(): void {
    while (this.index < this.lines.length && (this.lines[this.index] as Line).indent < 0)
      this.index++;
  }

  private peek(): Line | undefined {
    this.skipBlank();
    return this.lines[this.index];
  }

  private block(indent: number): YamlValue {
    const first = this.peek();
    if (first === undefined) return "";
    return first.text.startsWith("- ") || first.text === "-"
      ? this.sequence(indent)
      : this.mapping(indent);
  }

  private sequence(indent: number): YamlValue[] {
    const items: YamlValue[] = [];
    for (
      let line = this.peek();
      line !== undefined && line.indent === indent && line.text.startsWith("-");
      line = this.peek()
    ) {
      this.index++;
      const rest = line.text.slice(1).trim();
      const pair = splitKey(rest);
      if (pair === null) items.push(scalar(rest));
      else
        items.push({
          [pair.key]: pair.value === "" ? this.nested(indent) : this.value(pair.value, indent),
        });
    }
    return items;
  }

  private mapping(indent: number): { [key: string]: YamlValue } {
    const map: { [key: string]: YamlValue } = {};
    for (let line = this.peek(); line !== undefined && line.indent === indent; line = this.peek()) {
      const pair = splitKey(line.text);
      if (pair === null) throw new SyntaxError(`unexpected YAML line: ${line.text}`);
      this.index++;
      map[pair.key] = pair.value === "" ? this.nested(indent) : this.value(pair.value, indent);
    }
    return map;
  }

  private nested(indent: number): YamlValue {
    const next = this.peek();
    if (next === undefined || next.indent <= indent) return "";
    return this.block(next.indent);
  }

  private value(text: string, indent: number): YamlValue {
    if (/^[>|][-+]?$/.test(text)) return this.blockScalar(text, indent);
    let joined = text;
    for (let next = this.peek(); next !== undefined && next.indent > indent; next = this.peek()) {
      joined += ` ${next.text}`;
      this.index++;
    }
    return scalar(joined);
  }

  private blockScalar(header: string, indent: number): string {
    const collected: string[] = [];
    while (this.index < this.lines.length) {
      const line = this.lines[this.index] as Line;
      if (line.indent >= 0 && line.indent <= indent) break;
      collected.push(line.text);
      this.index++;
    }
    const text = header.startsWith(">") ? collected.join(" ") : collected.join("\n");
    return text.trim();
  }
}

/** Splits `key: value` (or `key:`), honouring a quoted key. */
function splitKey(text: string): { key: string; value: string } | null {
  if (text.startsWith('"') || text.startsWith("'")) {
    const end = text.indexOf(text[0] as string, 1);
    if (end < 0 || text[end + 1] !== ":") return null;
    return { key: scalar(text.slice(0, end + 1)) as string, value: text.slice(end + 2).trim() };
  }
  const match = /^([^\s"'[{].*?):(?:\s+(.*))?$/.exec(text);
  if (match === null) return null;
  return { key: match[1] as string, value: (match[2] ?? "").trim() };
}

function scalar(text: string): YamlValue {
  if (text.startsWith("[")) return flowSequence(text);
  if (text.startsWith('"')) return doubleQuoted(text.slice(1, text.lastIndexOf('"')));
  if (text.startsWith("'")) return text.slice(1, text.lastIndexOf("'")).replace(/''/g, "'");
  return text.replace(/\s+#.*$/, "");
}

function flowSequence(text: string): YamlValue[] {
  const body = text.slice(1, text.lastIndexOf("]"));
  const items: string[] = [];
  let current = "";
  let quote: string | null = null;
  for (const char of body) {
    if (quote !== null) {
      current += char;
      if (char === quote) quote = null;
    } else if (char === '"' || char === "'") {
      quote = char;
      current += char;
    } else if (char === ",") {
      items.push(current.trim());
      current = "";
    } else current += char;
  }
  if (current.trim() !== "") items.push(current.trim());
  return items.map((item) => scalar(item));
}

const SIMPLE_ESCAPES: Record<string, string> = {
  "0": "\0",
  n: "\n",
  t: "\t",
  r: "\r",
  '"': '"',
  "\\": "\\",
  "/": "/",
  " ": " ",
};

function doubleQuoted(body: string): string {
  return body.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|.)/g, (_, escape: string) => {
    if (escape.length > 1) return String.fromCharCode(parseInt(escape.slice(1), 16));
    return SIMPLE_ESCAPES[escape] ?? escape;
  });
}
