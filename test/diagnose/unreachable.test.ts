import { describe, expect, test } from "vitest";
import type { Diagnosis } from "../../src/diagnose/types.js";
import { outageSentence } from "../../src/report/outage.js";
import { OFFLINE_DIAGNOSE, runCommand } from "../helpers/cli.js";
import { diagnoseText } from "../helpers/diagnose-text.js";
import { schemaValidator } from "../helpers/schema.js";
import { temporaryFiles } from "../helpers/temporary-files.js";

const temporary = temporaryFiles();
const validateDiagnosis = schemaValidator("diagnose.schema.json");
const validateLogs = schemaValidator("logs.schema.json");

const MINUTE = 60_000;
const T0 = Date.UTC(2024, 2, 4, 0, 0, 0);
const GMAIL_MX = "gmail-smtp-in.l.google.com";
const GMAIL_IP = "192.0.2.27";

/** One delivery attempt of a fixture: its minute after T0, recipient and result. */
interface Attempt {
  readonly minute: number;
  readonly to: string;
  /** `sent`, or the reason text of a deferral as the MTA writes it. */
  readonly result: "sent" | string;
}

function rfc3339(minute: number): string {
  return new Date(T0 + minute * MINUTE).toISOString().replace(".000Z", "+00:00");
}

/** Writes a Postfix log: each attempt is a message of its own, deferred with `relay=none`. */
function postfixLog(attempts: readonly Attempt[]): string {
  return attempts
    .flatMap(({ minute, to, result }, index) => {
      const id = `4B7E${(0x1000 + index).toString(16).toUpperCase()}C0`;
      const stamp = `${rfc3339(minute)} mail`;
      const relay = to.endsWith("@gmail.com")
        ? `${GMAIL_MX}[${GMAIL_IP}]:25`
        : "mx.example.net[198.51.100.25]:25";
      const delivery =
        result === "sent"
          ? `relay=${relay}, delay=1, delays=0.1/0/0.4/0.5, dsn=2.0.0, status=sent (250 2.0.0 OK)`
          : `relay=none, delay=30, delays=0.1/0/30/0, dsn=4.4.1, status=deferred (${result})`;
      return [
        `${stamp} postfix/submission/smtpd[900]: ${id}: client=unknown[198.51.100.10], sasl_method=PLAIN, sasl_username=alice@example.com`,
        `${stamp} postfix/cleanup[901]: ${id}: message-id=<${id}@example.com>`,
        `${stamp} postfix/qmgr[902]: ${id}: from=<alice@example.com>, size=2000, nrcpt=1 (queue active)`,
        `${stamp} postfix/smtp[903]: ${id}: to=<${to}>, ${delivery}`,
      ];
    })
    .join("\n")
    .concat("\n");
}

/** Writes an Exim main log: each attempt is a message of its own. */
function eximLog(attempts: readonly Attempt[]): string {
  return attempts
    .flatMap(({ minute, to, result }, index) => {
      const stamp = rfc3339(minute).slice(0, 19).replace("T", " ");
      const id = `1rhA${String(index).padStart(2, "0")}-000Abc-1x`;
      const delivery =
        result === "sent"
          ? `=> ${to} R=dnslookup T=remote_smtp H=mx.example.net [198.51.100.25] C="250 OK"`
          : `== ${to} R=dnslookup T=remote_smtp ${result}`;
      return [
        `${stamp} ${id} <= alice@example.com H=(laptop) [198.51.100.10]:51234 P=esmtpsa A=dovecot_login:alice@example.com S=2000 id=${id}@example.com`,
        `${stamp} ${id} ${delivery}`,
      ];
    })
    .join("\n")
    .concat("\n");
}

