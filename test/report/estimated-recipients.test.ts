import { describe, expect, test } from "vitest";
import { hashString } from "../../src/analysis/distinct.js";
import type { LogStatistics } from "../../src/diagnose/statistics.js";
import { runCommand } from "../helpers/cli.js";
import { PostfixLog, T0 } from "../helpers/postfix-fixture.js";
import { schemaValidator } from "../helpers/schema.js";
import { temporaryFiles } from "../helpers/temporary-files.js";

const temporary = temporaryFiles();
const validateLogs = schemaValidator("logs.schema.json");

/**
 * Picks `count` addresses at `domain` whose hashes fall into HyperLogLog registers that `accept`
 * takes (the top 12 bits of the hash pick the register). Addresses that each fill a register of
 * their own make the estimate too high, and addresses that share a few registers make it too low.
 */
function addresses(
  domain: string,
  count: number,
  accept: (register: number, used: ReadonlySet<number>) => boolean,
): string[] {
  const picked: string[] = [];
  const used = new Set<number>();
  for (let i = 0; picked.length < count; i++) {
    const address = `r${i}@${domain}`;
    const register = hashString(address) >>> 20;
    if (!accept(register, used)) continue;
    used.add(register);
    picked.push(address);
  }
  return picked;
}

async function logsJson(log: PostfixLog): Promise<LogStatistics> {
  const path = temporary.file(log.text());
  const run = await runCommand(["logs", "--format", "json", "--timezone", "UTC", path]);
  return JSON.parse(run.stdout) as LogStatistics;
}

describe("recipients past 512", () => {
  // 600 Yahoo addresses in 600 registers (raw estimate about 649) from alice, and 600 Gmail
  // addresses in 3 registers (raw estimate about 3) from bob.
  const yahoo = addresses("yahoo.com", 600, (register, used) => !used.has(register));
  const gmail = addresses("gmail.com", 600, (register) => register < 3);
  const log = new PostfixLog();
  yahoo.forEach((address, i) => {
    const time = T0 + i * 10_000;
    log.submit({
      time,
      account: "alice@example.com",
      clientIp: "198.51.100.10",
      recipients: [{ address }],
    });
  });
  gmail.forEach((address, i) => {
    const time = T0 + i * 10_000 + 5000;
    log.submit({
      time,
      account: "bob@example.com",
      clientIp: "198.51.100.11",
      recipients: [{ address }],
    });
  });

  test("provider estimate flagged and bounded", async () => {
    const json = await logsJson(log);

    expect(validateLogs(json)).toEqual([]);
    expect(json.providers.yahoo?.attempts).toBe(600);
    expect(json.providers.yahoo?.recipientsEstimated).toBe(true);
    expect(json.providers.yahoo?.recipients).toBe(600);
    expect(json.providers.gmail?.recipientsEstimated).toBe(true);
    expect(json.providers.gmail?.recipients).toBe(513);
  });

  test("account distinct recipients bounded", async () => {
    const json = await logsJson(log);
    const alice = json.accounts.find((account) => account.key === "alice@example.com");
    const bob = json.accounts.find((account) => account.key === "bob@example.com");

    expect(alice?.recipients).toBe(600);
    expect(alice?.distinctRecipients).toBe(600);
    expect(alice?.distinctRecipientsEstimated).toBe(true);
    expect(bob?.distinctRecipients).toBe(513);
    expect(bob?.distinctRecipientsEstimated).toBe(true);
  });

  test("small counts stay exact", async () => {
    const small = new PostfixLog();
    small.submit({
      time: T0,
      account: "carol@example.com",
      clientIp: "198.51.100.12",
      recipients: [{ address: "a@yahoo.com" }, { address: "b@yahoo.com" }],
    });
    const json = await logsJson(small);

    expect(json.providers.yahoo?.recipients).toBe(2);
    expect(json.providers.yahoo?.recipientsEstimated).toBe(false);
    expect(json.accounts[0]?.distinctRecipientsEstimated).toBe(false);
  });
});
