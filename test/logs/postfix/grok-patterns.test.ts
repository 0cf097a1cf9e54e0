import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { LogEvent } from "../../../src/logs/events.js";
import { createPostfixParser } from "../../../src/logs/postfix/index.js";
import type { LogRecord, ParseOutcome } from "../../../src/logs/record.js";
import { corpusPath, corpusRoot } from "../../helpers/corpus.js";

/**
 * The postfix-grok-patterns test cases: one Postfix message (no syslog header) per file,
 * with the fields its grok pattern extracts. Each case runs through the parser as a record
 * of the service its pattern names, and every expected field that delist also extracts is
 * compared with the events.
 */

const root = corpusRoot();

interface GrokCase {
  name: string;
  pattern: string;
  data: string;
  results: Record<string, string>;
}

// Patterns that match a piece of a line (a relay value, a delays list), not a whole line.
const PARTIAL_PATTERNS = new Set(["COMMAND_COUNTER_DATA", "DELAYS", "RELAY", "TLS_FEATURES"]);

/** Reads the small YAML subset of these files: top-level scalars and one results map. */
function readCase(name: string, text: string): GrokCase {
  const fields: Record<string, string> = {};
  const results: Record<string, string> = {};
  let inResults = false;
  for (const line of text.split("\n")) {
    if (line.startsWith("#") || line.trim() === "") continue;
    const nested = line.startsWith(" ");
    const colon = line.indexOf(":");
    const key = line.slice(0, colon).trim();
    const value = scalar(line.slice(colon + 1).trim());
    if (!nested) inResults = key === "results";
    if (nested && inResults) results[key] = value;
    else if (!nested) fields[key] = value;
  }
  const pattern = /%\{POSTFIX_([A-Z_]+)\}/.exec(fields["pattern"] ?? "")?.[1] ?? "";
  return { name, pattern, data: fields["data"] ?? "", results };
}

function scalar(value: string): string {
  return value.startsWith('"') ? (JSON.parse(value) as string) : value;
}

function parseCase(grokCase: GrokCase): { outcome: ParseOutcome; events: LogEvent[] } {
  const events: LogEvent[] = [];
  const parser = createPostfixParser((event) => events.push(event));
  const service = grokCase.pattern.toLowerCase().replace("_", "-");
  const record: LogRecord = {
    time: Date.UTC(2024, 2, 4, 9, 15, 2),
    host: "mx1",
    program: service === "script" ? "postfix/postfix-script" : `postfix/${service}`,
    pid: 1234,
    message: grokCase.data,
    file: `${grokCase.name}.yaml`,
    line: 1,
    syslogHeader: true,
  };
  return { outcome: parser.parse(record), events };
}

/**
 * What delist extracts for a grok field from one event: the value, and whether grok's
 * value is only a part of it (a session reply keeps its `host H[ip] said:` wrapper). Returns
 * undefined when the event does not carry the field.
 */
type Extractor = (event: LogEvent) => { actual: unknown; partOf?: boolean } | undefined;

const STATUS_WORDS = new Set(["sent", "deferred", "bounced", "expired"]);

const EXTRACTORS: Record<string, Extractor> = {
  postfix_queueid: (event) =>
    "message" in event && event.message !== null ? { actual: event.message.id } : undefined,
  postfix_status: (event) => (event.type === "delivery" ? { actual: event.status } : undefined),
  postfix_smtp_response: response,
  postfix_local_response: response,
  postfix_error_response: response,
  postfix_pipe_response: response,
  postfix_relay_hostname: (event) => relayOf(event, 0),
  postfix_relay_ip: (event) => relayOf(event, 1),
  postfix_client_hostname: (event) => {
    if (event.type === "reject") return { actual: event.clientHost };
    if (event.type === "tls" && event.direction === "inbound") return { actual: event.peerHost };
    return undefined;
  },
  postfix_client_ip: (event) => {
    if (event.type === "reject" || event.type === "auth-failure") return { actual: event.clientIp };
    if (event.type === "tls" && event.direction === "inbound") return { actual: event.peerIp };
    return undefined;
  },
  postfix_tls_version: (event) => (event.type === "tls" ? { actual: event.protocol } : undefined),
  postfix_smtp_stage: (event) => (event.type === "reject" ? { actual: event.stage } : undefined),
  postfix_from: (event) =>
    event.type === "delivery" ? { actual: event.message.sender } : undefined,
  postfix_version: (event) => (event.type === "lifecycle" ? { actual: event.version } : undefined),
  // The reply code, enhanced code and text of a reject are parts of its response.
  postfix_status_code: rejectResponse,
  postfix_status_code_enhanced: rejectResponse,
  postfix_status_message: rejectResponse,
};

function response(event: LogEvent): ReturnType<Extractor> {
  if (event.type === "delivery") return { actual: event.response };
  if (event.type === "session-reply") return { actual: event.response, partOf: true };
  return undefined;
}

function rejectResponse(event: LogEvent): ReturnType<Extractor> {
  return event.type === "reject" ? { actual: event.response, partOf: true } : undefined;
}

function relayOf(event: LogEvent, part: 0 | 1): ReturnType<Extractor> {
  if (event.type === "delivery" || event.type === "session-reply") {
    return { actual: part === 0 ? event.relayHost : event.relayIp };
  }
  if (event.type === "tls" && event.direction === "outbound") {
    return { actual: part === 0 ? event.peerHost : event.peerIp };
  }
  return undefined;
}

/** Expected value of a grok field in delist's terms. */
function expectedValue(key: string, value: string): string {
  if (key === "postfix_status") return STATUS_WORDS.has(value) ? value : "other";
  return value;
}

