/** The input name for standard input. */
export const STDIN_NAME = "-";

/**
 * The file name that records read from standard input carry, so that `file:line` references
 * read `stdin:4937` rather than `-:4937`.
 */
export const STDIN_FILE = "stdin";

/** Returns how a sentence names input `name`: "standard input" for `-`, else the name. */
export function inputNameInText(name: string): string {
  return name === STDIN_NAME ? "standard input" : name;
}

/**
 * Returns how a sentence names the file of a record: "standard input" for `STDIN_FILE`, else
 * the file name.
 * NOTE: a file given as `stdin` is named "standard input" too, because records carry only
 * the file name.
 */
export function recordFileInText(file: string): string {
  return file === STDIN_FILE ? "standard input" : file;
}
