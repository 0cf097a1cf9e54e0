import { Option, type Command } from "commander";
import type { SetExitCode } from "./commands.js";
import type { CliIo } from "./io.js";
import { addLogOptions, type LogCommandOptions } from "./log-options.js";

/** The output formats of `delist logs`: statistics have no Markdown report. */
export const LOGS_FORMATS = ["text", "json"] as const;

/** Registers `delist logs LOG…`: statistics and forensics without verdicts. */
export function registerLogs(program: Command, io: CliIo, setExitCode: SetExitCode): void {
  const command = addLogOptions(
    program
      .command("logs")
      .description(
        "read mail logs and print delivery statistics per provider, account and local program",
      )
      .argument("[logs...]", "log files, directories or globs; gzip is read as is; - for stdin")
      .addHelpText(
        "after",
        "\nExit status: 0 when the logs were read (the statistics judge nothing, so a blocked " +
          "server also gives 0), 2 for a usage error or when an input could not be read (the " +
          "statistics of the other inputs are still printed).\n\nThe JSON output is described " +
          "by docs/logs.schema.json in the delist package, and the document printed when no " +
          "input has a mail log line by docs/diagnose-unusable-input.schema.json.",
      ),
    LOGS_FORMATS,
  );
  // `--offline` is copied from diagnose command lines often. It is hidden and rejected as
  // unknown, with the reason it is not needed.
  command
    .addOption(new Option("--offline").hideHelp())
    .on("option:offline", () =>
      command.error(
        "error: unknown option '--offline': delist logs reads files only and sends no queries",
        { code: "commander.unknownOption" },
      ),
    );
  command.action(async (logs: string[], options: LogCommandOptions) => {
    // The log readers and analysers load only for this command.
    const { runLogs } = await import("./logs-run.js");
    setExitCode(await runLogs(logs, options, io));
  });
}