interface Comparison {
  key: string;
  actual: unknown;
  expected: string;
  partOf: boolean;
}

/** Pairs each expected field with the first event value that carries it. */
function compare(grokCase: GrokCase, events: readonly LogEvent[]): Comparison[] {
  const comparisons: Comparison[] = [];
  for (const [key, value] of Object.entries(grokCase.results)) {
    const extractor = EXTRACTORS[key];
    if (extractor === undefined || value === "NOQUEUE") continue;
    const found = events.map(extractor).find((candidate) => candidate !== undefined);
    if (found === undefined) continue;
    const expected = expectedValue(key, value);
    comparisons.push({ key, actual: found.actual, expected, partOf: found.partOf === true });
  }
  return comparisons;
}

function loadCases(): GrokCase[] {
  // Skipped suites still run their bodies to collect tests, so read nothing without a corpus.
  if (root === null) return [];
  const folder = corpusPath(root ?? "", "logs", "real", "postfix-grok-patterns", "test");
  return readdirSync(folder)
    .filter((name) => name.endsWith(".yaml"))
    .sort()
    .map((name) => readCase(name.replace(/\.yaml$/, ""), readFileSync(join(folder, name), "utf8")))
    .filter((grokCase) => !PARTIAL_PATTERNS.has(grokCase.pattern));
}

// Lines with relay or client fields for which delist emits no event. They are anvil and
// dnsblog statistics, connection bookkeeping, the TLS of inbound sessions, `discard` and
// `filter` actions, postscreen's connection tests, and SMTP client connection and TLS errors
// without a queue id. The
// delivery line that follows such an error carries the same facts.
const IGNORED_WITH_FIELDS = [
  "anvil_0002",
  "anvil_0003",
  "anvil_0004",
  "anvil_0005",
  "anvil_0006",
  "anvil_0007",
  "dnsblog_0001",
  "dnsblog_0002",
  "postscreen_0002",
  "postscreen_0003",
  "postscreen_0004",
  "postscreen_0005",
  "postscreen_0006",
  "postscreen_0007",
  "postscreen_0008",
  "postscreen_0009",
  "postscreen_0010",
  "postscreen_0011",
  "postscreen_0012",
  "postscreen_0013",
  "postscreen_0014",
  "postscreen_0015",
  "postscreen_0016",
  "postscreen_0017",
  "postscreen_0018",
  "postscreen_0019",
  "postscreen_0020",
  "postscreen_0021",
  "postscreen_0022",
  "postscreen_0025",
  "postscreen_0026",
  "postscreen_0030",
  "smtp_0005",
  "smtp_0007",
  "smtp_0025",
  "smtp_0027",
  "smtp_0028",
  "smtp_0029",
  "smtp_0030",
  "smtp_0031",
  "smtpd_0001",
  "smtpd_0002",
  "smtpd_0005",
  "smtpd_0007",
  "smtpd_0010",
  "smtpd_0011",
  "smtpd_0012",
  "smtpd_0013",
  "smtpd_0014",
  "smtpd_0015",
  "smtpd_0016",
  "smtpd_0019",
  "smtpd_0023",
  "smtpd_0024",
  "smtpd_0025",
  "smtpd_0026",
  "smtpd_0027",
  "smtpd_0028",
  "smtpd_0032",
  "smtpd_0033",
  "smtpd_0034",
  "smtpd_0035",
  "smtpd_0036",
  "smtpd_0037",
  "tlsproxy_0001",
  "tlsproxy_0002",
];

const PEER_KEYS = [
  "postfix_relay_hostname",
  "postfix_relay_ip",
  "postfix_client_hostname",
  "postfix_client_ip",
];

describe.skipIf(root === null)("postfix-grok-patterns cases", () => {
  const cases = loadCases();
  const parsed = cases.map((grokCase) => ({ grokCase, ...parseCase(grokCase) }));

  it("finds the cases", () => {
    expect(cases.length).toBeGreaterThan(150);
  });

  it("leaves no case unparsed", () => {
    const unparsed = parsed.filter(({ outcome }) => outcome === "unparsed");
    expect(unparsed.map(({ grokCase }) => `${grokCase.name}: ${grokCase.data}`)).toEqual([]);
  });

  it("emits no event only for the known cases", () => {
    const silent = parsed.filter(({ grokCase, events }) => {
      const peerFields = PEER_KEYS.some((key) => key in grokCase.results);
      return peerFields && compare(grokCase, events).length === 0;
    });
    expect(silent.map(({ grokCase }) => grokCase.name)).toEqual(IGNORED_WITH_FIELDS);
  });

  const compared = parsed.filter(({ grokCase, events }) => compare(grokCase, events).length > 0);
  it.each(compared.map(({ grokCase, events }) => [grokCase.name, grokCase, events] as const))(
    "%s matches its fields",
    (_name, grokCase, events) => {
      for (const { key, actual, expected, partOf } of compare(grokCase, events)) {
        if (partOf) expect({ [key]: actual }).toEqual({ [key]: expect.stringContaining(expected) });
        else expect({ [key]: actual }).toEqual({ [key]: expected });
      }
    },
  );

  it("compares most cases that carry a queue id", () => {
    const queued = parsed.filter(({ grokCase }) => "postfix_queueid" in grokCase.results);
    const withComparisons = queued.filter(({ grokCase, events }) =>
      compare(grokCase, events).some((comparison) => comparison.key === "postfix_queueid"),
    );
    expect(withComparisons.length).toBeGreaterThan(30);
  });
});
