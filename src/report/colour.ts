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
