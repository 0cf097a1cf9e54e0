import { describe, expect, test } from "vitest";
import { RECIPIENT_DOMAIN_CAPACITY } from "../../src/analysis/recipient-domains.js";
import type { LogStatistics } from "../../src/diagnose/statistics.js";
import { runCommand } from "../helpers/cli.js";
import { GREYLISTED, NO_SUCH_USER, retriedMessage } from "../helpers/domain-fixture.js";
import { HOUR, PostfixLog, SENT, T0 } from "../helpers/postfix-fixture.js";
import { schemaValidator } from "../helpers/schema.js";
import { temporaryFiles } from "../helpers/temporary-files.js";

const validate = schemaValidator("logs.schema.json");
const temporary = temporaryFiles();

/** Builds a log with greylisting retries at example.net and one unknown user at example.org. */
function retriesLog(): string {
  const log = new PostfixLog();
  retriedMessage(log, "4A1B2C3D4E", T0, [
    { address: "one@example.net", outcomes: [SENT] },
    { address: "two@example.net", outcomes: [GREYLISTED, GREYLISTED, SENT] },
    { address: "three@example.org", outcomes: [NO_SUCH_USER] },
  ]);
  retriedMessage(log, "4A1B2C3D4F", T0 + HOUR, [
    { address: "four@example.net", outcomes: [GREYLISTED, SENT] },
  ]);
  return log.text();
}

/** Builds a log with one message to each of more domains than the table holds. */
function sprayLog(): string {
  const log = new PostfixLog();
  for (let i = 0; i < 12; i++) {
    log.submit({
      time: T0 + i * 1000,
      account: "alice@example.com",
      clientIp: "198.51.100.10",
      recipients: [{ address: `friend${i}@busy.example.com` }],
    });
  }
  for (let i = 0; i < RECIPIENT_DOMAIN_CAPACITY + 200; i++) {
    log.submit({
      time: T0 + HOUR + i * 10,
      account: "alice@example.com",
      clientIp: "198.51.100.10",
      recipients: [{ address: `user@d${i}.example.org` }],
    });
  }
  return log.text();
}

async function statisticsOf(text: string): Promise<LogStatistics> {
  const args = ["logs", "--format", "json", "--timezone", "UTC", temporary.file(text)];
  const result = await runCommand(args);
  return JSON.parse(result.stdout) as LogStatistics;
}

describe("delist logs recipient domains", () => {
  test("JSON counts each domain", async () => {
    const statistics = await statisticsOf(retriesLog());
    const domains = statistics.recipientDomains.domains;

    expect(validate(statistics)).toEqual([]);
    expect(statistics.recipientDomains.approximate).toBe(false);
    expect(domains.map((domain) => domain.domain)).toEqual(["example.net", "example.org"]);
    expect(domains[0]).toEqual({
      domain: "example.net",
      provider: "other",
      attempts: 6,
      sent: 3,
      deferred: 3,
      deferredRecipients: 2,
      bounced: 0,
      blockedAttempts: 0,
      topCode: { code: "450 4.2.0", count: 3 },
      maxUncountedResults: 0,
    });
    expect(domains[1]?.bounced).toBe(1);
    expect(domains[1]?.topCode).toEqual({ code: "550 5.1.1", count: 1 });
  });

  test("JSON counts deferred messages", async () => {
    const statistics = await statisticsOf(retriesLog());

    expect(statistics.providers.other?.deferredMessages).toBe(2);
    expect(statistics.deferralTotals).toEqual({
      deferred: 3,
      deferredRecipients: 2,
      deferredMessages: 2,
    });
  });

  test("text shows domains and totals", async () => {
    const args = ["logs", "--timezone", "UTC", temporary.file(retriesLog())];
    const result = await runCommand(args);
    const lines = result.stdout.split("\n");

    expect(lines).toContain("  In all, 3 deferrals of 2 recipients in 2 messages.");
    expect(lines).toContain("Outbound by recipient domain");
    expect(lines.some((line) => /^ +3 +3 \(2\) +0 +450 4\.2\.0 +example\.net$/.test(line))).toBe(
      true,
    );
    expect(result.stdout).not.toContain("counted at once");
  });

  test("JSON past the table's capacity", async () => {
    const statistics = await statisticsOf(sprayLog());
    const report = statistics.recipientDomains;

    expect(validate(statistics)).toEqual([]);
    expect(report.approximate).toBe(true);
    expect(report.capacity).toBe(RECIPIENT_DOMAIN_CAPACITY);
    expect(report.domains).toHaveLength(100);
    expect(report.domains[0]?.domain).toBe("busy.example.com");
    expect(report.domains[0]?.sent).toBe(12);
    expect(report.domains[0]?.maxUncountedResults).toBe(0);
  });

  test("text past the table's capacity", async () => {
    const args = ["logs", "--timezone", "UTC", temporary.file(sprayLog())];
    const result = await runCommand(args);

    expect(result.stdout.replace(/\s+/g, " ")).toContain(
      "The log has more recipient domains than the 4,096 counted at once",
    );
  });
});
