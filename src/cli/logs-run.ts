import { serverReport } from "../diagnose/diagnose.js";
import {
  analyseLogs,
  inputReport,
  truncatedWhileRead,
  unreadInputErrors,
  unusableInputSentences,
} from "../diagnose/run.js";
import { showHiddenCharacters } from "../diagnose/hidden-characters.js";
import { buildStatistics } from "../diagnose/statistics.js";
import { painter } from "../report/colour.js";
import { decodeReportText, showHiddenInReport } from "../report/log-text.js";
import { skippedSamplesLines } from "../report/skipped-samples.js";
import { renderStatisticsText } from "../report/statistics-text.js";
import { shortTimesIn, wrap } from "../report/wrap.js";
import {
  EXIT_OK,
  EXIT_USAGE,
  colourEnabled,
  hintTerminalStdin,
  writeWrappedMessage,
  type CliIo,
} from "./io.js";
import { clearProgress, logRunSettings, type LogCommandOptions } from "./log-options.js";
import { LOGS_FORMATS } from "./logs.js";
import { unusableInputJson } from "./unusable-input.js";

/** Runs `delist logs` and returns the exit status. */
export async function runLogs(
  logs: string[],
  options: LogCommandOptions,
  io: CliIo,
): Promise<number> {
  const settings = logRunSettings(logs, options, io, LOGS_FORMATS);
  if (logs.includes("-")) hintTerminalStdin(io, "the logs");
  const run = await analyseLogs(logs, settings.readOptions);
  clearProgress(io, settings);
  const unusable = unusableInputSentences(run);
  if (unusable !== null) {
    // A script that parses standard output gets a document, as from `diagnose`.
    if (settings.format === "json") io.stdout.write(unusableInputJson(unusable));
    io.stderr.write(`delist: ${unusable.join("\ndelist: ")}\n`);
    return EXIT_USAGE;
  }
  const input = inputReport(run, settings.timeZone);
  const statistics = decodeReportText(
    buildStatistics(run.facts, input, serverReport(run.facts), settings.timeZone),
  );
  if (settings.format === "json") io.stdout.write(`${JSON.stringify(statistics, null, 2)}\n`);
  else {
    io.stdout.write(renderStatisticsText(statistics, painter(colourEnabled(io))));
    io.stdout.write(inputNotesText(statistics.input.notes));
    // A sample quotes a file name and a log line, so hidden characters are shown as escapes.
    const samples = skippedSamplesLines(showHiddenInReport(statistics.input.skippedSamples));
    if (samples.length > 0) io.stdout.write(`${samples.join("\n")}\n`);
  }
  // The messages on unread inputs are long, so they are wrapped as the notes are.
  const notRead = new Set(unreadInputErrors(run).map((unread) => unread.name));
  for (const file of input.files) {
    if (file.error === null) continue;
    if (notRead.has(file.name)) writeWrappedMessage(io, file.error);
    else io.stderr.write(`delist: ${file.error}\n`);
  }
  // Statistics find no problems, so only an input that could not be read in full changes
  // the exit status.
  const unreadable = input.files.some((file) => file.error !== null) || truncatedWhileRead(run);
  return unreadable ? EXIT_USAGE : EXIT_OK;
}

/**
 * Renders the input notes as "Note:" paragraphs after the statistics, with times written as the
 * statistics write them. Returns "" when there are none.
 */
function inputNotesText(notes: readonly string[]): string {
  if (notes.length === 0) return "";
  // A note can quote a file name or a line, so hidden characters are shown as in the report.
  const lines = notes.flatMap((note) =>
    wrap(shortTimesIn(showHiddenCharacters(note)), "Note: ", "  "),
  );
  return `\n${lines.join("\n")}\n`;
}