/** Writes a Sendmail log: each attempt is a message of its own. */
function sendmailLog(attempts: readonly Attempt[]): string {
  return attempts
    .flatMap(({ minute, to, result }, index) => {
      const stamp = `Mar  4 ${rfc3339(minute).slice(11, 19)} mail sm-mta[${1000 + index}]:`;
      const id = `424A0${String(index).padStart(4, "0")}x0${String(index).padStart(5, "0")}`;
      const outcome =
        result === "sent"
          ? "relay=mx.example.net. [198.51.100.25], dsn=2.0.0, stat=Sent (OK)"
          : `relay=${GMAIL_MX}. [${GMAIL_IP}], dsn=4.0.0, stat=${result}`;
      return [
        `${stamp} ${id}: from=<alice@example.com>, size=2000, class=0, nrcpts=1, msgid=<${id}@example.com>, proto=ESMTPSA, daemon=MTA, relay=laptop [198.51.100.10]`,
        `${stamp} ${id}: to=<${to}>, delay=00:00:30, xdelay=00:00:30, mailer=esmtp, pri=120000, ${outcome}`,
      ];
    })
    .join("\n")
    .concat("\n");
}

const POSTFIX_TIMEOUT = `connect to ${GMAIL_MX}[${GMAIL_IP}]:25: Connection timed out`;

/**
 * Builds `count` attempts ten minutes apart to Gmail that end in `result`, each followed by a
 * delivery to a small receiver, so the server itself is clearly sending.
 */
function gmailAttempts(count: number, result: string, start = 0): Attempt[] {
  return Array.from({ length: count }, (_, index) => [
    { minute: start + index * 10, to: `friend${start + index}@gmail.com`, result },
    { minute: start + index * 10 + 1, to: `bob${start + index}@example.net`, result: "sent" },
  ]).flat();
}

function sentToGmail(count: number, start: number): Attempt[] {
  return Array.from({ length: count }, (_, index) => ({
    minute: start + index * 10,
    to: `reader${start + index}@gmail.com`,
    result: "sent",
  }));
}

function findingIds(diagnosis: Diagnosis): string[] {
  return diagnosis.findings.map((finding) => finding.id);
}

function readinessItem(diagnosis: Diagnosis, id: string) {
  return diagnosis.readiness.items.find((item) => item.id === id);
}

