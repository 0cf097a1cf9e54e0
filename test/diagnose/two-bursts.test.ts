import { describe, expect, test } from "vitest";
import type { Diagnosis, Finding } from "../../src/diagnose/types.js";
import { painter } from "../../src/report/colour.js";
import { renderDiagnosisMarkdown } from "../../src/report/markdown.js";
import { renderDiagnosisText } from "../../src/report/text.js";
import { diagnoseText } from "../helpers/diagnose-text.js";
import { schemaValidator } from "../helpers/schema.js";
import {
  GMAIL_RATE_LIMIT,
  GMAIL_UNSOLICITED,
  HOUR,
  PostfixLog,
  T0,
  type Outcome,
} from "../helpers/postfix-fixture.js";

const MINUTE = 60_000;
const validateDiagnosis = schemaValidator("diagnose.schema.json");
const DAY = 24 * HOUR;
/** 09:05 on the third day: the first, smaller burst, which Gmail defers from its first message. */
const ALICE_START = T0 + 2 * DAY + 9 * HOUR + 5 * MINUTE;
/** 15:05 on the same day: the second, larger burst, which Gmail rejects. */
const BOB_START = T0 + 2 * DAY + 15 * HOUR + 5 * MINUTE;

/** Adds office mail from anna@example.com at 10 past each hour from 06:00 to 21:00. */
function officeMail(log: PostfixLog, days: number): void {
  for (let day = 0; day < days; day++) {
    for (let hour = 6; hour <= 21; hour++) {
      log.submit({
        time: T0 + day * DAY + hour * HOUR + 10 * MINUTE,
        account: "anna@example.com",
        clientIp: "198.51.100.10",
        recipients: [{ address: `p${day}-${hour}@example.net` }],
      });
    }
  }
}

/** Adds `count` messages of `account`, one a minute from `start`, to 10 Gmail recipients each. */
function burst(
  log: PostfixLog,
  account: string,
  start: number,
  count: number,
  outcome: Outcome,
): void {
  for (let index = 0; index < count; index++) {
    log.submit({
      time: start + index * MINUTE,
      account,
      clientIp: "198.51.100.20",
      recipients: Array.from({ length: 10 }, (_, slot) => ({
        address: `${account.slice(0, 3)}${index}-${slot}@gmail.com`,
        outcome,
      })),
    });
  }
}

/**
 * Diagnoses three days of office mail with a burst of 200 recipients from alice@example.com
 * and then one of 300 from bob@example.com on the third day. With `aliceAtEnd`, alice also
 * sends one message at 23:30, the last line of the log.
 */
function diagnoseTwoBursts(aliceAtEnd = false): Promise<Diagnosis> {
  const log = new PostfixLog();
  officeMail(log, 3);
  burst(log, "alice@example.com", ALICE_START, 20, GMAIL_RATE_LIMIT);
  burst(log, "bob@example.com", BOB_START, 30, GMAIL_UNSOLICITED);
  if (aliceAtEnd) {
    log.submit({
      time: T0 + 2 * DAY + 23 * HOUR + 30 * MINUTE,
      account: "alice@example.com",
      clientIp: "198.51.100.20",
      recipients: [{ address: "late@example.net" }],
    });
  }
  return diagnoseText(log.text());
}

/**
 * Diagnoses office mail with a burst of 200 recipients from alice@example.com at 09:05 on the
 * second day. From 15:05 that day, bob@example.com sends to 10 recipients every 5 minutes until
 * 23:55 on the third day, so that his burst lasts longer than a day.
 */
function diagnoseLongSecondBurst(): Promise<Diagnosis> {
  const log = new PostfixLog();
  officeMail(log, 3);
  burst(log, "alice@example.com", ALICE_START - DAY, 20, GMAIL_RATE_LIMIT);
  const bobStart = BOB_START - DAY;
  const end = T0 + 2 * DAY + 23 * HOUR + 55 * MINUTE;
  for (let time = bobStart, index = 0; time <= end; time += 5 * MINUTE, index++) {
    log.submit({
      time,
      account: "bob@example.com",
      clientIp: "198.51.100.21",
      recipients: Array.from({ length: 10 }, (_, slot) => ({
        address: `bob${index}-${slot}@example.org`,
      })),
    });
  }
  return diagnoseText(log.text());
}

