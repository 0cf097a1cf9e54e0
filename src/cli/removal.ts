import { InvalidArgumentError, Option, type Command } from "commander";
import { REMOVAL_PROVIDERS, type RemovalProvider } from "../diagnose/removal-forms.js";
import type { SetExitCode } from "./commands.js";
import { addDbOption, type DbOptions } from "./history.js";
import type { CliIo } from "./io.js";
import { freeTextOption } from "./option-values.js";

/** Options of `delist removal request`. */
export interface RequestOptions extends DbOptions {
  readonly provider: RemovalProvider;
  readonly ip: string;
  readonly force?: boolean;
  readonly note?: string;
  readonly format: string;
}

/** Options of `delist removal status`. */
export interface StatusOptions extends DbOptions {
  readonly provider?: string;
  readonly ip?: string;
  readonly format: string;
}

/** Adds `delist removal request` and `delist removal status`. */
export function registerRemoval(program: Command, io: CliIo, setExitCode: SetExitCode): void {
  const removal = program
    .command("removal")
    .summary("record removal requests and follow them until the block lifts")
    .description(
      "Record the removal requests that you send to a provider's form for a blocked IP, and " +
        "follow each block until it lifts. `removal request` records a request and prints the " +
        "form and what to put in it; `removal status` shows each block, the last request and " +
        "when the next one is allowed.",
    );
  addDbOption(
    removal
      .command("request")
      .description(
        "Record that you are sending a removal request to a provider for an IP, and print the " +
          "provider's form and what to put in it. Within 14 days of the last request through the " +
          "same form for the IP it records nothing unless --force is given; gmail and " +
          "google-workspace share one form. It also records nothing for an IP that receivers " +
          "never see (private, loopback, link-local and other non-global ranges) unless --force " +
          "is given. The documentation ranges 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, " +
          "2001:db8::/32 and 3fff::/20 are accepted without --force, so that examples and tests " +
          "can use them. Exit status: 0 recorded, 2 for bad options, a request inside the 14 " +
          "days or a non-global IP.",
      )
      .addOption(
        new Option("--provider <provider>", "the provider asked")
          .choices(REMOVAL_PROVIDERS)
          .argParser(lowerCaseProvider)
          .makeOptionMandatory(),
      )
      .requiredOption("--ip <ip>", "the blocked sending IP")
      .option(
        "--force",
        "record the request even within 14 days of the last one, or for a non-global IP",
      )
      // The note is free text, so a note that starts with -- is kept as typed, unless it is
      // exactly one of this command's options.
      .addOption(
        freeTextOption(
          "--note <text>",
          "a note kept with the request, such as a ticket number; a note that is exactly one " +
            "of these options, such as --force, is a usage error",
        ),
      )
      .option("-f, --format <format>", "output format: text or json", "text"),
  ).action(async (options: RequestOptions) => {
    // The store and its SQLite binding load only when a removal command runs.
    const { runRequest } = await import("./removal-run.js");
    setExitCode(await runRequest(options, io));
  });
  addDbOption(
    removal
      .command("status")
      .description(
        "Show, for each provider and IP with a recorded block or removal request: the incident, " +
          "the days since the last request, the last probe, and when the next request is allowed. " +
          "Exit status: 0 when no block is open, 1 when one is, 2 for bad options.",
      )
      .addOption(
        new Option("--provider <provider>", "only this provider")
          .choices(REMOVAL_PROVIDERS)
          .argParser(lowerCaseProvider),
      )
      .option("--ip <ip>", "only this IP")
      .option("-f, --format <format>", "output format: text or json", "text"),
  ).action(async (options: StatusOptions) => {
    const { runStatus } = await import("./removal-run.js");
    setExitCode(await runStatus(options, io));
  });
}

/** Parses `--provider` case-insensitively, so `Gmail` is `gmail`. */
function lowerCaseProvider(value: string): RemovalProvider {
  const provider = REMOVAL_PROVIDERS.find((name) => name === value.toLowerCase());
  if (provider === undefined) {
    throw new InvalidArgumentError(`Allowed choices are ${REMOVAL_PROVIDERS.join(", ")}.`);
  }
  return provider;
}
