import type { Command } from "commander";
import { columns, WIDTH, wrap } from "../report/wrap.js";
import type { CliIo } from "./io.js";

/**
 * Sends commander's output to `io` and wraps the help of every command at the report width.
 * Commander wraps its own option and command tables to the help width, but writes the
 * paragraphs of `addHelpText` as they are, so lines written between the `beforeAllHelp` and
 * `afterAllHelp` events of `program` are wrapped too. Error messages are written as they are.
 * Call it before any subcommand is added, because subcommands copy this configuration.
 */
export function configureHelpOutput(program: Command, io: CliIo): void {
  let writingHelp = false;
  program.on("beforeAllHelp", () => {
    writingHelp = true;
  });
  program.on("afterAllHelp", () => {
    writingHelp = false;
  });
  program.configureOutput({
    writeOut: (text) => io.stdout.write(writingHelp ? wrapLongLines(text) : text),
    writeErr: (text) => io.stderr.write(writingHelp ? wrapLongLines(text) : text),
    getOutHelpWidth: () => WIDTH,
    getErrHelpWidth: () => WIDTH,
  });
}

/** Wraps each line of `text` that is wider than the report width, keeping its indent. */
export function wrapLongLines(text: string): string {
  const lines = text.split("\n").flatMap((line) => {
    if (columns(line) <= WIDTH) return [line];
    const indent = /^\s*/.exec(line)?.[0] ?? "";
    return wrap(line.slice(indent.length), indent);
  });
  return lines.join("\n");
}
