import { describe, expect, test } from "vitest";
import { diagnoseText } from "../helpers/diagnose-text.js";

const MINUTE = 60_000;
const DAY_1 = Date.UTC(2026, 2, 4, 8, 0, 0);
const DAY_2 = DAY_1 + 24 * 60 * MINUTE;

const RELAY = "relay=gmail-smtp-in.l.google.com[192.0.2.27]:25, delay=1, delays=0.1/0/0.4/0.5";
const SENT = "dsn=2.0.0, status=sent (250 2.0.0 OK 1709 - gsmtp)";
const REJECTED =
  "dsn=5.7.1, status=bounced (host gmail-smtp-in.l.google.com[192.0.2.27] said: 550-5.7.1 " +
  "[203.0.113.5      12] Gmail has detected that this message is likely 550-5.7.1 unsolicited " +
  "mail. To reduce the amount of spam sent to Gmail, this message 550-5.7.1 has been blocked. " +
  "550 5.7.1 d1si1 - gsmtp (in reply to end of DATA command))";

let nextId = 0x100000;

// Postfix delivery lines to Gmail, one every `stepMinutes` from `start`, with one outcome.
function deliveries(start: number, count: number, stepMinutes: number, sent: boolean): string {
  const lines: string[] = [];
  for (let index = 0; index < count; index++) {
    const stamp = new Date(start + index * stepMinutes * MINUTE).toISOString();
    const id = (nextId++).toString(16).toUpperCase();
    const to = `u${id.toLowerCase()}@gmail.com`;
    const result = sent ? SENT : REJECTED;
    lines.push(
      `${stamp.replace(".000Z", "+00:00")} mx1 postfix/smtp[200]: ${id}: to=<${to}>, ${RELAY}, ${result}`,
    );
  }
  return lines.map((line) => `${line}\n`).join("");
}

// Day 1: five rejections from 08:00, then 25 deliveries every 7 minutes from 08:10, which
// lift the block. Day 2: 40 deliveries every 15 minutes from 08:00.
function twoDays(): { day1: string; day2: string } {
  const day1 = deliveries(DAY_1, 5, 1, false) + deliveries(DAY_1 + 10 * MINUTE, 25, 7, true);
  const day2 = deliveries(DAY_2, 40, 15, true);
  return { day1, day2 };
}

describe("late block reply", () => {
  test("days in time order", async () => {
    const { day1, day2 } = twoDays();

    const diagnosis = await diagnoseText(day1 + day2);
    const past = diagnosis.providers.gmail?.pastBlock;

    expect(past?.deliveredAfter).toBe(65);
    expect(past?.lastDelivery).toBe("2026-03-05T17:45:00Z");
    expect(past?.blockReadLate).toBe(false);
    expect(diagnosis.verdict.summary).not.toContain("not in time order");
  });

  test("days newest first", async () => {
    const { day1, day2 } = twoDays();

    const diagnosis = await diagnoseText(day2 + day1);
    const past = diagnosis.providers.gmail?.pastBlock;

    expect(past?.status).toBe("blocked");
    expect(past?.blockReadLate).toBe(true);
    expect(diagnosis.verdict.summary).toContain(
      "The log's lines are not in time order, so that count and the last delivery take only " +
        "the deliveries read after the last block reply, and may be too low and too early.",
    );
  });
});
