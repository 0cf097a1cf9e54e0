import {
  checkRemovalRequest,
  describeRequest,
  recordedRemovalGuide,
  recordRemovalRequest,
  removalGuide,
  type RemovalGuide,
  removalStatuses,
  REMOVAL_WAIT_MS,
  type RemovalStatus,
} from "../monitor/removal.js";
import { nonGlobalRange } from "../monitor/removal-ip.js";
import { dropMilliseconds, formatDuration, wrap } from "../report/wrap.js";
import type { RemovalRequest } from "../store/types.js";
import { isoTime } from "./history.js";
import { withHistoryStore } from "./history-run.js";
import { EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, parseFormat, UsageError, type CliIo } from "./io.js";
import type { RequestOptions, StatusOptions } from "./removal.js";
import { validIp } from "./sender-options.js";
import { VERSION } from "./version.js";

/** Version of the JSON output of `delist removal`; docs/removal.schema.json describes it. */
export const REMOVAL_SCHEMA_VERSION = 1;

/** Records a removal request (`delist removal request`); returns the exit status. */
export async function runRequest(options: RequestOptions, io: CliIo): Promise<number> {
  const format = parseFormat(options.format, ["text", "json"]);
  try {
    return await recordRequest(options, format, io);
  } catch (error) {
    // A script that reads --format json gets the reason on stdout too. runCli writes the
    // message to stderr and exits 2.
    if (format === "json" && error instanceof UsageError) {
      const rejection: RejectedRequest = {
        reason: "usage-error",
        message: error.message,
        lastRequest: null,
        nextAllowedAt: null,
      };
      writeRejection(options, options.ip, rejection, io);
    }
    throw error;
  }
}

function recordRequest(options: RequestOptions, format: string, io: CliIo): Promise<number> {
  const ip = validIp(options.ip);
  const range = nonGlobalRange(ip);
  if (range !== null) {
    if (options.force !== true) {
      const message =
        `${ip} is ${range}. Receivers never see mail from such an address, so a removal ` +
        `request for it cannot lift a block. Give the public IP that the provider names in ` +
        `its replies, or add --force to record the request anyway.`;
      const rejection: RejectedRequest = {
        reason: "non-global-ip",
        message,
        lastRequest: null,
        nextAllowedAt: null,
      };
      return Promise.resolve(rejectRequest(options, ip, rejection, format, io));
    }
    io.stderr.write(
      `delist: warning: ${ip} is ${range}, which receivers never see; recording the request anyway (--force).\n`,
    );
  }

  return withHistoryStore(options, io, "write", (store) => {
    const now = Date.now();
    const permission = checkRemovalRequest(store, options.provider, ip, now);
    if (!permission.allowed && permission.last !== null) {
      // Seconds are enough to read; the JSON rejection keeps the exact times.
      const earlier = dropMilliseconds(describeRequest(permission.last, options.provider));
      const form = removalGuide(options.provider).url;
      if (options.force !== true) {
        const nextAllowedAt = permission.nextAllowedAt ?? now;
        const message = `the form ${form} was already sent for ${ip}: ${earlier}. Send the form at most once every ${REMOVAL_WAIT_MS / 86_400_000} days for an IP; the next request is allowed from ${dropMilliseconds(isoTime(nextAllowedAt))}. A repeated request does not speed up the review. Add --force to record one anyway.`;
        const rejection: RejectedRequest = {
          reason: "too-soon",
          message,
          lastRequest: permission.last,
          nextAllowedAt,
        };
        return rejectRequest(options, ip, rejection, format, io);
      }
      io.stderr.write(
        `delist: warning: the form ${form} was already sent for ${ip}: ${earlier}; recording another (--force).\n`,
      );
    }
    const request = recordRemovalRequest(store, {
      provider: options.provider,
      ip,
      at: now,
      forced: !permission.allowed,
      note: options.note ?? null,
    });
    const guide = recordedRemovalGuide(store, options.provider, ip);
    io.stdout.write(
      format === "json"
        ? renderRequestJson(request, guide, now)
        : renderRequestText(request, guide, now),
    );
    return EXIT_OK;
  });
}

/** The reason that `delist removal request` recorded nothing, with its message. */
interface RejectedRequest {
  /**
   * `non-global-ip` when receivers never see the IP, `too-soon` within 14 days of the last
   * request, `usage-error` for an invalid option or a history database that cannot be used.
   */
  readonly reason: "non-global-ip" | "too-soon" | "usage-error";
  readonly message: string;
  /** The request through the same form that makes this one too soon; null otherwise. */
  readonly lastRequest: RemovalRequest | null;
  /** When the form may be sent again for the IP, in ms since the epoch; null when any time. */
  readonly nextAllowedAt: number | null;
}

/**
 * Writes a rejected request's message to stderr, and also as JSON to stdout for `--format json`
 * so that a script that parses the output gets the reason. Returns the usage exit status.
 */
