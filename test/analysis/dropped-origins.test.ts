import { describe, expect, test } from "vitest";
import { DroppedKeys } from "../../src/analysis/dropped-keys.js";
import { OriginAnalyser } from "../../src/analysis/origins.js";
import type { LoggedMessage } from "../../src/logs/events.js";

/** Builds a message that `account` submitted with SMTP AUTH at `time`. */
function submission(account: string, time: number): LoggedMessage {
  return {
    mta: "postfix",
    host: "mail",
    instance: "postfix",
    id: `Q${time}`,
    firstTime: time,
    firstPosition: { file: "mail.log", line: time },
    sender: account,
    messageId: null,
    sizeBytes: null,
    recipientCount: null,
    subject: null,
    clientIp: "198.51.100.7",
    clientHost: null,
    helo: null,
    saslUsername: account,
    localUser: null,
    uid: null,
    workingDirectory: null,
    command: null,
    script: null,
    service: "submission/smtpd",
    isBounce: false,
    analysisState: null,
  };
}

/** The cap of `OriginAnalyser` on accounts tracked at once. */
const CAP = 50_000;

describe("OriginAnalyser drops", () => {
  test("marks an account that comes back", () => {
    const origins = new OriginAnalyser();
    origins.partsFor(submission("early@example.com", 0));
    for (let i = 1; i <= CAP; i++) origins.partsFor(submission(`u${i}@example.com`, i));
    expect(origins.accounts.has("early@example.com")).toBe(false);

    const back = origins.partsFor(submission("early@example.com", CAP + 1)).origin;
    const late = origins.partsFor(submission("late@example.com", CAP + 2)).origin;
    const kept = origins.accounts.get(`u${CAP}@example.com`);
    expect(back?.earlierMessagesDropped).toBe(true);
    expect(late?.earlierMessagesDropped).toBe(false);
    expect(kept?.earlierMessagesDropped).toBe(false);
  });

  test("counts each dropped account once", () => {
    const origins = new OriginAnalyser();
    const accounts = 60_000;
    // Which accounts left the map, found by comparing it before and after each drop.
    const everDropped = new Set<string>();
    let drops = 0;
    let time = 0;
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < accounts; i++) {
        const key = `u${i}@example.com`;
        const before = origins.accounts.size;
        const present = before >= CAP ? [...origins.accounts.keys()] : [];
        origins.partsFor(submission(key, time++));
        if (origins.accounts.size > before) continue;
        drops += before + 1 - origins.accounts.size;
        for (const old of present) if (!origins.accounts.has(old)) everDropped.add(old);
      }
    }

    expect(drops).toBeGreaterThan(accounts);
    expect(everDropped.size).toBeLessThanOrEqual(accounts);
    expect(origins.droppedOrigins.isExact).toBe(false);
    // A HyperLogLog estimate of 2^12 registers has about 1.6 % standard error.
    const error = Math.abs(origins.droppedOrigins.count - everDropped.size) / everDropped.size;
    expect(error).toBeLessThan(0.05);
  });
});

describe("DroppedKeys", () => {
  test("contains nothing before a drop", () => {
    expect(new DroppedKeys().mayContain("a@example.com")).toBe(false);
  });

  test("counts a repeated key once", () => {
    const keys = new DroppedKeys();
    keys.add("a@example.com");
    keys.add("a@example.com");
    keys.add("b@example.com");
    expect(keys.count).toBe(2);
    expect(keys.isExact).toBe(true);
    expect(keys.mayContain("a@example.com")).toBe(true);
    expect(keys.mayContain("b@example.com")).toBe(true);
  });

  test("rarely contains a key never added", () => {
    const keys = new DroppedKeys();
    for (let i = 0; i < 100_000; i++) keys.add(`dropped${i}@example.com`);
    let falsePositives = 0;
    for (let i = 0; i < 100_000; i++) {
      if (keys.mayContain(`kept${i}@example.com`)) falsePositives += 1;
    }
    for (let i = 0; i < 100_000; i += 997) {
      expect(keys.mayContain(`dropped${i}@example.com`)).toBe(true);
    }
    // The filter's expected rate at 100,000 keys is about 0.0005 %, 0.5 in 100,000.
    expect(falsePositives).toBeLessThan(10);
  });
});