describe("unreachable provider", () => {
  test("Postfix timeouts make Gmail unreachable", async () => {
    const diagnosis = await diagnoseText(postfixLog(gmailAttempts(12, POSTFIX_TIMEOUT)));
    const gmail = diagnosis.providers.gmail;

    expect(gmail?.status).toBe("unreachable");
    expect(gmail?.connectionFailures).toBe(12);
    expect(gmail?.outage?.failures).toBe(12);
    expect(gmail?.outage?.ongoing).toBe(true);
    expect(gmail?.ongoing).toBe(true);
    expect(gmail?.outage?.first.ruleId).toBe("generic.connect-timed-out");
    expect(gmail?.outage?.first.text).toBe(POSTFIX_TIMEOUT);
    expect(gmail?.outage?.first.time).toBe("2024-03-04T00:00:00Z");
    expect(gmail?.outage?.first.line).toBe(4);
    expect(gmail?.outage?.fix.some((step) => step.includes("nc -vz"))).toBe(true);
    expect(diagnosis.providers.other?.status).toBe("ok");
    expect(diagnosis.verdict.status).toBe("unreachable");
    expect(diagnosis.verdict.summary).toContain(
      "cannot connect to Gmail since 2024-03-04T00:00:00Z",
    );
    expect(diagnosis.verdict.summary).not.toContain("own network");
    expect(findingIds(diagnosis)).not.toContain("healthy");
    expect(validateDiagnosis(JSON.parse(JSON.stringify(diagnosis)))).toEqual([]);
  });

  test("ongoing outage fails readiness", async () => {
    const diagnosis = await diagnoseText(postfixLog(gmailAttempts(12, POSTFIX_TIMEOUT)));
    const blocksEnded = readinessItem(diagnosis, "blocks-ended");

    expect(blocksEnded?.status).toBe("fail");
    expect(blocksEnded?.detail).toContain("connections to Gmail still failed");
    expect(readinessItem(diagnosis, "cause-identified")?.status).toBe("not-checked");
    expect(readinessItem(diagnosis, "cause-identified")?.detail).toContain(
      "no provider rejects or defers mail for a sender-side reason",
    );
    expect(readinessItem(diagnosis, "cause-identified")?.detail).toContain(
      "could not connect to Gmail",
    );
    expect(diagnosis.readiness.summary).toContain("for a sender-side reason");
    expect(diagnosis.readiness.summary).toContain("could not connect to Gmail");
    expect(diagnosis.readiness.removalForms).toEqual([]);
    expect(diagnosis.readiness.ready).toBe(false);
  });

  test("Exim timeouts make Gmail unreachable", async () => {
    const diagnosis = await diagnoseText(
      eximLog(gmailAttempts(12, "defer (110): Connection timed out")),
    );
    const gmail = diagnosis.providers.gmail;

    expect(gmail?.status).toBe("unreachable");
    expect(gmail?.outage?.failures).toBe(12);
    expect(gmail?.outage?.first.ruleId).toBe("generic.connect-timed-out");
    expect(gmail?.reasons.map((reason) => reason.ruleId)).toContain("generic.connect-timed-out");
    expect(findingIds(diagnosis)).not.toContain("healthy");
    expect(validateDiagnosis(JSON.parse(JSON.stringify(diagnosis)))).toEqual([]);
  });

  test("Exim refusals with a host make Gmail unreachable", async () => {
    const diagnosis = await diagnoseText(
      eximLog(gmailAttempts(12, `defer (111) H=${GMAIL_MX} [${GMAIL_IP}]: Connection refused`)),
    );

    expect(diagnosis.providers.gmail?.status).toBe("unreachable");
    expect(diagnosis.providers.gmail?.outage?.first.ruleId).toBe("generic.connect-refused");
  });

  test("Sendmail timeouts make Gmail unreachable", async () => {
    const diagnosis = await diagnoseText(
      sendmailLog(gmailAttempts(12, `Deferred: Connection timed out with ${GMAIL_MX}.`)),
      { year: 2024 },
    );
    const gmail = diagnosis.providers.gmail;

    expect(gmail?.status).toBe("unreachable");
    expect(gmail?.outage?.failures).toBe(12);
    expect(gmail?.outage?.first.ruleId).toBe("generic.connect-timed-out");
    expect(findingIds(diagnosis)).not.toContain("healthy");
    expect(validateDiagnosis(JSON.parse(JSON.stringify(diagnosis)))).toEqual([]);
  });

  test.each([
    ["Postfix", () => postfixLog(gmailAttempts(12, POSTFIX_TIMEOUT)), undefined],
    [
      "Exim",
      () =>
        eximLog(gmailAttempts(12, `defer (111) H=${GMAIL_MX} [${GMAIL_IP}]: Connection refused`)),
      undefined,
    ],
    [
      "Sendmail",
      () => sendmailLog(gmailAttempts(12, `Deferred: Connection timed out with ${GMAIL_MX}.`)),
      2024,
    ],
  ])("%s outage fix names the MX host", async (_mta, log, year) => {
    const diagnosis = await diagnoseText(log(), year === undefined ? {} : { year });
    const fix = diagnosis.providers.gmail?.outage?.fix ?? [];

    expect(fix.some((step) => step.includes(`nc -vz ${GMAIL_MX} 25`))).toBe(true);
    expect(fix.some((step) => step.includes("<MX host>"))).toBe(false);
  });

  test("replies after the outage make the provider rate-limited, not unreachable", async () => {
    const reply = `host ${GMAIL_MX}[${GMAIL_IP}] said: 421-4.7.28 [203.0.113.5] Our system has detected an unusual rate of unsolicited mail originating from your IP address. (in reply to end of DATA command)`;
    const diagnosis = await diagnoseText(
      postfixLog([...gmailAttempts(12, POSTFIX_TIMEOUT), ...gmailAttempts(12, reply, 130)]),
    );
    const gmail = diagnosis.providers.gmail;

    expect(gmail?.outage?.failures).toBe(12);
    expect(gmail?.outage?.endedAt).toBe("2024-03-04T02:10:00Z");
    expect(gmail?.status).toBe("rate-limited");
    expect(diagnosis.verdict.status).toBe("rate-limited");
  });

  test("nine failures are no outage", async () => {
    const diagnosis = await diagnoseText(postfixLog(gmailAttempts(9, POSTFIX_TIMEOUT)));

    expect(diagnosis.providers.gmail?.status).toBe("ok");
    expect(diagnosis.providers.gmail?.connectionFailures).toBe(9);
    expect(diagnosis.providers.gmail?.outage).toBeNull();
  });

  test("one MX failing beside another is ok", async () => {
    // Postfix logs the failed MX on a line of its own, then delivers through the next one.
    const log = postfixLog(sentToGmail(20, 0))
      .split("\n")
      .flatMap((line) =>
        line.includes("status=sent")
          ? [
              `${line.slice(0, 30)} postfix/smtp[903]: connect to ${GMAIL_MX}[2001:db8::1b]:25: Network is unreachable`,
              line,
            ]
          : [line],
      )
      .join("\n");
    const diagnosis = await diagnoseText(log);

    expect(diagnosis.providers.gmail?.status).toBe("ok");
    expect(diagnosis.providers.gmail?.sent).toBe(20);
    expect(findingIds(diagnosis)).toContain("healthy");
  });

  test("failures between deliveries are ok", async () => {
    const attempts = Array.from({ length: 20 }, (_, index) => ({
      minute: index * 10,
      to: `friend${index}@gmail.com`,
      result: index % 2 === 0 ? POSTFIX_TIMEOUT : "sent",
    }));
    const diagnosis = await diagnoseText(postfixLog(attempts));

    expect(diagnosis.providers.gmail?.status).toBe("ok");
    expect(diagnosis.providers.gmail?.connectionFailures).toBe(10);
    expect(diagnosis.providers.gmail?.outage).toBeNull();
  });

  test("intermittent timeouts warn without healthy", async () => {
    // Every hour the first of three Gmail messages times out, for 24 hours.
    const attempts = Array.from({ length: 24 }, (_, hour) => [
      { minute: hour * 60, to: `first${hour}@gmail.com`, result: POSTFIX_TIMEOUT },
      { minute: hour * 60 + 20, to: `second${hour}@gmail.com`, result: "sent" },
      { minute: hour * 60 + 40, to: `third${hour}@gmail.com`, result: "sent" },
    ]).flat();
    const diagnosis = await diagnoseText(postfixLog(attempts));
    const gmail = diagnosis.providers.gmail;
    const blocksEnded = readinessItem(diagnosis, "blocks-ended");

    expect(gmail?.status).toBe("ok");
    expect(gmail?.outage).toBeNull();
    expect(gmail?.connectionFailures).toBe(24);
    expect(gmail?.lastConnectionFailure).toBe("2024-03-04T23:00:00Z");
    expect(diagnosis.verdict.summary).toContain(
      "24 of 72 delivery attempts to Gmail failed to connect, the last at 2024-03-04T23:00:00Z",
    );
    expect(findingIds(diagnosis)).not.toContain("healthy");
    expect(blocksEnded?.status).toBe("fail");
    expect(blocksEnded?.detail).toContain(
      "Connections to Gmail still failed in the last two hours of the log",
    );
    expect(blocksEnded?.detail).not.toContain(
      "No provider rejects or defers mail in the last two hours",
    );
    expect(validateDiagnosis(JSON.parse(JSON.stringify(diagnosis)))).toEqual([]);
  });

  test("rare timeouts stay healthy", async () => {
    const attempts = [...gmailAttempts(3, POSTFIX_TIMEOUT), ...sentToGmail(60, 40)];
    const diagnosis = await diagnoseText(postfixLog(attempts));

    expect(diagnosis.providers.gmail?.connectionFailures).toBe(3);
    expect(diagnosis.verdict.summary).not.toContain("failed to connect");
    expect(findingIds(diagnosis)).toContain("healthy");
  });

  test("resumed deliveries end the outage", async () => {
    const attempts = [...gmailAttempts(12, POSTFIX_TIMEOUT), ...sentToGmail(30, 130)];
    const diagnosis = await diagnoseText(postfixLog(attempts));
    const gmail = diagnosis.providers.gmail;

    expect(gmail?.status).toBe("ok");
    expect(gmail?.outage?.recovered).toBe(true);
    expect(diagnosis.verdict.status).toBe("ok");
    expect(diagnosis.verdict.summary).toContain(
      "and Gmail has accepted mail again since 2024-03-04T02:10:00Z",
    );
    expect(gmail?.outage?.ongoing).toBe(false);
    expect(gmail?.ongoing).toBe(false);
    expect(gmail?.outage?.last).toBe("2024-03-04T01:50:00Z");
    expect(gmail?.outage?.endedAt).toBe("2024-03-04T02:10:00Z");
    expect(gmail?.outage && outageSentence(gmail.outage)).toBe(
      "12 attempts in a row failed to connect, the last at 2024-03-04 01:50:00. The provider accepted mail or replied at 2024-03-04 02:10:00.",
    );
    expect(diagnosis.verdict.summary).toContain(
      "could not connect to Gmail from 2024-03-04T00:00:00Z to 2024-03-04T01:50:00Z",
    );
    expect(readinessItem(diagnosis, "blocks-ended")?.status).toBe("pass");
  });

  test("few deliveries after an outage keep it", async () => {
    const attempts = [...gmailAttempts(12, POSTFIX_TIMEOUT), ...sentToGmail(4, 130)];
    const diagnosis = await diagnoseText(postfixLog(attempts));
    const gmail = diagnosis.providers.gmail;

    expect(gmail?.status).toBe("unreachable");
    expect(gmail?.outage?.recovered).toBe(false);
    expect(diagnosis.verdict.status).toBe("unreachable");
  });

  test("recovered outage exits 0 without a fix", async () => {
    const attempts = [...gmailAttempts(12, POSTFIX_TIMEOUT), ...sentToGmail(30, 130)];
    const log = temporary.file(postfixLog(attempts));
    const text = await runCommand([...OFFLINE_DIAGNOSE, log]);
    const markdown = await runCommand([...OFFLINE_DIAGNOSE, "--format", "markdown", log]);

    expect(text.code).toBe(0);
    expect(text.stdout).toContain("Verdict: OK");
    expect(text.stdout).toContain("could not connect to Gmail");
    expect(text.stdout).not.toContain("nc -vz");
    expect(markdown.code).toBe(0);
    expect(markdown.stdout).not.toContain("nc -vz");
  });

  test("silent provider is not ongoing", async () => {
    const later = Array.from({ length: 30 }, (_, index) => ({
      minute: 130 + index * 10,
      to: `bob-later${index}@example.net`,
      result: "sent",
    }));
    const diagnosis = await diagnoseText(
      postfixLog([...gmailAttempts(12, POSTFIX_TIMEOUT), ...later]),
    );
    const gmail = diagnosis.providers.gmail;

    expect(gmail?.status).toBe("unreachable");
    expect(gmail?.outage?.ongoing).toBe(false);
    expect(gmail?.outage?.endedAt).toBeNull();
    expect(diagnosis.verdict.summary).toContain(
      "could not connect to Gmail since 2024-03-04T00:00:00Z (12 attempts in a row failed, the last at 2024-03-04T01:50:00Z, and no delivery followed)",
    );
    expect(gmail?.outage && outageSentence(gmail.outage)).toBe(
      "12 attempts in a row failed to connect, the last at 2024-03-04 01:50:00. No delivery to the provider followed.",
    );
  });

  test("overlapping outages point at the network", async () => {
    // Gmail fails first, Yahoo last, and both fail together in the middle hour only.
    const failures = (domain: string, host: string, start: number): Attempt[] =>
      Array.from({ length: 12 }, (_, index) => ({
        minute: start + index * 10,
        to: `user${index}@${domain}`,
        result: `connect to ${host}[192.0.2.64]:25: Connection timed out`,
      }));
    const attempts = [
      ...failures("gmail.com", GMAIL_MX, 0),
      ...failures("yahoo.com", "mta5.am0.yahoodns.net", 60),
      ...failures("icloud.com", "mx01.mail.icloud.com", 300),
      { minute: 500, to: "bob@example.net", result: "sent" },
    ].sort((a, b) => a.minute - b.minute);
    const diagnosis = await diagnoseText(postfixLog(attempts));

    expect(diagnosis.providers.icloud?.status).toBe("unreachable");
    expect(diagnosis.verdict.summary).toContain("2 providers failed at the same time");
  });

  test("several providers point at the network", async () => {
    const timeouts = (domain: string, host: string): Attempt[] =>
      Array.from({ length: 12 }, (_, index) => ({
        minute: index * 10 + 2,
        to: `user${index}@${domain}`,
        result: `connect to ${host}[192.0.2.64]:25: Connection timed out`,
      }));
    const attempts = [
      ...gmailAttempts(12, POSTFIX_TIMEOUT),
      ...timeouts("yahoo.com", "mta5.am0.yahoodns.net"),
    ].sort((a, b) => a.minute - b.minute);
    const diagnosis = await diagnoseText(postfixLog(attempts));

    expect(diagnosis.providers.gmail?.status).toBe("unreachable");
    expect(diagnosis.providers.yahoo?.status).toBe("unreachable");
    expect(diagnosis.verdict.summary).toContain("2 providers failed at the same time");
    expect(diagnosis.verdict.summary).toContain("own network");
  });

  test("every provider points at the network", async () => {
    const attempts = gmailAttempts(12, POSTFIX_TIMEOUT).map((attempt) =>
      attempt.result === "sent"
        ? {
            ...attempt,
            result: "connect to mx.example.net[198.51.100.25]:25: Connection refused",
          }
        : attempt,
    );
    const diagnosis = await diagnoseText(postfixLog(attempts));

    expect(diagnosis.providers.gmail?.status).toBe("unreachable");
    expect(diagnosis.providers.other?.status).toBe("ok");
    expect(diagnosis.providers.other?.fewDomains[0]?.status).toBe("unreachable");
    expect(diagnosis.verdict.summary).toContain("cannot reach any receiver in the log");
    expect(findingIds(diagnosis)).not.toContain("healthy");
  });

  test("other receivers across domains set the verdict", async () => {
    const attempts = Array.from({ length: 14 }, (_, index) => ({
      minute: index * 10,
      to: `partner@receiver${index % 7}.example`,
      result: `connect to mx.receiver${index % 7}.example[198.51.100.${index % 7}]:25: Connection timed out`,
    }));
    const diagnosis = await diagnoseText(postfixLog(attempts));
    const other = diagnosis.providers.other;

    expect(other?.status).toBe("unreachable");
    expect(other?.outage?.recipientDomains).toBe(7);
    expect(diagnosis.verdict.status).toBe("unreachable");
    expect(diagnosis.verdict.summary).not.toContain("do not set the overall verdict");
    expect(diagnosis.verdict.summary).toContain("failed attempts went to 7 recipient domains");
    expect(diagnosis.verdict.summary).toContain("own network");
    expect(validateDiagnosis(JSON.parse(JSON.stringify(diagnosis)))).toEqual([]);
  });

  test("one dead small receiver stays ok", async () => {
    const attempts = [
      ...Array.from({ length: 12 }, (_, index) => ({
        minute: index * 10,
        to: `partner${index}@dead.example`,
        result: "connect to mx.dead.example[198.51.100.41]:25: Connection timed out",
      })),
      ...sentToGmail(12, 0).map((attempt) => ({ ...attempt, minute: attempt.minute + 5 })),
    ];
    const diagnosis = await diagnoseText(postfixLog(attempts));

    expect(diagnosis.providers.other?.status).toBe("ok");
    expect(diagnosis.providers.other?.outage?.recipientDomains).toBe(1);
    expect(diagnosis.verdict.status).toBe("ok");
    expect(diagnosis.verdict.summary).toContain("all went to dead.example");
  });

  test("a rejection still makes Gmail blocked", async () => {
    const rejection =
      "host gmail-smtp-in.l.google.com[192.0.2.27] said: 550-5.7.1 [203.0.113.10      12] Gmail has detected that this message is likely 550-5.7.1 unsolicited mail. To reduce the amount of spam sent to Gmail, this message 550 5.7.1 has been blocked. b2si3 - gsmtp (in reply to end of DATA command)";
    const attempts: Attempt[] = [
      ...[0, 1, 2].map((index) => ({
        minute: index,
        to: `early${index}@gmail.com`,
        result: rejection,
      })),
      ...gmailAttempts(12, POSTFIX_TIMEOUT, 10),
    ];
    const diagnosis = await diagnoseText(postfixLog(attempts));

    expect(diagnosis.providers.gmail?.status).toBe("blocked");
    expect(diagnosis.providers.gmail?.outage?.failures).toBe(12);
  });
});

