import type { Command } from "commander";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, resolve as resolvePath } from "node:path";
import type { ReadLogsOptions } from "../logs/pipeline.js";
import type { ReadProgress } from "../logs/reader/summary.js";
import { resolveTimeZone, type TimeZone } from "../time/zone.js";
import { UsageError, parseFormat, type CliIo, type OutputFormat } from "./io.js";
import { swallowedArgumentsHint, tookValueMessage, type VariadicValues } from "./option-values.js";

/** Options shared by the commands that read logs. */
export interface LogCommandOptions {
  readonly format: string;
  readonly year?: string;
  readonly timezone?: string;
  readonly progress: boolean;
}

/** Adds the log-reading options to a command whose output comes in `formats`. */
export function addLogOptions(command: Command, formats: readonly OutputFormat[]): Command {
  const choices = `${formats.slice(0, -1).join(", ")} or ${formats.at(-1) ?? "text"}`;
  return command
    .option("-f, --format <format>", `output format: ${choices}`, "text")
    .option(
      "--year <year>",
      "year of the first line of logs whose timestamps have none (classic syslog); default: inferred from the file's modification time",
    )
    .option(
      "--timezone <zone>",
      "time zone of timestamps without an offset, e.g. UTC, +07:00 or Europe/Berlin; default: this machine's zone",
    )
    .option("--no-progress", "do not show progress on stderr");
}

/** The parsed log-reading options of one run. */
export interface LogRunSettings {
  readonly format: OutputFormat;
  readonly timeZone: TimeZone;
  readonly readOptions: ReadLogsOptions;
}

/** Inputs and option values of a command besides its logs. */
export interface OtherInputs {
  /** True when inputs other than logs (bounces) make a run without logs valid. */
  readonly present?: boolean;
  /**
   * The values of the options that take several words, by option name (`--domain`). These
   * values are never files, so one that names an existing file or directory is a log the
   * option took.
   */
  readonly variadic?: VariadicValues;
  /**
   * The values of the options that take several files (`--bounces`, `--zone`). A log among
   * them is found by `isLog`, because their other values are existing files too.
   */
  readonly fileVariadic?: VariadicValues;
  /** True when the file at this absolute path is a log, by its content. */
  readonly isLog?: (path: string) => boolean;
}

