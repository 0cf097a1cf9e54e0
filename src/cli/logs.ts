import type { Command } from "commander";
import { serverReport } from "../diagnose/diagnose.js";
import { analyseLogs, inputReport, unusableInput } from "../diagnose/run.js";
import { buildStatistics } from "../diagnose/statistics.js";
import { painter } from "../report/colour.js";
import { decodeReportText } from "../report/log-text.js";
import { renderStatisticsText } from "../report/statistics-text.js";
import { wrap } from "../report/wrap.js";
import type { SetExitCode } from "./commands.js";
import { EXIT_OK, EXIT_USAGE, colourEnabled, type CliIo } from "./io.js";
import {
  addLogOptions,
  clearProgress,
  logRunSettings,
  type LogCommandOptions,
} from "./log-options.js";

/** Registers `delist logs LOG…`: statistics and forensics without verdicts. */
export function registerLogs(program: Command, io: CliIo, setExitCode: SetExitCode): void {
  addLogOptions(
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
          "by docs/logs.schema.json.",
      ),
  ).action(async (logs: string[], options: LogCommandOptions) => {
    const settings = logRunSettings(logs, options, io, ["text", "json"]);
    const run = await analyseLogs(logs, settings.readOptions);
    clearProgress(io, settings);
    const unusable = unusableInput(run);
    if (unusable !== null) {
      io.stderr.write(`delist: ${unusable}\n`);
      setExitCode(EXIT_USAGE);
      return;
    }
    const input = inputReport(run, settings.timeZone);
    const statistics = decodeReportText(
      buildStatistics(run.facts, input, serverReport(run.facts), settings.timeZone),
    );
    if (settings.format === "json") io.stdout.write(`${JSON.stringify(statistics, null, 2)}\n`);
    else {
      io.stdout.write(renderStatisticsText(statistics, painter(colourEnabled(io))));
      io.stdout.write(inputNotesText(statistics.input.notes));
    }
    for (const file of input.files) {
      if (file.error !== null) io.stderr.write(`delist: ${file.error}\n`);
    }
    // Statistics find no problems, so only an unreadable input changes the exit status.
    const unreadable = input.files.some((file) => file.error !== null);
    setExitCode(unreadable ? EXIT_USAGE : EXIT_OK);
  });
}

/** Renders the input notes as "Note:" paragraphs after the statistics; "" when there are none. */
function inputNotesText(notes: readonly string[]): string {
  if (notes.length === 0) return "";
  return `\n${notes.flatMap((note) => wrap(note, "Note: ", "  ")).join("\n")}\n`;
}
