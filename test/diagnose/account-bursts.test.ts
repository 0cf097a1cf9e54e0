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
 * Sends `count` recipients in the hour that starts `hour` hours after T0, one message each,
 * taking turns among the staff accounts, each from its own address.
 */
function officeHour(log: PostfixLog, hour: number, count: number): void {
  const step = Math.floor((58 * 60_000) / count);
  for (let i = 0; i < count; i++) {
    const account = STAFF[i % STAFF.length] ?? "staff1@example.com";
    log.submit({
      time: T0 + hour * HOUR + i * step,
      account,
      clientIp: "198.51.100.10",
      recipients: [{ address: `contact${hour}-${i}@example.net` }],
    });
  }
}

/**
 * Sends `days` days of office mail: `busy` recipients an hour from 09:00 to 16:59, else 5. A
 * `busy` level above a night burst makes the server's busiest hours an ordinary day peak.
 */
function officeDays(log: PostfixLog, days: number, busy = 40): void {
  for (let hour = 0; hour < days * 24; hour++) {
    const ofDay = hour % 24;
    officeHour(log, hour, ofDay >= 9 && ofDay < 17 ? busy : 5);
  }
}

/**
 * Sends `count` recipients of `account` in the hour that starts `hour` hours after T0, in
 * messages of 10 recipients. `from` gives the envelope sender of message `index`.
 */
function accountHour(
  log: PostfixLog,
  account: string,
  hour: number,
  count: number,
  from: (index: number) => string = () => account,
): void {
  for (let message = 0; message * 10 < count; message++) {
    const recipients = Array.from({ length: Math.min(10, count - message * 10) }, (_, i) => ({
      address: `burst${hour}-${message}-${i}@example.org`,
    }));
    log.submit({
      time: T0 + hour * HOUR + 60_000 + message * 20_000,
      account,
      from: from(message),
      clientIp: "198.51.100.66",
      recipients,
    });
  }
}

function spikeOf(diagnosis: Diagnosis): Record<string, unknown> | undefined {
  const spike = diagnosis.findings.find((finding) => finding.id === "volume-spike");
  return spike?.evidence as Record<string, unknown> | undefined;
}

function titleOf(diagnosis: Diagnosis): string {
  return diagnosis.findings.find((finding) => finding.id === "volume-spike")?.title ?? "";
}

function summaryOf(diagnosis: Diagnosis): string {
  return diagnosis.findings.find((finding) => finding.id === "volume-spike")?.summary ?? "";
}

