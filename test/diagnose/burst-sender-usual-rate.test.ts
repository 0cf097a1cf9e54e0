import { describe, expect, test } from "vitest";
import type { Diagnosis, ReadinessItem } from "../../src/diagnose/types.js";
import { diagnoseText } from "../helpers/diagnose-text.js";
import {
  GMAIL_RATE_LIMIT,
  HOUR,
  PostfixLog,
  SENT,
  T0,
  type Outcome,
} from "../helpers/postfix-fixture.js";
import { schemaValidator } from "../helpers/schema.js";

const MINUTE = 60_000;
const DAY = 24 * HOUR;
const validateDiagnosis = schemaValidator("diagnose.schema.json");
/** 16:00 on the second day, when bob@example.com starts his burst. */
const BURST_START = T0 + DAY + 16 * HOUR;

/** Sends one message of bob@example.com to one recipient at `time`. */
function bobMessage(log: PostfixLog, time: number, address: string): void {
  log.submit({
    time,
    account: "bob@example.com",
    clientIp: "198.51.100.27",
    recipients: [{ address }],
  });
}

/**
 * Builds two days in which bob@example.com sends one message at 22:05 each day and
 * carol@example.com one message an hour. On the second day bob sends 12 messages to 4 Gmail
 * recipients each from 16:00, one every 5 minutes, which Gmail defers. `lateBurstHour` adds 30
 * more recipients of bob in the hour from 22:00, so that he still sends at burst level then.
 */
function burstLog(lateBurstHour: boolean): PostfixLog {
  const log = new PostfixLog();
  for (let hour = 0; hour < 47; hour++) {
    log.submit({
      time: T0 + hour * HOUR + 30 * MINUTE,
      account: "carol@example.com",
      clientIp: "198.51.100.28",
      recipients: [{ address: `partner${hour}@example.net` }],
    });
  }
  bobMessage(log, T0 + 22 * HOUR + 5 * MINUTE, "friend0@example.net");
  for (let index = 0; index < 12; index++) {
    log.submit({
      time: BURST_START + index * 5 * MINUTE + 11_000,
      account: "bob@example.com",
      clientIp: "198.51.100.27",
      recipients: Array.from({ length: 4 }, (_, slot) => ({
        address: `x${index}.${slot}@gmail.com`,
        outcome: GMAIL_RATE_LIMIT,
      })),
    });
  }
  bobMessage(log, T0 + DAY + 22 * HOUR + 5 * MINUTE, "friend1@example.net");
  if (lateBurstHour) {
    for (let index = 0; index < 30; index++) {
      bobMessage(log, T0 + DAY + 22 * HOUR + 10 * MINUTE + index * MINUTE, `y${index}@example.org`);
    }
  }
  return log;
}

/**
 * Builds `burstLog(false)` and adds 15 recipients of bob@example.com at 23:00 on the second day,
 * which get `outcome`. The log's last line comes 10 minutes later.
 */
function lateHourLog(outcome: Outcome): PostfixLog {
  const log = burstLog(false);
  const lateHour = T0 + DAY + 23 * HOUR;
  log.submit({
    time: lateHour + 11_000,
    account: "bob@example.com",
    clientIp: "198.51.100.27",
    recipients: Array.from({ length: 15 }, (_, slot) => ({
      address: `late${slot}@gmail.com`,
      outcome,
    })),
  });
  log.submit({
    time: lateHour + 10 * MINUTE,
    account: "carol@example.com",
    clientIp: "198.51.100.28",
    recipients: [{ address: "partner-last@example.net" }],
  });
  return log;
}

/**
 * Builds `burstLog(false)` with one more message of bob@example.com to one Gmail recipient at
 * `time` on the second day, which gets `outcome`.
 */
function laterMessageLog(outcome: Outcome, time = 19 * HOUR + 5 * MINUTE): PostfixLog {
  const log = burstLog(false);
  log.submit({
    time: T0 + DAY + time,
    account: "bob@example.com",
    clientIp: "198.51.100.27",
    recipients: [{ address: "friend2@gmail.com", outcome }],
  });
  return log;
}

function causeStopped(diagnosis: Diagnosis): ReadinessItem | undefined {
  return diagnosis.readiness.items.find((item) => item.id === "cause-stopped");
}

function spikeEvidence(diagnosis: Diagnosis): Record<string, unknown> {
  const spike = diagnosis.findings.find((finding) => finding.id === "volume-spike");
  return (spike?.evidence ?? {}) as Record<string, unknown>;
}

describe("burst sender judged by its usual rate", () => {
  test("ordinary later message passes", async () => {
    const diagnosis = await diagnoseText(burstLog(false).text());
    const item = causeStopped(diagnosis);

    expect(spikeEvidence(diagnosis)["burstSender"]).toBe("bob@example.com");
    expect(item?.status).toBe("pass");
    expect(item?.detail).toContain(
      "bob@example.com, which the volume-spike finding names, sent mail at burst level until 2024-03-05T17:00:00Z",
    );
    expect(item?.detail).toContain(
      "Its later mail, the latest at 2024-03-05T22:05:00Z, stayed below that level",
    );
  });

  test("evidence gives the burst level end", async () => {
    const diagnosis = await diagnoseText(burstLog(false).text());
    const evidence = spikeEvidence(diagnosis);
    const bursts = evidence["bursts"] as Array<Record<string, unknown>>;

    expect(evidence["burstSenderLastMessage"]).toBe("2024-03-05T22:05:00Z");
    expect(evidence["burstSenderAboveUsualUntil"]).toBe("2024-03-05T17:00:00Z");
    expect(bursts[0]?.["burstSenderAboveUsualUntil"]).toBe("2024-03-05T17:00:00Z");
    expect(evidence["burstSenderLastHighHour"]).toEqual({
      start: "2024-03-05T16:00:00Z",
      recipients: 48,
      usualRecipients: 0,
    });
    expect(evidence["burstSenderLastBlockedMessage"]).toBeNull();
    expect(bursts[0]?.["burstSenderLastHighHour"]).toEqual(evidence["burstSenderLastHighHour"]);
    expect(validateDiagnosis(JSON.parse(JSON.stringify(diagnosis)))).toEqual([]);
  });

  test("burst level at log end fails", async () => {
    const diagnosis = await diagnoseText(burstLog(true).text());
    const item = causeStopped(diagnosis);

    expect(item?.status).toBe("fail");
    expect(item?.detail).toContain(
      "bob@example.com, which the volume-spike finding names, still sent mail above its usual rate at 2024-03-05T22:39:00Z",
    );
    expect(item?.detail).toContain(
      "In the hour from 2024-03-05T22:00:00Z it sent mail to 31 recipients, where it usually sends mail to 1 an hour at that time of day.",
    );
    expect(item?.detail).not.toContain("block reply");
  });
});

