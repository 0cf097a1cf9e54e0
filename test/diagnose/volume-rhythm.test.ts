import { describe, expect, test } from "vitest";
import { DAY_MS } from "../../src/analysis/time.js";
import {
  busiestEarlierDay,
  exceedsEarlierDay,
  findBurst,
  type HourPoint,
} from "../../src/diagnose/series.js";
import type { Diagnosis } from "../../src/diagnose/types.js";
import { HOUR, PostfixLog, T0 } from "../helpers/postfix-fixture.js";
import { diagnoseText } from "../helpers/diagnose-text.js";

function diagnose(log: PostfixLog): Promise<Diagnosis> {
  return diagnoseText(log.text());
}

/** Sends `count` outbound recipients in the hour that starts `hour` hours after T0. */
function sendInHour(log: PostfixLog, hour: number, count: number): void {
  // Spread over the first 58 minutes, so each delivery line stays inside the hour.
  const step = Math.floor((58 * 60_000) / count);
  for (let i = 0; i < count; i++) {
    log.submit({
      time: T0 + hour * HOUR + i * step,
      account: "office@example.com",
      clientIp: "198.51.100.10",
      recipients: [{ address: `contact${hour}-${i}@example.net` }],
    });
  }
}

/** Sends `count` outbound recipients of `account` in the hour that starts `hour` hours after T0. */
function sendFromAccount(log: PostfixLog, account: string, hour: number, count: number): void {
  for (let i = 0; i < count; i++) {
    log.submit({
      time: T0 + hour * HOUR + i * 30_000,
      account,
      clientIp: "198.51.100.66",
      recipients: [{ address: `burst${hour}-${i}@example.org` }],
    });
  }
}

/** Sends a day of a relay's office rhythm: `busy` recipients an hour from 08:00 to 11:59, else 3. */
function officeDay(log: PostfixLog, day: number, busy: number): void {
  for (let hour = 0; hour < 24; hour++) {
    sendInHour(log, day * 24 + hour, hour >= 8 && hour < 12 ? busy : 3);
  }
}

function spikeOf(diagnosis: Diagnosis): Record<string, unknown> | undefined {
  const spike = diagnosis.findings.find((finding) => finding.id === "volume-spike");
  return spike?.evidence as Record<string, unknown> | undefined;
}

function hours(values: number[], start = 0): HourPoint[] {
  return values.map((value, index) => ({ hour: (start + index) * HOUR, value }));
}

describe("volume-spike and the time of day", () => {
  test("one-hour log has no spike", async () => {
    const log = new PostfixLog();
    sendInHour(log, 15, 42);
    const diagnosis = await diagnose(log);

    expect(spikeOf(diagnosis)).toBeUndefined();
    const volume = diagnosis.readiness.items.find((item) => item.id === "volume-normal");
    expect(volume?.status).toBe("not-checked");
    expect(volume?.detail).toContain("less than a day");
  });

  test("early burst leaves volume unchecked", async () => {
    const log = new PostfixLog();
    for (let hour = 0; hour < 31; hour++) sendInHour(log, hour, hour === 15 ? 150 : 3);
    const diagnosis = await diagnose(log);

    expect(spikeOf(diagnosis)).toBeUndefined();
    const volume = diagnosis.readiness.items.find((item) => item.id === "volume-normal");
    expect(volume?.status).toBe("not-checked");
  });

  test("flat two days pass the volume item", async () => {
    const log = new PostfixLog();
    for (let hour = 0; hour < 48; hour++) sendInHour(log, hour, 3);
    const diagnosis = await diagnose(log);

    const volume = diagnosis.readiness.items.find((item) => item.id === "volume-normal");
    expect(volume?.status).toBe("pass");
  });

  test("busier morning than yesterday is no spike", async () => {
    const log = new PostfixLog();
    officeDay(log, 0, 35);
    for (let hour = 0; hour < 8; hour++) sendInHour(log, 24 + hour, 3);
    for (let hour = 8; hour < 12; hour++) sendInHour(log, 24 + hour, 60);
    const diagnosis = await diagnose(log);

    expect(spikeOf(diagnosis)).toBeUndefined();
  });

  test("night burst after a day of history", async () => {
    const log = new PostfixLog();
    officeDay(log, 0, 35);
    sendInHour(log, 24, 3);
    sendInHour(log, 25, 3);
    sendInHour(log, 26, 150);
    for (let hour = 27; hour < 36; hour++) sendInHour(log, hour, 3);
    const diagnosis = await diagnose(log);
    const spike = spikeOf(diagnosis);

    expect(spike?.["peakRecipientsPerHour"]).toBe(150);
    expect(spike?.["baselineRecipientsPerHour"]).toBe(3);
    expect(spike?.["earlierDayRecipients"]).toBe(3);
    expect(spike?.["earlierDayStart"]).toBe("2024-03-04T02:00:00Z");
  });

  test("night burst behind a busier day hour", async () => {
    // The office hours send 120 an hour, so the search meets them first. Their first hours have
    // no earlier day to compare with, and the night burst of 90 stays below their level.
    const log = new PostfixLog();
    officeDay(log, 0, 120);
    officeDay(log, 1, 120);
    for (let hour = 48; hour < 56; hour++) sendInHour(log, hour, 3);
    sendFromAccount(log, "mallory@example.com", 50, 90);
    const evidence = spikeOf(await diagnose(log));
    const bursts = (evidence?.["bursts"] ?? []) as Array<Record<string, unknown>>;

    expect(bursts).toHaveLength(1);
    expect(evidence?.["burstSender"]).toBe("mallory@example.com");
    expect(evidence?.["start"]).toBe("2024-03-06T02:00:00Z");
    expect(evidence?.["peakRecipientsPerHour"]).toBe(93);
    expect(evidence?.["baselineRecipientsPerHour"]).toBe(3);
    expect(evidence?.["baselineSource"]).toBe("same-hours-earlier-days");
    expect(evidence?.["earlierDayRecipients"]).toBe(3);
  });

  test("night burst of a busy sender", async () => {
    // The burst's sender also sends the office hours, so the burst is far above its usual
    // hourly level but below its busiest hours.
    const log = new PostfixLog();
    officeDay(log, 0, 120);
    officeDay(log, 1, 120);
    for (let hour = 48; hour < 56; hour++) sendInHour(log, hour, 3);
    sendFromAccount(log, "office@example.com", 50, 90);
    const evidence = spikeOf(await diagnose(log));

    expect(evidence?.["burstSender"]).toBe("office@example.com");
    expect(evidence?.["peakRecipientsPerHour"]).toBe(93);
  });

  test("new sender in a busy hour is no spike", async () => {
    // A sender new in the log adds 60 to a morning hour of 120. That is far above its own
    // level, but not 6 times what the server sends at that time of day.
    const log = new PostfixLog();
    officeDay(log, 0, 120);
    officeDay(log, 1, 120);
    officeDay(log, 2, 120);
    sendFromAccount(log, "news@example.com", 2 * 24 + 9, 60);
    const diagnosis = await diagnose(log);

    expect(spikeOf(diagnosis)).toBeUndefined();
  });

  test("burst in the first day is not judged", async () => {
    const log = new PostfixLog();
    for (let hour = 0; hour < 20; hour++) sendInHour(log, hour, 3);
    sendInHour(log, 20, 300);
    const diagnosis = await diagnose(log);

    expect(spikeOf(diagnosis)).toBeUndefined();
  });
});

