import { wrap } from "../report/wrap.js";

/** The process resources a command may use; tests pass their own. */
export interface CliIo {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Working directory for relative paths. */
  readonly cwd: string;
}

/** Exit status of every command: 0 healthy, 1 problems found, 2 usage or input error. */
export const EXIT_OK = 0;
export const EXIT_PROBLEMS = 1;
export const EXIT_USAGE = 2;

/** A mistake in the command line or unusable input; the message is shown as it is. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/**
 * Writes one line on stderr saying that `-` reads `inputDescription` ("the logs") from
 * standard input until Ctrl-D, when standard input is a terminal. Without it, a mistyped
 * `delist diagnose -` waits with no output. Pipes and files get no line.
 */
export function hintTerminalStdin(io: CliIo, inputDescription: string): void {
  if (io.stdin.isTTY !== true) return;
  io.stderr.write(
    `delist: reading ${inputDescription} from standard input until Ctrl-D on an empty line\n`,
  );
}

/**
 * Writes `message` on stderr after `delist: `, wrapped at 80 columns as the reports are, with
 * the lines after the first indented by two spaces. A message with whitespace other than single
 * spaces is written on one line, because wrapping would change a file name that contains
 * such whitespace.
 */
export function writeWrappedMessage(io: CliIo, message: string): void {
  const wrapped = /[^\S ]| {2}/.test(message)
    ? [`delist: ${message}`]
    : wrap(message, "delist: ", "  ");
  io.stderr.write(`${wrapped.join("\n")}\n`);
}

/** Output formats shared by all commands. */
export const FORMATS = ["text", "json", "markdown"] as const;
export type OutputFormat = (typeof FORMATS)[number];

/** Parses `--format`, throwing a UsageError that lists the accepted values. */
export function parseFormat(
  value: string,
  allowed: readonly OutputFormat[] = FORMATS,
): OutputFormat {
  const format = allowed.find((candidate) => candidate === value);
  if (format === undefined) {
    throw new UsageError(`invalid --format "${value}": use one of ${allowed.join(", ")}`);
  }
  return format;
}

/** True when colour may be used on this stream: a TTY, and NO_COLOR unset (no-color.org). */
export function colourEnabled(io: CliIo): boolean {
  const noColour = io.env["NO_COLOR"];
  return io.stdout.isTTY === true && (noColour === undefined || noColour === "");
}
