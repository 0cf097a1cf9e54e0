import { describe, expect, test } from "vitest";
import type { LogStatistics } from "../../src/diagnose/statistics.js";
import { OFFLINE_DIAGNOSE, runCommand } from "../helpers/cli.js";
import { diagnoseText } from "../helpers/diagnose-text.js";
import { suspendedDeferralSentence } from "../../src/report/undelivered-text.js";
import { schemaValidator } from "../helpers/schema.js";
import { temporaryFiles } from "../helpers/temporary-files.js";

const temporary = temporaryFiles();
const validateDiagnosis = schemaValidator("diagnose.schema.json");
const validateLogs = schemaValidator("logs.schema.json");

const GMAIL_MX = "gmail-smtp-in.l.google.com[192.0.2.27]";
const GMAIL_421 = `host ${GMAIL_MX} refused to talk to me: 421 4.7.0 Try again later, closing connection.`;
const SUSPENDED_421 = `delivery temporarily suspended: ${GMAIL_421}`;

/** Returns the stamp and host of a line `minute` minutes after 10:00 on 4 March 2024. */
function at(minute: number, second = 0): string {
  const time = Date.UTC(2024, 2, 4, 10, minute, second);
  return `${new Date(time).toISOString().replace(".000Z", "+00:00")} mail`;
}

/** Returns the lines of a message that alice@example.com submitted with SMTP AUTH. */
function submitted(id: string, minute: number, recipients: number): string[] {
  return [
    `${at(minute)} postfix/submission/smtpd[100]: ${id}: client=unknown[198.51.100.10], sasl_method=PLAIN, sasl_username=alice@example.com`,
    `${at(minute)} postfix/qmgr[102]: ${id}: from=<alice@example.com>, size=1000, nrcpt=${recipients} (queue active)`,
  ];
}

/**
 * Writes a Gmail block: Postfix tries one recipient, gets 421, marks the destination dead and defers
 * the five other recipients through the retry service without connecting.
 */
function gmailBlockLog(): string {
  const lines = submitted("3C4D5E6F70", 0, 6);
  lines.push(
    `${at(0, 30)} postfix/smtp[103]: 3C4D5E6F70: to=<u0@gmail.com>, relay=${GMAIL_MX}:25, delay=30, delays=0/0/30/0, dsn=4.7.0, status=deferred (${GMAIL_421})`,
  );
  for (let index = 1; index <= 5; index++) {
    lines.push(
      `${at(0, 30)} postfix/retry[105]: 3C4D5E6F70: to=<u${index}@gmail.com>, relay=none, delay=30, delays=30/0/0/0, dsn=4.7.0, status=deferred (${SUSPENDED_421})`,
    );
  }
  return lines.join("\n") + "\n";
}

async function logsJson(text: string): Promise<LogStatistics> {
  const result = await runCommand([
    "logs",
    "--format",
    "json",
    "--timezone",
    "UTC",
    temporary.file(text),
  ]);
  const statistics = JSON.parse(result.stdout) as LogStatistics;
  expect(validateLogs(statistics)).toEqual([]);
  return statistics;
}

