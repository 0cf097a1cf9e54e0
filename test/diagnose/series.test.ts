import { describe, expect, test } from "vitest";
import { HOUR_MS } from "../../src/analysis/time.js";
import { burstAt, findBurst, type HourPoint } from "../../src/diagnose/series.js";

function hours(values: number[], start = 0): HourPoint[] {
  return values.map((value, index) => ({ hour: (start + index) * HOUR_MS, value }));
}

describe("findBurst", () => {
  test("steady series has no burst", () => {
    expect(findBurst(hours([10, 12, 9, 11, 14, 10, 13, 12, 11, 30]))).toBeNull();
  });

  test("burst against earlier hours", () => {
    const burst = findBurst(hours([10, 12, 9, 11, 14, 10, 13, 12, 120, 310, 200, 11]));
    expect(burst?.peak.value).toBe(310);
    expect(burst?.peak.hour).toBe(9 * HOUR_MS);
    expect(burst?.baseline).toBe(12);
    expect(burst?.startHour).toBe(8 * HOUR_MS);
    expect(burst?.endHour).toBe(10 * HOUR_MS);
  });

  test("small absolute jump is no burst", () => {
    expect(findBurst(hours([2, 1, 2, 2, 1, 2, 2, 30]))).toBeNull();
  });

  test("short history uses the other hours", () => {
    const burst = findBurst(hours([5, 6, 400, 5]));
    expect(burst?.baseline).toBe(5);
    expect(burst?.peak.value).toBe(400);
  });

  test("gap of more than one hour ends the burst", () => {
    const points = [...hours([10, 10, 10, 10, 10, 10, 200]), { hour: 10 * HOUR_MS, value: 150 }];
    const burst = findBurst(points);
    expect(burst?.endHour).toBe(6 * HOUR_MS);
  });

  test("empty series has no burst", () => {
    expect(findBurst([])).toBeNull();
  });
});

describe("burstAt", () => {
  test("measures a lower hour", () => {
    // Hour 7 is higher than hour 17, and hour 17 is far above the 3 an hour before it.
    const points = hours([3, 3, 3, 3, 3, 3, 3, 300, 3, 3, 3, 3, 3, 3, 3, 3, 3, 90, 60, 3]);
    const burst = burstAt(points, 17);

    expect(burst?.peak.value).toBe(90);
    expect(burst?.baseline).toBe(3);
    expect(burst?.startHour).toBe(17 * HOUR_MS);
    expect(burst?.endHour).toBe(18 * HOUR_MS);
  });

  test("ordinary hour is no burst", () => {
    const points = hours([3, 3, 3, 3, 3, 3, 3, 200, 3, 3]);

    expect(burstAt(points, 8)).toBeNull();
  });

  test("index outside the series is no burst", () => {
    expect(burstAt(hours([3, 300]), -1)).toBeNull();
  });
});
