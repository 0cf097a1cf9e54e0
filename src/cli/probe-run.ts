import { hostname } from "node:os";
import { isIpAddress, nameProblem } from "../dns/names.js";
import {
  afterDataNote,
  checkProbeRate,
  describeProbeTarget,
  ehloName,
  heloProblem,
  heloWarning,
  isFullyQualifiedHelo,
  mxFamilyMismatch,
  parseMxOverride,
  probeTarget,
  recordProbe,
  renderProbeText,
  runProbe,
  sourceAddressProblem,
  type ProbeResult,
  type RecordedProbe,
} from "../probe/index.js";
import { painter, statusStyle, type StatusStyle } from "../report/colour.js";
import { dropMilliseconds } from "../report/wrap.js";
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
  try {
    return await probe(options, format, io);
  } catch (error) {
    // A script that reads --format json gets the reason on stdout too. runCli writes the
    // message to stderr and exits 2.
    if (format === "json" && error instanceof UsageError) {
      writeRejection(io, { reason: "usage-error", message: error.message, target: null });
    }
    throw error;
  }
}

async function probe(options: ProbeOptions, format: string, io: CliIo): Promise<number> {
  const request = probeRequest(options, io);
  if (request.sourceIp !== null) await checkSourceIp(request.sourceIp);
  const target = probeTarget(request.recipient, request.sourceIp, request.mx);
  const description = describeProbeTarget(request.recipient, request.sourceIp, request.mx);
  return withHistoryStore(options, io, "write", async (store) => {
    const limit = rateLimitCheck(store, target, description, options.force === true);
    if (limit.rejection !== null) {
      io.stderr.write(`delist: ${limit.rejection.message}\n`);
      if (format === "json") writeRejection(io, limit.rejection);
      return EXIT_USAGE;
    }
    if (limit.warning !== null) io.stderr.write(`delist: warning: ${limit.warning}\n`);
    const { dns } = await setUpDns(options, io, ZONE_FROM_STDIN);
    let result: ProbeResult;
    try {
      result = await runProbe(request, { dns, classifier: createReplyClassifier(), now: Date.now });
    } finally {
      await dns.close();
    }
    const recorded = recordProbe(store, result, {
      target,
      forced: limit.forced,
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

/** The reason that `delist probe` sent nothing, as `--format json` prints it. */
interface ProbeRejection {
  /**
   * `rate-limited` when the target was probed within the hour, `usage-error` for an invalid option
   * or a history database that cannot be used.
   */
  readonly reason: "rate-limited" | "usage-error";
  readonly message: string;
  /** The rate-limit key of the probe, or null for a usage error. */
  readonly target: string | null;
  /** When the target was last probed, in ms since the epoch; set only when rate-limited. */
  readonly lastProbeAt?: number;
  /** When the next probe of the target is allowed, in ms since the epoch. */
  readonly nextProbeAllowedAt?: number;
}

/** The outcome of the probe rate limit. */
interface RateLimitOutcome {
  /** The rejection that stops the probe, or null when it may run. */
  readonly rejection: ProbeRejection | null;
  /** True when the probe runs only because of `--force`. */
  readonly forced: boolean;
  /** The warning to write before a forced probe, or null. */
  readonly warning: string | null;
}

/**
 * Applies the probe rate limit: a rejection when the target was probed too recently and `force`
 * is off, else whether the probe goes ahead only because of `force`. `description` names the
 * target in the messages.
 */
function rateLimitCheck(
  store: HistoryStore,
  target: string,
  description: string,
  force: boolean,
): RateLimitOutcome {
  const permission = checkProbeRate(store, target, Date.now());
  if (permission.allowed) return { rejection: null, forced: false, warning: null };
  const last = dropMilliseconds(isoTime(permission.lastAt));
  if (force) {
    const warning = `${description} was probed at ${last}; probing again now (--force). Frequent RCPT-only connections can harm the sender's reputation.`;
    return { rejection: null, forced: true, warning };
  }
  const next = dropMilliseconds(isoTime(permission.nextAllowedAt));
  const message =
    `${description} was probed at ${last}; the next probe is allowed at ${next}. ` +
    "Probes are limited to one per target per hour so that they cannot harm the sender's reputation; add --force to probe anyway.";
  const rejection: ProbeRejection = {
    reason: "rate-limited",
    message,
    target,
    lastProbeAt: permission.lastAt,
    nextProbeAllowedAt: permission.nextAllowedAt,
  };
  return { rejection, forced: false, warning: null };
}

/** Writes a rejected probe as JSON to stdout, in the rejection form of docs/probe.schema.json. */
function writeRejection(io: CliIo, rejection: ProbeRejection): void {
  const json = {
    schemaVersion: PROBE_SCHEMA_VERSION,
    tool: { name: "delist", version: VERSION },
    generatedAt: isoTime(Date.now()),
    rejection: {
      reason: rejection.reason,
      message: rejection.message,
      target: rejection.target,
      lastProbeAt: rejection.lastProbeAt === undefined ? null : isoTime(rejection.lastProbeAt),
      nextProbeAllowedAt:
        rejection.nextProbeAllowedAt === undefined ? null : isoTime(rejection.nextProbeAllowedAt),
    },
  };
  io.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
}

function probeRequest(options: ProbeOptions, io: CliIo) {
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
  if (options.sourceIp !== undefined && options.mx !== undefined) {
    checkMxFamily(options.sourceIp, options.mx);
  }
  return {
    recipient,
    sender,
    helo: options.helo === undefined ? defaultHelo(hostname()) : validHelo(options.helo, io),
    mx,
    sourceIp: options.sourceIp ?? null,
    sendTest: options.sendTest === true,
    timeoutMs,
  };
}

/**
 * Throws a UsageError when the system cannot connect from `--source-ip`, before the probe is
 * counted against the rate limit or recorded.
 */
async function checkSourceIp(sourceIp: string): Promise<void> {
  const problem = await sourceAddressProblem(sourceIp);
  if (problem === null) return;
  throw new UsageError(
    `invalid --source-ip "${sourceIp}": ${problem}. Give one of this host's addresses, as \`ip address\` lists them, or leave out --source-ip to connect from the default address`,
  );
}

/**
 * Throws a UsageError when `--mx` is an address of the other family than `--source-ip`, because
 * no connection can be made from it. The monitor rejects such a `sourceIp` at start too.
 */
function checkMxFamily(sourceIp: string, mxOption: string): void {
  const mismatch = mxFamilyMismatch(sourceIp, parseMxOverride(mxOption).host);
  if (mismatch === null) return;
  throw new UsageError(
    `invalid --source-ip "${sourceIp}": it is an ${mismatch.source} address, but --mx ` +
      `"${mxOption}" is an ${mismatch.mx} address, so no connection can be made from it. Give ` +
      `an ${mismatch.mx} address of this host as --source-ip, or leave out --source-ip to ` +
      "connect from the default address",
  );
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

/**
 * Checks `--helo`, and warns on standard error about a name that `heloWarning` lists, because
 * the receiver may reject the probe for that name rather than for the sender. Returns the name
 * to send, without a trailing dot.
 */
function validHelo(value: string, io: CliIo): string {
  const problem = heloProblem(value);
  if (problem !== null) {
    throw new UsageError(
      `invalid --helo "${value}": ${problem}; give this server's host name, such as mail.example.com`,
    );
  }
  const warning = heloWarning(value);
  if (warning !== null) {
    io.stderr.write(
      `delist: warning: the EHLO name "${value}" ${warning}, and some receivers reject such a name, so a refusal may be about the name rather than the sender; give the name your mail server sends, such as mail.example.com\n`,
    );
  }
  return ehloName(value);
}

/**
 * Returns this machine's host name as the EHLO name when it is fully qualified and not a name
 * that `heloWarning` lists, such as `localhost.localdomain`. Otherwise it throws a UsageError
 * before anything is sent, because a receiver that rejects the EHLO name would reject the
 * probe for its name, and the mail server sends another one.
 */
function defaultHelo(hostName: string): string {
  if (heloProblem(hostName) !== null || !isFullyQualifiedHelo(hostName)) {
    throw new UsageError(
      `this machine's host name "${hostName}" is not a fully qualified name to send in EHLO, and some receivers reject such a name: give --helo with the name your mail server sends, such as mail.example.com`,
    );
  }
  const warning = heloWarning(hostName);
  if (warning !== null) {
    throw new UsageError(
      `this machine's host name "${hostName}" ${warning}, and some receivers reject such a name in EHLO: give --helo with the name your mail server sends, such as mail.example.com`,
    );
  }
  return ehloName(hostName);
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
    fix: result.fix,
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
