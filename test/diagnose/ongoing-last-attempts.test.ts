import { describe, expect, test } from "vitest";
import type { Diagnosis, ReadinessItem } from "../../src/diagnose/types.js";
import { painter } from "../../src/report/colour.js";
import { renderDiagnosisText } from "../../src/report/text.js";
import { diagnoseText } from "../helpers/diagnose-text.js";
import {
  GMAIL_RATE_LIMIT,
  GMAIL_UNSOLICITED,
  HOUR,
  PostfixLog,
  T0,
  type Outcome,
} from "../helpers/postfix-fixture.js";
import { schemaValidator } from "../helpers/schema.js";

const MINUTE = 60_000;
const validateDiagnosis = schemaValidator("diagnose.schema.json");

/** Sends one message to a Gmail recipient at `time`, from alice@example.com. */
function toGmail(log: PostfixLog, time: number, address: string, outcome?: Outcome): void {
  log.submit({
    time,
    account: "alice@example.com",
    clientIp: "198.51.100.10",
    recipients: [outcome === undefined ? { address } : { address, outcome }],
  });
}

/**
 * Adds 30 attempts to Gmail with `outcome`, one every 6 minutes from 10:00 to 12:54, after ten
 * hours of mail that Gmail accepted when `acceptedBefore` is true.
 */
function addNoonAttempts(log: PostfixLog, outcome: Outcome, acceptedBefore = true): void {
  if (acceptedBefore) log.submitHourly({ hours: 10 });
  for (let i = 0; i < 30; i++) {
    toGmail(log, T0 + 10 * HOUR + i * 6 * MINUTE, `r${i}@gmail.com`, outcome);
  }
}

/**
 * Adds an evening without mail to Gmail until 23:30: one message an hour to another receiver
 * and one IMAP login an hour.
 */
function quietEvening(log: PostfixLog): void {
  for (let hour = 13; hour < 24; hour++) {
    log.submit({
      time: T0 + hour * HOUR,
      account: "bob@example.com",
      clientIp: "198.51.100.11",
      recipients: [{ address: `partner${hour}@example.net` }],
    });
    const stamp = new Date(T0 + hour * HOUR + 30 * MINUTE).toISOString().replace("Z", "+00:00");
    log.raw(
      T0 + hour * HOUR + 30 * MINUTE,
      `${stamp} mail dovecot: imap-login: Login: user=<bob@example.com>, method=PLAIN, rip=198.51.100.11, lip=192.0.2.10, mpid=${hour}, TLS`,
    );
  }
}

function blocksEnded(diagnosis: Diagnosis): ReadinessItem | undefined {
  return diagnosis.readiness.items.find((item) => item.id === "blocks-ended");
}