describe("Postfix retry service", () => {
  test("retry deferrals count for Gmail", async () => {
    const diagnosis = await diagnoseText(gmailBlockLog());
    const gmail = diagnosis.providers.gmail;

    expect(validateDiagnosis(diagnosis)).toEqual([]);
    expect(gmail?.deferred).toBe(6);
    expect(gmail?.suspendedDeferrals).toBe(5);
    expect(gmail?.deferredRecipients).toBe(6);
    expect(gmail?.recipients).toBe(6);
  });

  test("retry deferrals are no attempts", async () => {
    const diagnosis = await diagnoseText(gmailBlockLog());
    const gmail = diagnosis.providers.gmail;

    expect(gmail?.attempts).toBe(1);
    expect(gmail?.blockedAttempts).toBe(1);
    expect(gmail?.blockedRecipients).toBe(1);
    expect(gmail?.connectionFailures).toBe(0);
    expect(gmail?.firstBlock?.line).toBe(3);
    expect(gmail?.lastBlock?.line).toBe(3);
    expect(gmail?.codes).toEqual({ "421 4.7.0": 1 });
  });

  test("retry deferrals count for the account", async () => {
    const statistics = await logsJson(gmailBlockLog());
    const alice = statistics.accounts.find((account) => account.key === "alice@example.com");

    expect(alice?.recipients).toBe(6);
    expect(alice?.deferred).toBe(6);
    expect(alice?.undeliveredRecipients).toBe(6);
    expect(statistics.providers.gmail?.suspendedDeferrals).toBe(5);
    expect(statistics.providers.gmail?.attempts).toBe(1);
  });

  test("retry deferrals shown in the text", async () => {
    const log = temporary.file(gmailBlockLog());
    const diagnose = await runCommand([...OFFLINE_DIAGNOSE, log]);
    const logs = await runCommand(["logs", "--timezone", "UTC", log]);

    expect(diagnose.stdout).toContain("5 of the deferrals were made without a connection");
    expect(diagnose.stdout).toContain("In all, 6 recipients were deferred.");
    expect(logs.stdout).toContain("5 of the deferrals were made without a connection");
    expect(logs.stdout).toContain("In all, 6 recipients were deferred.");
  });

  test("one retry deferral is singular", () => {
    const sentence = suspendedDeferralSentence(1, 2);

    expect(sentence).toMatch(/^1 of the deferrals was made without a connection, /);
    expect(sentence).toContain("In all, 2 recipients were deferred.");
  });

  test("retry after timeouts makes no outage", async () => {
    // Nine timed-out attempts stay below the ten that make an outage, however many recipients
    // the retry service defers after them.
    const lines: string[] = [];
    for (let index = 0; index < 9; index++) {
      const id = `4D5E6F70${(0x10 + index).toString(16).toUpperCase()}`;
      lines.push(
        ...submitted(id, index * 5, 4),
        `${at(index * 5, 30)} postfix/smtp[103]: ${id}: to=<a${index}@gmail.com>, relay=none, delay=30, delays=0/0/30/0, dsn=4.4.1, status=deferred (connect to ${GMAIL_MX}:25: Connection timed out)`,
      );
      for (let rest = 0; rest < 3; rest++) {
        lines.push(
          `${at(index * 5, 30)} postfix/retry[105]: ${id}: to=<b${index}x${rest}@gmail.com>, relay=none, delay=30, delays=30/0/0/0, dsn=4.4.1, status=deferred (delivery temporarily suspended: connect to ${GMAIL_MX}:25: Connection timed out)`,
        );
      }
    }
    const diagnosis = await diagnoseText(lines.join("\n") + "\n");
    const gmail = diagnosis.providers.gmail;

    expect(gmail?.connectionFailures).toBe(9);
    expect(gmail?.attempts).toBe(9);
    expect(gmail?.outage).toBeNull();
    expect(gmail?.status).not.toBe("unreachable");
    expect(gmail?.suspendedDeferrals).toBe(27);
    expect(gmail?.deferredRecipients).toBe(36);
  });

  test("retry deferral restarts no block", async () => {
    // Twenty deliveries over more than two hours after the 421 lift the block. A retry
    // deferral that quotes the old 421 afterwards is no new block signal.
    const lines = [
      ...submitted("5E6F708192", 0, 1),
      `${at(0, 30)} postfix/smtp[103]: 5E6F708192: to=<u0@gmail.com>, relay=${GMAIL_MX}:25, delay=30, delays=0/0/30/0, dsn=4.7.0, status=deferred (${GMAIL_421})`,
    ];
    for (let index = 0; index < 20; index++) {
      const id = `6F708192${(0xa0 + index).toString(16).toUpperCase()}`;
      lines.push(
        ...submitted(id, 10 + index * 7, 1),
        `${at(10 + index * 7, 5)} postfix/smtp[103]: ${id}: to=<r${index}@gmail.com>, relay=${GMAIL_MX}:25, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 2.0.0 OK)`,
      );
    }
    lines.push(
      `${at(150)} postfix/retry[105]: 5E6F708192: to=<u0@gmail.com>, relay=none, delay=9000, delays=9000/0/0/0, dsn=4.7.0, status=deferred (${SUSPENDED_421})`,
    );
    const diagnosis = await diagnoseText(lines.join("\n") + "\n");
    const gmail = diagnosis.providers.gmail;

    expect(gmail?.suspendedDeferrals).toBe(1);
    expect(gmail?.pastBlock?.deliveredAfter).toBe(20);
    expect(gmail?.lastBlock?.line).toBe(3);
    expect(gmail?.attempts).toBe(21);
    expect(gmail?.ongoing).toBe(false);
  });
});