function rejectRequest(
  options: RequestOptions,
  ip: string,
  rejection: RejectedRequest,
  format: string,
  io: CliIo,
): number {
  io.stderr.write(`delist: ${rejection.message}\n`);
  if (format === "json") writeRejection(options, ip, rejection, io);
  return EXIT_USAGE;
}

/**
 * Writes a rejected request as JSON to stdout, in the rejection form of
 * docs/removal.schema.json. `ip` is the canonical IP, or `--ip` as given for a usage error.
 */
function writeRejection(
  options: RequestOptions,
  ip: string,
  rejection: RejectedRequest,
  io: CliIo,
): void {
  const last = rejection.lastRequest;
  const json = {
    ...header(Date.now()),
    rejection: {
      reason: rejection.reason,
      message: rejection.message,
      provider: options.provider,
      ip,
      lastRequest:
        last === null
          ? null
          : {
              id: last.id,
              provider: last.provider,
              at: isoTime(last.requestedAt),
              forced: last.forced,
            },
      nextRequestAllowedAt:
        rejection.nextAllowedAt === null ? null : isoTime(rejection.nextAllowedAt),
    },
  };
  io.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
}

function renderRequestJson(request: RemovalRequest, guide: RemovalGuide, now: number): string {
  const json = {
    ...header(now),
    request: { ...request, requestedAt: isoTime(request.requestedAt) },
    form: guide,
    nextRequestAllowedAt: isoTime(now + REMOVAL_WAIT_MS),
  };
  return `${JSON.stringify(json, null, 2)}\n`;
}

function renderRequestText(request: RemovalRequest, guide: RemovalGuide, now: number): string {
  const incident =
    request.incidentId === null ? "no recorded incident" : `incident #${request.incidentId}`;
  const lines = [
    ...wrap(
      `Recorded removal request #${request.id} for ${request.provider} ${request.ip} (${incident}).`,
    ),
    "",
    `Form: ${guide.url}`,
    ...wrap(guide.rule),
    "",
    "Include:",
    ...guide.include.flatMap((item) => wrap(item, "  - ")),
    "",
    ...wrap(
      `Next request allowed from ${dropMilliseconds(isoTime(now + REMOVAL_WAIT_MS))}. Follow the block with \`delist removal status\`.`,
    ),
  ];
  return `${lines.join("\n")}\n`;
}

/** Shows the removal status (`delist removal status`); returns the exit status. */
export function runStatus(options: StatusOptions, io: CliIo): Promise<number> {
  const format = parseFormat(options.format, ["text", "json"]);
  const ip = options.ip === undefined ? null : validIp(options.ip);
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

// Renders the statuses for people, wrapped at 80 columns, with times to the second and the
// steps for each open block.
function renderStatuses(statuses: readonly RemovalStatus[]): string {
  if (statuses.length === 0) return "No block or removal request recorded.\n";
  const blocks = statuses.map((status) => {
    const incident = status.incident;
    const lines = [`${status.provider} ${status.ip}`];
    lines.push(
      ...wrapTimes(
        incident === null
          ? "none recorded"
          : `#${incident.id} ${incident.status}, opened ${incident.openedAt}${incident.closedAt === null ? "" : `, closed ${incident.closedAt}`} (${formatDuration(incident.hours)})`,
        "  Incident:      ",
      ),
    );
    lines.push(
      ...wrapTimes(
        status.lastRequest === null
          ? "none"
          : `${status.lastRequest.at} (${status.daysSinceRequest ?? 0} days ago, ${status.requests} in all)`,
        "  Last request:  ",
      ),
    );
    const note = status.lastRequest?.note ?? null;
    if (note !== null) lines.push(...wrap(note, "  Note:          ", " ".repeat(17)));
    lines.push(
      ...wrapTimes(
        status.lastProbe === null
          ? "none"
          : `${status.lastProbe.at} ${status.lastProbe.status}: ${status.lastProbe.detail}`,
        "  Last probe:    ",
      ),
    );
    lines.push(
      ...wrapTimes(
        status.canRequestNow ? "allowed now" : `allowed from ${status.nextRequestAllowedAt ?? ""}`,
        "  Next request:  ",
      ),
    );
    lines.push(...wrapTimes(status.advice, "  "));
    if (status.fix.length > 0) {
      lines.push("  What to do:");
      status.fix.forEach((step, index) =>
        lines.push(...wrap(step, `    ${index + 1}. `, "       ")),
      );
    }
    return lines.join("\n");
  });
  return `${blocks.join("\n\n")}\n`;
}

// Wraps `text` like `wrap`, with its times to the second.
function wrapTimes(text: string, first: string): string[] {
  return wrap(dropMilliseconds(text), first);
}

function header(now: number): object {
  return {
    schemaVersion: REMOVAL_SCHEMA_VERSION,
    tool: { name: "delist", version: VERSION },
    generatedAt: isoTime(now),
  };
}
