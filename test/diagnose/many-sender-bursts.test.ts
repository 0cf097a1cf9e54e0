import { describe, expect, test } from "vitest";
import type { Diagnosis } from "../../src/diagnose/types.js";
import { diagnoseText } from "../helpers/diagnose-text.js";
import { HOUR, PostfixLog, T0 } from "../helpers/postfix-fixture.js";
import { schemaValidator } from "../helpers/schema.js";

const validateDiagnosis = schemaValidator("diagnose.schema.json");

const STAFF = ["staff1", "staff2", "staff3", "staff4", "staff5"].map(
  (name) => `${name}@example.com`,
);

/**
 * Sends `days` days of office mail, each recipient in a message of its own: 160 recipients an
 * hour from 09:00 to 16:59, else 5, so that the busiest hours of the server are day hours.
 */
function officeDays(log: PostfixLog, days: number): void {
  for (let hour = 0; hour < days * 24; hour++) {
    const ofDay = hour % 24;
    const count = ofDay >= 9 && ofDay < 17 ? 160 : 5;
    const step = Math.floor((58 * 60_000) / count);
    for (let i = 0; i < count; i++) {
      log.submit({
        time: T0 + hour * HOUR + i * step,
        account: STAFF[i % STAFF.length] ?? "staff1@example.com",
        clientIp: "198.51.100.10",
        recipients: [{ address: `contact${hour}-${i}@example.net` }],
      });
    }
  }
}

/** The night burst: 150 messages an hour from 2024-03-07 22:00 to 2024-03-08 07:59. */
const BURST_START = T0 + (4 * 24 - 2) * HOUR;
const BURST_MESSAGES = 1500;
const BURST_STEP = (10 * HOUR) / BURST_MESSAGES;

/**
 * Sends the night burst in messages of one recipient each, from `senders` envelope senders
 * that take turns, through `send`.
 */
function nightBurst(
  senders: number,
  send: (time: number, from: string, recipient: string, index: number) => void,
): void {
  for (let i = 0; i < BURST_MESSAGES; i++) {
    const from = `s${i % senders}@spam${i % senders}.example.org`;
    send(BURST_START + i * BURST_STEP, from, `victim${i}@example.org`, i);
  }
}

function evidenceOf(diagnosis: Diagnosis): Record<string, unknown> | undefined {
  const spike = diagnosis.findings.find((finding) => finding.id === "volume-spike");
  return spike?.evidence as Record<string, unknown> | undefined;
}

function summaryOf(diagnosis: Diagnosis): string {
  return diagnosis.findings.find((finding) => finding.id === "volume-spike")?.summary ?? "";
}

describe("night burst spread over many envelope senders", () => {
  test("relay client without SMTP AUTH", async () => {
    const log = new PostfixLog();
    officeDays(log, 5);
    nightBurst(500, (time, from, recipient) => {
      log.relay({ time, clientIp: "192.0.2.80", from, recipients: [{ address: recipient }] });
    });
    const diagnosis = await diagnoseText(log.text());
    const evidence = evidenceOf(diagnosis);

    expect(evidence?.["burstClient"]).toBe("SMTP client 192.0.2.80 without SMTP AUTH");
    expect(evidence?.["burstAccount"]).toBeNull();
    expect(evidence?.["burstSourceSenders"]).toEqual({ count: 500, estimated: false });
    expect(evidence?.["start"]).toBe("2024-03-07T22:00:00Z");
    expect(summaryOf(diagnosis)).toContain(
      "Most came from SMTP client 192.0.2.80 without SMTP AUTH (1,500 of 1,550).",
    );
    expect(summaryOf(diagnosis)).toContain(
      "SMTP client 192.0.2.80 without SMTP AUTH used 500 envelope senders in the burst hours.",
    );
    expect(validateDiagnosis(JSON.parse(JSON.stringify(diagnosis)))).toEqual([]);
  });

  test("SASL account", async () => {
    const log = new PostfixLog();
    officeDays(log, 5);
    nightBurst(500, (time, from, recipient) => {
      log.submit({
        time,
        account: "staff3@example.com",
        from,
        clientIp: "198.51.100.66",
        recipients: [{ address: recipient }],
      });
    });
    const diagnosis = await diagnoseText(log.text());
    const evidence = evidenceOf(diagnosis);

    expect(evidence?.["burstAccount"]).toBe("SASL account staff3@example.com");
    expect(evidence?.["burstClient"]).toBeNull();
    // The 500 senders of the burst and staff3's own address in its ordinary night mail.
    expect(evidence?.["burstSourceSenders"]).toEqual({ count: 501, estimated: false });
    expect(validateDiagnosis(JSON.parse(JSON.stringify(diagnosis)))).toEqual([]);
  });

  test("local program", async () => {
    const log = new PostfixLog();
    officeDays(log, 5);
    // pickup logs `from=<user>`, and the queue manager `user@example.com` as the sender.
    nightBurst(500, (time, _from, recipient, index) => {
      log.pickup({
        time,
        uid: 33,
        user: `www${index % 500}`,
        recipients: [{ address: recipient }],
      });
    });
    const evidence = evidenceOf(await diagnoseText(log.text()));

    expect(evidence?.["burstAccount"]).toContain("uid 33");
    expect(evidence?.["burstSourceSenders"]).toEqual({ count: 500, estimated: false });
  });

  test("sender count past 512 is an estimate", async () => {
    const log = new PostfixLog();
    officeDays(log, 5);
    nightBurst(BURST_MESSAGES, (time, from, recipient) => {
      log.relay({ time, clientIp: "192.0.2.80", from, recipients: [{ address: recipient }] });
    });
    const diagnosis = await diagnoseText(log.text());
    const senders = evidenceOf(diagnosis)?.["burstSourceSenders"] as
      { count: number; estimated: boolean } | undefined;

    expect(senders?.estimated).toBe(true);
    // The estimate has about 1.6 % standard error, and these senders always hash alike.
    expect(senders?.count).toBeGreaterThan(BURST_MESSAGES * 0.95);
    expect(senders?.count).toBeLessThan(BURST_MESSAGES * 1.05);
    expect(summaryOf(diagnosis)).toMatch(
      /SMTP client 192\.0\.2\.80 without SMTP AUTH used about 1,\d{3} envelope senders in the burst hours \(an estimate\)\./,
    );
  });
});