describe("Postfix error service", () => {
  // A smtp timeout, a retry deferral and a bounce decided by the error service.
  const MIXED = [
    `${at(0)} postfix/pickup[100]: 3C4D5E6F70: uid=1000 from=<alice>`,
    `${at(0)} postfix/qmgr[102]: 3C4D5E6F70: from=<alice@example.com>, size=1000, nrcpt=3 (queue active)`,
    `${at(0, 30)} postfix/smtp[103]: 3C4D5E6F70: to=<u1@example.net>, relay=none, delay=30, delays=0/0/30/0, dsn=4.4.1, status=deferred (connect to mx.example.net[192.0.2.20]:25: Connection timed out)`,
    `${at(0, 30)} postfix/retry[105]: 3C4D5E6F70: to=<u2@example.net>, relay=none, delay=30, delays=30/0/0/0, dsn=4.4.1, status=deferred (delivery temporarily suspended: connect to mx.example.net[192.0.2.20]:25: Connection timed out)`,
    `${at(0, 30)} postfix/error[104]: 3C4D5E6F70: to=<u3@example.net>, relay=none, delay=30, delays=30/0/0/0, dsn=5.0.0, status=bounced (user has moved to new@example.org)`,
  ].join("\n");

  test("error bounce counts for the program", async () => {
    const statistics = await logsJson(MIXED + "\n");
    const program = statistics.localSources[0];

    expect(program?.recipients).toBe(3);
    expect(program?.deferred).toBe(2);
    expect(program?.bounced).toBe(1);
    expect(program?.undeliveredRecipients).toBe(3);
  });

  test("error bounce is no provider reply", async () => {
    const statistics = await logsJson(MIXED + "\n");
    const other = statistics.providers.other;

    expect(other?.deferred).toBe(2);
    expect(other?.suspendedDeferrals).toBe(1);
    expect(other?.bounced).toBe(0);
    expect(other?.attempts).toBe(1);
    expect(statistics.undeliveredByServer.bounced).toBe(0);
    expect(statistics.undeliveredByServer.deferred).toBe(0);
    expect(statistics.inbound.localDeliveryFailures.bounced).toBe(0);
    expect(statistics.inbound.localPolicyRejections.bounced).toBe(1);
    expect(statistics.inbound.localPolicyRejections.first).toEqual({
      time: "2024-03-04T10:00:30Z",
      recipient: "u3@example.net",
      status: "bounced",
      transport: "error",
      text: "user has moved to new@example.org",
      file: expect.stringMatching(/mail\.log$/) as unknown,
      line: 5,
    });
  });

  test("broken transport is named in diagnose", async () => {
    const lines = submitted("7A8B9C0D1E", 0, 6);
    for (let index = 0; index < 6; index++) {
      lines.push(
        `${at(0, 1)} postfix/error[104]: 7A8B9C0D1E: to=<c${index}@example.org>, relay=none, delay=1, delays=1/0/0/0, dsn=4.3.0, status=deferred (unknown mail transport error)`,
      );
    }
    const log = temporary.file(lines.join("\n") + "\n");
    const json = await runCommand([...OFFLINE_DIAGNOSE, "--format", "json", log]);
    const text = await runCommand([...OFFLINE_DIAGNOSE, log]);
    const diagnosis = JSON.parse(json.stdout) as Awaited<ReturnType<typeof diagnoseText>>;

    expect(validateDiagnosis(diagnosis)).toEqual([]);
    expect(diagnosis.undeliveredByServer.deferred).toBe(6);
    expect(diagnosis.undeliveredByServer.first?.text).toBe("unknown mail transport error");
    expect(diagnosis.providers).toEqual({});
    expect(text.stdout).toContain("Deferred or bounced by this server itself: 6 deferred");
    expect(text.stdout).toContain("deferred <c0@example.org> by error: unknown mail");
  });
});

