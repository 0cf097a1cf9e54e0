import { LineSplitter } from "../../../src/logs/reader/lines.js";
import { readSource } from "../../../src/logs/reader/read.js";
import type { FileSource } from "../../../src/logs/reader/sources.js";
import type { TempDir } from "./temp-dir.js";

/**
 * Writes `name` with `content` in `dir`, reads it, and runs `onFirstLine` with its path when
 * the first line arrives, which is where a rotation during the read is simulated. Returns the
 * lines read and the result of `readSource`.
 */
export async function readChanging(
  dir: TempDir,
  name: string,
  content: string,
  onFirstLine: (path: string) => void,
) {
  const path = await dir.write(name, content);
  const source: FileSource = {
    type: "file",
    name,
    path,
    sizeBytes: Buffer.byteLength(content),
    modifiedMs: 0,
    continuesPrevious: false,
  };
  const lines: string[] = [];
  const splitter = new LineSplitter((text, lineNumber) => {
    if (lineNumber === 1) onFirstLine(path);
    lines.push(text);
  });
  const result = await readSource(source, splitter);
  return { lines, result };
}
