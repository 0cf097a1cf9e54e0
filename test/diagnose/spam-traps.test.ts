import { describe, expect, test } from "vitest";
import { runCommand } from "../helpers/cli.js";
import { GMAIL_NO_SUCH_USER, HOUR, PostfixLog, T0 } from "../helpers/postfix-fixture.js";
import { schemaValidator } from "../helpers/schema.js";
import { temporaryFiles } from "../helpers/temporary-files.js";

const validate = schemaValidator("diagnose.schema.json");
const temporary = temporaryFiles();

interface TrapFinding {
  id: string;
  severity: string;
  evidence: {
    repeatedAttempts: number;
    repeatedRecipients: number;
    unknownBounces: number;
    topSenders: Array<{ sender: string; count: number }>;
    firstRepeat: { recipient: string; line: number };
  };
}

/** Runs diagnose on a newsletter sent `rounds` times to the same list, which has `dead` dead addresses. */
async function newsletter(rounds: number, dead: number): Promise<TrapFinding | undefined> {
  const log = new PostfixLog("mx1");
  for (let round = 0; round < rounds; round++) {
    const recipients = [];
    for (let index = 0; index < 40; index++) {
      const address = `reader${index}@gmail.com`;
      recipients.push(index < dead ? { address, outcome: GMAIL_NO_SUCH_USER } : { address });
    }
    log.submit({
      time: T0 + round * 24 * HOUR,
      account: "news@example.com",
      clientIp: "198.51.100.10",
      recipients,
    });
  }
  return run(log);
}

/**
 * Runs diagnose on two mailings: the first to `once + twice` dead addresses, which all bounce
 * as unknown, and a day later one to the `twice` of them again, which bounce again.
 */
async function twoMailings(once: number, twice: number): Promise<TrapFinding | undefined> {
  const log = new PostfixLog("mx1");
  const dead = (count: number, prefix: string) =>
    Array.from({ length: count }, (_, index) => ({
      address: `${prefix}${index}@gmail.com`,
      outcome: GMAIL_NO_SUCH_USER,
    }));
  const account = { account: "alice@example.com", clientIp: "198.51.100.10" };
  log.submit({ time: T0, ...account, recipients: [...dead(once, "typo"), ...dead(twice, "gone")] });
  log.submit({ time: T0 + 24 * HOUR, ...account, recipients: dead(twice, "gone") });
  return run(log);
}

async function run(log: PostfixLog): Promise<TrapFinding | undefined> {
  const path = temporary.file(log.text());
  const result = await runCommand(["diagnose", path, "--offline", "--format", "json"]);
  const json = JSON.parse(result.stdout) as { findings: TrapFinding[] };
  expect(validate(json)).toEqual([]);
  return json.findings.find((finding) => finding.id === "spam-traps");
}

describe("spam-traps from logs", () => {
  test("dead addresses mailed again", async () => {
    const finding = await newsletter(3, 12);
    expect(finding?.severity).toBe("warning");
    // Rounds two and three each go again to the twelve addresses that bounced in round one.
    expect(finding?.evidence.repeatedAttempts).toBe(24);
    expect(finding?.evidence.repeatedRecipients).toBe(12);
    expect(finding?.evidence.topSenders).toEqual([{ sender: "news@example.com", count: 24 }]);
    expect(finding?.evidence.firstRepeat.recipient).toBe("reader0@gmail.com");
  });

  test("one mailing is not a repeat", async () => {
    expect(await newsletter(1, 12)).toBeUndefined();
  });

  test("few dead addresses are chance", async () => {
    expect(await newsletter(3, 4)).toBeUndefined();
  });

  // Ten addresses mailed again are a warning while they are at least 5 % of the unknown-user
  // bounces: 10 of 200 bounces (180 once, 10 twice) is one, 10 of 201 is not.
  test("share at the threshold warns", async () => {
    const finding = await twoMailings(180, 10);
    expect(finding?.severity).toBe("warning");
    expect(finding?.evidence.repeatedRecipients).toBe(10);
    expect(finding?.evidence.unknownBounces).toBe(200);
  });

  test("share below the threshold informs", async () => {
    const finding = await twoMailings(181, 10);
    expect(finding?.severity).toBe("info");
    expect(finding?.evidence.repeatedRecipients).toBe(10);
    expect(finding?.evidence.unknownBounces).toBe(201);
  });

  test("floor holds at any share", async () => {
    expect(await twoMailings(0, 9)).toBeUndefined();
  });
});
