import { describe, expect, test } from "vitest";
import type { Diagnosis, Finding } from "../../src/diagnose/types.js";
import { RAMP_FACTOR } from "../../src/diagnose/findings/volume-spike.js";
import { WARM_UP_GROWTH_FACTOR } from "../../src/diagnose/findings/warm-up-pace.js";
import { GMAIL_RATE_LIMIT, HOUR, PostfixLog, SENT, T0 } from "../helpers/postfix-fixture.js";
import { diagnoseText } from "../helpers/diagnose-text.js";

/**
 * Writes a server that starts at T0 and doubles its daily volume from 100 recipients over five
 * days, sent by one account from 10:00. Gmail defers part of the mail from the fourth day on.
 */
function doublingWarmUp(): string {
  const log = new PostfixLog("mx");
  const stamp = new Date(T0).toISOString().replace("Z", "+00:00");
  log.raw(
    T0,
    `${stamp} mx postfix/master[100]: daemon started -- version 3.7.11, configuration /etc/postfix`,
  );
  [100, 200, 400, 800, 1600].forEach((recipients, day) => {
    for (let i = 0; i < recipients / 10; i++) {
      log.submit({
        time: T0 + day * 24 * HOUR + 10 * HOUR + i * 60_000,
        account: "shop@example.com",
        clientIp: "198.51.100.10",
        recipients: Array.from({ length: 10 }, (_, n) => ({
          address: `c${day}-${i}-${n}@gmail.com`,
          outcome: day >= 3 && n < 3 ? GMAIL_RATE_LIMIT : SENT,
        })),
      });
    }
  });
  // A quiet last line closes the fifth day, so that it counts as a whole day.
  log.submit({
    time: T0 + 5 * 24 * HOUR - 60_000,
    account: "shop@example.com",
    clientIp: "198.51.100.10",
    recipients: [{ address: "last@example.net" }],
  });
  return log.text();
}

function findingOf(diagnosis: Diagnosis, id: string): Finding | undefined {
  return diagnosis.findings.find((finding) => finding.id === id);
}

describe("warm-up pace", () => {
  test("pace stays below the ramp test", () => {
    expect(WARM_UP_GROWTH_FACTOR).toBeLessThan(RAMP_FACTOR);
  });

  test("new-ip restarts from the accepted day", async () => {
    const diagnosis = await diagnoseText(doublingWarmUp(), { year: 2024 });
    const fix = findingOf(diagnosis, "new-ip")?.fix[0] ?? "";

    expect(fix).toContain("go back to about 400 recipients a day");
    expect(fix).toContain("(2024-03-06)");
    expect(fix).toContain("by at most a quarter a day");
    expect(fix).not.toMatch(/double|twice/);
  });

  test("no advice allows doubling", async () => {
    const diagnosis = await diagnoseText(doublingWarmUp(), { year: 2024 });
    const advice = [
      ...diagnosis.findings.flatMap((finding) => finding.fix),
      ...diagnosis.readiness.items.map((item) => item.detail),
    ].join("\n");

    expect(advice).not.toMatch(/about double|about twice|twice the previous/);
  });
});