describe("busiestEarlierDay", () => {
  test("takes the busiest earlier day", () => {
    // Three days of 4 an hour. The burst hours 02-03 sent 20 on day 0 and 10 on day 1.
    const values = Array.from({ length: 72 }, () => 4);
    values[2] = 10;
    values[3] = 10;
    values[26] = 5;
    values[27] = 5;
    values[50] = 200;
    values[51] = 150;
    const points = hours(values);
    const burst = findBurst(points);
    expect(burst?.startHour).toBe(50 * HOUR);

    const earlier = burst === null ? null : busiestEarlierDay(points, burst, 0);
    expect(earlier?.startHour).toBe(2 * HOUR);
    expect(earlier?.total).toBe(20);
  });

  test("skips days the log does not cover", () => {
    const points = hours([...Array.from({ length: 30 }, () => 4), 300]);
    const burst = findBurst(points);
    expect(burst).not.toBeNull();
    if (burst === null) return;

    expect(busiestEarlierDay(points, burst, 0)?.startHour).toBe(burst.startHour - DAY_MS);
    expect(busiestEarlierDay(points, burst, 7 * HOUR)).toBeNull();
  });

  test("counts absent hours as zero", () => {
    const points = [...hours([4, 4, 4]), ...hours([300], 25)];
    const burst = findBurst(points);
    if (burst === null) throw new Error("expected a burst at hour 25");

    expect(busiestEarlierDay(points, burst, 0)?.total).toBe(4);
  });
});

describe("exceedsEarlierDay", () => {
  const burst = findBurst(hours([5, 5, 5, 5, 5, 5, 5, 80]));

  test("twice the earlier day is enough", () => {
    if (burst === null) throw new Error("expected a burst");
    expect(exceedsEarlierDay(burst, { startHour: 0, total: 40 })).toBe(true);
  });

  test("less than twice is not", () => {
    if (burst === null) throw new Error("expected a burst");
    expect(exceedsEarlierDay(burst, { startHour: 0, total: 41 })).toBe(false);
  });

  test("small absolute excess is not", () => {
    const small = findBurst(hours([1, 1, 1, 1, 1, 1, 1, 45]));
    if (small === null) throw new Error("expected a burst");
    expect(exceedsEarlierDay(small, { startHour: 0, total: 10 })).toBe(false);
  });
});

describe("busiestEarlierDay without history", () => {
  test("single hour has no earlier day", () => {
    const points = hours([500]);
    const burst = findBurst(points);
    if (burst === null) throw new Error("expected a burst against 0");

    expect(busiestEarlierDay(points, burst, 0)).toBeNull();
  });
});
