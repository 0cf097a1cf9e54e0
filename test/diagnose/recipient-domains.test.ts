import { describe, expect, test } from "vitest";
import type { Diagnosis } from "../../src/diagnose/types.js";
import { OFFLINE_DIAGNOSE, runCommand } from "../helpers/cli.js";
import { BLOCKLISTED, GREYLISTED, retriedMessage } from "../helpers/domain-fixture.js";
import { GMAIL_RATE_LIMIT, HOUR, PostfixLog, SENT, T0 } from "../helpers/postfix-fixture.js";
import { schemaValidator } from "../helpers/schema.js";
import { temporaryFiles } from "../helpers/temporary-files.js";

const validate = schemaValidator("diagnose.schema.json");
const temporary = temporaryFiles();

/**
 * Builds a day of mail: Gmail defers two messages, one small receiver rejects with a
 * blocklist reply, and another greylists a message ten times before it accepts it.
 */
function otherReceiversLog(): string {
  const log = new PostfixLog();
  for (let hour = 0; hour < 24; hour++) {
    log.submit({
      time: T0 + hour * HOUR,
      account: "alice@example.com",
      clientIp: "198.51.100.10",
      recipients: [
        { address: `friend${hour}@gmail.com`, outcome: hour < 2 ? GMAIL_RATE_LIMIT : SENT },
        { address: `reader${hour}@example.org` },
      ],
    });
  }
  for (let i = 0; i < 3; i++) {
    retriedMessage(log, `4B00000${i}AA`, T0 + i * HOUR, [
      { address: `user${i}@blocked.example.net`, outcomes: [BLOCKLISTED] },
    ]);
  }
  retriedMessage(log, "4C000000AA", T0 + HOUR, [
    {
      address: "slow@slow.example.net",
      outcomes: [...Array<typeof GREYLISTED>(10).fill(GREYLISTED), SENT],
    },
  ]);
  return log.text();
}

describe("diagnose recipient domains", () => {
  test("JSON lists domains and deferred messages", async () => {
    const result = await runCommand([
      ...OFFLINE_DIAGNOSE,
      "--format",
      "json",
      temporary.file(otherReceiversLog()),
    ]);
    const diagnosis = JSON.parse(result.stdout) as Diagnosis;
    const blocked = diagnosis.recipientDomains.domains.find(
      (domain) => domain.domain === "blocked.example.net",
    );

    expect(validate(diagnosis)).toEqual([]);
    expect(diagnosis.providers.gmail?.deferredMessages).toBe(2);
    expect(diagnosis.providers.other?.deferredMessages).toBe(1);
    expect(diagnosis.recipientDomains.approximate).toBe(false);
    expect(blocked?.bounced).toBe(3);
    expect(blocked?.blockedAttempts).toBe(3);
    expect(blocked?.topCode).toEqual({ code: "554 5.7.1", count: 3 });
  });

  test("text lists failing small receivers", async () => {
    const result = await runCommand([...OFFLINE_DIAGNOSE, temporary.file(otherReceiversLog())]);
    const text = result.stdout.replace(/\s+/g, " ");

    expect(text).toContain("Recipient domains with block replies or many deferrals:");
    expect(text).toContain(
      "blocked.example.net: 0 sent, 3 bounced, 3 block replies, most often 554 5.7.1",
    );
    expect(text).toContain(
      "slow.example.net: 1 sent, 10 deferrals of 1 recipient, most often 450 4.2.0",
    );
    expect(text).not.toContain("example.org:");
  });
});