describe("Postfix policy bounces", () => {
  const TRANSPORT_ERROR =
    "dsn=5.0.0, status=bounced (mail for example.net is not accepted from this server)";

  /** Writes one message from alice@example.com whose recipient the error service bounced. */
  function errorBounceLog(id: string, recipient: string, result: string): string {
    return (
      [
        ...submitted(id, 0, 1),
        `${at(0, 1)} postfix/error[104]: ${id}: to=<${recipient}>, relay=none, delay=1, delays=1/0/0/0, ${result}`,
      ].join("\n") + "\n"
    );
  }

  test("relocated user is no held mail", async () => {
    const log = errorBounceLog(
      "1A2B3C4D5E",
      "old@example.net",
      "dsn=5.1.6, status=bounced (user has moved to new@example.org)",
    );
    const run = await runCommand([...OFFLINE_DIAGNOSE, temporary.file(log)]);

    expect(run.code).toBe(0);
    expect(run.stdout).not.toContain("MAIL HELD BY THIS SERVER");
    expect(run.stdout).toContain(
      "Rejected on purpose by this server's own rules: 0 deferred, 1 bounced",
    );
  });

  test("error transport bounce is policy", async () => {
    const diagnosis = await diagnoseText(
      errorBounceLog("2A2B3C4D5E", "x@example.net", TRANSPORT_ERROR),
    );

    expect(diagnosis.verdict.heldByServer).toBeNull();
    expect(diagnosis.undeliveredByServer.bounced).toBe(0);
    expect(diagnosis.localPolicyRejections.bounced).toBe(1);
    expect(diagnosis.localDeliveryFailures.bounced).toBe(0);
  });

  test("Sendmail error mailer is no held mail", async () => {
    const stamp = "Mar  4 10:00:00 mail sm-mta[1000]:";
    const log = [
      `${stamp} 424A00001x000001: from=<alice@example.com>, size=2000, class=0, nrcpts=1, msgid=<1@example.com>, proto=ESMTPSA, daemon=MTA, relay=laptop [198.51.100.10]`,
      `${stamp} 424A00001x000001: to=<old@example.net>, delay=00:00:00, mailer=*error*, pri=30000, dsn=5.1.1, stat=User unknown`,
    ].join("\n");
    const diagnosis = await diagnoseText(log + "\n");

    expect(diagnosis.verdict.heldByServer).toBeNull();
    expect(diagnosis.undeliveredByServer.bounced).toBe(0);
    expect(diagnosis.localPolicyRejections.first?.transport).toBe("*error*");
  });

  test("broken transport bounce stays held", async () => {
    const log = errorBounceLog(
      "3A2B3C4D5E",
      "y@example.net",
      "dsn=5.3.0, status=bounced (mail transport unavailable)",
    );
    const diagnosis = await diagnoseText(log);

    expect(diagnosis.undeliveredByServer.bounced).toBe(1);
    expect(diagnosis.verdict.heldByServer?.bounced).toBe(1);
  });
});

describe("failed local deliveries", () => {
  const INBOUND = [
    `${at(0)} postfix/smtpd[110]: 4D5E6F7081: client=mx.example.net[192.0.2.20]`,
    `${at(0)} postfix/qmgr[102]: 4D5E6F7081: from=<s@example.net>, size=1000, nrcpt=5 (queue active)`,
    `${at(0, 1)} postfix/lmtp[105]: 4D5E6F7081: to=<d@example.com>, relay=mail.example.com[private/dovecot-lmtp], delay=1, delays=0/0/0/1, dsn=4.2.0, status=deferred (host mail.example.com[private/dovecot-lmtp] said: 451 4.2.0 <d@example.com> Temporary internal error (in reply to end of DATA command))`,
    `${at(0, 2)} postfix/local[106]: 4D5E6F7081: to=<e@example.com>, relay=local, delay=2, delays=0/0/0/2, dsn=4.2.2, status=deferred (cannot update mailbox /var/mail/e for user e. error writing message: Disk quota exceeded)`,
    `${at(0, 2)} postfix/virtual[107]: 4D5E6F7081: to=<f@example.com>, relay=virtual, delay=2, delays=0/0/0/2, dsn=5.2.2, status=bounced (maildir delivery failed: Disk quota exceeded)`,
    `${at(0, 2)} postfix/pipe[108]: 4D5E6F7081: to=<g@example.com>, relay=dovecot, delay=2, delays=0/0/0/2, dsn=4.3.0, status=deferred (temporary failure)`,
    `${at(0, 3)} postfix/local[106]: 4D5E6F7081: to=<h@example.com>, relay=local, delay=3, delays=0/0/0/3, dsn=2.0.0, status=delivered (delivered to mailbox)`,
  ];

  test("local failures in logs inbound", async () => {
    const statistics = await logsJson(INBOUND.slice(0, 6).join("\n") + "\n");
    const failures = statistics.inbound.localDeliveryFailures;

    expect(failures.deferred).toBe(3);
    expect(failures.bounced).toBe(1);
    expect(failures.first?.transport).toBe("lmtp");
    expect(failures.first?.text).toContain("451 4.2.0");
    expect(failures.first?.line).toBe(3);
    expect(statistics.inbound.localDeliveries).toBe(0);
    expect(statistics.providers).toEqual({});
  });

  test("local failures in diagnose", async () => {
    const log = temporary.file(INBOUND.slice(0, 6).join("\n") + "\n");
    const json = await runCommand([...OFFLINE_DIAGNOSE, "--format", "json", log]);
    const text = await runCommand([...OFFLINE_DIAGNOSE, log]);
    const diagnosis = JSON.parse(json.stdout) as Awaited<ReturnType<typeof diagnoseText>>;

    expect(validateDiagnosis(diagnosis)).toEqual([]);
    expect(diagnosis.localDeliveryFailures.deferred).toBe(3);
    expect(diagnosis.localDeliveryFailures.bounced).toBe(1);
    expect(text.stdout).toContain("Failed local deliveries: 3 deferred, 1 bounced.");
  });

  test("dead LMTP destination is local", async () => {
    const lines = [
      ...INBOUND.slice(0, 2),
      `${at(0, 5)} postfix/retry[109]: 4D5E6F7081: to=<k@example.com>, relay=none, delay=5, delays=5/0/0/0, dsn=4.4.1, status=deferred (delivery temporarily suspended: connect to mail.example.com[private/dovecot-lmtp]: Connection refused)`,
    ];
    const statistics = await logsJson(lines.join("\n") + "\n");

    expect(statistics.inbound.localDeliveryFailures.deferred).toBe(1);
    expect(statistics.providers).toEqual({});
  });
});

