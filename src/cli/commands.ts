import type { Command } from "commander";
import { registerBounces } from "./bounces.js";
import { registerDiagnose } from "./diagnose.js";
import { registerExplain } from "./explain.js";
import type { CliIo } from "./io.js";
import { swallowedArgumentsHint } from "./log-options.js";
import { registerLogs } from "./logs.js";
import { registerHistory } from "./history.js";
import { registerMonitor } from "./monitor.js";
import { registerProbe } from "./probe.js";
import { registerRemoval } from "./removal.js";

/** Sets the process exit status of the command that ran. */
export type SetExitCode = (code: number) => void;

/**
 * The commands whose files hold only commander's definitions and import the implementation
 * inside the action, so registering them loads no log reader, store or DNS check.
 */
const LAZY_COMMANDS: ReadonlySet<string> = new Set([
  "diagnose",
  "logs",
  "explain",
  "bounces",
  "probe",
  "history",
  "removal",
  "monitor",
]);

/**
 * Adds every subcommand to `program`; each command lives in its own file. `argv` is the command
 * line without the program name, as `runCli` gets it.
 */
export async function registerCommands(
  program: Command,
  io: CliIo,
  setExitCode: SetExitCode,
  argv: readonly string[],
): Promise<void> {
  // NOTE: check.ts and blocklists.ts import their implementation (the auth checks and the
  // blocklist catalogue) at the top. So they load only when the first argument names none of
  // the commands above: check and blocklists themselves, help, a bare option, or a mistyped
  // name that commander suggests a command for. Once both files import their implementation
  // in the action, this condition can go.
  const loadEagerCommands = !LAZY_COMMANDS.has(argv[0] ?? "");
  registerDiagnose(program, io, setExitCode);
  registerLogs(program, io, setExitCode);
  registerExplain(program, io, setExitCode);
  if (loadEagerCommands) {
    const { registerCheck } = await import("./check.js");
    registerCheck(program, io, setExitCode);
  }
  registerBounces(program, io, setExitCode);
  if (loadEagerCommands) {
    const { registerBlocklists } = await import("./blocklists.js");
    registerBlocklists(program, io, setExitCode);
  }
  registerProbe(program, io, setExitCode);
  registerHistory(program, io, setExitCode);
  registerRemoval(program, io, setExitCode);
  registerMonitor(program, io, setExitCode);
  for (const command of program.commands) explainMissingArguments(command, io);
}

/**
 * Adds a hint to commander's "missing required argument" error when an option that takes
 * several values may have taken the argument (`check --ip 192.0.2.1 example.com`).
 */
function explainMissingArguments(command: Command, io: CliIo): void {
  command.configureOutput({
    outputError: (text, write) => {
      const missing = /^error: missing required argument '([^']+)'/.exec(text);
      const variadic = Object.fromEntries(
        command.options
          .filter((option) => option.variadic)
          .map((option) => [
            option.long ?? option.flags,
            command.getOptionValue(option.attributeName()) as string[] | undefined,
          ]),
      );
      const hint =
        missing?.[1] === undefined ? "" : swallowedArgumentsHint(variadic, io.cwd, missing[1]);
      write(hint === "" ? text : `${text}${hint}\n`);
    },
  });
}