/**
 * Diagnoses `days` days of office mail with one burst. From 15:05 on the day before the last,
 * bob@example.com sends to 10 recipients every 5 minutes until 20:00 on the last day.
 */
function diagnoseLongLeadBurst(days: number): Promise<Diagnosis> {
  const log = new PostfixLog();
  officeMail(log, days);
  const end = T0 + (days - 1) * DAY + 20 * HOUR;
  let index = 0;
  for (let time = T0 + (days - 2) * DAY + 15 * HOUR + 5 * MINUTE; time <= end; time += 5 * MINUTE) {
    log.submit({
      time,
      account: "bob@example.com",
      clientIp: "198.51.100.21",
      recipients: Array.from({ length: 10 }, (_, slot) => ({
        address: `bob${index}-${slot}@example.org`,
      })),
    });
    index += 1;
  }
  return diagnoseText(log.text());
}

function spikeOf(diagnosis: Diagnosis): Finding | undefined {
  return diagnosis.findings.find((finding) => finding.id === "volume-spike");
}

function burstsOf(finding: Finding | undefined): Array<Record<string, unknown>> {
  const evidence = (finding?.evidence ?? {}) as { bursts?: Array<Record<string, unknown>> };
  return evidence.bursts ?? [];
}

describe("volume-spike with two bursts by two senders", () => {
  test("lists both bursts with their senders", async () => {
    const bursts = burstsOf(spikeOf(await diagnoseTwoBursts()));

    expect(bursts).toHaveLength(2);
    expect(bursts[0]?.["burstSender"]).toBe("alice@example.com");
    expect(Date.parse(String(bursts[0]?.["start"]))).toBe(ALICE_START);
    expect(bursts[0]?.["recipients"]).toBe(201);
    expect(bursts[1]?.["burstSender"]).toBe("bob@example.com");
    expect(Date.parse(String(bursts[1]?.["start"]))).toBe(BOB_START);
    expect(bursts[1]?.["recipients"]).toBe(301);
  });

  test("leads with the burst before the block", async () => {
    const spike = spikeOf(await diagnoseTwoBursts());
    const evidence = (spike?.evidence ?? {}) as Record<string, unknown>;
    const bursts = burstsOf(spike);

    expect(evidence["burstSender"]).toBe("alice@example.com");
    expect(Date.parse(String(evidence["start"]))).toBe(ALICE_START);
    expect(bursts[0]?.["lead"]).toBe(true);
    expect(bursts[0]?.["beforeFirstBlock"]).toBe(true);
    expect(bursts[1]?.["lead"]).toBe(false);
    expect(bursts[1]?.["beforeFirstBlock"]).toBe(false);
  });

  test("summary names both senders and starts", async () => {
    const summary = spikeOf(await diagnoseTwoBursts())?.summary ?? "";

    expect(summary).toContain("From 2024-03-06T09:05:00Z");
    expect(summary).toContain("SASL account alice@example.com (200 of 201)");
    expect(summary).toContain("It began before the first block reply in the log");
    expect(summary).toContain("Another burst began at 2024-03-06T15:05:00Z");
    expect(summary).toContain("SASL account bob@example.com (300 of 301)");
  });
});

describe("cause-stopped with two burst senders", () => {
  test("names both stopped senders", async () => {
    const diagnosis = await diagnoseTwoBursts();
    const item = diagnosis.readiness.items.find((entry) => entry.id === "cause-stopped");

    expect(item?.status).toBe("pass");
    expect(item?.detail).toMatch(
      /^bob@example\.com, which the .* sent mail at burst level until 2024-03-06T15:34/,
    );
    expect(item?.detail).toContain("alice@example.com, which the");
  });

  test("passes on a later ordinary message", async () => {
    const diagnosis = await diagnoseTwoBursts(true);
    const item = diagnosis.readiness.items.find((entry) => entry.id === "cause-stopped");

    expect(item?.status).toBe("pass");
    expect(item?.detail).toContain(
      "alice@example.com, which the volume-spike finding names, sent mail at burst level until 2024-03-06T10:00:00Z",
    );
    expect(item?.detail).toContain(
      "Its later mail, the latest at 2024-03-06T23:30:00Z, stayed below that level",
    );
    expect(item?.detail).toContain("bob@example.com");
  });
});

