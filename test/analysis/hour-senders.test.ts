import { describe, expect, test } from "vitest";
import { HourSenders } from "../../src/analysis/hour-senders.js";

const START = Date.UTC(2024, 2, 7, 14, 0, 0);
const LATE = "offers@example.com";

/** 100 senders with one recipient each, then `LATE` with 300 recipients. */
function lateSenderHour(): HourSenders {
  const senders = new HourSenders(64);
  for (let i = 0; i < 100; i++) senders.add(`user${i}@example.com`, START + i * 1000);
  for (let i = 0; i < 300; i++) senders.add(LATE, START + 3_000_000 + i * 1000);
  return senders;
}

function topSender(senders: HourSenders): [string | null, number] | undefined {
  const entries = [...senders].map(([sender, counts]): [string | null, number] => [
    sender,
    counts.recipients,
  ]);
  return entries.sort((a, b) => b[1] - a[1])[0];
}

describe("HourSenders", () => {
  test("counts exactly below capacity", () => {
    const senders = new HourSenders(64);
    for (let i = 0; i < 30; i++) senders.add(`user${i % 3}@example.com`, START + i);
    senders.add(null, START);

    expect(senders.isExact).toBe(true);
    expect(senders.size).toBe(4);
    expect(senders.get("user0@example.com")).toEqual({
      sender: "user0@example.com",
      recipients: 10,
      overcount: 0,
      firstTime: START,
    });
    expect(senders.get(null)?.recipients).toBe(1);
  });

  test("late heavy sender is the top sender", () => {
    const senders = lateSenderHour();

    expect(senders.size).toBe(64);
    expect(senders.isExact).toBe(false);
    expect(topSender(senders)).toEqual([LATE, 300]);
  });

  test("late sender keeps its inherited count apart", () => {
    const late = lateSenderHour().get(LATE);

    expect(late?.recipients).toBe(300);
    expect(late?.overcount).toBe(1);
    expect(late?.firstTime).toBe(START + 3_000_000);
  });

  test("missing sender is bounded by the smallest estimate", () => {
    const senders = lateSenderHour();

    expect(senders.get("user0@example.com")).toBeUndefined();
    // The 27 senders that kept their first place have 1 recipient each.
    expect(senders.maxMissingRecipients).toBe(1);
  });

  test("missing sender sent nothing while exact", () => {
    const senders = new HourSenders(64);
    senders.add("user0@example.com", START);

    expect(senders.maxMissingRecipients).toBe(0);
  });

  test("earliest message time wins", () => {
    const senders = new HourSenders(64);
    senders.add(LATE, START + 5000);
    senders.add(LATE, START + 1000);

    expect(senders.get(LATE)?.firstTime).toBe(START + 1000);
  });

  test("sender that never replaced another stays exact", () => {
    const senders = lateSenderHour();
    const exact = [...senders].filter(([, counts]) => counts.overcount === 0);

    // 37 of the first 64 senders gave way: 36 to the senders after them and 1 to `LATE`.
    expect(exact).toHaveLength(27);
    for (const [, counts] of exact) expect(counts.recipients).toBe(1);
  });
});
