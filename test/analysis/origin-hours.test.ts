import { describe, expect, it } from "vitest";
import { DistinctCounter, hashString } from "../../src/analysis/distinct.js";
import { OriginHours } from "../../src/analysis/origin-hours.js";

const HOUR_MS = 3_600_000;
const START = Date.UTC(2025, 2, 1, 10, 0, 0);

function sendersOf(hours: OriginHours, hour: number): number {
  const union = new DistinctCounter();
  hours.get(hour)?.senders.addTo(union);
  return union.size;
}

describe("OriginHours", () => {
  it("counts messages and recipients by hour", () => {
    const hours = new OriginHours();
    const first = hours.rowOf(START + 120_000);
    hours.addMessage(first, hashString("a@example.com"));
    hours.addRecipient(first);
    hours.addRecipient(first);
    const second = hours.rowOf(START + HOUR_MS + 5_000);
    hours.addMessage(second, null);
    expect(hours.rowOf(START + 3_000_000)).toBe(first);
    expect(hours.size).toBe(2);
    expect(hours.get(START)).toEqual(
      expect.objectContaining({ messages: 1, recipients: 2, firstTime: START + 120_000 }),
    );
    expect(hours.get(START + HOUR_MS)).toEqual(
      expect.objectContaining({ messages: 1, recipients: 0, firstTime: START + HOUR_MS + 5_000 }),
    );
    expect(hours.get(START + 2 * HOUR_MS)).toBeUndefined();
    expect(hours.has(START + HOUR_MS)).toBe(true);
  });

  it("keeps hours in arrival order", () => {
    const hours = new OriginHours();
    hours.rowOf(START + 5 * HOUR_MS);
    hours.rowOf(START);
    hours.rowOf(START + 2 * HOUR_MS);
    hours.rowOf(START + 5 * HOUR_MS);
    expect([...hours.keys()]).toEqual([START + 5 * HOUR_MS, START, START + 2 * HOUR_MS]);
    expect([...hours].map(([hour]) => hour)).toEqual([...hours.keys()]);
  });

  it("counts distinct senders per hour", () => {
    const hours = new OriginHours();
    const row = hours.rowOf(START);
    hours.addMessage(row, hashString("a@example.com"));
    hours.addMessage(row, hashString("a@example.com"));
    expect(sendersOf(hours, START)).toBe(1);
    hours.addMessage(row, hashString("b@example.com"));
    hours.addMessage(row, hashString("c@example.com"));
    hours.addMessage(row, hashString("b@example.com"));
    expect(sendersOf(hours, START)).toBe(3);
    const other = hours.rowOf(START + HOUR_MS);
    hours.addMessage(other, null);
    expect(sendersOf(hours, START + HOUR_MS)).toBe(0);
  });

  it("lowers the first time", () => {
    const hours = new OriginHours();
    const row = hours.rowOf(START + 600_000);
    hours.lowerFirstTime(row, START + 900_000);
    expect(hours.get(START)?.firstTime).toBe(START + 600_000);
    hours.lowerFirstTime(row, START + 60_000);
    expect(hours.get(START)?.firstTime).toBe(START + 60_000);
  });

  it("finds each of many hours", () => {
    const hours = new OriginHours();
    for (let hour = 0; hour < 100; hour++) {
      const row = hours.rowOf(START + hour * HOUR_MS);
      for (let message = 0; message <= hour; message++) hours.addMessage(row, null);
    }
    // Out of order, as a second file of the same days would come.
    for (let hour = 99; hour >= 0; hour -= 7)
      hours.addMessage(hours.rowOf(START + hour * HOUR_MS), null);
    expect(hours.size).toBe(100);
    for (let hour = 0; hour < 100; hour++) {
      const extra = (99 - hour) % 7 === 0 ? 1 : 0;
      expect(hours.get(START + hour * HOUR_MS)?.messages).toBe(hour + 1 + extra);
    }
  });
});
