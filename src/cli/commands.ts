import type { Command } from "commander";
import { registerBlocklists } from "./blocklists.js";
import { registerBounces } from "./bounces.js";
import { registerCheck } from "./check.js";
import { registerDiagnose } from "./diagnose.js";
import { registerExplain } from "./explain.js";
import type { CliIo } from "./io.js";
import { registerLogs } from "./logs.js";
import { registerHistory } from "./history.js";
import { registerMonitor } from "./monitor.js";
import { registerProbe } from "./probe.js";
import { registerRemoval } from "./removal.js";
import { guardOptionValues } from "./option-values.js";

/** Sets the process exit status of the command that ran. */
export type SetExitCode = (code: number) => void;

/** Adds every subcommand to `program`; each command lives in its own file. */
export function registerCommands(program: Command, io: CliIo, setExitCode: SetExitCode): void {
  registerDiagnose(program, io, setExitCode);
  registerLogs(program, io, setExitCode);
  registerExplain(program, io, setExitCode);
  registerCheck(program, io, setExitCode);
  registerBounces(program, io, setExitCode);
  registerBlocklists(program, io, setExitCode);
  registerProbe(program, io, setExitCode);
  registerHistory(program, io, setExitCode);
  registerRemoval(program, io, setExitCode);
  registerMonitor(program, io, setExitCode);
  for (const command of program.commands) guardOptionValues(command, io);
}
