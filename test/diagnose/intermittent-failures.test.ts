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

/** One delivery attempt: its minute after T0, recipient, and `sent` or a deferral reason. */
interface Attempt {
  readonly minute: number;
  readonly to: string;
  readonly result: string;
}

/** Writes a Postfix log with one message per attempt. A failed connection has `relay=none`. */
function postfixLog(attempts: readonly Attempt[]): string {
  const lines = attempts.flatMap(({ minute, to, result }, index) => {
    const id = `5C1D${(0x1000 + index).toString(16).toUpperCase()}A0`;
    const stamp = new Date(T0 + minute * MINUTE).toISOString().replace(".000Z", "+00:00");
    const relay = to.endsWith("@gmail.com")
      ? "gmail-smtp-in.l.google.com[192.0.2.27]:25"
      : "mx.example.net[192.0.2.25]:25";
    const delivery =
      result === "sent"
        ? `relay=${relay}, delay=1, delays=0.1/0/0.4/0.5, dsn=2.0.0, status=sent (250 2.0.0 OK)`
        : `relay=none, delay=30, delays=0.1/0/30/0, dsn=4.4.1, status=deferred (${result})`;
    return [
      `${stamp} mail postfix/submission/smtpd[900]: ${id}: client=unknown[192.0.2.10], sasl_method=PLAIN, sasl_username=alice@example.com`,
      `${stamp} mail postfix/cleanup[901]: ${id}: message-id=<${id}@example.com>`,
      `${stamp} mail postfix/qmgr[902]: ${id}: from=<alice@example.com>, size=2000, nrcpt=1 (queue active)`,
      `${stamp} mail postfix/smtp[903]: ${id}: to=<${to}>, ${delivery}`,
    ];
  });
  return `${lines.join("\n")}\n`;
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

  test("stopped failures still exit 1", async () => {
    const attempts = [
      ...failEvery(5, 240, "gmail.com", GMAIL_TIMEOUT),
      ...sentTo(30, "gmail.com", 24 * 60),
    ];
    const result = await runCommand([...OFFLINE_DIAGNOSE, temporary.file(postfixLog(attempts))]);

    expect(result.code).toBe(1);
    expect(result.stdout).toContain("[x] Rejections and deferrals have stopped");
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
