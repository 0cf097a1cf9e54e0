import { hostname } from "node:os";
import { isIpAddress, nameProblem } from "../dns/names.js";
import {
  afterDataNote,
  checkProbeRate,
  heloProblem,
  parseMxOverride,
  probeTarget,
  recordProbe,
  renderProbeText,
  runProbe,
  type ProbeResult,
  type RecordedProbe,
} from "../probe/index.js";
import { painter, statusStyle, type StatusStyle } from "../report/colour.js";
import { createReplyClassifier } from "../reply/classify.js";
import type { HistoryStore } from "../store/history.js";
import { setUpDns, ZONE_FROM_STDIN } from "./dns-options.js";
import { isoTime } from "./history.js";
import { withHistoryStore } from "./history-run.js";
import {
  colourEnabled,
  EXIT_OK,
  EXIT_PROBLEMS,
  EXIT_USAGE,
  parseFormat,
  UsageError,
  type CliIo,
} from "./io.js";
import type { ProbeOptions } from "./probe.js";
import { VERSION } from "./version.js";

/** Version of the JSON output of `delist probe`; docs/probe.schema.json describes it. */
export const PROBE_SCHEMA_VERSION = 1;

/** Runs `delist probe` and returns the exit status. */
export async function runProbeCommand(options: ProbeOptions, io: CliIo): Promise<number> {
  const format = parseFormat(options.format, ["text", "json"]);
  const request = probeRequest(options);
  const target = probeTarget(request.recipient, request.sourceIp, request.mx);
  return withHistoryStore(options, io, "write", async (store) => {
    const forced = rateLimitCheck(store, target, options.force === true, io);
    if (forced === null) return EXIT_USAGE;
    const { dns } = await setUpDns(options, io, ZONE_FROM_STDIN);
    let result: ProbeResult;
    try {
      result = await runProbe(request, { dns, classifier: createReplyClassifier(), now: Date.now });
    } finally {
      await dns.close();
    }
    const recorded = recordProbe(store, result, {
      target,
      forced,
      channels: [],
    });
    io.stdout.write(
      format === "json"
        ? `${JSON.stringify(probeJson(result, recorded, target, store.path), null, 2)}\n`
        : renderProbeText(result, recorded.ip, probeStyle(io)),
    );
    return result.status === "accepted" ? EXIT_OK : EXIT_PROBLEMS;
  });
}

/**
 * Applies the probe rate limit: returns null (after saying why) when the target was probed too
 * recently and `force` is off, else whether the probe goes ahead only because of `force`.
 */
function rateLimitCheck(
  store: HistoryStore,
  target: string,
  force: boolean,
  io: CliIo,
): boolean | null {
  const permission = checkProbeRate(store, target, Date.now());
  if (permission.allowed) return false;
  const last = isoTime(permission.lastAt);
  if (!force) {
    io.stderr.write(
      `delist: ${target} was probed at ${last}; the next probe is allowed at ${isoTime(permission.nextAllowedAt)}. ` +
        "Probes are limited to one per target per hour so that they cannot harm the sender's reputation; add --force to probe anyway.\n",
    );
    return null;
  }
  io.stderr.write(
    `delist: warning: ${target} was probed at ${last}; probing again now (--force). Frequent RCPT-only connections can harm the sender's reputation.\n`,
  );
  return true;
}

function probeRequest(options: ProbeOptions) {
  const recipient = validAddress(options.to, "--to");
  const sender =
    options.from === undefined || options.from === "" || options.from === "<>"
      ? ""
      : validAddress(options.from, "--from");
  if (options.sourceIp !== undefined && !isIpAddress(options.sourceIp)) {
    throw new UsageError(
      `invalid --source-ip "${options.sourceIp}": give an IPv4 or IPv6 address of this machine`,
    );
  }
  const timeoutMs = Number(options.smtpTimeoutMs);
  if (!Number.isInteger(timeoutMs) || timeoutMs < 100 || timeoutMs > 600_000) {
    throw new UsageError(
      `invalid --smtp-timeout-ms "${options.smtpTimeoutMs}": give milliseconds from 100 to 600000`,
    );
  }
  const mx = options.mx === undefined ? null : mxOverride(options.mx);
  if (mx === null) checkMxCanBeLookedUp(options, recipient);
  return {
    recipient,
    sender,
    helo: options.helo === undefined ? hostname() : validHelo(options.helo),
    mx,
    sourceIp: options.sourceIp ?? null,
    sendTest: options.sendTest === true,
    timeoutMs,
  };
}

/**
 * Throws a UsageError when `--offline` leaves no way to find the host to probe: no `--mx`, and
 * no `--zone` or `--dns-replay` to resolve the MX from.
 */
function checkMxCanBeLookedUp(options: ProbeOptions, recipient: string): void {
  if (options.offline !== true || options.zone !== undefined || options.dnsReplay !== undefined) {
    return;
  }
  const domain = recipient.slice(recipient.lastIndexOf("@") + 1);
  throw new UsageError(
    `nothing to probe: --offline sends no DNS queries, so the MX of ${domain} cannot be looked up. ` +
      "Give --mx HOST[:PORT] to name the host, or --zone FILE with its MX records, or drop --offline",
  );
}

function mxOverride(value: string): { host: string; port: number } {
  try {
    return parseMxOverride(value);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function validHelo(value: string): string {
  const problem = heloProblem(value);
  if (problem !== null) {
    throw new UsageError(
      `invalid --helo "${value}": ${problem}; give this server's host name, such as mail.example.com`,
    );
  }
  return value;
}

function validAddress(value: string, option: string): string {
  const address = value.replace(/^<(.*)>$/, "$1");
  const at = address.lastIndexOf("@");
  const domain = address.slice(at + 1).toLowerCase();
  if (at < 1 || /[\s<>]/.test(address) || nameProblem(domain) !== null || !domain.includes(".")) {
    throw new UsageError(
      `invalid ${option} "${value}": give an address such as someone@example.com`,
    );
  }
  return `${address.slice(0, at)}@${domain}`;
}

function probeStyle(io: CliIo): StatusStyle {
  return statusStyle(painter(colourEnabled(io)));
}

function probeJson(
  result: ProbeResult,
  recorded: RecordedProbe,
  target: string,
  db: string,
): object {
  return {
    schemaVersion: PROBE_SCHEMA_VERSION,
    tool: { name: "delist", version: VERSION },
    generatedAt: new Date(result.finishedAt).toISOString(),
    status: result.status,
    detail: result.detail,
    recipient: result.recipient,
    sender: result.sender,
    helo: result.helo,
    provider: result.provider,
    ip: recorded.ip,
    localAddress: result.localAddress,
    mx: result.mx,
    failedHosts: result.failedHosts,
    banner: result.banner,
    extensions: result.extensions,
    tls: result.tls,
    replies: result.replies,
    sentData: result.sentData,
    startedAt: new Date(result.startedAt).toISOString(),
    finishedAt: new Date(result.finishedAt).toISOString(),
    limitation: afterDataNote(result),
    history: {
      database: db,
      probeId: recorded.probeId,
      target,
      change: recorded.change?.change ?? null,
      incidentId: recorded.change?.incidentId ?? null,
    },
  };
}