describe("reject_warning", () => {
  test("warning is no reject", async () => {
    const line = `${at(0, 2)} postfix/smtpd[100]: NOQUEUE: reject_warning: RCPT from unknown[192.0.2.50]: 450 4.7.1 Client host rejected: cannot find your hostname, [192.0.2.50]; from=<s@example.net> to=<a@example.com> proto=ESMTP helo=<x>`;
    const reject = `${at(0, 3)} postfix/smtpd[100]: NOQUEUE: reject: RCPT from unknown[192.0.2.51]: 554 5.7.1 <a@example.com>: Relay access denied; from=<s@example.net> to=<a@example.com> proto=ESMTP helo=<x>`;
    const statistics = await logsJson([line, reject].join("\n") + "\n");

    expect(statistics.inbound.rejects).toBe(1);
    expect(statistics.inbound.rejectCodes).toEqual({ "554 5.7.1": 1 });
    expect(statistics.inbound.rejectWarnings).toBe(1);
  });

  test("warning shown in the text", async () => {
    const line = `${at(0, 2)} postfix/smtpd[100]: NOQUEUE: reject_warning: RCPT from unknown[192.0.2.50]: 450 4.7.1 Client host rejected: cannot find your hostname, [192.0.2.50]; from=<s@example.net> to=<a@example.com> proto=ESMTP helo=<x>`;
    const result = await runCommand(["logs", "--timezone", "UTC", temporary.file(line + "\n")]);

    expect(result.stdout).toContain("0 SMTP rejects, 1 reject warning (warn_if_reject)");
  });
});

describe("Exim retry time not reached", () => {
  const ID = "1rhA01-000Abc-1x";
  const ARRIVAL = `2024-03-04 10:00:00 ${ID} <= alice@example.com H=(laptop) [198.51.100.10]:51234 P=esmtpsa A=dovecot_login:alice@example.com S=2000 id=${ID}@example.com`;

  test("skipped retry counts as suspended deferral", async () => {
    const lines = [
      ARRIVAL,
      `2024-03-04 10:00:01 ${ID} == bob@gmail.com R=dnslookup T=remote_smtp defer (-44) H=gmail-smtp-in.l.google.com [192.0.2.27]: SMTP error from remote mail server after pipelined MAIL FROM:<alice@example.com> SIZE=2000: 421 4.7.0 Try again later`,
      `2024-03-04 10:15:00 ${ID} == bob@gmail.com routing defer (-52): retry time not reached`,
      `2024-03-04 10:30:00 ${ID} == bob@gmail.com R=dnslookup T=remote_smtp defer (-53): retry time not reached for any host for 'gmail.com'`,
    ];
    const diagnosis = await diagnoseText(lines.join("\n") + "\n");
    const gmail = diagnosis.providers.gmail;

    expect(gmail?.attempts).toBe(1);
    expect(gmail?.deferred).toBe(3);
    expect(gmail?.suspendedDeferrals).toBe(2);
    expect(gmail?.deferredRecipients).toBe(1);
    expect(gmail?.blockedAttempts).toBe(1);
  });

  test("skipped retry of unknown destination is left out", async () => {
    const lines = [
      ARRIVAL,
      `2024-03-04 10:15:00 ${ID} == bob@example.net routing defer (-52): retry time not reached`,
    ];
    const statistics = await logsJson(lines.join("\n") + "\n");

    expect(statistics.providers).toEqual({});
    expect(statistics.inbound.localDeliveryFailures.deferred).toBe(0);
  });
});
