import type { Command } from "commander";
import { DEFAULT_PROBE_INTERVAL_MS } from "../probe/etiquette.js";
import type { SetExitCode } from "./commands.js";
import { addDnsOptions, ZONE_FROM_STDIN, type DnsOptions } from "./dns-options.js";
import { addDbOption, type DbOptions } from "./history.js";
import type { CliIo } from "./io.js";

/** Options of `delist probe`. */
export interface ProbeOptions extends DnsOptions, DbOptions {
  readonly to: string;
  readonly from?: string;
  readonly helo?: string;
  readonly mx?: string;
  readonly sourceIp?: string;
  readonly sendTest?: boolean;
  readonly force?: boolean;
  readonly smtpTimeoutMs: string;
  readonly format: string;
}

/** Adds `delist probe --to ADDRESS`: an SMTP conversation with the MX that stops before DATA. */
export function registerProbe(program: Command, io: CliIo, setExitCode: SetExitCode): void {
  const command = program
    .command("probe")
    .summary("ask the recipient's MX whether it takes mail from this server, without sending any")
    .description(
      "Connect to the recipient domain's MX on port 25 and go through EHLO, STARTTLS, MAIL FROM " +
        "and RCPT TO, then RSET and QUIT: no message is sent unless --send-test is given. Every " +
        "reply is classified as `delist explain` does, and the probe is recorded in the history. " +
        `A target (recipient domain and source address) is probed at most once per ${DEFAULT_PROBE_INTERVAL_MS / 60_000} minutes, ` +
        "so that probing cannot harm the sender's reputation. A probe cannot see blocks applied " +
        "after DATA. Exit status: 0 accepted, 1 rate-limited, blocked or failed, 2 for bad options " +
        "or a probe refused by the rate limit.",
    )
    .requiredOption("--to <address>", "the recipient address to probe, such as someone@gmail.com")
    .option("--from <address>", "the MAIL FROM address (default: the null sender <>)")
    .option(
      "--helo <name>",
      "the EHLO name, such as mail.example.com (default: this machine's host name, which must then be fully qualified)",
    )
    .option("--mx <host[:port]>", "connect to this host instead of the recipient domain's MX")
    .option("--source-ip <ip>", "the local address to connect from")
    .option("--send-test", "go on to DATA and send a short test message")
    .option("--force", "probe even if the target was probed within the rate limit")
    .option(
      "--smtp-timeout-ms <ms>",
      "time to wait for the connection and each reply, in milliseconds",
      "30000",
    )
    .option("-f, --format <format>", "output format: text or json", "text");
  addDbOption(addDnsOptions(command, ZONE_FROM_STDIN)).action(async (options: ProbeOptions) => {
    // The SMTP client, the reply classifier and the store load only for this command.
    const { runProbeCommand } = await import("./probe-run.js");
    setExitCode(await runProbeCommand(options, io));
  });
}
