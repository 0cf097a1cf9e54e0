import type { Command } from "commander";
import { serverReport } from "../diagnose/diagnose.js";
import { analyseLogs, inputReport, unusableInput } from "../diagnose/run.js";
import { buildStatistics } from "../diagnose/statistics.js";
import { painter } from "../report/colour.js";
import { renderStatisticsText } from "../report/statistics-text.js";
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
      .argument("[logs...]", "log files, directories or globs; gzip is read as is; - for stdin"),
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
    const statistics = buildStatistics(
      run.facts,
      input,
      serverReport(run.facts),
      settings.timeZone,
    );
    if (settings.format === "json") io.stdout.write(`${JSON.stringify(statistics, null, 2)}\n`);
    else io.stdout.write(renderStatisticsText(statistics, painter(colourEnabled(io))));
    for (const file of input.files) {
      if (file.error !== null) io.stderr.write(`delist: ${file.error}\n`);
    }
    const nothingRead =
      input.files.length > 0 && input.files.every((f) => f.error !== null && f.lines === 0);
    setExitCode(nothingRead ? EXIT_USAGE : EXIT_OK);
  });
}
