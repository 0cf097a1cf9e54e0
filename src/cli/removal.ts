import { InvalidArgumentError, Option, type Command } from "commander";
import { isIpAddress } from "../dns/names.js";
import {
  checkRemovalRequest,
  recordRemovalRequest,
  removalGuide,
  removalStatuses,
  REMOVAL_PROVIDERS,
  REMOVAL_WAIT_MS,
  type RemovalProvider,
  type RemovalStatus,
} from "../monitor/removal.js";
import { canonicalIp, type RemovalRequest } from "../store/types.js";
import type { SetExitCode } from "./commands.js";
import { addDbOption, isoTime, withHistoryStore, type DbOptions } from "./history.js";
import { EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, parseFormat, UsageError, type CliIo } from "./io.js";
import { VERSION } from "./version.js";

/** Version of the JSON output of `delist removal`; docs/removal.schema.json describes it. */
export const REMOVAL_SCHEMA_VERSION = 1;

interface RequestOptions extends DbOptions {
  readonly provider: RemovalProvider;
  readonly ip: string;
  readonly force?: boolean;
  readonly note?: string;
  readonly format: string;
}

interface StatusOptions extends DbOptions {
  readonly provider?: string;
  readonly ip?: string;
  readonly format: string;
}

/** Adds `delist removal request` and `delist removal status`. */
export function registerRemoval(program: Command, io: CliIo, setExitCode: SetExitCode): void {
  const removal = program
    .command("removal")
    .summary("record removal requests and follow them until the block lifts");
  addDbOption(
    removal
      .command("request")
      .description(
        "Record that you are sending a removal request to a provider for an IP, and print the " +
          "provider's form and what to put in it. Within 14 days of the last request for the same " +
          "provider and IP it warns and records nothing unless --force is given. Exit status: 0 " +
          "recorded, 2 for bad options or a request inside the 14 days.",
      )
      .addOption(
        new Option("--provider <provider>", "the provider asked")
          .choices(REMOVAL_PROVIDERS)
          .argParser(lowerCaseProvider)
          .makeOptionMandatory(),
      )
      .requiredOption("--ip <ip>", "the blocked sending IP")
      .option("--force", "record the request even within 14 days of the last one")
      .option("--note <text>", "a note kept with the request, such as a ticket number")
      .option("--format <format>", "output format: text or json", "text"),
  ).action(async (options: RequestOptions) => {
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
      .option("--format <format>", "output format: text or json", "text"),
  ).action(async (options: StatusOptions) => {
    setExitCode(await runStatus(options, io));
  });
}

function runRequest(options: RequestOptions, io: CliIo): Promise<number> {
  const format = parseFormat(options.format, ["text", "json"]);
  const ip = checkIp(options.ip);
  return withHistoryStore(options, io, "write", (store) => {
    const now = Date.now();
    const permission = checkRemovalRequest(store, options.provider, ip, now);
    if (!permission.allowed && permission.last !== null) {
      const when = isoTime(permission.last.requestedAt);
      const next = isoTime(permission.nextAllowedAt ?? now);
      if (options.force !== true) {
        io.stderr.write(
          `delist: removal for ${options.provider} ${ip} was requested at ${when}; send the form at most once every ${REMOVAL_WAIT_MS / 86_400_000} days (next: ${next}). A repeated request does not speed up the review. Add --force to record one anyway.\n`,
        );
        return EXIT_USAGE;
      }
      io.stderr.write(
        `delist: warning: removal for ${options.provider} ${ip} was already requested at ${when}; recording another (--force).\n`,
      );
    }
    const request = recordRemovalRequest(store, {
      provider: options.provider,
      ip,
      at: now,
      forced: !permission.allowed,
      note: options.note ?? null,
    });
    io.stdout.write(
      format === "json" ? renderRequestJson(request, now) : renderRequestText(request, now),
    );
    return EXIT_OK;
  });
}

function renderRequestJson(request: RemovalRequest, now: number): string {
  const json = {
    ...header(now),
    request: { ...request, requestedAt: isoTime(request.requestedAt) },
    form: removalGuide(request.provider as RemovalProvider),
    nextRequestAllowedAt: isoTime(now + REMOVAL_WAIT_MS),
  };
  return `${JSON.stringify(json, null, 2)}\n`;
}

function renderRequestText(request: RemovalRequest, now: number): string {
  const guide = removalGuide(request.provider as RemovalProvider);
  const incident =
    request.incidentId === null ? "no recorded incident" : `incident #${request.incidentId}`;
  const lines = [
    `Recorded removal request #${request.id} for ${request.provider} ${request.ip} (${incident}).`,
    "",
    `Form: ${guide.url}`,
    guide.rule,
    "",
    "Include:",
    ...guide.include.map((item) => `  - ${item}`),
    "",
    `Next request allowed from ${isoTime(now + REMOVAL_WAIT_MS)}. Follow the block with \`delist removal status\`.`,
  ];
  return `${lines.join("\n")}\n`;
}

function runStatus(options: StatusOptions, io: CliIo): Promise<number> {
  const format = parseFormat(options.format, ["text", "json"]);
  const ip = options.ip === undefined ? null : checkIp(options.ip);
  return withHistoryStore(options, io, "read", (store) => {
    const now = Date.now();
    const statuses = removalStatuses(store, { provider: options.provider ?? null, ip }, now);
    if (format === "json") {
      io.stdout.write(`${JSON.stringify({ ...header(now), statuses }, null, 2)}\n`);
    } else {
      io.stdout.write(renderStatuses(statuses));
    }
    return statuses.some((s) => s.incident?.status === "open") ? EXIT_PROBLEMS : EXIT_OK;
  });
}

function renderStatuses(statuses: readonly RemovalStatus[]): string {
  if (statuses.length === 0) return "No block or removal request recorded.\n";
  const blocks = statuses.map((status) => {
    const incident = status.incident;
    const lines = [`${status.provider} ${status.ip}`];
    lines.push(
      incident === null
        ? "  Incident:      none recorded"
        : `  Incident:      #${incident.id} ${incident.status}, opened ${incident.openedAt}${incident.closedAt === null ? "" : `, closed ${incident.closedAt}`} (${incident.hours} h)`,
    );
    lines.push(
      status.lastRequest === null
        ? "  Last request:  none"
        : `  Last request:  ${status.lastRequest.at} (${status.daysSinceRequest ?? 0} days ago, ${status.requests} in all)`,
    );
    lines.push(
      status.lastProbe === null
        ? "  Last probe:    none"
        : `  Last probe:    ${status.lastProbe.at} ${status.lastProbe.status}: ${status.lastProbe.detail}`,
    );
    lines.push(
      `  Next request:  ${status.canRequestNow ? "allowed now" : `allowed from ${status.nextRequestAllowedAt ?? ""}`}`,
    );
    lines.push(`  ${status.advice}`);
    return lines.join("\n");
  });
  return `${blocks.join("\n\n")}\n`;
}

function header(now: number): object {
  return {
    schemaVersion: REMOVAL_SCHEMA_VERSION,
    tool: { name: "delist", version: VERSION },
    generatedAt: isoTime(now),
  };
}

/** Checks `--ip` and returns it in the canonical spelling that the history keys use. */
/** Parses `--provider` case-insensitively, so `Gmail` is `gmail`. */
function lowerCaseProvider(value: string): RemovalProvider {
  const provider = REMOVAL_PROVIDERS.find((name) => name === value.toLowerCase());
  if (provider === undefined) {
    throw new InvalidArgumentError(`Allowed choices are ${REMOVAL_PROVIDERS.join(", ")}.`);
  }
  return provider;
}

function checkIp(ip: string): string {
  if (!isIpAddress(ip)) throw new UsageError(`invalid --ip "${ip}": give an IPv4 or IPv6 address`);
  return canonicalIp(ip);
}
