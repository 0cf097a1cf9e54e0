import { describe, expect, test } from "vitest";
import type { Diagnosis, Finding, ReadinessItem } from "../../src/diagnose/types.js";
import { diagnoseText } from "../helpers/diagnose-text.js";
import { HOUR, PostfixLog, T0 } from "../helpers/postfix-fixture.js";
import { schemaValidator } from "../helpers/schema.js";
import { SCRIPT_START, scriptWeekLog } from "./script-week-log.js";

const DAY = 24 * HOUR;
const validateDiagnosis = schemaValidator("diagnose.schema.json");

function spikeOf(diagnosis: Diagnosis): Finding | undefined {
  return diagnosis.findings.find((finding) => finding.id === "volume-spike");
}

function volumeItem(diagnosis: Diagnosis): ReadinessItem | undefined {
  return diagnosis.readiness.items.find((item) => item.id === "volume-normal");
}

/** Keeps the lines of `text` before `until`, read from their RFC 3339 timestamps. */
function cutLog(text: string, until: number): string {
  const lines = text.split("\n").filter((line) => Date.parse(line.split(" ")[0] ?? "") < until);
  return `${lines.join("\n")}\n`;
}

/**
 * Builds a log of one account that sends `perDay[i]` messages on day i, spread evenly over the
 * day, each to one recipient at example.net. No hour of it is an hourly burst.
 */
function dailyLog(perDay: readonly number[]): string {
  const log = new PostfixLog("mx");
  perDay.forEach((count, day) => {
    for (let index = 0; index < count; index++) {
      log.submit({
        time: T0 + day * DAY + Math.floor((index * DAY) / count),
        account: "alice@example.com",
        clientIp: "198.51.100.10",
        recipients: [{ address: `client${day}x${index}@example.net` }],
      });
    }
  });
  return log.text();
}

/**
 * Builds four days of a web server's log that is too short for the daily test. An account
 * sends three messages an hour from 8:00 to 17:59, 30 a day. From 14:00 on day 3, the PHP
 * script mailer.php sends 30 messages an hour for 20 hours. The log ends at `endHour` of
 * day 4, 18 for its last office hour. No hour is an hourly burst: 33 against 3 is too
 * small an excess.
 */
function shortScriptLog(endHour = 18): string {
  const log = new PostfixLog("web1");
  const end = T0 + 3 * DAY + endHour * HOUR;
  for (let day = 0; day < 4; day++) {
    for (let hour = 8; hour < 18; hour++) {
      for (let index = 0; index < 3; index++) {
        log.submit({
          time: T0 + day * DAY + hour * HOUR + index * 10 * 60_000,
          account: "alice@example.com",
          clientIp: "198.51.100.10",
          recipients: [{ address: `client${day}x${hour}x${index}@example.net` }],
        });
      }
    }
  }
  const scriptStart = T0 + 2 * DAY + 14 * HOUR;
  for (let index = 0; index < 20 * 30; index++) {
    log.pickup({
      time: scriptStart + index * 2 * 60_000 + 30_000,
      uid: 10012,
      user: "shopnet",
      script: "mailer.php",
      recipients: [{ address: `buyer${index}@example.net` }],
    });
  }
  return cutLog(log.text(), end);
}

