import { describe, expect, test } from "vitest";
import type { LogStatistics } from "../../src/diagnose/statistics.js";
import { runCommand } from "../helpers/cli.js";
import { PostfixLog, T0 } from "../helpers/postfix-fixture.js";
import { schemaValidator } from "../helpers/schema.js";
import { temporaryFiles } from "../helpers/temporary-files.js";

const temporary = temporaryFiles();
const validateLogs = schemaValidator("logs.schema.json");

/**
 * Builds a log of 25 SASL accounts and 12 local users, one message each. The first 10 accounts
 * and the first 3 users send to 2 recipients and the others to 1, so the tables list them first.
 */
function manyOrigins(): string {
  const log = new PostfixLog();
  for (let i = 0; i < 25; i++) {
    const recipients = [{ address: `a${i}@example.net` }];
    if (i < 10) recipients.push({ address: `b${i}@example.net` });
    const account = `user${i}@example.com`;
    log.submit({ time: T0 + i * 60_000, account, clientIp: "198.51.100.10", recipients });
  }
  for (let i = 0; i < 12; i++) {
    const recipients = [{ address: `c${i}@example.net` }];
    if (i < 3) recipients.push({ address: `d${i}@example.net` });
    log.pickup({ time: T0 + i * 60_000 + 30_000, uid: 2000 + i, user: `web${i}`, recipients });
  }
  return log.text();
}

describe("omitted origin rows", () => {
  test("JSON totals count every origin", async () => {
    const path = temporary.file(manyOrigins());
    const run = await runCommand(["logs", "--format", "json", "--timezone", "UTC", path]);
    const json = JSON.parse(run.stdout) as LogStatistics;

    expect(validateLogs(json)).toEqual([]);
    expect(json.accounts).toHaveLength(20);
    expect(json.accountTotals).toEqual({ count: 25, messages: 25, recipients: 35 });
    expect(json.localSources).toHaveLength(12);
    expect(json.localSourceTotals).toEqual({ count: 12, messages: 12, recipients: 15 });
  });

  test("text names rows left out", async () => {
    const path = temporary.file(manyOrigins());
    const run = await runCommand(["logs", "--timezone", "UTC", path]);

    expect(run.stdout).toContain("\n  15 more accounts with 15 messages to 15 recipients\n");
    expect(run.stdout).toContain("\n  2 more programs with 2 messages to 2 recipients\n");
  });

  test("no line when all rows fit", async () => {
    const log = new PostfixLog();
    log.submit({
      time: T0,
      account: "alice@example.com",
      clientIp: "198.51.100.10",
      recipients: [{ address: "a@example.net" }],
    });
    const path = temporary.file(log.text());
    const run = await runCommand(["logs", "--timezone", "UTC", path]);

    expect(run.stdout).not.toContain(" more account");
  });
});
