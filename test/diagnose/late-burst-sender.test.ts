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
 * Builds three days of one message an hour from alice@example.com, then an hour in which 100
 * accounts send one message each, and in its last 10 minutes `LATE_SENDER` sends 300 messages
 * through a relay client without SMTP AUTH.
 */
function lateSenderLog(): string {
  const log = new PostfixLog();
  log.submitHourly({ hours: 3 * 24, recipient: (hour) => `friend${hour}@example.net` });
  for (let i = 0; i < 100; i++) {
    log.submit({
      time: BURST_HOUR + i * 30_000,
      account: `user${i}@example.com`,
      clientIp: "198.51.100.10",
      recipients: [{ address: `contact${i}@example.net` }],
    });
  }
  for (let i = 0; i < 300; i++) {
    log.relay({
      time: BURST_HOUR + 50 * 60_000 + i * 2000,
      clientIp: "192.0.2.80",
      from: LATE_SENDER,
      recipients: [{ address: `victim${i}@example.org` }],
    });
  }
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

    expect(line?.[1]).toMatch(/^offers@example\.com \(at least 300\), /);
  });
});
