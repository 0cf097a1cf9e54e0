// Measures the memory that one open message costs in each MTA parser. The messages never
// end (no `removed` or `Completed` line), so their correlation state stays until the end of
// the input or until the parser evicts it. Run `npm run build` first.
//
//   node --expose-gc bench/open-message-cost.mjs [--messages N] [--case NAME] [--capped]
//
// Cases: `postfix-deferred` (5 Gmail recipients, all deferred, as in a large deferred
// queue), `postfix-deferred-distinct` (the same with a reply of its own for each
// recipient), `postfix-open` (3 recipients delivered, no `removed` line, as in a filtered log),
// `exim-open` and `sendmail-open` (the same for those MTAs). Each case frames its lines with
// the real framer, parses them with a sink that drops the events, and prints heap and RSS
// growth per message after a full garbage collection. Lines are fresh flat strings, as the
// reader makes them, so a record that keeps a slice of its line keeps that line alive.
// The parsers run without their caps on open messages, so that every message stays open
// and is measured; `--capped` keeps the default caps, to show the bound instead.

import console from "node:console";
import process from "node:process";
import { LineFramer } from "../dist/logs/framing/framer.js";
import { createEximParser } from "../dist/logs/exim/index.js";
import { createPostfixParser } from "../dist/logs/postfix/index.js";
import { createSendmailParser } from "../dist/logs/sendmail/index.js";
import { resolveTimeZone } from "../dist/time/zone.js";

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

const GMAIL_421 =
  "421-4.7.28 [203.0.113.10 15] Gmail has detected an unusual rate of unsolicited mail " +
  "originating from your IP address. To protect our users from spam, mail sent from your IP " +
  "address has been temporarily rate limited. a1si1 - gsmtp";

const UNCAPPED = { maxOpenMessages: Infinity, maxPendingRecipients: Infinity };

const CASES = {
  "postfix-deferred": { parser: createPostfixParser, uncapped: UNCAPPED, lines: postfixDeferred },
  "postfix-deferred-distinct": {
    parser: createPostfixParser,
    uncapped: UNCAPPED,
    lines: (i, time) => postfixDeferred(i, time, true),
  },
  "postfix-open": { parser: createPostfixParser, uncapped: UNCAPPED, lines: postfixOpen },
  "exim-open": { parser: createEximParser, uncapped: Infinity, lines: eximOpen },
  "sendmail-open": { parser: createSendmailParser, uncapped: Infinity, lines: sendmailOpen },
};

const { messages, only, capped } = readArguments(process.argv.slice(2));
if (typeof globalThis.gc !== "function") {
  throw new Error("run with node --expose-gc so that the heap can be measured after a collection");
}
for (const [name, spec] of Object.entries(CASES)) {
  if (only === null || only === name) report(name, measure(spec, messages, capped));
}

function readArguments(args) {
  let messages = 200_000;
  let only = null;
  let capped = false;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--messages") messages = Number(args[++i]);
    else if (args[i] === "--case") only = args[++i];
    else if (args[i] === "--capped") capped = true;
    else throw new Error(`unknown argument ${args[i]}: use --messages N, --case NAME or --capped`);
  }
  if (!Number.isInteger(messages) || messages < 1) {
    throw new Error(`invalid --messages ${messages}: give a positive integer`);
  }
  if (only !== null && !(only in CASES)) {
    throw new Error(`unknown case ${only}: use one of ${Object.keys(CASES).join(", ")}`);
  }
  return { messages, only, capped };
}

function measure(spec, count, capped) {
  const framer = new LineFramer({ timeZone: resolveTimeZone("UTC"), year: 2025 });
  framer.startFile("bench.log", Date.UTC(2025, 11, 31), false);
  const parser = spec.parser(() => undefined, capped ? undefined : spec.uncapped);
  const emit = (record) => parser.parse(record);
  const before = settledMemory();

  let lineNumber = 0;
  for (let i = 0; i < count; i++) {
    // One message a second, so no state is old enough for the parsers' idle expiry.
    const time = new Date(Date.UTC(2025, 5, 1) + i * 1000);
    for (const line of spec.lines(i, time)) {
      lineNumber += 1;
      framer.frame(flat(line), lineNumber, emit);
    }
  }
  const after = settledMemory();
  return {
    count,
    open: parser.openMessages ?? null,
    evicted: parser.evictedMessages ?? null,
    heapBytes: after.heapUsed - before.heapUsed,
    rssBytes: after.rss - before.rss,
  };
}

function settledMemory() {
  globalThis.gc();
  globalThis.gc();
  return process.memoryUsage();
}

// A flat copy of `text`, as the reader's latin1 decoding makes one for every line.
function flat(text) {
  return Buffer.from(text, "latin1").toString("latin1");
}

