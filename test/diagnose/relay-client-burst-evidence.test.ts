import { describe, expect, test } from "vitest";
import type { Diagnosis, Finding } from "../../src/diagnose/types.js";
import { diagnoseText } from "../helpers/diagnose-text.js";
import { HOUR, PostfixLog, T0 } from "../helpers/postfix-fixture.js";
import { schemaValidator } from "../helpers/schema.js";

const validateDiagnosis = schemaValidator("diagnose.schema.json");

const DAY = 24 * HOUR;
const CLIENT = "SMTP client 192.0.2.80 without SMTP AUTH";

/**
 * Sends 8 days of ordinary mail: staff@example.com sends 100 recipients an hour from 08:00 to
 * 17:59, and the web server 192.0.2.80 relays 4 messages a day without SMTP AUTH.
 */
function ordinaryDays(log: PostfixLog): void {
  for (let day = 0; day < 8; day++) {
    for (let hour = 8; hour < 18; hour++) {
      for (let i = 0; i < 100; i++) {
        log.submit({
          time: T0 + day * DAY + hour * HOUR + i * 30_000,
          account: "staff@example.com",
          from: "staff@example.com",
          clientIp: "192.0.2.10",
          recipients: [{ address: `c${day}-${hour}-${i}@example.net` }],
        });
      }
    }
    for (let hour = 0; hour < 24; hour += 6) {
      log.relay({
        time: T0 + day * DAY + hour * HOUR + 60_000,
        clientIp: "192.0.2.80",
        from: "shop@example.com",
        recipients: [{ address: `o${day}-${hour}@example.net` }],
      });
    }
  }
}

/** Relays 500 messages an hour for 3 hours from `start`, each from a new envelope sender. */
function relayBurst(log: PostfixLog, start: number): void {
  for (let hour = 0; hour < 3; hour++) {
    for (let i = 0; i < 500; i++) {
      log.relay({
        time: start + hour * HOUR + i * 7_000,
        clientIp: "192.0.2.80",
        from: `u${hour}x${i}@shop.example.com`,
        recipients: [{ address: `v${hour}-${i}@example.net` }],
      });
    }
  }
}

function spikeOf(diagnosis: Diagnosis): Finding | undefined {
  return diagnosis.findings.find((finding) => finding.id === "volume-spike");
}

describe("relay client burst beside the office peak", () => {
  test("evidence names the relay client", async () => {
    const log = new PostfixLog();
    ordinaryDays(log);
    relayBurst(log, T0 + 6 * DAY + 17 * HOUR);
    const diagnosis = await diagnoseText(log.text());
    const evidence = spikeOf(diagnosis)?.evidence as Record<string, unknown> | undefined;
    const origins = evidence?.["topOrigins"] as Array<{ name: string; recipients: number }>;
    const senders = evidence?.["topSenders"] as Array<{ recipients: number }>;

    expect(evidence?.["burstClient"]).toBe(CLIENT);
    expect(origins[0]).toEqual({ name: CLIENT, recipients: 1501 });
    expect(origins.map((origin) => origin.name)).not.toContain("SASL account staff@example.com");
    expect(JSON.stringify(senders)).not.toContain("staff@example.com");
    // Each relayed sender sent 1 message, and the hourly tables dropped many such senders.
    expect(senders).toEqual([]);
    expect(validateDiagnosis(JSON.parse(JSON.stringify(diagnosis)))).toEqual([]);
  });

  test("account above its usual stays listed", async () => {
    const log = new PostfixLog();
    ordinaryDays(log);
    relayBurst(log, T0 + 6 * DAY + 17 * HOUR);
    // staff@example.com doubles its last office hour on the burst day.
    for (let i = 0; i < 100; i++) {
      log.submit({
        time: T0 + 6 * DAY + 17 * HOUR + i * 30_000 + 15_000,
        account: "staff@example.com",
        from: "staff@example.com",
        clientIp: "192.0.2.10",
        recipients: [{ address: `extra${i}@example.net` }],
      });
    }
    const diagnosis = await diagnoseText(log.text());
    const evidence = spikeOf(diagnosis)?.evidence as Record<string, unknown> | undefined;
    const origins = evidence?.["topOrigins"] as Array<{ name: string; recipients: number }>;

    expect(origins[0]?.name).toBe(CLIENT);
    expect(origins[1]).toEqual({ name: "SASL account staff@example.com", recipients: 200 });
  });
});

describe("burst against a usual level of 0", () => {
  test("title reads as a rise from 0", async () => {
    const log = new PostfixLog();
    ordinaryDays(log);
    relayBurst(log, T0 + 8 * DAY + 2 * HOUR);
    const diagnosis = await diagnoseText(log.text());
    const spike = spikeOf(diagnosis);

    expect(spike?.title).toBe(`Outbound volume of ${CLIENT} rose from 0 to 500 recipients an hour`);
    expect(spike?.title).not.toContain("times");
  });
});