describe("volume-spike with a burst longer than a day", () => {
  test("reports the sender still sending", async () => {
    const diagnosis = await diagnoseLongSecondBurst();
    const bursts = burstsOf(spikeOf(diagnosis));
    const item = diagnosis.readiness.items.find((entry) => entry.id === "cause-stopped");

    expect(bursts).toHaveLength(2);
    expect(bursts[0]?.["burstSender"]).toBe("alice@example.com");
    expect(bursts[0]?.["lead"]).toBe(true);
    expect(bursts[1]?.["burstSender"]).toBe("bob@example.com");
    expect(Date.parse(String(bursts[1]?.["start"]))).toBe(BOB_START - DAY);
    expect(item?.status).toBe("fail");
    expect(item?.detail).toMatch(/^bob@example\.com, which the .* still sent mail/);
    expect(item?.detail).toContain("alice@example.com");
  });
});

describe("volume-spike led by a burst longer than a day", () => {
  // bob sends 347 messages to 3,470 recipients in the burst hours, 15:00 to 19:59 the next
  // day, and anna's office mail adds 21 of each.
  test("summary gives the whole span", async () => {
    const summary = spikeOf(await diagnoseLongLeadBurst(3))?.summary ?? "";

    expect(summary).toContain(
      "From 2024-03-05T15:05:00Z to 2024-03-06T20:00:00Z the server sent 368 messages to 3,491 recipients in 29 hours.",
    );
  });

  test("summary names the compared first day", async () => {
    const summary = spikeOf(await diagnoseLongLeadBurst(3))?.summary ?? "";

    expect(summary).toContain(
      "Its first 24 hours, to 2024-03-06T15:00:00Z, sent mail to 2,886 recipients, against 16 recipients in the same hours on 2024-03-04.",
    );
    expect(summary).not.toContain("The same hours on");
  });

  test("evidence gives messages and compared hours", async () => {
    const spike = spikeOf(await diagnoseLongLeadBurst(3));
    const evidence = (spike?.evidence ?? {}) as Record<string, unknown>;
    const bursts = burstsOf(spike);

    expect(evidence["messages"]).toBe(368);
    expect(evidence["recipients"]).toBe(3491);
    expect(evidence["end"]).toBe("2024-03-06T20:00:00Z");
    expect(evidence["earlierDayStart"]).toBe("2024-03-04T15:00:00Z");
    expect(evidence["earlierDayEnd"]).toBe("2024-03-05T15:00:00Z");
    expect(evidence["earlierDayRecipients"]).toBe(16);
    expect(bursts).toHaveLength(1);
    expect(bursts[0]?.["messages"]).toBe(368);
    expect(bursts[0]?.["end"]).toBe("2024-03-06T20:00:00Z");
  });

  test("whole span compared two days before", async () => {
    const spike = spikeOf(await diagnoseLongLeadBurst(4));
    const evidence = (spike?.evidence ?? {}) as Record<string, unknown>;

    expect(spike?.summary).toContain(
      "The same hours from 2024-03-04T15:00:00Z to 2024-03-05T20:00:00Z sent mail to 21 recipients.",
    );
    expect(evidence["earlierDayEnd"]).toBe("2024-03-05T20:00:00Z");
  });

  test("text and Markdown give the whole span", async () => {
    const diagnosis = await diagnoseLongLeadBurst(3);
    const text = renderDiagnosisText(diagnosis, painter(false)).replace(/\s+/g, " ");
    const markdown = renderDiagnosisMarkdown(diagnosis);

    expect(text).toContain("From 2024-03-05 15:05:00 to 2024-03-06 20:00:00 the server sent 368");
    expect(text).toContain("Its first 24 hours, to 2024-03-06 15:00:00, sent mail to 2,886");
    expect(text).toContain("Messages: 368");
    expect(markdown).toContain(
      "From 2024-03-05 15:05:00 to 2024-03-06 20:00:00 the server sent 368",
    );
    expect(markdown).toContain("- Messages: 368");
  });

  test("JSON matches the schema", async () => {
    const diagnosis = await diagnoseLongLeadBurst(3);

    expect(validateDiagnosis(JSON.parse(JSON.stringify(diagnosis)))).toEqual([]);
  });
});
