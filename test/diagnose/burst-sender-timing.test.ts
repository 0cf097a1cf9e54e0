import { describe, expect, test } from "vitest";
import type { Diagnosis, Finding } from "../../src/diagnose/types.js";
import { diagnoseText } from "../helpers/diagnose-text.js";
import {
  GMAIL_NO_SUCH_USER,
  GMAIL_RATE_LIMIT,
  HOUR,
  PostfixLog,
  SENT,
  T0,
  type Outcome,
} from "../helpers/postfix-fixture.js";

const MINUTE = 60_000;
const DAY = 24 * HOUR;
/** 15:00 on the third day, after two days of light office mail. */
const BURST_HOUR = T0 + 2 * DAY + 15 * HOUR;
/** The first message of the mailing, 20 minutes into the hour. */
const MAILING_START = BURST_HOUR + 20 * MINUTE;

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

/**
 * Adds a mailing of list@example.com: `count` messages of 10 recipients each, one a minute
 * from `start`. Of each message's recipients, one does not exist at Gmail, one is deferred by
 * Gmail's rate limit and the rest are delivered.
 */
function mailing(log: PostfixLog, start: number, count: number): void {
  for (let index = 0; index < count; index++) {
    const recipients = Array.from({ length: 10 }, (_, slot) => {
      const outcomes: Outcome[] = [GMAIL_NO_SUCH_USER, GMAIL_RATE_LIMIT];
      const outcome = outcomes[slot] ?? SENT;
      const domain = slot < 2 ? "gmail.com" : "example.org";
      return { address: `m${index}-${slot}@${domain}`, outcome };
    });
    log.submit({
      time: start + index * MINUTE,
      account: "list@example.com",
      clientIp: "198.51.100.20",
      recipients,
    });
  }
}

function findingOf(diagnosis: Diagnosis, id: Finding["id"]): Record<string, unknown> {
  const found = diagnosis.findings.find((finding) => finding.id === id);
  return (found?.evidence ?? {}) as Record<string, unknown>;
}

function causeStopped(diagnosis: Diagnosis): { status: string; detail: string } | undefined {
  return diagnosis.readiness.items.find((item) => item.id === "cause-stopped");
}

/** Diagnoses three days of office mail with a mailing of `count` messages on the third day. */
function diagnoseMailing(count: number, start = MAILING_START): Promise<Diagnosis> {
  const log = new PostfixLog();
  officeMail(log, 3);
  mailing(log, start, count);
  return diagnoseText(log.text());
}

describe("volume-spike start and the sender of the burst", () => {
  test("start is the burst sender's first message", async () => {
    const spike = findingOf(await diagnoseMailing(30), "volume-spike");

    expect(spike["burstSender"]).toBe("list@example.com");
    expect(Date.parse(String(spike["start"]))).toBe(MAILING_START);
  });

  test("burst sender's last message is in evidence", async () => {
    const spike = findingOf(await diagnoseMailing(30), "volume-spike");

    expect(Date.parse(String(spike["burstSenderLastMessage"]))).toBe(MAILING_START + 29 * MINUTE);
  });

  test("unknown-recipients sender has its last message", async () => {
    const unknown = findingOf(await diagnoseMailing(30), "unknown-recipients");
    const [first] = unknown["senders"] as Array<Record<string, unknown>>;

    expect(first?.["sender"]).toBe("list@example.com");
    expect(Date.parse(String(first?.["lastMessage"]))).toBe(MAILING_START + 29 * MINUTE);
  });
});

describe("cause-stopped follows a named sender", () => {
  test("stopped mailing passes with its last message", async () => {
    const item = causeStopped(await diagnoseMailing(30));

    expect(item?.status).toBe("pass");
    expect(item?.detail).toMatch(
      /^list@example\.com, which the unknown-recipients and volume-spike findings name, last sent mail at 2024-03-06T15:49:00/,
    );
  });

  test("mailing at the end of the log fails", async () => {
    // The mailing starts at 21:20 and its last message, at 22:19, is within two hours of the
    // last line of the log.
    const item = causeStopped(await diagnoseMailing(60, T0 + 2 * DAY + 21 * HOUR + 20 * MINUTE));

    expect(item?.status).toBe("fail");
    expect(item?.detail).toContain("list@example.com");
    expect(item?.detail).toContain("still sent mail at 2024-03-06T22:19:00");
    expect(item?.detail).toMatch(
      / still sent mail at 2024-03-06T22:19:00Z, at the end of the log\.$/,
    );
  });
});
