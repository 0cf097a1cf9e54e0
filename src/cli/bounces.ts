import type { Command } from "commander";
import type { SetExitCode } from "./commands.js";
import type { CliIo } from "./io.js";

/** Options of `delist bounces`. */
export interface BouncesOptions {
  readonly format: string;
  readonly summary?: boolean;
}

/** Adds `delist bounces FILE…`: bounce messages decoded into one result per recipient. */
export function registerBounces(program: Command, io: CliIo, setExitCode: SetExitCode): void {
  program
    .command("bounces")
    .summary("decode bounce messages into one result per recipient")
    .description(
      "Read bounce messages (.eml files, mbox files, maildirs, directories, or - for standard " +
        "input) and print, for each recipient, what happened and why, with the bounce reason " +
        "that list processors use. Exit status: 0 when no recipient failed, also when the " +
        "messages hold no bounce (JSON: an empty array) or only delayed recipients, which " +
        "the sending MTA still retries, 1 when some did, 2 for bad options " +
        "or when a file or directory given here cannot be read or holds no readable message " +
        "(standard error says why). A message inside a directory, maildir or mbox that cannot " +
        "be read is skipped with a note on standard error and does not change the status.",
    )
    .argument("[files...]", "bounce files, mbox files, maildirs or directories; - for stdin")
    .option("-f, --format <format>", "output format: text or json", "text")
    .option(
      "--summary",
      "with --format json, print one object with the results and, per input, the messages " +
        "read and skipped, in place of the array of results",
    )
    .action(async (files: string[], options: BouncesOptions) => {
      // The MIME and DSN parsers load only for this command.
      const { runBounces } = await import("./bounces-run.js");
      setExitCode(await runBounces(files, options, io));
    });
}
