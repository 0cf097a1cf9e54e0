import { describe, expect, test } from "vitest";
import type { Diagnosis } from "../../src/diagnose/types.js";
import { OFFLINE_DIAGNOSE, runCommand } from "../helpers/cli.js";
import { diagnoseText } from "../helpers/diagnose-text.js";
import { schemaValidator } from "../helpers/schema.js";
import { temporaryFiles } from "../helpers/temporary-files.js";

const temporary = temporaryFiles();
const validateDiagnosis = schemaValidator("diagnose.schema.json");

const MINUTE = 60_000;
const T0 = Date.UTC(2024, 2, 4, 0, 0, 0);
const GMAIL_TIMEOUT = "connect to gmail-smtp-in.l.google.com[192.0.2.27]:25: Connection timed out";
const SMALL_TIMEOUT = "connect to mx.example.net[192.0.2.25]:25: Connection timed out";
/** The `result` of an attempt that Postfix bounced itself, with `relay=none` and no reply. */
const MTA_BOUNCE = "mta-bounce";

/**
 * One delivery attempt: its minute after T0, recipient, and `sent`, `bounced` (a 550 reply),
 * `MTA_BOUNCE`, `expired` (a qmgr expiry line, which is no attempt) or a deferral reason. `retryOf` is the index of an earlier attempt whose message this attempt retries.
 */
interface Attempt {
  readonly minute: number;
  readonly to: string;
  readonly result: string;
  readonly retryOf?: number;
}

/**
 * Writes a Postfix log with one message per attempt, or a retry of an earlier attempt's message
 * under its queue id. A failed connection has `relay=none`.
 */
function postfixLog(attempts: readonly Attempt[]): string {
  const lines = attempts.flatMap(({ minute, to, result, retryOf }, index) => {
    const id = `5C1D${(0x1000 + (retryOf ?? index)).toString(16).toUpperCase()}A0`;
    const stamp = new Date(T0 + minute * MINUTE).toISOString().replace(".000Z", "+00:00");
    const relay = to.endsWith("@gmail.com")
      ? "gmail-smtp-in.l.google.com[192.0.2.27]:25"
      : "mx.example.net[192.0.2.25]:25";
    const delivery =
      result === "sent"
        ? `relay=${relay}, delay=1, delays=0.1/0/0.4/0.5, dsn=2.0.0, status=sent (250 2.0.0 OK)`
        : result === "bounced"
          ? `relay=${relay}, delay=1, delays=0.1/0/0.4/0.5, dsn=5.1.1, status=bounced (host ${relay.replace(/:25$/, "")} said: 550 5.1.1 The email account that you tried to reach does not exist. (in reply to RCPT TO command))`
          : result === MTA_BOUNCE
            ? `relay=none, delay=30, delays=0.1/0/30/0, dsn=5.4.4, status=bounced (Host or domain name not found. Name service error for name=gmail.com type=MX: Host not found)`
            : `relay=${result.startsWith("host ") ? relay : "none"}, delay=30, delays=0.1/0/30/0, dsn=4.4.1, status=deferred (${result})`;
    const attempt =
      result === "expired"
        ? `${stamp} mail postfix/qmgr[902]: ${id}: from=<alice@example.com>, status=expired, returned to sender`
        : `${stamp} mail postfix/smtp[903]: ${id}: to=<${to}>, ${delivery}`;
    if (retryOf !== undefined) return [attempt];
    return [
      `${stamp} mail postfix/submission/smtpd[900]: ${id}: client=unknown[192.0.2.10], sasl_method=PLAIN, sasl_username=alice@example.com`,
      `${stamp} mail postfix/cleanup[901]: ${id}: message-id=<${id}@example.com>`,
      `${stamp} mail postfix/qmgr[902]: ${id}: from=<alice@example.com>, size=2000, nrcpt=1 (queue active)`,
      attempt,
    ];
  });
  return `${lines.join("\n")}\n`;
}

/**
 * Builds `count` attempts 100 minutes apart to Gmail, over about a week, of which every eighth
 * fails to connect once and is retried `retryAfter` minutes later with `retryResult`.
 */
function retriedBlips(count: number, retryAfter: number, retryResult = "sent"): Attempt[] {
  const attempts: Attempt[] = [];
  for (let message = 0; message < count; message += 1) {
    const minute = message * 100;
    const to = `user${message}@gmail.com`;
    if (message % 8 !== 3) {
      attempts.push({ minute, to, result: "sent" });
      continue;
    }
    attempts.push({ minute, to, result: GMAIL_TIMEOUT });
    const retryOf = attempts.length - 1;
    attempts.push({ minute: minute + retryAfter, to, result: retryResult, retryOf });
  }
  return attempts;
}

