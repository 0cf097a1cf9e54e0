import { Command, CommanderError } from "commander";
import { colourEnabled, EXIT_OK, EXIT_USAGE, UsageError, type CliIo } from "./io.js";
import { withSafeOutput } from "./safe-output.js";
import { registerCommands } from "./commands.js";
import { configureHelpOutput, wrapLongLines } from "./help-output.js";
import { VERSION } from "./version.js";

/**
 * Runs the delist command line and returns the exit status; it never calls process.exit,
 * so tests can run commands in-process. Control characters in the output are escaped.
 */
export async function runCli(argv: readonly string[], givenIo: CliIo): Promise<number> {
  const io = withSafeOutput(givenIo, colourEnabled(givenIo));
  let exitCode = EXIT_OK;
  const program = new Command();
  program
    .name("delist")
    .description(
      "Explain why Gmail, Outlook or Yahoo defer or reject your mail, and what to fix first.",
    )
    .version(VERSION)
    .exitOverride();
  configureHelpOutput(program, io);

  program.showHelpAfterError("(add --help for the commands and options)");
  registerCommands(program, io, (code) => {
    exitCode = code;
  });

  if (argv.length === 0) {
    io.stderr.write(wrapLongLines(program.helpInformation()));
    return EXIT_USAGE;
  }
  try {
    await program.parseAsync([...argumentsToParse(program, argv)], { from: "user" });
  } catch (error) {
    return reportError(error, io);
  }
  return exitCode;
}

/**
 * Returns the arguments to parse. Commander prints the main help and exits 0 for
 * `help NAME` and `NAME --help` when NAME is no command, so both become a bare `NAME`, which
 * commander rejects as an unknown command with a suggestion (exit status 2). The same applies
 * one level down: `removal NAME --help` becomes `removal NAME`. For a command NAME, `help NAME`
 * becomes `NAME --help`, which prints the same help but only after the `preSubcommand` hooks
 * ran. Commander prints the help of `help NAME` before any hook, and the hook of `blocklists`
 * loads the catalogue that its help lists.
 */
function argumentsToParse(program: Command, argv: readonly string[]): readonly string[] {
  const [first, second] = argv;
  if (first === undefined || first.startsWith("-")) return argv;

  if (first === "help") {
    if (second === undefined) return argv;
    return commandNamed(program, second) === null ? [second] : [second, "--help"];
  }
  const asksForHelp = argv.some((argument) => argument === "--help" || argument === "-h");
  if (!asksForHelp) return argv;
  const command = commandNamed(program, first);
  if (command === null) return [first];
  const groupsSubcommands = command.commands.length > 0;
  if (groupsSubcommands && second !== undefined && !second.startsWith("-")) {
    return commandNamed(command, second) === null ? [first, second] : argv;
  }
  return argv;
}

function commandNamed(parent: Command, name: string): Command | null {
  const found = parent.commands.find(
    (command) => command.name() === name || command.aliases().includes(name),
  );
  return found ?? null;
}

function reportError(error: unknown, io: CliIo): number {
  if (error instanceof CommanderError) {
    // Help and version output end with this error; commander has already printed them.
    if (error.code === "commander.helpDisplayed" || error.code === "commander.version") {
      return EXIT_OK;
    }
    // A command that only groups subcommands (`delist removal`) prints its help as an error
    // when run bare, because no subcommand was given.
    if (error.code === "commander.help") return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    return EXIT_USAGE;
  }
  if (error instanceof UsageError) {
    io.stderr.write(`delist: ${error.message}\n`);
    return EXIT_USAGE;
  }
  if (isNodeFileError(error)) {
    io.stderr.write(`delist: cannot read ${error.path}: ${error.code}\n`);
    return EXIT_USAGE;
  }
  throw error;
}

function isNodeFileError(error: unknown): error is NodeJS.ErrnoException & { path: string } {
  return error instanceof Error && "code" in error && "path" in error;
}
