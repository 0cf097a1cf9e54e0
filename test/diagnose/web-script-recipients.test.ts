import { describe, expect, test } from "vitest";
import type { Diagnosis, Finding } from "../../src/diagnose/types.js";
import { diagnoseText } from "../helpers/diagnose-text.js";
import {
  GMAIL_RATE_LIMIT,
  GMAIL_UNSOLICITED,
  HOUR,
  PostfixLog,
  SENT,
  T0,
  type Outcome,
} from "../helpers/postfix-fixture.js";

const SCRIPT = "/var/www/shop/contact.php";

/**
 * Writes two days of one account's ordinary mail, then a burst of a PHP script of www-data
 * (uid 33): `messages` messages in one hour, each with `perMessage` Bcc recipients at Gmail
 * that get `outcome`. With `earlierMessage`, the script also sent one message to one recipient
 * 30 hours before the burst, which gives it a history in the log to compare the burst with.
 */
function contactFormLog(
  messages: number,
  perMessage: number,
  outcome: Outcome,
  earlierMessage = false,
): string {
  const log = new PostfixLog("mx");
  log.submitHourly({ hours: 48 });
  if (earlierMessage) {
    scriptBatch(log, T0 + 14 * HOUR, 1, 1, SENT, "contact");
  }
  scriptBatch(log, T0 + 44 * HOUR + 600_000, messages, perMessage, outcome, "lead");
  return log.text();
}

/** Adds `messages` messages of the PHP script, one a minute from `start`. */
function scriptBatch(
  log: PostfixLog,
  start: number,
  messages: number,
  perMessage: number,
  outcome: Outcome,
  prefix: string,
): void {
  for (let i = 0; i < messages; i++) {
    log.pickup({
      time: start + i * 60_000,
      uid: 33,
      user: "www-data",
      script: SCRIPT,
      recipients: Array.from({ length: perMessage }, (_, j) => ({
        address: `${prefix}${i}.${j}@gmail.com`,
        outcome,
      })),
    });
  }
}

/**
 * Writes two days of one account's ordinary mail and a shop newsletter of the PHP script: 12
 * messages with 6 Bcc recipients each at 16:00 on the second day, and on the first day too
 * when `bothDays` is set. Receivers accept all of it.
 */
function newsletterLog(bothDays: boolean): string {
  const log = new PostfixLog("mx");
  log.submitHourly({ hours: 48 });
  if (bothDays) scriptBatch(log, T0 + 16 * HOUR, 12, 6, SENT, "day1.");
  scriptBatch(log, T0 + 40 * HOUR, 12, 6, SENT, "day2.");
  return log.text();
}

async function diagnose(text: string): Promise<Diagnosis> {
  return diagnoseText(text, { year: 2024 });
}

function findingOf(diagnosis: Diagnosis, id: string): Finding | undefined {
  return diagnosis.findings.find((finding) => finding.id === id);
}

describe("web-script bar without abuse evidence", () => {
  test("daily newsletter stays healthy", async () => {
    const diagnosis = await diagnose(newsletterLog(true));
    const ids = diagnosis.findings.map((finding) => finding.id);

    expect(ids).not.toContain("web-script");
    expect(ids).toContain("healthy");
    expect(diagnosis.verdict.status).toBe("ok");
  });

  test("newsletter on one day only", async () => {
    const diagnosis = await diagnose(newsletterLog(false));

    expect(findingOf(diagnosis, "web-script")).toBeUndefined();
  });

  test("15 messages to 5 recipients each", async () => {
    const diagnosis = await diagnose(contactFormLog(15, 5, SENT));

    expect(findingOf(diagnosis, "web-script")).toBeUndefined();
  });

  test("49 messages stay below the bar", async () => {
    const diagnosis = await diagnose(contactFormLog(49, 1, SENT));

    expect(findingOf(diagnosis, "web-script")).toBeUndefined();
  });

  test("50 messages reach the bar", async () => {
    const diagnosis = await diagnose(contactFormLog(50, 1, SENT));
    const script = findingOf(diagnosis, "web-script");

    expect(script?.title).toContain("A web script");
    expect((script?.evidence as { messages?: number }).messages).toBe(50);
  });
});