/**
 * Builds `count` attempts six minutes apart to `domain`, of which the last of every `period`
 * fails to connect with `failure`, so no two failures come in a row.
 */
function failEvery(period: number, count: number, domain: string, failure: string): Attempt[] {
  return Array.from({ length: count }, (_, index) => ({
    minute: index * 6,
    to: `user${index}@${domain}`,
    result: index % period === period - 1 ? failure : "sent",
  }));
}

function sentTo(count: number, domain: string, start: number): Attempt[] {
  return Array.from({ length: count }, (_, index) => ({
    minute: start + index * 6,
    to: `later${index}@${domain}`,
    result: "sent",
  }));
}

/** Sorts attempts by minute and points each `retryOf` at the new index of its first attempt. */
function inTimeOrder(attempts: readonly Attempt[]): Attempt[] {
  const order = attempts
    .map((_, index) => index)
    .sort((a, b) => {
      const first = attempts[a] as Attempt;
      const second = attempts[b] as Attempt;
      return first.minute - second.minute;
    });
  const newIndex = new Map(order.map((old, index) => [old, index]));
  return order.map((old) => {
    const attempt = attempts[old] as Attempt;
    if (attempt.retryOf === undefined) return attempt;
    return { ...attempt, retryOf: newIndex.get(attempt.retryOf) as number };
  });
}

function readinessItem(diagnosis: Diagnosis, id: string) {
  return diagnosis.readiness.items.find((item) => item.id === id);
}

describe("intermittent connection failures", () => {
  test("failures at the end fail readiness", async () => {
    const diagnosis = await diagnoseText(
      postfixLog(failEvery(10, 240, "gmail.com", GMAIL_TIMEOUT)),
    );
    const gmail = diagnosis.providers.gmail;
    const blocksEnded = readinessItem(diagnosis, "blocks-ended");

    expect(gmail?.status).toBe("ok");
    expect(gmail?.outage).toBeNull();
    expect(gmail?.connectionFailures).toBe(24);
    expect(diagnosis.verdict.status).toBe("ok");
    expect(blocksEnded?.status).toBe("fail");
    expect(blocksEnded?.detail).toContain(
      "Connections to Gmail still failed in the last two hours of the log, the last at 2024-03-04T23:54:00Z (24 of 240 delivery attempts failed to connect).",
    );
    expect(blocksEnded?.detail).toContain("delayed but not rejected");
    expect(validateDiagnosis(JSON.parse(JSON.stringify(diagnosis)))).toEqual([]);
  });

  test("readiness names failures as no block", async () => {
    const diagnosis = await diagnoseText(
      postfixLog(failEvery(10, 240, "gmail.com", GMAIL_TIMEOUT)),
    );
    const cause = readinessItem(diagnosis, "cause-identified");

    expect(cause?.status).toBe("not-checked");
    expect(cause?.detail).toContain("for a sender-side reason");
    expect(cause?.detail).toContain("Connections to Gmail failed now and then");
    expect(diagnosis.readiness.summary).toContain(
      "No provider rejects or defers mail for a sender-side reason in this log",
    );
    expect(diagnosis.readiness.summary).toContain("Connections to Gmail failed now and then");
    expect(diagnosis.readiness.removalForms).toEqual([]);
  });

  test("failures that stopped pass readiness", async () => {
    // 48 failures in the first 24 hours, then three hours of deliveries only.
    const attempts = [
      ...failEvery(5, 240, "gmail.com", GMAIL_TIMEOUT),
      ...sentTo(30, "gmail.com", 24 * 60),
    ];
    const diagnosis = await diagnoseText(postfixLog(attempts));
    const blocksEnded = readinessItem(diagnosis, "blocks-ended");

    expect(diagnosis.verdict.summary).toContain(
      "48 of 270 delivery attempts to Gmail failed to connect",
    );
    expect(blocksEnded?.status).toBe("pass");
    expect(blocksEnded?.detail).toBe(
      "No provider rejects or defers mail in the last two hours of the log.",
    );
  });

  test("other receivers do not fail readiness", async () => {
    const diagnosis = await diagnoseText(
      postfixLog(failEvery(10, 240, "example.net", SMALL_TIMEOUT)),
    );

    expect(diagnosis.providers.other?.connectionFailures).toBe(24);
    expect(readinessItem(diagnosis, "blocks-ended")?.status).toBe("pass");
    expect(diagnosis.readiness.summary).toBe(
      "No provider rejects or defers mail in this log, so there is nothing to ask removal for.",
    );
  });
});

