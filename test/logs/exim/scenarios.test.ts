import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import type { DeliveryEvent, LogEvent, MessageEvent } from "../../../src/logs/events.js";
import { createEximParser } from "../../../src/logs/exim/index.js";
import { detectProvider } from "../../../src/knowledge/providers.js";
import { corpusPath, corpusRoot } from "../../helpers/corpus.js";
import { readLogLines, runParser, type ParserRun } from "./frame.js";

const root = corpusRoot();

type Group = "google" | "microsoft" | "yahoo" | "apple" | "other";

interface ProviderCounts {
  sent: number;
  deferred: number;
  deferred_recipients: number;
  bounced: number;
  expired: number;
}

interface Truth {
  lines: number;
  counts: {
    outbound_by_provider: Record<Group, ProviderCounts>;
    outbound_non_2xx_by_provider_and_code: Partial<Record<Group, Record<string, number>>>;
    messages_submitted_outbound: number;
    messages_received_inbound: number;
    inbound_smtp_rejects: number;
    local_deliveries: number;
  };
  gmail_first_block: { line: number; reply_code: string; enhanced_status: string } | null;
  expected_findings: { id: string; evidence: Record<string, unknown> }[];
}

const GROUPS: Record<string, Group> = {
  gmail: "google",
  "google-workspace": "google",
  outlook: "microsoft",
  "exchange-online": "microsoft",
  yahoo: "yahoo",
  icloud: "apple",
};

// Statuses of the truth files' recipient-level checks that are not a sender-side block.
const NOT_A_BLOCK = new Set(["5.1.1", "4.2.2", "4.2.1"]);

function groupOf(delivery: DeliveryEvent): Group {
  return GROUPS[detectProvider(delivery.relayHost, delivery.recipient)] ?? "other";
}

/**
 * Takes `<code> <enhanced code>` from an Exim error text. The reply parser lives elsewhere;
 * this is the minimum for the truth table, whose generator writes `X.0.0` when a reply has
 * no enhanced code (`554 delivery error: dd …`).
 */
function replyKey(response: string | null): string | null {
  if (response === null) return null;
  const marker = response.indexOf(": ", response.indexOf("SMTP error from remote mail server"));
  const reply = /^([245]\d\d)[ -](\d\.\d{1,3}\.\d{1,3})?/.exec(response.slice(marker + 2));
  if (reply === null) return null;
  const code = reply[1] ?? "";
  return `${code} ${reply[2] ?? `${code[0] ?? ""}.0.0`}`;
}

function outboundDeliveries(events: LogEvent[]): DeliveryEvent[] {
  return events.filter(
    (event): event is DeliveryEvent => event.type === "delivery" && event.remote,
  );
}

function messages(events: LogEvent[]): MessageEvent[] {
  return events.filter((event): event is MessageEvent => event.type === "message");
}

function providerCounts(deliveries: DeliveryEvent[]): Record<Group, ProviderCounts> {
  const counts = {} as Record<Group, ProviderCounts>;
  const deferredPairs = new Map<Group, Set<string>>();
  for (const group of ["google", "microsoft", "yahoo", "apple", "other"] as const) {
    counts[group] = { sent: 0, deferred: 0, deferred_recipients: 0, bounced: 0, expired: 0 };
    deferredPairs.set(group, new Set());
  }
  for (const delivery of deliveries) {
    const group = groupOf(delivery);
    const status = delivery.status;
    if (status === "other") continue;
    counts[group][status] += 1;
    if (status === "deferred")
      deferredPairs.get(group)?.add(`${delivery.message.id} ${delivery.recipient}`);
  }
  for (const [group, pairs] of deferredPairs) counts[group].deferred_recipients = pairs.size;
  return counts;
}

function codeTable(deliveries: DeliveryEvent[]): Partial<Record<Group, Record<string, number>>> {
  const table: Partial<Record<Group, Record<string, number>>> = {};
  for (const delivery of deliveries) {
    if (delivery.status === "sent" || delivery.status === "other") continue;
    const key = replyKey(delivery.response);
    if (key === null) continue;
    const row = (table[groupOf(delivery)] ??= {});
    row[key] = (row[key] ?? 0) + 1;
  }
  return table;
}

const SCENARIOS = [
  "01-compromised-sasl-exim",
  "02-php-script-exim",
  "04-missing-ptr-exim",
  "07-healthy-exim",
] as const;