describe("block judged by the provider's last attempts", () => {
  test("rejections before a quiet evening go on", async () => {
    const log = new PostfixLog();
    addNoonAttempts(log, GMAIL_UNSOLICITED);
    quietEvening(log);
    const diagnosis = await diagnoseText(log.text());
    const gmail = diagnosis.providers.gmail;

    expect(gmail?.status).toBe("blocked");
    expect(gmail?.ongoing).toBe(true);
    expect(gmail?.unacceptedAttempts).toEqual({
      attempts: 30,
      rejected: 30,
      blocked: 30,
      last: "2024-03-04T12:54:01Z",
      lastAccepted: "2024-03-04T09:00:01Z",
    });
    expect(blocksEnded(diagnosis)?.status).toBe("fail");
    expect(blocksEnded(diagnosis)?.detail).toBe(
      "The last 30 attempts to Gmail were rejected, the last at 2024-03-04T12:54:01Z, and none was accepted after. Gmail last accepted mail at 2024-03-04T09:00:01Z.",
    );
    expect(diagnosis.readiness.ready).toBe(false);
    expect(validateDiagnosis(JSON.parse(JSON.stringify(diagnosis)))).toEqual([]);
  });

  test("text row says no later attempt was accepted", async () => {
    const log = new PostfixLog();
    addNoonAttempts(log, GMAIL_UNSOLICITED);
    quietEvening(log);
    const report = renderDiagnosisText(await diagnoseText(log.text()), painter(false));

    expect(report.replace(/\s+/g, " ")).toContain(
      "last at 2024-03-04 12:54:01, and no later attempt was accepted.",
    );
  });

  test("summary counts unaccepted attempts", async () => {
    const log = new PostfixLog();
    addNoonAttempts(log, GMAIL_UNSOLICITED);
    quietEvening(log);
    const diagnosis = await diagnoseText(log.text());

    expect(diagnosis.verdict.summary).toContain(
      "Gmail rejects mail from this server since 2024-03-04T10:00:01Z, and has accepted none of the 30 attempts since 2024-03-04T09:00:01Z",
    );
    expect(diagnosis.verdict.summary).not.toContain("at the end of the log");
  });

  test("deferrals before a quiet evening go on", async () => {
    const log = new PostfixLog();
    addNoonAttempts(log, GMAIL_RATE_LIMIT);
    quietEvening(log);
    const diagnosis = await diagnoseText(log.text());
    const gmail = diagnosis.providers.gmail;

    expect(gmail?.status).toBe("rate-limited");
    expect(gmail?.ongoing).toBe(true);
    expect(gmail?.unacceptedAttempts?.rejected).toBe(0);
    expect(blocksEnded(diagnosis)?.status).toBe("fail");
    expect(blocksEnded(diagnosis)?.detail).toMatch(/^The last 30 attempts to Gmail were deferred,/);
  });

  test("provider that never accepted mail", async () => {
    const log = new PostfixLog();
    addNoonAttempts(log, GMAIL_UNSOLICITED, false);
    quietEvening(log);
    const diagnosis = await diagnoseText(log.text());

    expect(diagnosis.providers.gmail?.unacceptedAttempts?.lastAccepted).toBeNull();
    expect(blocksEnded(diagnosis)?.detail).toBe(
      "All 30 attempts to Gmail were rejected, the last at 2024-03-04T12:54:01Z, and none was accepted.",
    );
  });

  test("single rejected attempt", async () => {
    const log = new PostfixLog();
    log.submitHourly({ hours: 10 });
    toGmail(log, T0 + 12 * HOUR, "r0@gmail.com", GMAIL_UNSOLICITED);
    quietEvening(log);
    const diagnosis = await diagnoseText(log.text());

    expect(diagnosis.providers.gmail?.status).toBe("blocked");
    expect(blocksEnded(diagnosis)?.detail).toBe(
      "The last attempt to Gmail was rejected, at 2024-03-04T12:00:01Z. Gmail last accepted mail at 2024-03-04T09:00:01Z.",
    );
  });

  test("mixed rejections and deferrals", async () => {
    const log = new PostfixLog();
    addNoonAttempts(log, GMAIL_UNSOLICITED);
    toGmail(log, T0 + 13 * HOUR, "late@gmail.com", GMAIL_RATE_LIMIT);
    quietEvening(log);
    const diagnosis = await diagnoseText(log.text());

    expect(diagnosis.providers.gmail?.unacceptedAttempts?.attempts).toBe(31);
    expect(diagnosis.providers.gmail?.unacceptedAttempts?.rejected).toBe(30);
    expect(blocksEnded(diagnosis)?.detail).toMatch(
      /^The last 31 attempts to Gmail were rejected or deferred, the last at 2024-03-04T13:00:01Z,/,
    );
  });

  test("later acceptances keep the two-hour window", async () => {
    const log = new PostfixLog();
    addNoonAttempts(log, GMAIL_UNSOLICITED);
    for (let i = 0; i < 3; i++) toGmail(log, T0 + (13 + i) * HOUR, `ok${i}@gmail.com`);
    quietEvening(log);
    const diagnosis = await diagnoseText(log.text());
    const gmail = diagnosis.providers.gmail;

    // Three deliveries lift no block, so the status stays, although the rejections ended hours
    // before the end of the log. The readiness item fails with the status.
    expect(gmail?.status).toBe("blocked");
    expect(gmail?.pastBlock).toBeNull();
    expect(gmail?.unacceptedAttempts).toBeNull();
    expect(gmail?.ongoing).toBe(false);
    expect(blocksEnded(diagnosis)?.status).toBe("fail");
    expect(blocksEnded(diagnosis)?.detail).toMatch(
      /^Gmail rejected mail until 2024-03-04T12:\d\d:01Z and has accepted 3 deliveries since, not enough to call the block lifted\. A block counts as lifted/,
    );
  });

  test("recent rejections keep the window wording", async () => {
    const log = new PostfixLog();
    quietEvening(log);
    log.submitHourly({ hours: 10 });
    for (let i = 0; i < 30; i++) {
      toGmail(log, T0 + 22 * HOUR + i * 2 * MINUTE, `r${i}@gmail.com`, GMAIL_UNSOLICITED);
    }
    const diagnosis = await diagnoseText(log.text());

    expect(diagnosis.providers.gmail?.ongoing).toBe(true);
    expect(diagnosis.providers.gmail?.unacceptedAttempts?.attempts).toBe(30);
    expect(blocksEnded(diagnosis)?.detail).toBe(
      "Gmail still rejected mail in the last two hours of the log, the last at 2024-03-04T22:58:01Z.",
    );
  });

  test("isolated rejections are not ongoing", async () => {
    const log = new PostfixLog();
    log.submitHourly({ hours: 12 });
    for (let i = 0; i < 60; i++) toGmail(log, T0 + 12 * HOUR + i * MINUTE, `ok${i}@gmail.com`);
    toGmail(log, T0 + 13 * HOUR + 5 * MINUTE, "spam@gmail.com", GMAIL_UNSOLICITED);
    quietEvening(log);
    const diagnosis = await diagnoseText(log.text());

    expect(diagnosis.providers.gmail?.status).toBe("ok");
    expect(diagnosis.providers.gmail?.unacceptedAttempts).toBeNull();
    expect(diagnosis.providers.gmail?.ongoing).toBe(false);
  });
});

