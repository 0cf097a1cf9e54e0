import { Option, type Command } from "commander";
import type { SetExitCode } from "./commands.js";
import { addDbOption, type DbOptions } from "./history.js";
import type { CliIo } from "./io.js";

/** Options of `delist monitor`. */
export interface MonitorCommandOptions extends DbOptions {
  readonly config: string;
  readonly once?: boolean;
  readonly logLevel: string;
}

/** Adds `delist monitor --config FILE`: scheduled checks, history and alerts. */
export function registerMonitor(program: Command, io: CliIo, setExitCode: SetExitCode): void {
  const command = program
    .command("monitor")
    .summary("watch blocklists, DNS, probes and mail logs on a schedule and alert on changes")
    .description(
      "Run until stopped (SIGTERM or SIGINT): check the blocklists, DNS and probes of the " +
        "configured IPs and domains on their cron schedules, follow the mail logs, record every " +
        "result in the history, and send one alert per state change (newly listed, delisted, " +
        "block seen, block lifted, DNS record broken) by webhook and e-mail, also after a " +
        "restart. Logs are JSON lines on standard error. One monitor at a time can use a history " +
        "database. Exit status: 0 after a clean stop, 2 for an invalid configuration or a " +
        "database that is in use or unusable; with --once, 0 when every check ran in full and " +
        "passed, no incident is open and no alert delivery failed, 1 when an incident is open, " +
        "a job failed, a DNS check failed (such as SPF or PTR), a blocklist or DNS lookup got no " +
        "answer, a blocklist's answers could not be used, a probe reached no mail host, a log " +
        "could not be read, or an alert is not delivered (it is retried later). An open " +
        "incident of an IP, domain or log that was removed from the configuration does not " +
        "count: the monitor closes it when it next starts or runs with --once, records the " +
        "reason in the history and logs a warning once. The last log line gives the reasons " +
        "for exit status 1, and the alerts held for the flap window with the time after which " +
        "a later run sends them.",
    )
    .requiredOption("--config <file>", "the JSON configuration file")
    .option("--once", "run every check once, send the alerts and exit")
    .addOption(
      new Option("--log-level <level>", "the lowest level logged")
        .choices(["debug", "info", "warn", "error"])
        .default("info"),
    );
  addDbOption(command).action(async (options: MonitorCommandOptions) => {
    // The monitor's modules (pino, nodemailer, croner, zod) load only for this command, so
    // that the other commands start faster and with less memory.
    const { runMonitor } = await import("./monitor-run.js");
    setExitCode(await runMonitor(options, io));
  });
}
