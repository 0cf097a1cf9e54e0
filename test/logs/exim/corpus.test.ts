import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import type { DeliveryEvent, LogEvent } from "../../../src/logs/events.js";
import { createEximParser } from "../../../src/logs/exim/index.js";
import { corpusPath, corpusRoot } from "../../helpers/corpus.js";
import { readLogLines, runParser, type ParserRun } from "./frame.js";

const root = corpusRoot();

function real(...parts: string[]): string {
  return corpusPath(root ?? "", "logs", "real", ...parts);
}

function unparsedShare(run: ParserRun): number {
  const total = run.outcomes.parsed + run.outcomes.ignored + run.outcomes.unparsed;
  return total === 0 ? 0 : run.outcomes.unparsed / total;
}

function count(run: ParserRun, type: string): number {
  return run.events.filter((event) => event.type === type).length;
}

function deliveries(run: ParserRun): DeliveryEvent[] {
  return run.events.filter((event): event is DeliveryEvent => event.type === "delivery");
}

function ofType<T extends LogEvent["type"]>(
  run: ParserRun,
  type: T,
): Extract<LogEvent, { type: T }>[] {
  return run.events.filter((event): event is Extract<LogEvent, { type: T }> => event.type === type);
}

// Wazuh's rule tests hold one log line per `log N pass = <line>` entry.
function wazuhLines(path: string): string[] {
  return readLogLines(path).flatMap((line) => {
    const match = /^log \d+ pass = (.*)$/.exec(line);
    return match?.[1] === undefined ? [] : [match[1]];
  });
}

