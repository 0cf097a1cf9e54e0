import { describe, expect, test } from "vitest";
import { rampItem } from "../../src/diagnose/daily-volume-readiness.js";
import { HOUR, T0 } from "../helpers/postfix-fixture.js";

const DAY = 24 * HOUR;

/** Returns a ramp that starts on 2024-03-04, one entry a day. */
function ramp(...recipients: number[]): Array<{ day: string; recipients: number }> {
  return recipients.map((count, index) => ({
    day: new Date(T0 + index * DAY).toISOString().slice(0, 10),
    recipients: count,
  }));
}

describe("volume item of a small server's ramp", () => {
  test("fails while the last day is the peak", () => {
    const item = rampItem(ramp(8, 16, 32, 64));

    expect(item?.status).toBe("fail");
    expect(item?.detail).toContain("2024-03-07, the last whole day, sent 64.");
    expect(item?.detail).not.toContain("close");
  });

  test("passes below the peak without 'close'", () => {
    const item = rampItem(ramp(8, 16, 32, 64, 30));

    expect(item?.status).toBe("pass");
    expect(item?.detail).toContain(
      "sent 30, down from the peak of 64 and 22 recipients more than the 8 of 2024-03-04.",
    );
    expect(item?.detail).not.toContain("close");
  });

  test("calls a near value close", () => {
    const item = rampItem(ramp(8, 16, 32, 64, 12));

    expect(item?.status).toBe("pass");
    expect(item?.detail).toContain("sent 12, close to the 8 of 2024-03-04.");
  });

  test("names a far lower value", () => {
    const item = rampItem(ramp(100, 150, 225, 340, 20));

    expect(item?.status).toBe("pass");
    expect(item?.detail).toContain("sent 20, 80 recipients fewer than the 100 of 2024-03-04.");
  });
});

describe("volume item of a big server's ramp", () => {
  test("fails while far above the start", () => {
    expect(rampItem(ramp(100, 200, 400, 800, 400))?.status).toBe("fail");
  });

  test("passes once back near the start", () => {
    const item = rampItem(ramp(100, 200, 400, 800, 120));

    expect(item?.status).toBe("pass");
    expect(item?.detail).toContain("close to the 100 of 2024-03-04");
  });
});
