import { closeSync, openSync, writeFileSync } from "node:fs";
import { createRandom } from "./random.mjs";
import { Scheduler } from "./scheduler.mjs";
import { LogWriter } from "./writer.mjs";
import { createQueueIds } from "./queue-ids.mjs";
import { createPids } from "./pids.mjs";
import { Truth } from "./truth.mjs";
import { anvilStatistics, arrivals, authFailures } from "./traffic.mjs";

/** Version of the generated content; change it whenever the same options give other bytes. */
export const GENERATOR_VERSION = 1;

/** First timestamp of every log: Monday 2025-03-03 00:00:00 UTC. */
const START_US = Date.UTC(2025, 2, 3) * 1000;
/** Share of the output written before the incident starts, and before Gmail blocks. */
const INCIDENT_AT = 0.6;
const BLOCK_AT = 0.75;
/** Compromised-account recipients Gmail accepts before it starts to rate-limit. */
const RATE_LIMIT_AFTER_RECIPIENTS = 60;

const SERVER = {
  host: "mx1",
  fqdn: "mx1.example.com",
  ipv4: "203.0.113.10",
  ipv6: "2001:db8:25::10",
};

/**
 * Writes a synthetic Postfix log of at most `sizeMiB` MiB to `path` and its ground truth to
 * `path.truth.json`, and returns the truth document. Options: `sizeMiB`, `seed`,
 * `timestamps` ("rfc3164" or "rfc3339"), `longQueueIds`. The same options give the same
 * bytes. Memory stays bounded: lines go to disk in 4 MiB chunks and only messages still in
 * the queue are kept.
 */
export function generatePostfixLog(path, options) {
  const limitBytes = Math.floor(options.sizeMiB * 1024 * 1024);
  const random = createRandom(options.seed);
  const fd = openSync(path, "w");
  const writer = new LogWriter(fd, limitBytes, options.timestamps, SERVER.host);
  const truth = new Truth(options.timestamps);
  const pids = createPids(random);
  const ctx = {
    random,
    writer,
    truth,
    pids,
    server: SERVER,
    scheduler: new Scheduler(),
    queueIds: createQueueIds(random, options.longQueueIds),
    tags: { qmgr: `postfix/qmgr[${pids.qmgr}]` },
    log: (timeUs, tag, text) => writer.line(timeUs, tag, text),
    incidentAtBytes: limitBytes * INCIDENT_AT,
    incidentStarted: false,
    lastInboundIp: "203.0.113.200",
    gmail: {
      phase: "normal",
      compromisedAttempts: 0,
      rateLimitAfter: RATE_LIMIT_AFTER_RECIPIENTS,
      blockAtBytes: limitBytes * BLOCK_AT,
    },
  };

  try {
    ctx.scheduler.spawn(START_US, arrivals(ctx, START_US));
    ctx.scheduler.spawn(START_US, authFailures(ctx, START_US));
    ctx.scheduler.spawn(START_US, anvilStatistics(ctx, START_US));
    ctx.scheduler.run(() => writer.full);
    writer.flush();
  } finally {
    closeSync(fd);
  }

  const parameters = {
    sizeMiB: options.sizeMiB,
    seed: options.seed,
    timestamps: options.timestamps,
    longQueueIds: options.longQueueIds,
    generatorVersion: GENERATOR_VERSION,
    year: new Date(START_US / 1000).getUTCFullYear(),
    timeZone: "UTC",
  };
  const document = truth.toJSON(writer, parameters, SERVER);
  writeFileSync(`${path}.truth.json`, `${JSON.stringify(document, null, 1)}\n`);
  return document;
}