describe("volume-spike over whole days", () => {
  test("steady script makes a daily burst", async () => {
    const spike = spikeOf(await diagnoseText(scriptWeekLog()));
    const evidence = spike?.evidence as Record<string, unknown>;

    expect(spike?.title).toBe("Outbound volume jumped to 822 recipients a day, 8 times the usual");
    expect(spike?.role).toBe("contributing");
    expect(evidence["scope"]).toBe("outbound recipients per day");
    expect(evidence["baselineRecipientsPerDay"]).toBe(102);
    expect(evidence["peakRecipientsPerDay"]).toBe(822);
    expect(evidence["peakDay"]).toBe("2024-03-08");
    expect(evidence["dailyRecipients"]).toEqual([
      { day: "2024-03-07", recipients: 402 },
      { day: "2024-03-08", recipients: 822 },
      { day: "2024-03-09", recipients: 402 },
    ]);
  });

  test("daily burst evidence of the script week matches the JSON schema", async () => {
    const diagnosis = await diagnoseText(scriptWeekLog({ listingAfterHours: 13 }));
    const ids = diagnosis.findings.map((finding) => finding.id);

    expect(ids).toEqual(expect.arrayContaining(["volume-spike", "web-script", "ip-blocklisted"]));
    expect(validateDiagnosis(JSON.parse(JSON.stringify(diagnosis)))).toEqual([]);
  });

  test("summary explains the missing hourly burst", async () => {
    const spike = spikeOf(await diagnoseText(scriptWeekLog()));

    expect(spike?.summary).toContain(
      "From 2024-03-07 the server sent mail to 1,626 recipients in 3 UTC days (402, 822, 402), while the busiest of the 3 whole days before sent 102.",
    );
    expect(spike?.summary).toContain("No single hour stood out");
    expect(spike?.summary).toContain("mailer.php");
  });

  test("readiness passes after a normal day", async () => {
    const item = volumeItem(await diagnoseText(scriptWeekLog()));

    expect(item?.status).toBe("pass");
    expect(item?.detail).toBe(
      "The daily burst from 2024-03-07 to 2024-03-09 (UTC days, up to 822 recipients a day against 102 before) ended: 2024-03-10 sent 102.",
    );
  });

  test("readiness fails while the burst goes on", async () => {
    const diagnosis = await diagnoseText(cutLog(scriptWeekLog(), SCRIPT_START + 30 * HOUR));
    const item = volumeItem(diagnosis);

    expect(spikeOf(diagnosis)).toBeDefined();
    expect(item?.status).toBe("fail");
    expect(item?.detail).toContain("still far above its usual daily level at the end of the log");
  });

  test("readiness waits for a whole day", async () => {
    const item = volumeItem(await diagnoseText(cutLog(scriptWeekLog(), T0 + 6 * DAY + 12 * HOUR)));

    expect(item?.status).toBe("not-checked");
    expect(item?.detail).toContain("the log ends before the next day is over");
  });

  test("two and a half times is no burst", async () => {
    expect(spikeOf(await diagnoseText(dailyLog([100, 100, 100, 100, 250])))).toBeUndefined();
  });

  test("small excess is no burst", async () => {
    expect(spikeOf(await diagnoseText(dailyLog([30, 30, 30, 30, 150])))).toBeUndefined();
  });

  test("two earlier days are too few", async () => {
    expect(spikeOf(await diagnoseText(dailyLog([50, 50, 600])))).toBeUndefined();
  });

  test("readiness lacks earlier days", async () => {
    const item = volumeItem(await diagnoseText(dailyLog([50, 50, 600])));

    expect(item?.status).toBe("not-checked");
    expect(item?.detail).toBe(
      "Outbound volume reached 600 recipients on 2024-03-06 (UTC) against at most 50 on an earlier day, but the log covers too few earlier days to compare with (2 whole days before 2024-03-06, 3 needed); give the rotated logs of the days before (mail.log* or maillog*).",
    );
  });

  test("readiness follows a stopped script", async () => {
    const diagnosis = await diagnoseText(shortScriptLog());
    const item = volumeItem(diagnosis);

    expect(diagnosis.findings.map((finding) => finding.id)).toContain("web-script");
    expect(spikeOf(diagnosis)).toBeUndefined();
    expect(item?.status).toBe("pass");
    expect(item?.detail).toBe(
      "Outbound volume went back to its level before the burst: after the web-script sending ended at 2024-03-07T09:58:30Z, the server sent mail to 21 recipients in 7 hours (72 a day), against 35 a day before it began. No daily test was possible, because the log covers too few earlier days to compare with (1 whole day before 2024-03-06, 3 needed).",
    );
  });

  test("readiness waits for a running script", async () => {
    const item = volumeItem(await diagnoseText(shortScriptLog(11)));

    expect(item?.status).toBe("not-checked");
    expect(item?.detail).toContain("too few earlier days to compare with");
  });

  test("three times and more is a burst", async () => {
    const spike = spikeOf(await diagnoseText(dailyLog([60, 100, 80, 100, 400])));
    const evidence = spike?.evidence as Record<string, unknown>;

    expect(evidence["baselineRecipientsPerDay"]).toBe(100);
    expect(evidence["peakRecipientsPerDay"]).toBe(400);
  });
});
