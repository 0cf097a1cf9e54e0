import { describe, expect, test } from "vitest";
import type { Diagnosis, ReadinessItem } from "../../src/diagnose/types.js";
import { diagnoseText } from "../helpers/diagnose-text.js";
import { HOUR, PostfixLog, T0 } from "../helpers/postfix-fixture.js";
import { schemaValidator } from "../helpers/schema.js";

const MINUTE = 60_000;
const validateDiagnosis = schemaValidator("diagnose.schema.json");

const GMAIL_DEFERRAL =
  "421-4.7.28 [192.0.2.1 15] Gmail has detected an unusual rate of unsolicited mail originating 421-4.7.28 from your IP address. To protect our users from spam, mail sent from 421-4.7.28 your IP address has been temporarily rate limited. 421 4.7.28 https://support.google.com/mail/?p=UnsolicitedRateLimitError a1si2 - gsmtp";

/**
 * Writes `count` messages from outside senders to info@example.com, one every 3 minutes from
 * `start`, each forwarded to owner@gmail.com, which defers every attempt. A local delivery at
 * T0 makes example.com a local domain, and one at `logEnd` ends the log.
 */
function forwardedSpam(start: number, count: number, logEnd: number): PostfixLog {
  const log = new PostfixLog("mx1.example.com");
  let serial = 0;
  const line = (time: number, program: string, text: string): void => {
    serial += 1;
    const stamp = new Date(time).toISOString().replace("Z", "+00:00");
    log.raw(time, `${stamp} mx1.example.com ${program}[${1000 + serial}]: ${text}`);
  };
  const receive = (time: number, id: string, from: string): void => {
    line(time, "postfix/smtpd", `${id}: client=unknown[198.51.100.${60 + (serial % 30)}]`);
    line(time, "postfix/cleanup", `${id}: message-id=<${id}@example.net>`);
    line(time, "postfix/qmgr", `${id}: from=<${from}>, size=2000, nrcpt=1 (queue active)`);
  };
  const deliverLocally = (time: number, id: string): void => {
    receive(time, id, "partner@example.org");
    line(
      time + 1000,
      "postfix/local",
      `${id}: to=<bob@example.com>, relay=local, delay=1, delays=0.1/0/0/0.9, dsn=2.0.0, status=sent (delivered to mailbox)`,
    );
    line(time + 2000, "postfix/qmgr", `${id}: removed`);
  };

  deliverLocally(T0, "0A1B2C3D40");
  for (let index = 0; index < count; index++) {
    const id = (0x5000000000 + index).toString(16).toUpperCase();
    const time = start + index * 3 * MINUTE;
    receive(time, id, `promo${index}@spam${index % 7}.example.net`);
    line(
      time + 1000,
      "postfix/smtp",
      `${id}: to=<owner@gmail.com>, orig_to=<info@example.com>, relay=gmail-smtp-in.l.google.com[192.0.2.27]:25, delay=1, delays=0.1/0/0.4/0.5, dsn=4.7.28, status=deferred (host gmail-smtp-in.l.google.com[192.0.2.27] said: ${GMAIL_DEFERRAL} (in reply to end of DATA command))`,
    );
  }
  deliverLocally(logEnd, "0A1B2C3D41");
  return log;
}

function causeStopped(diagnosis: Diagnosis): ReadinessItem | undefined {
  return diagnosis.readiness.items.find((item) => item.id === "cause-stopped");
}

describe("forwarding in the cause-stopped item", () => {
  test("forwarding that ended passes", async () => {
    const log = forwardedSpam(T0 + 10 * HOUR, 20, T0 + 16 * HOUR);
    const diagnosis = await diagnoseText(log.text());
    const item = causeStopped(diagnosis);

    expect(diagnosis.findings.find((f) => f.id === "forwarding")?.role).toBe("cause");
    expect(item?.status).toBe("pass");
    expect(item?.detail).toContain(
      "The latest message forwarded to outside mailboxes came at 2024-03-04T10:57:00Z, 5 hours 3 minutes before the last line of the log",
    );
  });

  test("forwarding at log end fails", async () => {
    const log = forwardedSpam(T0 + 10 * HOUR, 20, T0 + 11 * HOUR);
    const item = causeStopped(await diagnoseText(log.text()));

    expect(item?.status).toBe("fail");
    expect(item?.detail).toContain(
      "Mail was still forwarded to outside mailboxes at 2024-03-04T10:57:00Z",
    );
  });

  test("evidence gives the latest message", async () => {
    const log = forwardedSpam(T0 + 10 * HOUR, 20, T0 + 16 * HOUR);
    const diagnosis = await diagnoseText(log.text());
    const evidence = diagnosis.findings.find((f) => f.id === "forwarding")?.evidence as
      Record<string, unknown> | undefined;

    expect(evidence?.lastMessage).toBe("2024-03-04T10:57:00Z");
    expect(validateDiagnosis(JSON.parse(JSON.stringify(diagnosis)))).toEqual([]);
  });

  test("summary verb agrees with one address", async () => {
    const log = forwardedSpam(T0 + 10 * HOUR, 20, T0 + 16 * HOUR);
    const diagnosis = await diagnoseText(log.text());
    const summary = diagnosis.findings.find((f) => f.id === "forwarding")?.summary;

    expect(summary).toMatch(/^1 local address forwards to outside mailboxes;/);
  });

  test("rows name the held messages", async () => {
    const log = forwardedSpam(T0 + 10 * HOUR, 20, T0 + 16 * HOUR);
    const gmail = (await diagnoseText(log.text())).providers.gmail;

    expect(gmail?.blockedRecipients).toBe(1);
    expect(gmail?.blockedMessages).toBe(20);
  });
});