describe("burst sender still sending", () => {
  test("15 an hour near log end fails", async () => {
    const diagnosis = await diagnoseText(lateHourLog(SENT).text());
    const item = causeStopped(diagnosis);

    expect(spikeEvidence(diagnosis)["burstSenderAboveUsualUntil"]).toBe("2024-03-05T23:00:11Z");
    expect(item?.status).toBe("fail");
    expect(item?.detail).toContain(
      "bob@example.com, which the volume-spike finding names, still sent mail above its usual rate at 2024-03-05T23:00:11Z",
    );
    expect(item?.detail).toContain(
      "In the hour from 2024-03-05T23:00:00Z it sent mail to 15 recipients, where it usually sends mail to 0 an hour at that time of day.",
    );
    expect(item?.detail).not.toContain("block reply");
  });

  test("fast and blocked names both", async () => {
    const diagnosis = await diagnoseText(lateHourLog(GMAIL_RATE_LIMIT).text());
    const item = causeStopped(diagnosis);
    const evidence = spikeEvidence(diagnosis);

    expect(evidence["burstSenderLastBlockedMessage"]).toBe("2024-03-05T23:00:11Z");
    expect(item?.status).toBe("fail");
    expect(item?.detail).toContain(
      "still sent mail above its usual rate, and mail that receivers blocked, at 2024-03-05T23:00:11Z",
    );
    expect(item?.detail).toContain(
      "In the hour from 2024-03-05T23:00:00Z it sent mail to 15 recipients, where it usually sends mail to 0 an hour",
    );
    expect(item?.detail).toContain(
      "Its latest message that got a block reply entered the queue at 2024-03-05T23:00:11Z.",
    );
    expect(validateDiagnosis(JSON.parse(JSON.stringify(diagnosis)))).toEqual([]);
  });

  test("blocked later message moves the end", async () => {
    const diagnosis = await diagnoseText(laterMessageLog(GMAIL_RATE_LIMIT).text());

    expect(spikeEvidence(diagnosis)["burstSenderAboveUsualUntil"]).toBe("2024-03-05T19:05:00Z");
    expect(validateDiagnosis(JSON.parse(JSON.stringify(diagnosis)))).toEqual([]);
  });

  test("accepted later message keeps the end", async () => {
    const diagnosis = await diagnoseText(laterMessageLog(SENT).text());

    expect(spikeEvidence(diagnosis)["burstSenderAboveUsualUntil"]).toBe("2024-03-05T17:00:00Z");
  });

  test("blocked message near log end fails", async () => {
    const diagnosis = await diagnoseText(
      laterMessageLog(GMAIL_RATE_LIMIT, 22 * HOUR + 20 * MINUTE).text(),
    );

    const item = causeStopped(diagnosis);

    expect(spikeEvidence(diagnosis)["burstSenderAboveUsualUntil"]).toBe("2024-03-05T22:20:00Z");
    expect(spikeEvidence(diagnosis)["burstSenderLastBlockedMessage"]).toBe("2024-03-05T22:20:00Z");
    expect(item?.status).toBe("fail");
    expect(item?.detail).toContain(
      "bob@example.com, which the volume-spike finding names, still sent mail that receivers blocked at 2024-03-05T22:20:00Z",
    );
    expect(item?.detail).toContain(
      "Its latest message that got a block reply entered the queue at 2024-03-05T22:20:00Z.",
    );
    expect(item?.detail).not.toContain("In the hour from");
  });

  test("earlier high hour keeps its time", async () => {
    const log = burstLog(true);
    log.submit({
      time: T0 + DAY + 23 * HOUR + 30 * MINUTE,
      account: "bob@example.com",
      clientIp: "198.51.100.27",
      recipients: [{ address: "friend3@gmail.com", outcome: GMAIL_RATE_LIMIT }],
    });
    const diagnosis = await diagnoseText(log.text());
    const item = causeStopped(diagnosis);

    expect(item?.status).toBe("fail");
    expect(item?.detail).toContain(
      "bob@example.com, which the volume-spike finding names, still sent mail that receivers blocked at 2024-03-05T23:30:00Z",
    );
    expect(item?.detail).not.toContain("above its usual rate, and mail that receivers blocked");
    expect(item?.detail).toContain(
      "Its latest hour above its usual rate was the hour from 2024-03-05T22:00:00Z, in which it sent mail to 31 recipients",
    );
    expect(item?.detail).toContain(
      "Its latest message that got a block reply entered the queue at 2024-03-05T23:30:00Z.",
    );
  });
});
