import type { Command } from "commander";
import type { SetExitCode } from "./commands.js";
import { addDnsOptions, type DnsOptionRules, type DnsOptions } from "./dns-options.js";
import type { CliIo } from "./io.js";

/** DNS option rules of `check`: `--zone -` reads a zone file from standard input. */
export const CHECK_DNS_RULES: DnsOptionRules = { zoneFromStdin: true };

/** Options of `delist check`. */
export interface CheckOptions extends DnsOptions {
  readonly ip?: string[];
  readonly helo?: string;
  readonly selector?: string[];
  readonly message?: string;
  readonly format: string;
}

/** Adds `delist check DOMAIN…`: SPF, DKIM, DMARC, PTR, MX, MTA-STS, TLS-RPT and BIMI. */
export function registerCheck(program: Command, io: CliIo, setExitCode: SetExitCode): void {
  addDnsOptions(
    program
      .command("check")
      .summary("check SPF, DKIM, DMARC, reverse DNS, MX, MTA-STS, TLS-RPT and BIMI")
      .description(
        "Check the DNS records receivers judge a sender by, explain every problem and write the " +
          "corrected SPF record. Put the domains before --ip and --selector, and give these " +
          "options and --zone at least one value before the next option, because an option in " +
          "their place is a usage error. Exit status: 0 when nothing fails, 1 when a check or a " +
          "provider requirement fails, or some checks got no DNS answer, 2 for bad options or " +
          "when nothing could be checked (--offline without --zone, no DNS query answered " +
          "except with SERVFAIL, or no name looked up in the --zone files). " +
          "The report is still printed.",
      )
      .argument("<domains...>", "sending domains (MAIL FROM and From domains)")
      .option("--ip <ip...>", "sending IP addresses, IPv4 or IPv6")
      .option("--helo <name>", "the HELO/EHLO name the server sends")
      .option("--selector <selector...>", "DKIM selectors to check (default: common selectors)")
      .option(
        "--message <file>",
        "a sample message (- for standard input): its DKIM selectors are checked, its signatures verified and DMARC evaluated",
      )
      .option("-f, --format <format>", "output format: text or json", "text"),
    CHECK_DNS_RULES,
  ).action(async (domains: string[], options: CheckOptions) => {
    // The DNS checks (SPF, DKIM, DMARC and the rest) load only for this command.
    const { runCheck } = await import("./check-run.js");
    setExitCode(await runCheck(domains, options, io));
  });
}
