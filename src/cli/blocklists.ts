import type { Command } from "commander";
import type { BlocklistEntry } from "../reputation/types.js";
import type { SetExitCode } from "./commands.js";
import { addDnsOptions, ZONE_FROM_STDIN, type DnsOptions } from "./dns-options.js";
import type { CliIo } from "./io.js";

/** The environment variable read when `--spamhaus-dqs-key` is not given. */
export const DQS_KEY_VARIABLE = "DELIST_SPAMHAUS_DQS_KEY";

/**
 * The default of `--concurrency`. It is written out here so that registering the command
 * loads none of the look-up code; a test checks that it equals `DEFAULT_CONCURRENCY` in
 * src/reputation/check.ts.
 */
const DEFAULT_CONCURRENCY_VALUE = "16";

/** Options of `delist blocklists`. */
export interface BlocklistsOptions extends DnsOptions {
  readonly format: string;
  readonly list?: string[];
  readonly config?: string;
  readonly spamhausDqsKey?: string;
  readonly concurrency: string;
}

/** Adds `delist blocklists TARGET…`: DNSBL, URIBL and reputation look-ups. */
export function registerBlocklists(program: Command, io: CliIo, setExitCode: SetExitCode): void {
  const command = addDnsOptions(
    program
      .command("blocklists")
      .summary("look IPs and domains up on DNS blocklists, with removal pages")
      .description(
        "Look IP addresses and domains up on DNS blocklists and reputation zones. Each list is " +
          "first checked with its test entries; refusals, timeouts and errors are reported as " +
          "such, never as clean. Give --list and --zone at least one value before the next " +
          "option, because an option in their place is a usage error. Exit status: 0 when " +
          "nothing is listed, 1 when something is listed or some lists could not be checked, " +
          "2 for bad options or when nothing could be checked (--offline without --zone, no " +
          "DNS query answered except with SERVFAIL, no name looked up in the --zone files, or " +
          "no chosen list that can be asked takes these targets). The " +
          "report is still printed, except when no chosen list takes the kind of any target " +
          "(an IPv4-only list for a domain).",
      )
      .argument("<targets...>", "IP addresses (IPv4 or IPv6) and domains")
      .option("-f, --format <format>", "output format: text or json", "text")
      .option("--list <id...>", "ask only these lists (all: every live list)")
      .option("--config <file>", "a JSON file that adds, enables or disables lists")
      .option(
        "--spamhaus-dqs-key <key>",
        `Spamhaus Data Query Service key (default: $${DQS_KEY_VARIABLE})`,
      )
      .option("--concurrency <n>", "DNS queries in flight at once", DEFAULT_CONCURRENCY_VALUE),
    ZONE_FROM_STDIN,
  ).action(async (targets: string[], options: BlocklistsOptions) => {
    // The blocklist look-ups and the DNS resolvers load only for this command.
    const { runBlocklists } = await import("./blocklists-run.js");
    setExitCode(await runBlocklists(targets, options, io));
  });

  // Commander calls this hook before it parses the options of `blocklists`, and so before it
  // prints the help for --help. runCli turns `help blocklists` into `blocklists --help`.
  program.hook("preSubcommand", (_program, subcommand) =>
    subcommand === command ? addCatalogueHelp(command) : undefined,
  );
}

/**
 * Loads the blocklist catalogue and lists it under the help text of `command`. The catalogue
 * loads here rather than at start-up, so that the other commands do not load its data modules.
 */
async function addCatalogueHelp(command: Command): Promise<void> {
  const { CATALOGUE } = await import("../reputation/catalogue.js");
  command.addHelpText("after", catalogueHelp(CATALOGUE));
}

/** Returns the lines that list the catalogue: id, targets and flags of each list. */
function catalogueHelp(catalogue: readonly BlocklistEntry[]): string {
  const rows = catalogue.map((entry) => {
    const flags = [
      entry.defaultEnabled ? "default" : "",
      entry.status === "active" ? "" : entry.status,
      entry.keyRequired === null ? "" : "key",
    ].filter((flag) => flag !== "");
    // A list without flags ends at its targets, with no padding after them.
    const row = `  ${entry.id.padEnd(26)}${entry.targets.join(",").padEnd(18)}${flags.join(", ")}`;
    return row.trimEnd();
  });
  return `\nLists (id, targets, flags):\n${rows.join("\n")}\n`;
}