/** Validates the options, turning bad values into usage errors that name them. */
export function logRunSettings(
  inputs: readonly string[],
  options: LogCommandOptions,
  io: CliIo,
  formats?: readonly OutputFormat[],
  other: OtherInputs = {},
): LogRunSettings {
  checkLogArguments(inputs, io.cwd, other);
  const format = parseFormat(options.format, formats);
  const year = parseYear(options.year);
  if (options.timezone !== undefined && options.timezone.trim() === "") {
    throw new UsageError(
      'invalid --timezone "": give an IANA name such as Europe/Berlin, UTC, or an offset such as +07:00',
    );
  }
  let timeZone: TimeZone;
  try {
    timeZone = resolveTimeZone(options.timezone);
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const progress = options.progress ? progressReporter(io) : undefined;
  return {
    format,
    timeZone,
    readOptions: {
      timeZone,
      year,
      cwd: io.cwd,
      stdin: io.stdin,
      onProgress: progress,
      onFifoWait: (name) => {
        // The progress line, when there is one, is cleared so that the note starts a line.
        const clear = progress === undefined ? "" : "\r\u001b[K";
        io.stderr.write(
          `${clear}delist: waiting for data on FIFO ${name}: start the process that writes to it, or leave the FIFO out of the inputs\n`,
        );
      },
    },
  };
}

const NO_LOG =
  "no log given: name one or more log files, directories or globs (for example /var/log/mail.log*), or - for stdin";

/**
 * Throws a UsageError when no log is given (unless other inputs make that valid), when an
 * option that takes several files took a log, or when a log name is empty.
 */
function checkLogArguments(inputs: readonly string[], cwd: string, other: OtherInputs): void {
  const swallowed =
    (other.isLog === undefined ? null : takenLog(other.fileVariadic ?? {}, cwd, other.isLog)) ??
    takenPath(other.variadic ?? {}, cwd);
  if (swallowed !== null) {
    // Bounces alone are a valid run, so a log that an option took is an error even then.
    const message = tookValueMessage(swallowed.option, swallowed.value, "logs");
    throw new UsageError(inputs.length === 0 ? `${NO_LOG}\ndelist: ${message}` : message);
  }
  if (inputs.length === 0 && other.present !== true) {
    const hint = swallowedArgumentsHint(other.variadic ?? {}, cwd, "logs");
    throw new UsageError(NO_LOG + (hint === "" ? "" : `\n${hint}`));
  }
  if (inputs.some((input) => input.trim() === "")) {
    throw new UsageError(
      'empty log name: an argument is "" (an unset shell variable?); name the log files, or - for stdin',
    );
  }
}

/**
 * Finds the option whose last value is a log or a directory of logs, by content. Commander gives
 * an option that takes several values every word up to the next option, so a log it took is its
 * last value.
 */
function takenLog(
  variadic: VariadicValues,
  cwd: string,
  isLog: (path: string) => boolean,
): { option: string; value: string } | null {
  for (const [option, values] of Object.entries(variadic)) {
    const last = values?.at(-1);
    if (last === undefined || last === "-") continue;
    if (isLogOrLogDirectory(resolvePath(cwd, last), isLog)) return { option, value: last };
  }
  return null;
}

/**
 * Finds the first value, among options whose values are never files, that names an existing
 * file or directory, such as `other.log` in `diagnose LOG --domain example.com other.log`.
 *
 * NOTE: a domain that is also the name of a file in the working directory is rejected too.
 * Writing it with a final dot (`example.com.`) avoids that.
 */
function takenPath(
  variadic: VariadicValues,
  cwd: string,
): { option: string; value: string } | null {
  for (const [option, values] of Object.entries(variadic)) {
    const value = values?.find(
      (candidate) => candidate !== "" && existsSync(resolvePath(cwd, candidate)),
    );
    if (value !== undefined) return { option, value };
  }
  return null;
}

/** Maximum number of files in a directory that `isLogOrLogDirectory` checks. */
const DIRECTORY_FILES_CHECKED = 5;

/**
 * True when `path` is a log, or a directory whose first files by name (at most
 * `DIRECTORY_FILES_CHECKED`, hidden files and subdirectories left out) are mostly logs. A
 * maildir keeps its messages in subdirectories, so it does not count as a log directory.
 */
function isLogOrLogDirectory(path: string, isLog: (path: string) => boolean): boolean {
  let names: string[];
  try {
    if (!statSync(path).isDirectory()) return isLog(path);
    names = readdirSync(path).sort();
  } catch {
    return false;
  }

  const files = names
    .filter((name) => !name.startsWith("."))
    .map((name) => join(path, name))
    .filter(isRegularFile)
    .slice(0, DIRECTORY_FILES_CHECKED);
  const logs = files.filter((file) => isLog(file)).length;
  return logs > 0 && logs * 2 > files.length;
}

function isRegularFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function parseYear(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const year = Number(value);
  if (!/^\d{4}$/.test(value) || year < 1970) {
    throw new UsageError(`invalid --year "${value}": give a year from 1970 to 9999, such as 2024`);
  }
  return year;
}

/** Minimum time between two progress updates on stderr. */
const PROGRESS_INTERVAL_MS = 250;

/**
 * Returns a progress callback that rewrites one line on stderr, or undefined when stderr is
 * not a terminal (pipes and CI logs get no progress noise).
 */
function progressReporter(io: CliIo): ((progress: ReadProgress) => void) | undefined {
  if (io.stderr.isTTY !== true) return undefined;
  let last = 0;
  return (progress) => {
    const now = Date.now();
    if (now - last < PROGRESS_INTERVAL_MS) return;
    last = now;
    const read = (progress.bytesRead / 1_048_576).toFixed(0);
    const total = progress.totalBytes;
    const text =
      total === null || total === 0
        ? `reading logs: ${read} MiB`
        : `reading logs: ${read} of ${(total / 1_048_576).toFixed(0)} MiB (${Math.floor((progress.bytesRead / total) * 100)} %)`;
    io.stderr.write(`\r${text}\u001b[K`);
  };
}

/** Clears the progress line, if one was drawn. */
export function clearProgress(io: CliIo, settings: LogRunSettings): void {
  if (settings.readOptions.onProgress !== undefined) io.stderr.write("\r\u001b[K");
}
