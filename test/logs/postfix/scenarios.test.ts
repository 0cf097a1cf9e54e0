import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { createDovecotParser } from "../../../src/logs/context/dovecot.js";
import { createOpendkimParser } from "../../../src/logs/context/opendkim.js";
import type { LoggedMessage, LogEvent } from "../../../src/logs/events.js";
import { createPostfixParser } from "../../../src/logs/postfix/index.js";
import { corpusPath, corpusRoot } from "../../helpers/corpus.js";
import { parseLogFile, type ParsedLog } from "./log-file.js";
import { firstGoogleBlock, summarise } from "./truth-summary.js";

const root = corpusRoot();

const SCENARIOS = [
  "01-compromised-sasl-postfix",
  "02-php-script-postfix",
  "03-unauthenticated-domain-postfix",
  "05-new-ip-warmup-postfix",
  "06-bought-list-postfix",
  "07-healthy-postfix",
  "08-forwarding-no-srs-postfix",
  "09-mixed-providers-postfix",
  "10-tls-required-postfix",
];

interface Truth {
  year?: number;
  lines: number;
  counts: {
    outbound_by_provider: Record<string, Record<string, number>>;
    outbound_non_2xx_by_provider_and_code: Record<string, Record<string, number>>;
    messages_submitted_outbound: number;
    messages_received_inbound: number;
    inbound_smtp_rejects: number;
    local_deliveries: number;
  };
  gmail_first_block: {
    line: number;
    reply_code: string;
    enhanced_status: string;
    recipient_level: boolean;
  } | null;
  expected_findings: { id: string; evidence: Record<string, unknown> }[];
}

interface Scenario {
  readonly name: string;
  readonly truth: Truth;
  readonly log: ParsedLog;
}

async function loadScenario(corpus: string, name: string): Promise<Scenario> {
  const scenarios = ["logs", "scenarios"];
  const truthPath = corpusPath(corpus, ...scenarios, `${name}.truth.json`);
  const truth = JSON.parse(readFileSync(truthPath, "utf8")) as Truth;
  const log = await parseLogFile(
    corpusPath(corpus, ...scenarios, `${name}.log`),
    (sink) => [createPostfixParser(sink), createDovecotParser(sink), createOpendkimParser(sink)],
    // RFC 3339 stamps carry their own year, so the framer ignores this one for them.
    truth.year ?? 2025,
  );
  return { name, truth, log };
}

const loaded =
  root === null ? [] : await Promise.all(SCENARIOS.map((name) => loadScenario(root, name)));

function scenario(name: string): Scenario {
  const found = loaded.find((candidate) => candidate.name === name);
  if (found === undefined) throw new Error(`scenario ${name} was not loaded`);
  return found;
}

function evidenceOf(truth: Truth, id: string): Record<string, unknown> {
  const finding = truth.expected_findings.find((candidate) => candidate.id === id);
  if (finding === undefined) throw new Error(`truth file has no ${id} finding`);
  return finding.evidence;
}

function messagesOf(events: readonly LogEvent[]): LoggedMessage[] {
  return events.flatMap((event) => (event.type === "message" ? [event.message] : []));
}

describe.skipIf(root === null)("Postfix scenario logs against their truth files", () => {
  // Skipped suites still run their bodies to collect tests, so no scenario is named without
  // a corpus.
  describe.each(root === null ? [] : SCENARIOS)("%s", (name) => {
    const { truth, log } = scenario(name);
    const summary = summarise(log.events);
    const counts = truth.counts;

    it("parses every Postfix line", () => {
      expect(log.unparsedSamples).toEqual([]);
      expect(log.outcomes.unparsed).toBe(0);
    });

    it("counts outbound results per provider", () => {
      expect(summary.outbound).toEqual(counts.outbound_by_provider);
    });

    it("counts non-2xx replies per provider and code", () => {
      expect(summary.non2xx).toEqual(counts.outbound_non_2xx_by_provider_and_code);
    });

    it("counts inbound messages", () => {
      expect(summary.messagesReceivedInbound).toBe(counts.messages_received_inbound);
    });

    it("counts submitted messages", () => {
      expect(summary.messagesSubmittedOutbound).toBe(counts.messages_submitted_outbound);
    });

    it("counts inbound rejects", () => {
      expect(summary.inboundSmtpRejects).toBe(counts.inbound_smtp_rejects);
    });

    it("counts local deliveries", () => {
      expect(summary.localDeliveries).toBe(counts.local_deliveries);
    });

    it("finds the first Gmail block", () => {
      const block = firstGoogleBlock(log.events);
      const expected = truth.gmail_first_block;
      if (expected === null) {
        expect(block).toBeNull();
        return;
      }
      expect(block?.line).toBe(expected.line);
      expect(block?.replyKey).toBe(`${expected.reply_code} ${expected.enhanced_status}`);
      expect(block?.recipientLevel).toBe(expected.recipient_level);
    });
  });

  it("01: finds the compromised SASL account and its client IPs", () => {
    const { truth, log } = scenario("01-compromised-sasl-postfix");
    const evidence = evidenceOf(truth, "compromised-account");
    const account = evidence["account"] as string;
    const attackerIps = new Set(evidence["client_ips"] as string[]);

    const abusive = messagesOf(log.events).filter(
      (message) => message.saslUsername === account && attackerIps.has(message.clientIp ?? ""),
    );
    const clientIps = new Set(abusive.map((message) => message.clientIp));
    expect([...clientIps].sort()).toEqual([...attackerIps].sort());
    expect(abusive).toHaveLength(evidence["abuse_submissions"] as number);
    expect(abusive[0]?.firstPosition.line).toBe(evidence["abuse_first_line"]);
    expect(abusive.every((message) => message.service === "submission/smtpd")).toBe(true);
  });

  it("02: finds the pickup uid and the PHP script", () => {
    const { truth, log } = scenario("02-php-script-postfix");
    const evidence = evidenceOf(truth, "web-script");
    const uid = evidence["uid"] as number;

    const fromUid = messagesOf(log.events).filter((message) => message.uid === uid);
    expect(fromUid).toHaveLength(evidence["messages"] as number);
    const scripts = new Set(fromUid.map((message) => message.script));
    expect([...scripts]).toEqual([`${uid}:${String(evidence["script"])}`]);
    expect(fromUid.every((message) => message.service === "pickup")).toBe(true);
    expect(
      fromUid.every((message) => message.sender?.startsWith(`${String(evidence["local_user"])}@`)),
    ).toBe(true);
  });

  it("08: maps each alias to its forwarding target", () => {
    const { truth, log } = scenario("08-forwarding-no-srs-postfix");
    const evidence = evidenceOf(truth, "forwarding");
    const aliases = new Map<string, string>();
    const forwarded = new Set<LoggedMessage>();
    for (const event of log.events) {
      if (event.type !== "delivery" || event.originalRecipient === null) continue;
      aliases.set(event.originalRecipient, event.recipient);
      forwarded.add(event.message);
    }
    expect(Object.fromEntries(aliases)).toEqual(evidence["aliases"]);
    expect(forwarded.size).toBe(evidence["forwarded_messages"]);
  });
});