describe("night bursts by account", () => {
  test("forged envelope senders", async () => {
    const log = new PostfixLog();
    officeDays(log, 4, 160);
    for (let hour = 4 * 24 + 2; hour < 4 * 24 + 4; hour++) {
      accountHour(log, "staff3@example.com", hour, 150, (i) => `x${hour}${i}@spam${i}.example.org`);
    }
    for (let hour = 4 * 24 + 4; hour < 4 * 24 + 8; hour++) officeHour(log, hour, 5);
    const diagnosis = await diagnose(log);
    const evidence = spikeOf(diagnosis);

    expect(evidence?.["burstAccount"]).toBe("SASL account staff3@example.com");
    expect(evidence?.["start"]).toBe("2024-03-08T02:01:00Z");
    expect(evidence?.["end"]).toBe("2024-03-08T04:00:00Z");
    expect(summaryOf(diagnosis)).toContain(
      "At that time of day SASL account staff3@example.com usually sends mail to 1 recipient an hour",
    );
    expect(validateDiagnosis(JSON.parse(JSON.stringify(diagnosis)))).toEqual([]);
  });

  test("new envelope sender of an account", async () => {
    const log = new PostfixLog();
    officeDays(log, 4, 160);
    accountHour(log, "staff3@example.com", 4 * 24 + 2, 150, () => "newsletter@example.com");
    accountHour(log, "staff3@example.com", 4 * 24 + 3, 150, () => "newsletter@example.com");
    for (let hour = 4 * 24 + 4; hour < 4 * 24 + 8; hour++) officeHour(log, hour, 5);
    const evidence = spikeOf(await diagnose(log));

    expect(evidence?.["burstAccount"]).toBe("SASL account staff3@example.com");
    expect(evidence?.["peakHour"]).toBe("2024-03-08T02:00:00Z");
  });

  test("new account", async () => {
    const log = new PostfixLog();
    officeDays(log, 4, 160);
    accountHour(log, "intruder@example.com", 4 * 24 + 2, 150);
    accountHour(log, "intruder@example.com", 4 * 24 + 3, 150);
    for (let hour = 4 * 24 + 4; hour < 4 * 24 + 8; hour++) officeHour(log, hour, 5);
    const evidence = spikeOf(await diagnose(log));

    expect(evidence?.["burstAccount"]).toBe("SASL account intruder@example.com");
    expect(evidence?.["burstSender"]).toBe("intruder@example.com");
  });

  test("local program", async () => {
    const log = new PostfixLog();
    officeDays(log, 4, 160);
    // 300 messages over two hours, from 7 envelope senders of about 21 recipients an hour.
    for (let i = 0; i < 300; i++) {
      log.pickup({
        time: T0 + (4 * 24 + 2) * HOUR + 60_000 + i * 23_000,
        uid: 33,
        user: `www-data${i % 7}`,
        script: "contact.php",
        recipients: [{ address: `web${i}@example.org` }],
      });
    }
    for (let hour = 4 * 24 + 4; hour < 4 * 24 + 8; hour++) officeHour(log, hour, 5);
    const evidence = spikeOf(await diagnose(log));

    expect(evidence?.["burstAccount"]).toContain("uid 33");
    expect(evidence?.["burstSender"]).toBeNull();
    expect(evidence?.["peakHour"]).toBe("2024-03-08T02:00:00Z");
  });

  test("nightly job does not hide a burst", async () => {
    // news@example.com sends 150 at 03:00 every day, so the server's 03:00 hour doubles at
    // most, but staff3 never sent at that hour before.
    const log = new PostfixLog();
    officeDays(log, 5);
    for (let day = 0; day < 5; day++) accountHour(log, "news@example.com", day * 24 + 3, 150);
    accountHour(log, "staff3@example.com", 4 * 24 + 3, 150);
    const diagnosis = await diagnose(log);
    const evidence = spikeOf(diagnosis);

    expect(evidence?.["burstAccount"]).toBe("SASL account staff3@example.com");
    expect(evidence?.["peakHour"]).toBe("2024-03-08T03:00:00Z");
    // staff3 usually sends to 1 recipient at 03:00, and the server to 155 with the nightly job.
    expect(titleOf(diagnosis)).toBe(
      "Outbound volume of SASL account staff3@example.com jumped to 151 recipients an hour, 151 times its usual",
    );
  });

  test("nightly job alone is no spike", async () => {
    const log = new PostfixLog();
    officeDays(log, 5);
    for (let day = 0; day < 5; day++) accountHour(log, "news@example.com", day * 24 + 3, 150);
    const evidence = spikeOf(await diagnose(log));

    expect(evidence).toBeUndefined();
  });

  test("long burst starts at its first hour", async () => {
    // staff3 sends 100 an hour from day 3 12:00 to the end of the log. The office peak from
    // 09:00 to 11:59 before it is ordinary mail.
    const log = new PostfixLog();
    officeDays(log, 5);
    for (let hour = 3 * 24 + 12; hour < 5 * 24; hour++) {
      accountHour(log, "staff3@example.com", hour, 100);
    }
    const evidence = spikeOf(await diagnose(log));

    expect(evidence?.["start"]).toBe("2024-03-07T12:01:00Z");
    expect(evidence?.["burstAccount"]).toBe("SASL account staff3@example.com");
  });
});

function diagnose(log: PostfixLog): Promise<Diagnosis> {
  return diagnoseText(log.text());
}