describe("verdict on unaccepted attempts", () => {
  test("single attempt since last acceptance", async () => {
    const log = new PostfixLog();
    log.submitHourly({ hours: 10 });
    toGmail(log, T0 + 10 * HOUR, "r0@gmail.com", GMAIL_UNSOLICITED);
    quietEvening(log);
    const diagnosis = await diagnoseText(log.text());

    expect(diagnosis.providers.gmail?.unacceptedAttempts?.attempts).toBe(1);
    expect(diagnosis.verdict.summary).toContain(
      "Gmail rejects mail from this server since 2024-03-04T10:00:01Z, and has accepted no mail since 2024-03-04T09:00:01Z (1 attempt)",
    );
    expect(diagnosis.verdict.summary).not.toContain("the one attempt");
  });

  test("only attempt never accepted", async () => {
    const log = new PostfixLog();
    toGmail(log, T0 + 10 * HOUR, "r0@gmail.com", GMAIL_UNSOLICITED);
    quietEvening(log);
    const diagnosis = await diagnoseText(log.text());

    expect(diagnosis.providers.gmail?.unacceptedAttempts?.lastAccepted).toBeNull();
    expect(diagnosis.verdict.summary).toContain(", and did not accept its only attempt");
  });

  test("other receivers take a plural verb", async () => {
    const rejected: Outcome = {
      status: "bounced",
      dsn: "5.7.1",
      reply:
        "554 5.7.1 Service unavailable; Client host [203.0.113.10] blocked using zen.spamhaus.org",
    };
    const log = new PostfixLog();
    log.submitHourly({ hours: 10, recipient: (hour) => `partner${hour}@example.org` });
    for (let i = 0; i < 30; i++) {
      log.submit({
        time: T0 + 10 * HOUR + i * 6 * MINUTE,
        account: "alice@example.com",
        clientIp: "198.51.100.10",
        recipients: [{ address: `r${i}@example${i % 5}.org`, outcome: rejected }],
      });
    }
    // Logins only until the evening, so the last rejection is hours before the end of the log.
    for (let hour = 14; hour < 24; hour++) {
      const time = T0 + hour * HOUR;
      const stamp = new Date(time).toISOString().replace("Z", "+00:00");
      log.raw(
        time,
        `${stamp} mail dovecot: imap-login: Login: user=<bob@example.com>, method=PLAIN, rip=198.51.100.11, lip=192.0.2.10, mpid=${hour}, TLS`,
      );
    }
    const diagnosis = await diagnoseText(log.text());

    expect(diagnosis.providers.other?.unacceptedAttempts?.attempts).toBe(30);
    expect(diagnosis.verdict.summary).toMatch(/Other receivers reject .* and have accepted none/);
    expect(diagnosis.verdict.summary).not.toContain("has accepted none");
  });
});
