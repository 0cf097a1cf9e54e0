/** ANSI styles for terminal output; every function returns the text unchanged when off. */
export interface Painter {
  bold(text: string): string;
  red(text: string): string;
  yellow(text: string): string;
  green(text: string): string;
  dim(text: string): string;
}

const style =
  (on: string, off: string) =>
  (text: string): string =>
    `\u001b[${on}m${text}\u001b[${off}m`;

/** Returns a painter that colours only when `enabled`. */
export function painter(enabled: boolean): Painter {
  if (!enabled) {
    const plain = (text: string): string => text;
    return { bold: plain, red: plain, yellow: plain, green: plain, dim: plain };
  }
  return {
    bold: style("1", "22"),
    red: style("31", "39"),
    yellow: style("33", "39"),
    green: style("32", "39"),
    dim: style("2", "22"),
  };
}

/** The status styles of the check, blocklist and probe reports, built from a painter. */
export interface StatusStyle {
  good(text: string): string;
  bad(text: string): string;
  warn(text: string): string;
  dim(text: string): string;
  bold(text: string): string;
}

/** Maps a painter's colours to report statuses: green good, red bad, yellow for warnings. */
export function statusStyle(paint: Painter): StatusStyle {
  return {
    good: paint.green,
    bad: paint.red,
    warn: paint.yellow,
    dim: paint.dim,
    bold: paint.bold,
  };
}