describe("intermittent connection failures on the command line", () => {
  test("Gmail failures exit 1", async () => {
    const path = temporary.file(postfixLog(failEvery(10, 240, "gmail.com", GMAIL_TIMEOUT)));
    const text = await runCommand([...OFFLINE_DIAGNOSE, path]);
    const json = await runCommand([...OFFLINE_DIAGNOSE, "--format", "json", path]);

    expect(text.code).toBe(1);
    expect(text.stdout).toContain("Verdict: NOT BLOCKED, CONNECTIONS FAILING");
    expect(text.stdout).toContain("[ ] Rejections and deferrals have stopped");
    expect(json.code).toBe(1);
  });

  test("stopped failures exit 0", async () => {
    const attempts = [
      ...failEvery(5, 240, "gmail.com", GMAIL_TIMEOUT),
      ...sentTo(30, "gmail.com", 24 * 60),
    ];
    const result = await runCommand([...OFFLINE_DIAGNOSE, temporary.file(postfixLog(attempts))]);

    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Verdict: OK");
    expect(result.stdout).toContain("These failures no longer go on at the end of the log");
    expect(result.stdout).toContain("[x] Rejections and deferrals have stopped");
  });

  test("retried failures over a week exit 0", async () => {
    const path = temporary.file(postfixLog(retriedBlips(100, 15)));
    const text = await runCommand([...OFFLINE_DIAGNOSE, path]);
    const json = await runCommand([...OFFLINE_DIAGNOSE, "--format", "json", path]);
    const diagnosis = JSON.parse(json.stdout) as Diagnosis;

    expect(text.code).toBe(0);
    expect(text.stdout).toContain("Verdict: OK");
    expect(text.stdout).not.toContain("CONNECTIONS FAILING");
    expect(text.stdout).toContain("[x] Rejections and deferrals have stopped");
    expect(json.code).toBe(0);
    expect(diagnosis.providers.gmail?.connectionsFailing).toBe(false);
  });
});