function report(name, result) {
  const perMessage = (bytes) => (bytes / result.count).toFixed(0);
  console.log(
    `${name}: ${result.count} messages, open ${result.open ?? "n/a"}, evicted ` +
      `${result.evicted ?? "n/a"}; heap +${(result.heapBytes / 1e6).toFixed(1)} MB ` +
      `(${perMessage(result.heapBytes)} B per message), RSS +${(result.rssBytes / 1e6).toFixed(1)} ` +
      `MB (${perMessage(result.rssBytes)} B per message)`,
  );
}

function syslogStamp(time) {
  const day = String(time.getUTCDate()).padStart(2, " ");
  return `${MONTHS[time.getUTCMonth()]} ${day} ${time.toISOString().slice(11, 19)}`;
}

function queueId(i) {
  return (0x10000000 + i).toString(16).toUpperCase();
}

function postfixHead(i, time, recipients) {
  const stamp = syslogStamp(time);
  const id = queueId(i);
  return [
    `${stamp} mx1 postfix/submission/smtpd[1000]: ${id}: client=unknown[203.0.113.${i % 200}], sasl_method=PLAIN, sasl_username=user${i % 500}@example.com`,
    `${stamp} mx1 postfix/cleanup[1001]: ${id}: message-id=<${id}.${i}@example.com>`,
    `${stamp} mx1 postfix/qmgr[900]: ${id}: from=<user${i % 500}@example.com>, size=2000, nrcpt=${recipients} (queue active)`,
  ];
}

// With `distinct`, each recipient gets a reply of its own, as RCPT-stage deferrals do.
function postfixDeferred(i, time, distinct = false) {
  const stamp = syslogStamp(time);
  const id = queueId(i);
  const lines = postfixHead(i, time, 5);
  for (let j = 0; j < 5; j++) {
    lines.push(
      `${stamp} mx1 postfix/smtp[1002]: ${id}: to=<y${i}_${j}@gmail.com>, relay=gmail-smtp-in.l.google.com[192.0.2.26]:25, delay=1, delays=0/0/0.5/0.5, dsn=4.7.28, status=deferred (host gmail-smtp-in.l.google.com[192.0.2.26] said: ${GMAIL_421}${distinct ? ` ${i}.${j}` : ""} (in reply to end of DATA command))`,
    );
  }
  return lines;
}

function postfixOpen(i, time) {
  const stamp = syslogStamp(time);
  const id = queueId(i);
  const lines = postfixHead(i, time, 3);
  for (const domain of ["example.net", "gmail.com", "example.org"]) {
    lines.push(
      `${stamp} mx1 postfix/smtp[1002]: ${id}: to=<x${i}@${domain}>, relay=mx.${domain}[198.51.100.200]:25, delay=1, delays=0/0/0.5/0.5, dsn=2.0.0, status=sent (250 2.0.0 OK a1si1 - gsmtp)`,
    );
  }
  return lines;
}

// `1rAAAA-BBBBBB-0a`: the 16-character id of Exim before 4.97, unique per message.
function eximId(i) {
  const digits = i.toString(36).padStart(6, "0");
  return `1r${digits.slice(-4)}-${digits}-0a`;
}

function eximOpen(i, time) {
  const stamp = time.toISOString().slice(0, 19).replace("T", " ");
  const id = eximId(i);
  const lines = [
    `${stamp} ${id} <= user${i % 500}@example.com H=(laptop) [203.0.113.${i % 200}] P=esmtpsa A=plain:user${i % 500}@example.com S=2000 id=${id}@example.com`,
  ];
  for (const domain of ["example.net", "gmail.com", "example.org"]) {
    lines.push(
      `${stamp} ${id} => x${i}@${domain} R=dnslookup T=remote_smtp H=mx.${domain} [198.51.100.200] C="250 2.0.0 OK a1si1 - gsmtp"`,
    );
  }
  return lines;
}

function sendmailOpen(i, time) {
  const stamp = syslogStamp(time);
  const id = `5${queueId(i)}${String(i % 100000).padStart(6, "0")}`.slice(0, 14);
  const lines = [
    `${stamp} mx1 sm-mta[1000]: ${id}: from=<user${i % 500}@example.com>, size=2000, class=0, nrcpts=3, msgid=<${id}@example.com>, proto=ESMTPSA, daemon=MTA, relay=laptop.example.com [203.0.113.${i % 200}]`,
    `${stamp} mx1 sm-mta[1000]: ${id}: AUTH=server, relay=laptop.example.com [203.0.113.${i % 200}], authid=user${i % 500}, mech=PLAIN, bits=0`,
  ];
  for (const domain of ["example.net", "gmail.com", "example.org"]) {
    lines.push(
      `${stamp} mx1 sm-mta[1001]: ${id}: to=<x${i}@${domain}>, delay=00:00:01, xdelay=00:00:01, mailer=esmtp, pri=120000, relay=mx.${domain}. [198.51.100.200], dsn=2.0.0, stat=Sent (OK a1si1 - gsmtp)`,
    );
  }
  return lines;
}
