import type { Command } from "commander";
import type { SetExitCode } from "./commands.js";
import { addDnsOptions, ZONE_FROM_STDIN, type DnsOptions } from "./dns-options.js";
import { UsageError, type CliIo } from "./io.js";
import { addLogOptions, type LogCommandOptions } from "./log-options.js";
import { MAIN_LOG_ADVICE } from "../logs/reader/export-shapes.js";

/** Registers `delist diagnose LOG…`. */
export function registerDiagnose(program: Command, io: CliIo, setExitCode: SetExitCode): void {
  const command = addLogOptions(
    program
      .command("diagnose")
      .description(
        "read mail logs and tell whether Gmail, Outlook or Yahoo block this server, since when, why, and what to fix first",
      )
      .argument("[logs...]", "log files, directories or globs; gzip is read as is; - for stdin")
      .option(
        "--bounces <paths...>",
        "bounce messages to read as well: .eml files, mbox, maildir or directories",
      )
      .option(
        "--domain <domain...>",
        "sending domains to check in DNS (default: the domains of the server's own senders in the logs)",
      )
      .option(
        "--ip <ip...>",
        "sending IPs to check in DNS and to name in removal commands, next to the IPs receivers named in their replies (default: those IPs alone)",
      )
      .option("--helo <name>", "the HELO/EHLO name the server sends, compared with its PTR")
      .option(
        "--spamhaus-dqs-key <key>",
        "ask Spamhaus through its Data Query Service with this key (or set DELIST_SPAMHAUS_DQS_KEY)",
      )
      .option(
        "--db <file>",
        "the history database to read past removal requests from (default: $XDG_STATE_HOME/delist/history.sqlite, else ~/.local/state/delist/history.sqlite; skipped when missing)",
      ),
    ["text", "json", "markdown"],
  );
  command.addHelpText(
    "after",
    `\n${MAIN_LOG_ADVICE}\n\n` +
      "Put the logs before --bounces, --domain, --ip and --zone, and give these options at " +
      "least one value before the next option, because an option in their place is a usage " +
      "error.\n\nExit status: 0 when no receiver blocks the server and no finding is a warning " +
      "or worse, " +
      "1 when one is, 2 for a usage error or when an input could not be read (the report of " +
      "the other inputs is still printed). A bounce message inside a --bounces directory, " +
      "maildir or mbox that cannot be read is skipped with a note and does not change the " +
      "status.\n\nThe JSON output is described by docs/diagnose.schema.json in the delist " +
      "package.",
  );
  addDnsOptions(command, ZONE_FROM_STDIN).action(
    async (logs: string[], options: DiagnoseOptions) => {
      checkStdinReaders(logs, options);
      // The log readers, analysers and report renderers load only for this command.
      const { runDiagnose } = await import("./diagnose-run.js");
      setExitCode(await runDiagnose(logs, options, io));
    },
  );
}

/**
 * Throws a UsageError when `--zone -` is given while the logs or `--bounces` read standard
 * input too, before anything reads it. Standard input can be read only once.
 */
function checkStdinReaders(logs: readonly string[], options: DiagnoseOptions): void {
  if (options.zone?.includes("-") !== true) return;
  const reader = stdinReader(logs, options);
  if (reader === null) return;
  throw new UsageError(
    `--zone - and ${reader} both read standard input, which can be read only once: save the ` +
      "zone to a file and give --zone its path",
  );
}

// Returns the input that reads standard input, or null when stdin is free for `--zone -`.
function stdinReader(logs: readonly string[], options: DiagnoseOptions): string | null {
  if (logs.includes("-")) return "the logs (- among the logs)";
  if (options.bounces?.includes("-") === true) return "the bounces (--bounces -)";
  return null;
}

/** Options of `delist diagnose`. */
export interface DiagnoseOptions extends LogCommandOptions, DnsOptions {
  readonly bounces?: string[];
  readonly domain?: string[];
  readonly ip?: string[];
  readonly helo?: string;
  readonly spamhausDqsKey?: string;
  readonly db?: string;
}