describe.skipIf(root === null)("Exim parser on real logs and fixtures", () => {
  // Real server logs and fixtures cut from real servers contain only lines that Exim itself
  // writes, and every form among them is handled. The 0.5 % allowance keeps one odd line in a
  // future copy of the corpus from failing the suite, while a new line form still would.
  const REAL_BOUND = 0.005;

  test("cPanel main log: brute force and rejects", () => {
    const run = runParser(
      createEximParser,
      readLogLines(real("DDoS-aizsardzi-bas-veidi-ak19192", "exim_mainlog")),
    );

    expect(unparsedShare(run)).toBeLessThanOrEqual(REAL_BOUND);
    expect(count(run, "auth-failure")).toBe(5196);
    expect(count(run, "reject")).toBe(1177);
    expect(count(run, "lifecycle")).toBe(4);
    expect(count(run, "delivery")).toBe(0);
  });

  test("ddgrey main log: dictionary attack and deliveries", () => {
    const run = runParser(createEximParser, readLogLines(real("ddgrey", "mainlog")));
    const rcptRejects = run.events.filter(
      (event) => event.type === "reject" && event.stage === "RCPT",
    );

    expect(unparsedShare(run)).toBeLessThanOrEqual(REAL_BOUND);
    expect(rcptRejects).toHaveLength(1157);
    expect(count(run, "message")).toBe(43);
    expect(run.events.filter((e) => e.type === "delivery" && e.status === "sent").length).toBe(41);
  });

  test("ddgrey main log: routing failures, frozen bounces, ident", () => {
    const run = runParser(createEximParser, readLogLines(real("ddgrey", "mainlog")));
    const decidedByMta = deliveries(run).filter((event) => event.withoutAttempt === "mta");
    const frozen = ofType(run, "frozen");
    const stillFrozen = new Set<string>();
    for (const event of frozen) {
      if (event.frozen) stillFrozen.add(event.message.id);
      else stillFrozen.delete(event.message.id);
    }
    const webUser = ofType(run, "message").filter((e) => e.message.localUser === "www-data");

    // Lines 312, 1949, 2849 and 2861: `** noreply@d19.example: Unrouteable address`.
    expect(decidedByMta.map((event) => event.position.line)).toEqual([312, 1949, 2849, 2861]);
    expect(new Set(frozen.map((event) => event.message.id)).size).toBe(6);
    expect([...stillFrozen].sort()).toEqual([
      "1j5BuI-0006Kd-Oe",
      "1j5CmD-0007Sg-Rb",
      "1j5Nye-0004Xw-5I",
      "1j5PVN-00068m-O3",
    ]);
    expect(webUser).toHaveLength(9);
    expect(ofType(run, "reject").every((event) => event.replyCode === "5xx")).toBe(true);
  });

  test("Exim test-suite logs: hosts, logins and codes", () => {
    const suite = (name: string): ParserRun =>
      runParser(createEximParser, readLogLines(real("exim", "test", "log", name)), {}, name);
    const smarthost = suite("3401");
    const filterBounces = deliveries(suite("0612")).filter(
      (event) => event.status === "bounced" && event.handoff === "filter",
    );
    const routing = deliveries(suite("0206")).filter((event) => event.withoutAttempt === "mta");
    const afterRefusal = deliveries(suite("0640")).find((event) => event.position.line === 4);
    const codes = ofType(suite("0227"), "reject").map((event) => event.replyCode);

    // Lines 8 and 15 are Exim's own failed logins to its relay host.
    expect(count(smarthost, "auth-failure")).toBe(0);
    expect(ofType(smarthost, "session-reply").map((event) => event.position.line)).toContain(15);
    // Lines 13 and 34 fail at the loopback host, so they stay on this server.
    const atLoopback = deliveries(smarthost).filter((event) =>
      [13, 34].includes(event.position.line),
    );
    expect(atLoopback.map((event) => event.handoff)).toEqual(["filter", "filter"]);
    expect(filterBounces).toHaveLength(3);
    expect(routing.map((event) => event.status).sort()).toEqual([
      "bounced",
      "bounced",
      "bounced",
      "bounced",
      "deferred",
    ]);
    expect(afterRefusal?.relayIp).toBe("127.0.0.1");
    expect(codes).not.toContain("127");
    expect(codes.filter((code) => code === "4xx").length).toBeGreaterThan(0);
  });

  test("Exim test-suite log 5510: host line and address lines", () => {
    const run = runParser(createEximParser, readLogLines(real("exim", "test", "log", "5510")));
    const deferred = deliveries(run).filter((event) => event.status === "deferred");

    // Line 26 is the host line of the `450 oops` reply that lines 27 to 29 repeat per address.
    expect(ofType(run, "session-reply")).toEqual([]);
    expect(deferred.filter((event) => event.response?.includes("450 oops") === true)).toHaveLength(
      3,
    );
  });

  test("Exim test-suite logs: policy bounces", () => {
    const policyLines = (name: string): number[] =>
      deliveries(runParser(createEximParser, readLogLines(real("exim", "test", "log", name))))
        .filter((event) => event.withoutAttempt === "policy")
        .map((event) => event.position.line);

    // 9400:36 is `** bounce@test.ex R=r0: bounced (:fail:)`; 4620:5 and 4620:21 are
    // `** remote_user@remote.ex R=remote_bouncer : account disabled`.
    expect(policyLines("9400")).toEqual([36]);
    expect(policyLines("4620")).toEqual([5, 21]);
  });

  test.each([
    "fail2ban/tests/files/logs/exim",
    "fail2ban/tests/files/logs/exim-spam",
    "crowdsec-hub/.tests/exim-bf/exim-bf.log",
    "crowdsec-hub/.tests/exim-logs/exim-logs.log",
    "crowdsec-hub/.tests/exim-spam/exim-spam.log",
    "crowdsec-hub/.tests/exim-syslog-logs/exim-logs.log",
  ])("fixture %s", (path) => {
    const run = runParser(createEximParser, readLogLines(real(...path.split("/"))), { year: 2022 });
    expect(run.outcomes.parsed).toBeGreaterThan(0);
    expect(unparsedShare(run)).toBeLessThanOrEqual(REAL_BOUND);
  });

  test("wazuh rule-test lines", () => {
    const run = runParser(
      createEximParser,
      wazuhLines(real("wazuh", "ruleset", "testing", "tests", "exim.ini")),
    );

    expect(run.outcomes.unparsed).toBe(0);
    expect(count(run, "auth-failure")).toBe(2);
    expect(count(run, "reject")).toBe(2);
  });

  test("Exim test-suite logs", () => {
    const folder = real("exim", "test", "log");
    const runs = readdirSync(folder).map((name) =>
      runParser(createEximParser, readLogLines(join(folder, name)), {}, name),
    );
    const total = runs.reduce(
      (sum, run) => sum + run.outcomes.parsed + run.outcomes.ignored + run.outcomes.unparsed,
      0,
    );
    const unparsed = runs.flatMap((run) => run.unparsed);

    expect(runs).toHaveLength(30);
    // The suite's configurations write test output through ACL `logwrite` (`spf_result`,
    // `dmarc_status`, `rcpt for`, proxy and TLS session dumps), which no parser can know.
    // Those lines are 15 % of the sample; the bound allows that share and a little more.
    expect(unparsed.length / total).toBeLessThanOrEqual(0.2);
    // Every arrival and delivery line parses, whatever the test output around it.
    const flagged = unparsed.filter((record) =>
      / (<=|\(=|=>|->|>>|\*>|\*\*|==) /.test(record.message.slice(0, 30)),
    );
    expect(flagged.map((record) => record.message)).toEqual([]);
  });
});