describe("connection failures that a retry delivered", () => {
  test("retried failures are evidence only", async () => {
    const diagnosis = await diagnoseText(postfixLog(retriedBlips(100, 15)));
    const gmail = diagnosis.providers.gmail;
    const blocksEnded = readinessItem(diagnosis, "blocks-ended");

    expect(gmail?.connectionFailures).toBe(13);
    expect(gmail?.retriedConnectionFailures).toBe(13);
    expect(gmail?.lastUnretriedConnectionFailure).toBeNull();
    expect(gmail?.firstConnectionFailure).toBe("2024-03-04T05:00:00Z");
    expect(gmail?.lastConnectionFailure).toBe("2024-03-10T21:00:00Z");
    expect(gmail?.connectionsFailing).toBe(false);
    expect(diagnosis.verdict.summary).toContain(
      "13 of 113 delivery attempts to Gmail failed to connect from 2024-03-04T05:00:00Z to 2024-03-10T21:00:00Z, and a later attempt delivered each of those messages.",
    );
    expect(blocksEnded?.status).toBe("pass");
    expect(blocksEnded?.detail).toContain(
      "Connections to Gmail failed then, and a later attempt of each of those messages reached the receiver",
    );
    expect(blocksEnded?.detail).not.toContain("still failed");
    expect(validateDiagnosis(JSON.parse(JSON.stringify(diagnosis)))).toEqual([]);
  });

  test("rejected retries end failures", async () => {
    // Each retry reached Gmail and got `550 5.1.1`, so the connection worked again.
    const diagnosis = await diagnoseText(postfixLog(retriedBlips(100, 15, "bounced")));
    const gmail = diagnosis.providers.gmail;
    const blocksEnded = readinessItem(diagnosis, "blocks-ended");

    expect(gmail?.connectionFailures).toBe(13);
    expect(gmail?.retriedConnectionFailures).toBe(0);
    expect(gmail?.answeredConnectionFailures).toBe(13);
    expect(gmail?.lastUnretriedConnectionFailure).toBeNull();
    expect(gmail?.connectionsFailing).toBe(false);
    expect(diagnosis.verdict.status).toBe("ok");
    expect(diagnosis.verdict.summary).not.toContain("delivered each of those messages");
    expect(blocksEnded?.status).toBe("pass");
    expect(blocksEnded?.detail).not.toContain("delivered");
  });

  test("answered failures are not ongoing", async () => {
    // A week of blips that rejected retries ended, then one failure at the very end.
    const attempts = retriedBlips(200, 15, "bounced");
    const last = (attempts.at(-1)?.minute ?? 0) + 10;
    attempts.push({ minute: last, to: "final@gmail.com", result: GMAIL_TIMEOUT });
    const diagnosis = await diagnoseText(postfixLog(attempts));
    const gmail = diagnosis.providers.gmail;

    expect(gmail?.connectionFailures).toBe(26);
    expect(gmail?.lastUnretriedConnectionFailure).not.toBeNull();
    expect(gmail?.connectionsFailing).toBe(false);
    expect(readinessItem(diagnosis, "blocks-ended")?.status).toBe("pass");
  });

  test("deferral with a reply ends failures", async () => {
    const deferral =
      "host gmail-smtp-in.l.google.com[192.0.2.27] said: 421 4.3.0 Temporary System Problem. Try again later. (in reply to MAIL FROM command)";
    const diagnosis = await diagnoseText(postfixLog(retriedBlips(100, 15, deferral)));
    const gmail = diagnosis.providers.gmail;

    expect(gmail?.connectionFailures).toBe(13);
    expect(gmail?.lastUnretriedConnectionFailure).toBeNull();
    expect(gmail?.connectionsFailing).toBe(false);
  });

  test("expired messages are no attempts", async () => {
    // 13 messages time out twice and then expire, between deliveries every 20 minutes.
    const attempts: Attempt[] = sentTo(31, "gmail.com", 0).map((attempt, index) => ({
      ...attempt,
      minute: index * 20,
    }));
    for (let message = 0; message < 13; message += 1) {
      const minute = message * 40 + 50;
      const to = `expiring${message}@gmail.com`;
      attempts.push({ minute, to, result: GMAIL_TIMEOUT });
      const retryOf = attempts.length - 1;
      attempts.push({ minute: minute + 20, to, result: GMAIL_TIMEOUT, retryOf });
      attempts.push({ minute: minute + 40, to, result: "expired", retryOf });
    }
    const diagnosis = await diagnoseText(postfixLog(inTimeOrder(attempts)));
    const gmail = diagnosis.providers.gmail;
    const blocksEnded = readinessItem(diagnosis, "blocks-ended");
    const lost =
      "Mail to 13 recipients at Gmail expired in the queue and was returned to its senders, so it was lost.";

    expect(gmail?.attempts).toBe(57);
    expect(gmail?.connectionFailures).toBe(26);
    expect(gmail?.expired).toBe(13);
    expect(gmail?.connectionsFailing).toBe(true);
    expect(diagnosis.verdict.summary).toContain("26 of 57 delivery attempts to Gmail failed");
    expect(diagnosis.verdict.summary).toContain(lost);
    expect(blocksEnded?.status).toBe("fail");
    expect(blocksEnded?.detail).toContain(lost);
    expect(blocksEnded?.detail).not.toContain("delayed but not rejected");
    expect(validateDiagnosis(JSON.parse(JSON.stringify(diagnosis)))).toEqual([]);
  });

  test("rate-limited finding says expired mail was lost", async () => {
    const deferral =
      "host gmail-smtp-in.l.google.com[192.0.2.27] said: 421-4.7.28 [192.0.2.10] Our system has detected an unusual rate of unsolicited mail originating from your IP address. (in reply to end of DATA command)";
    const attempts: Attempt[] = [];
    for (let message = 0; message < 3; message += 1) {
      attempts.push({ minute: message, to: `user${message}@gmail.com`, result: deferral });
      const retryOf = attempts.length - 1;
      attempts.push({
        minute: 600 + message,
        to: `user${message}@gmail.com`,
        result: "expired",
        retryOf,
      });
    }
    const finding = (await diagnoseText(postfixLog(attempts))).findings.find(
      (entry) => entry.id === "rate-limited",
    );

    expect(finding?.summary).toContain(
      "Mail to 3 recipients at Gmail expired in the queue and was returned to its senders, so it was lost.",
    );
    expect(finding?.summary).not.toContain("The rest is retried");
    expect(finding?.summary).not.toContain("not lost yet");
  });

  test("rate-limited finding keeps a retry", async () => {
    const deferral =
      "host gmail-smtp-in.l.google.com[192.0.2.27] said: 421-4.7.28 [192.0.2.10] Our system has detected an unusual rate of unsolicited mail originating from your IP address. (in reply to end of DATA command)";
    const attempts: Attempt[] = [];
    for (let message = 0; message < 3; message += 1) {
      attempts.push({ minute: message, to: `user${message}@gmail.com`, result: deferral });
    }
    attempts.push({ minute: 600, to: "user0@gmail.com", result: "expired", retryOf: 0 });
    const finding = (await diagnoseText(postfixLog(attempts))).findings.find(
      (entry) => entry.id === "rate-limited",
    );

    expect(finding?.summary).toContain(
      "Mail to 1 recipient at Gmail expired in the queue and was returned to its senders, so it was lost. The rest is retried until the queue lifetime ends.",
    );
  });

  test("MTA bounces stay unretried", async () => {
    const diagnosis = await diagnoseText(postfixLog(retriedBlips(100, 15, MTA_BOUNCE)));
    const gmail = diagnosis.providers.gmail;

    expect(gmail?.connectionFailures).toBe(13);
    expect(gmail?.retriedConnectionFailures).toBe(0);
    expect(gmail?.lastUnretriedConnectionFailure).toBe("2024-03-10T21:00:00Z");
    expect(gmail?.connectionsFailing).toBe(true);
    expect(readinessItem(diagnosis, "blocks-ended")?.status).toBe("fail");
  });

  test("retries count per recipient", async () => {
    // One message to two Gmail recipients fails for both, and a retry delivers only the first.
    const attempts: Attempt[] = [
      { minute: 0, to: "first@gmail.com", result: GMAIL_TIMEOUT },
      { minute: 0, to: "second@gmail.com", result: GMAIL_TIMEOUT, retryOf: 0 },
      { minute: 15, to: "first@gmail.com", result: "sent", retryOf: 0 },
      { minute: 15, to: "second@gmail.com", result: GMAIL_TIMEOUT, retryOf: 0 },
    ];
    const diagnosis = await diagnoseText(postfixLog(attempts));
    const gmail = diagnosis.providers.gmail;

    expect(gmail?.connectionFailures).toBe(3);
    expect(gmail?.retriedConnectionFailures).toBe(1);
    expect(gmail?.lastUnretriedConnectionFailure).toBe("2024-03-04T00:15:00Z");
  });

  test("retry beyond the log end stays unretried", async () => {
    // The last failed message has no later attempt in the log.
    const attempts = retriedBlips(100, 15).slice(0, -1);
    const diagnosis = await diagnoseText(postfixLog(attempts));
    const gmail = diagnosis.providers.gmail;

    expect(gmail?.retriedConnectionFailures).toBe(12);
    expect(gmail?.lastUnretriedConnectionFailure).toBe("2024-03-10T21:00:00Z");
    // One failure is no repeated failure, so the verdict stays clean.
    expect(gmail?.connectionsFailing).toBe(false);
  });

  test("steady deliveries end failing connections", async () => {
    // Every fifth attempt fails up to 23:54, then Gmail accepts 6 messages over 36 minutes.
    const attempts = [
      ...failEvery(5, 240, "gmail.com", GMAIL_TIMEOUT),
      ...sentTo(6, "gmail.com", 24 * 60),
    ];
    const diagnosis = await diagnoseText(postfixLog(attempts));

    expect(diagnosis.providers.gmail?.connectionsFailing).toBe(false);
    expect(diagnosis.verdict.summary).toContain("These failures no longer go on");
  });

  test("too few deliveries keep failing", async () => {
    // Four deliveries after the last failure are fewer than the five that show recovery.
    const attempts = [
      ...failEvery(5, 240, "gmail.com", GMAIL_TIMEOUT),
      ...sentTo(4, "gmail.com", 24 * 60),
    ];
    const diagnosis = await diagnoseText(postfixLog(attempts));

    expect(diagnosis.providers.gmail?.connectionsFailing).toBe(true);
    expect(readinessItem(diagnosis, "blocks-ended")?.status).toBe("fail");
  });

  test("rare failures exit 0", async () => {
    // Every tenth of 90 attempts fails: 9 failures, below the 10 that count as repeated.
    const path = temporary.file(postfixLog(failEvery(10, 90, "gmail.com", GMAIL_TIMEOUT)));
    const result = await runCommand([...OFFLINE_DIAGNOSE, path]);

    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Verdict: OK");
    expect(result.stdout).toContain("healthy");
  });

  test("other receivers' failures exit 0", async () => {
    const path = temporary.file(postfixLog(failEvery(10, 240, "example.net", SMALL_TIMEOUT)));
    const result = await runCommand([...OFFLINE_DIAGNOSE, path]);

    expect(result.code).toBe(0);
  });
});