describe("web-script bar above its own history", () => {
  test("15 messages to 5 recipients each", async () => {
    const diagnosis = await diagnose(contactFormLog(15, 5, SENT, true));
    const script = findingOf(diagnosis, "web-script");

    expect(script?.title).toContain("A web script");
    expect((script?.evidence as { recipients?: number }).recipients).toBe(76);
    expect((script?.evidence as { messages?: number }).messages).toBe(16);
  });

  test("49 messages to 2 recipients each", async () => {
    const diagnosis = await diagnose(contactFormLog(49, 2, SENT, true));

    expect(findingOf(diagnosis, "web-script")).toBeDefined();
  });

  test("49 recipients stay below the bar", async () => {
    const diagnosis = await diagnose(contactFormLog(6, 8, SENT, true));

    expect(findingOf(diagnosis, "web-script")).toBeUndefined();
  });

  test("50 recipients reach the bar", async () => {
    const diagnosis = await diagnose(contactFormLog(7, 7, SENT, true));

    expect(findingOf(diagnosis, "web-script")).toBeDefined();
  });
});

describe("web-script bar with block replies", () => {
  test("25 blocked recipients are enough", async () => {
    const diagnosis = await diagnose(contactFormLog(5, 5, GMAIL_UNSOLICITED));
    const script = findingOf(diagnosis, "web-script");

    expect(script?.role).toBe("cause");
    expect(script?.summary).toContain(
      "Receivers rejected or deferred 25 of its 25 delivery attempts for spam, a block list or reputation.",
    );
  });

  test("24 blocked recipients are not", async () => {
    const diagnosis = await diagnose(contactFormLog(4, 6, GMAIL_UNSOLICITED));

    expect(findingOf(diagnosis, "web-script")).toBeUndefined();
  });

  test("25 delivered recipients are not", async () => {
    const diagnosis = await diagnose(contactFormLog(5, 5, SENT));

    expect(findingOf(diagnosis, "web-script")).toBeUndefined();
  });
});

describe("fix steps that name other findings", () => {
  test("volume-spike names the web-script finding", async () => {
    const diagnosis = await diagnose(contactFormLog(15, 5, GMAIL_UNSOLICITED));
    const spike = findingOf(diagnosis, "volume-spike");

    expect(findingOf(diagnosis, "web-script")).toBeDefined();
    expect(spike?.fix).toContain(
      "If it was not, treat it as abuse and stop it (see the web-script finding).",
    );
  });

  test("volume-spike without abuse findings names none", async () => {
    const log = new PostfixLog("mx");
    log.submitHourly({ hours: 48 });
    for (let i = 0; i < 30; i++) {
      log.submit({
        time: T0 + 44 * HOUR + 600_000 + i * 60_000,
        account: "alice@example.com",
        clientIp: "198.51.100.10",
        recipients: Array.from({ length: 4 }, (_, j) => ({ address: `club${i}.${j}@gmail.com` })),
      });
    }
    const diagnosis = await diagnose(log.text());
    const spike = findingOf(diagnosis, "volume-spike");
    const ids = diagnosis.findings.map((finding) => finding.id);

    expect(spike).toBeDefined();
    expect(ids).not.toContain("web-script");
    expect(ids).not.toContain("compromised-account");
    expect(spike?.fix.join("\n")).not.toContain("see the");
    expect(spike?.fix).toContain(
      "If it was not, treat it as abuse and stop it: lock the account, remove the script or block the client that sent it.",
    );
  });

  test("rate-limited names the cause findings", async () => {
    const diagnosis = await diagnose(contactFormLog(15, 5, GMAIL_RATE_LIMIT));
    const limited = findingOf(diagnosis, "rate-limited");

    expect(limited?.fix[0]).toMatch(/^Find and stop the cause first \(see the [a-z, -]*web-script/);
  });

  test("rate-limited alone names none", async () => {
    const log = new PostfixLog("mx");
    log.submitHourly({ hours: 48, outcome: GMAIL_RATE_LIMIT });
    const diagnosis = await diagnose(log.text());
    const limited = findingOf(diagnosis, "rate-limited");
    const others = diagnosis.findings.filter(
      (finding) => finding.id !== "rate-limited" && finding.role !== "consequence",
    );

    expect(others).toEqual([]);
    expect(limited?.fix[0]).toBe(
      "Find and stop the cause first, because retries alone do not lift a reputation limit.",
    );
  });
});
