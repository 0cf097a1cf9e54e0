import { describe, expect, test } from "vitest";
import { analyseLogs } from "../../src/diagnose/run.js";
import type { Diagnosis } from "../../src/diagnose/types.js";
import { evidenceLines } from "../../src/report/evidence.js";
import { resolveTimeZone } from "../../src/time/zone.js";
import { diagnoseText } from "../helpers/diagnose-text.js";
import { HOUR, PostfixLog, T0, writeTemporaryLog } from "../helpers/postfix-fixture.js";
import { schemaValidator } from "../helpers/schema.js";

const validateDiagnosis = schemaValidator("diagnose.schema.json");

/** 14:00 on the fourth day, after three days of one message an hour. */
const BURST_HOUR = T0 + 3 * 24 * HOUR + 14 * HOUR;
const LATE_SENDER = "offers@example.com";

/**
 * Adds one message from each of 100 accounts, `user0@example.com` to `user99@example.com`, 30
 * seconds apart from `start`, in reverse order when `reverse` is true.
 */
function hundredSenders(log: PostfixLog, start: number, reverse = false): void {
  for (let i = 0; i < 100; i++) {
    const user = reverse ? 99 - i : i;
    log.submit({
      time: start + i * 30_000,
      account: `user${user}@example.com`,
      clientIp: "198.51.100.10",
      recipients: [{ address: `contact${user}@example.net` }],
    });
  }
}

/** Adds `count` messages of `LATE_SENDER` relayed by 192.0.2.80 in the last 10 minutes. */
function lateRun(log: PostfixLog, count: number): void {
  for (let i = 0; i < count; i++) {
    log.relay({
      time: BURST_HOUR + 50 * 60_000 + Math.floor((i * 600_000) / count),
      clientIp: "192.0.2.80",
      from: LATE_SENDER,
      recipients: [{ address: `victim${i}@example.org` }],
    });
  }
}

/**
 * Builds three days of one message an hour from alice@example.com, then an hour in which 100
 * accounts send one message each, and in its last 10 minutes `LATE_SENDER` sends 300 messages
 * through a relay client without SMTP AUTH.
 */
function lateSenderLog(): string {
  const log = new PostfixLog();
  log.submitHourly({ hours: 3 * 24, recipient: (hour) => `friend${hour}@example.net` });
  hundredSenders(log, BURST_HOUR);
  lateRun(log, 300);
  return log.text();
}

function spikeEvidence(diagnosis: Diagnosis): Record<string, unknown> {
  const spike = diagnosis.findings.find((finding) => finding.id === "volume-spike");
  return (spike?.evidence ?? {}) as Record<string, unknown>;
}

describe("late heavy sender of a busy hour", () => {
  test("tops the hour's senders", async () => {
    const file = writeTemporaryLog(lateSenderLog());
    try {
      const run = await analyseLogs([file.path], { timeZone: resolveTimeZone("UTC") });
      const senders = run.facts.volume.hours.get(BURST_HOUR)?.senders ?? [];
      const top = [...senders].sort((a, b) => b[1].recipients - a[1].recipients)[0];

      expect(top?.[0]).toBe(LATE_SENDER);
      expect(top?.[1].recipients).toBe(300);
    } finally {
      file.remove();
    }
  });

  test("tops the burst's senders", async () => {
    const diagnosis = await diagnoseText(lateSenderLog());
    const evidence = spikeEvidence(diagnosis);
    const senders = evidence["topSenders"] as Array<Record<string, unknown>> | undefined;

    expect(evidence["burstClient"]).toBe("SMTP client 192.0.2.80 without SMTP AUTH");
    expect(senders?.[0]).toEqual({ sender: LATE_SENDER, recipients: 300, atLeast: true });
    expect(evidence["burstSender"]).toBe(LATE_SENDER);
    expect(validateDiagnosis(JSON.parse(JSON.stringify(diagnosis)))).toEqual([]);
  });

  test("report says at least", async () => {
    const evidence = spikeEvidence(await diagnoseText(lateSenderLog()));
    const line = evidenceLines(evidence).find(([label]) => label === "Top senders");

    expect(line?.[1]).toBe("offers@example.com (at least 300)");
  });
});

describe("light senders of a busy earlier hour", () => {
  test("are not listed as new", async () => {
    const log = new PostfixLog();
    log.submitHourly({ hours: 3 * 24, recipient: (hour) => `friend${hour}@example.net` });
    // In reverse order the earlier days' tables drop user63 to user99, which the burst hour keeps.
    for (let day = 1; day <= 3; day++) hundredSenders(log, BURST_HOUR - day * 24 * HOUR, true);
    hundredSenders(log, BURST_HOUR);
    lateRun(log, 700);
    const evidence = spikeEvidence(await diagnoseText(log.text()));
    const senders = evidence["topSenders"] as Array<Record<string, unknown>> | undefined;

    expect(evidence["burstClient"]).toBe("SMTP client 192.0.2.80 without SMTP AUTH");
    expect(senders).toEqual([{ sender: LATE_SENDER, recipients: 700, atLeast: true }]);
  });
});

/**
 * Builds three days of one message an hour, then a burst hour: `mediumCount` recipients of
 * medium@example.org first, then 200 senders `s0@example.org` to `s199@example.org` with 2
 * recipients each, then 300 messages of `LATE_SENDER`.
 */
function manySmallSendersLog(mediumCount: number): string {
  const log = new PostfixLog();
  log.submitHourly({ hours: 3 * 24, recipient: (hour) => `friend${hour}@example.net` });
  for (let i = 0; i < mediumCount; i++) {
    log.submit({
      time: BURST_HOUR + i * 1_000,
      account: "medium@example.org",
      clientIp: "198.51.100.10",
      recipients: [{ address: `member${i}@example.net` }],
    });
  }
  for (let i = 0; i < 200; i++) {
    log.submit({
      time: BURST_HOUR + 60_000 + i * 10_000,
      account: `s${i}@example.org`,
      clientIp: "198.51.100.10",
      recipients: [{ address: `first${i}@example.net` }, { address: `second${i}@example.net` }],
    });
  }
  lateRun(log, 300);
  return log.text();
}

describe("many equal small senders", () => {
  test("are left out of top senders", async () => {
    const evidence = spikeEvidence(await diagnoseText(manySmallSendersLog(0)));
    const senders = evidence["topSenders"] as Array<Record<string, unknown>> | undefined;

    expect(senders).toEqual([{ sender: LATE_SENDER, recipients: 300, atLeast: true }]);
  });

  test("leave a larger sender listed", async () => {
    const diagnosis = await diagnoseText(manySmallSendersLog(40));
    const evidence = spikeEvidence(diagnosis);
    const senders = evidence["topSenders"] as Array<Record<string, unknown>> | undefined;

    expect(senders?.map((entry) => entry["sender"])).toEqual([LATE_SENDER, "medium@example.org"]);
    expect(senders?.[1]).toEqual({ sender: "medium@example.org", recipients: 40 });
    expect(validateDiagnosis(JSON.parse(JSON.stringify(diagnosis)))).toEqual([]);
  });
});