describe.skipIf(root === null)("Exim scenario logs against their truth files", () => {
  const runs = new Map<string, { run: ParserRun; truth: Truth }>();
  const load = (name: string): { run: ParserRun; truth: Truth } => {
    const cached = runs.get(name);
    if (cached !== undefined) return cached;
    const truthPath = corpusPath(root ?? "", "logs", "scenarios", `${name}.truth.json`);
    const logPath = corpusPath(root ?? "", "logs", "scenarios", `${name}.log`);
    const truth = JSON.parse(readFileSync(truthPath, "utf8")) as Truth;
    const loaded = { run: runParser(createEximParser, readLogLines(logPath)), truth };
    runs.set(name, loaded);
    return loaded;
  };

  test.each(SCENARIOS)("%s: every line parses or is ignored", (name) => {
    const { run, truth } = load(name);
    expect(run.unparsed.map((record) => record.message)).toEqual([]);
    expect(run.outcomes.parsed + run.outcomes.ignored).toBe(truth.lines);
  });

  test.each(SCENARIOS)("%s: outbound counts per provider", (name) => {
    const { run, truth } = load(name);
    expect(providerCounts(outboundDeliveries(run.events))).toEqual(
      truth.counts.outbound_by_provider,
    );
  });

  test.each(SCENARIOS)("%s: non-2xx replies per provider and code", (name) => {
    const { run, truth } = load(name);
    expect(codeTable(outboundDeliveries(run.events))).toEqual(
      truth.counts.outbound_non_2xx_by_provider_and_code,
    );
  });

  test.each(SCENARIOS)("%s: message-level counts", (name) => {
    const { run, truth } = load(name);
    const received = messages(run.events).map((event) => event.message);
    const inbound = received.filter((m) => m.clientIp !== null && m.saslUsername === null);
    const submitted = received.filter(
      (m) => !m.isBounce && (m.saslUsername !== null || m.service === "local"),
    );
    const rejects = run.events.filter((event) => event.type === "reject");
    const local = run.events.filter(
      (event) => event.type === "delivery" && !event.remote && event.status === "sent",
    );

    expect(inbound).toHaveLength(truth.counts.messages_received_inbound);
    expect(submitted).toHaveLength(truth.counts.messages_submitted_outbound);
    expect(rejects).toHaveLength(truth.counts.inbound_smtp_rejects);
    expect(local).toHaveLength(truth.counts.local_deliveries);
  });

  // A delivery line logged after its message's `Completed` line still belongs to that message.
  test.each(SCENARIOS)("%s: deliveries keep their message", (name) => {
    const { run, truth } = load(name);
    const announced = new Set(messages(run.events).map((event) => event.message));
    const outbound = outboundDeliveries(run.events).filter((event) => !event.message.isBounce);
    const orphans = outbound.filter((event) => !announced.has(event.message));

    expect(orphans.map((event) => event.position.line)).toEqual([]);
    expect(new Set(outbound.map((event) => event.message)).size).toBe(
      truth.counts.messages_submitted_outbound,
    );
  });

  test.each(SCENARIOS)("%s: first Gmail block", (name) => {
    const { run, truth } = load(name);
    const block = outboundDeliveries(run.events).find((delivery) => {
      if (groupOf(delivery) !== "google" || delivery.status === "sent") return false;
      const key = replyKey(delivery.response);
      return key !== null && !NOT_A_BLOCK.has(key.split(" ")[1] ?? "");
    });
    if (truth.gmail_first_block === null) {
      expect(block).toBeUndefined();
      return;
    }
    expect(block?.position.line).toBe(truth.gmail_first_block.line);
    const { reply_code, enhanced_status } = truth.gmail_first_block;
    expect(replyKey(block?.response ?? null)).toBe(`${reply_code} ${enhanced_status}`);
  });

  test("01: compromised account and its client addresses", () => {
    const { run, truth } = load("01-compromised-sasl-exim");
    const evidence = truth.expected_findings.find((f) => f.id === "compromised-account")?.evidence;
    const account = evidence?.["account"];
    const abusive = messages(run.events).filter(
      (event) =>
        event.message.saslUsername === account && event.message.clientIp?.startsWith("203.0.113."),
    );
    const clientIps = [...new Set(abusive.map((event) => event.message.clientIp))].sort();

    expect(account).toBe("niaj@northgate.example");
    expect(clientIps).toEqual(evidence?.["client_ips"]);
    expect(abusive).toHaveLength(evidence?.["abuse_submissions"] as number);
    expect(abusive[0]?.position.line).toBe(evidence?.["abuse_first_line"]);
  });

  test("02: web script account and working directory", () => {
    const { run, truth } = load("02-php-script-exim");
    const evidence = truth.expected_findings.find((f) => f.id === "web-script")?.evidence;
    const fromScript = messages(run.events).filter(
      (event) => event.message.workingDirectory === evidence?.["cwd"],
    );

    expect(fromScript).toHaveLength(evidence?.["messages"] as number);
    for (const event of fromScript) {
      expect(event.message.localUser).toBe(evidence?.["local_user"]);
      expect(event.message.command).toBe("/usr/sbin/sendmail -t -i");
    }
    const otherLocal = messages(run.events).filter(
      (event) => event.message.service === "local" && !event.message.isBounce,
    );
    expect(otherLocal.every((event) => event.message.workingDirectory !== null)).toBe(true);
  });
});