describe("unreachable provider on the command line", () => {
  test("exits 1 and shows the fix", async () => {
    const path = temporary.file(postfixLog(gmailAttempts(12, POSTFIX_TIMEOUT)));
    const result = await runCommand([...OFFLINE_DIAGNOSE, path]);

    expect(result.code).toBe(1);
    expect(result.stdout).toContain("Verdict: UNREACHABLE");
    expect(result.stdout).toContain("    unreachable 2024-03-04 00:00:00 connect to");
    expect(result.stdout).toContain("nc -vz");
    expect(result.stdout).not.toContain("healthy");
  });

  test("Markdown lists the fix", async () => {
    const path = temporary.file(postfixLog(gmailAttempts(12, POSTFIX_TIMEOUT)));
    const result = await runCommand([...OFFLINE_DIAGNOSE, "--format", "markdown", path]);

    expect(result.code).toBe(1);
    expect(result.stdout).toContain("**Verdict: unreachable.**");
    expect(result.stdout).toContain("**Gmail unreachable** since 2024-03-04 00:00:00");
    expect(result.stdout).toMatch(/^1\. Test from the server itself/m);
  });
});

describe("connection failures in delist logs", () => {
  test("Exim failures are counted", async () => {
    const path = temporary.file(eximLog(gmailAttempts(12, "defer (110): Connection timed out")));
    const json = await runCommand(["logs", "--timezone", "UTC", "--format", "json", path]);
    const statistics = JSON.parse(json.stdout) as {
      providers: Record<string, { deferred: number; connectionFailures: number }>;
    };

    expect(json.code).toBe(0);
    expect(statistics.providers["gmail"]?.deferred).toBe(12);
    expect(statistics.providers["gmail"]?.connectionFailures).toBe(12);
    expect(statistics.providers["other"]?.connectionFailures).toBe(0);
    expect(validateLogs(statistics)).toEqual([]);

    const text = await runCommand(["logs", "--timezone", "UTC", path]);
    expect(text.stdout).toMatch(/^ {2}Gmail +0 +12 +12 +0\n {4}top codes: connection failed ×12$/m);
  });
});
