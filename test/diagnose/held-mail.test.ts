import { describe, expect, test } from "vitest";
import type { LogStatistics } from "../../src/diagnose/statistics.js";
import type { Diagnosis } from "../../src/diagnose/types.js";
import { OFFLINE_DIAGNOSE, runCommand, type CliRun } from "../helpers/cli.js";
import { schemaValidator } from "../helpers/schema.js";
import { temporaryFiles } from "../helpers/temporary-files.js";

const temporary = temporaryFiles();
const validateDiagnosis = schemaValidator("diagnose.schema.json");

const FILTER = "127.0.0.1[127.0.0.1]:10024";
const FILTER_DOWN = `connect to ${FILTER}: Connection refused`;
const AMAVIS_REJECT =
  "host 127.0.0.1[127.0.0.1] said: 554 5.7.0 Reject, id=01234-05 - spam (in reply to end of DATA command)";
const GMAIL_MX = "gmail-smtp-in.l.google.com[192.0.2.27]";
const GMAIL_RATE =
  "421-4.7.28 Our system has detected an unusual rate of unsolicited mail originating from your IP address. To protect our users from spam, mail sent from your IP address has been temporarily rate limited.";
const OUTLOOK_MX = "example-com.mail.protection.outlook.com[192.0.2.40]";

/** Returns the stamp and host of a line `minute` minutes after 10:00 on 4 March 2024. */
function at(minute: number, second = 0): string {
  const time = Date.UTC(2024, 2, 4, 10, minute, second);
  return `${new Date(time).toISOString().replace(".000Z", "+00:00")} mail`;
}

/** Returns the queue id of message `index`. */
function queueId(index: number): string {
  return `5A${(0x100000 + index).toString(16).toUpperCase()}00`;
}

/**
 * Writes `count` messages from alice@example.com to Gmail, each of whose hand-off to amavis on
 * 127.0.0.1:10024 ends with `status` and `reason`. From the second message on, Postfix defers
 * through the retry service, as it does once it marked the filter dead, unless `retry` is false.
 */
function filterLog(count: number, status: "deferred" | "bounced", reason: string, retry = true) {
  const lines: string[] = [];
  for (let index = 0; index < count; index++) {
    const id = queueId(index);
    const dsn = status === "deferred" ? "4.4.1" : "5.7.0";
    lines.push(
      `${at(index)} postfix/submission/smtpd[100]: ${id}: client=unknown[198.51.100.10], sasl_method=PLAIN, sasl_username=alice@example.com`,
      `${at(index)} postfix/qmgr[102]: ${id}: from=<alice@example.com>, size=1000, nrcpt=1 (queue active)`,
    );
    const suspended = retry && status === "deferred" && index > 0;
    lines.push(
      suspended
        ? `${at(index, 1)} postfix/retry[105]: ${id}: to=<friend${index}@gmail.com>, relay=none, delay=1, delays=1/0/0/0, dsn=${dsn}, status=deferred (delivery temporarily suspended: ${reason})`
        : `${at(index, 1)} postfix/smtp[103]: ${id}: to=<friend${index}@gmail.com>, relay=${status === "deferred" ? "none" : FILTER}, delay=1, delays=0/0/1/0, dsn=${dsn}, status=${status} (${reason})`,
    );
  }
  return lines.join("\n") + "\n";
}

/**
 * Writes a log that starts inside a block or outage: only `retry` and `error` lines that defer
 * `count` recipients at `domain` with `delivery temporarily suspended: <reason>`, and no attempt.
 */
function suspendedOnlyLog(count: number, domain: string, reason: string): string {
  const lines: string[] = [];
  for (let index = 0; index < count; index++) {
    const service = index % 2 === 0 ? "retry" : "error";
    lines.push(
      `${at(index * 2, 5)} postfix/${service}[105]: ${queueId(index)}: to=<user${index}@${domain}>, relay=none, delay=900, delays=900/0/0/0, dsn=4.7.28, status=deferred (delivery temporarily suspended: ${reason})`,
    );
  }
  return lines.join("\n") + "\n";
}

interface DiagnoseRuns {
  readonly json: CliRun;
  readonly diagnosis: Diagnosis;
  readonly text: CliRun;
  readonly markdown: CliRun;
}

async function diagnose(log: string): Promise<DiagnoseRuns> {
  const path = temporary.file(log);
  const json = await runCommand([...OFFLINE_DIAGNOSE, "--format", "json", path]);
  const text = await runCommand([...OFFLINE_DIAGNOSE, path]);
  const markdown = await runCommand([...OFFLINE_DIAGNOSE, "--format", "markdown", path]);
  const diagnosis = JSON.parse(json.stdout) as Diagnosis;
  expect(validateDiagnosis(diagnosis)).toEqual([]);
  return { json, diagnosis, text, markdown };
}

async function logsJson(log: string): Promise<LogStatistics> {
  const path = temporary.file(log);
  const result = await runCommand(["logs", "--format", "json", "--timezone", "UTC", path]);
  return JSON.parse(result.stdout) as LogStatistics;
}

function findingIds(diagnosis: Diagnosis): string[] {
  return diagnosis.findings.map((finding) => finding.id);
}

describe("content filter down", () => {
  const log = filterLog(12, "deferred", FILTER_DOWN);

  test("filter outage is no healthy log", async () => {
    const { json, diagnosis } = await diagnose(log);

    expect(json.code).toBe(1);
    expect(findingIds(diagnosis)).not.toContain("healthy");
    expect(diagnosis.verdict.heldByServer?.deferred).toBe(12);
    expect(diagnosis.verdict.heldByServer?.atFilter).toBe(12);
    expect(diagnosis.verdict.heldByServer?.firstKind).toBe("filter");
    expect(diagnosis.outboundFilterFailures.deferred).toBe(12);
    expect(diagnosis.localDeliveryFailures.deferred).toBe(12);
  });

  test("verdict names the first failure", async () => {
    const { diagnosis, text } = await diagnose(log);
    const summary = diagnosis.verdict.summary;

    expect(summary).toContain("This server itself holds outbound mail");
    expect(summary).toContain(FILTER_DOWN);
    expect(summary).toContain("<friend0@gmail.com>");
    expect(summary).toContain("Check the content filter");
    expect(text.stdout).toContain("Verdict: MAIL HELD BY THIS SERVER");
    expect(text.stdout).not.toContain("NO OUTBOUND DELIVERY");
  });

  test("readiness names the held mail", async () => {
    const { diagnosis } = await diagnose(log);
    const item = diagnosis.readiness.items.find((entry) => entry.id === "mail-leaves");

    expect(item?.status).toBe("fail");
    expect(item?.detail).toContain(FILTER_DOWN);
    expect(diagnosis.readiness.ready).toBe(false);
    expect(diagnosis.readiness.summary).toMatch(/^Not ready: this server itself holds/);
  });

  test("account gets the held recipients", async () => {
    const statistics = await logsJson(log);
    const alice = statistics.accounts.find((account) => account.key === "alice@example.com");

    expect(alice?.messages).toBe(12);
    expect(alice?.recipients).toBe(12);
    expect(alice?.deferred).toBe(12);
    expect(alice?.undeliveredRecipients).toBe(12);
  });

  test("retries count the recipient once", async () => {
    // Three hand-offs of one message fail, and the fourth passes the copy on to Gmail.
    const id = queueId(0);
    const copy = "6B7C8D9E0F";
    const lines = [
      `${at(0)} postfix/submission/smtpd[100]: ${id}: client=unknown[198.51.100.10], sasl_method=PLAIN, sasl_username=alice@example.com`,
      `${at(0)} postfix/qmgr[102]: ${id}: from=<alice@example.com>, size=1000, nrcpt=1 (queue active)`,
      ...[1, 2, 3].map(
        (minute) =>
          `${at(minute)} postfix/smtp[103]: ${id}: to=<bob@gmail.com>, relay=none, delay=1, delays=0/0/1/0, dsn=4.4.1, status=deferred (${FILTER_DOWN})`,
      ),
      `${at(10)} postfix/smtpd[110]: ${copy}: client=localhost[127.0.0.1]`,
      `${at(10)} postfix/qmgr[102]: ${copy}: from=<alice@example.com>, size=1400, nrcpt=1 (queue active)`,
      `${at(10)} postfix/smtp[103]: ${id}: to=<bob@gmail.com>, relay=${FILTER}, delay=600, delays=599/0/0/1, dsn=2.0.0, status=sent (250 2.0.0 from MTA(smtp:[127.0.0.1]:10025): 250 2.0.0 Ok: queued as ${copy})`,
      `${at(10, 5)} postfix/smtp[104]: ${copy}: to=<bob@gmail.com>, relay=${GMAIL_MX}:25, delay=5, delays=0/0/1/4, dsn=2.0.0, status=sent (250 2.0.0 OK)`,
    ];
    const statistics = await logsJson(lines.join("\n") + "\n");
    const alice = statistics.accounts.find((account) => account.key === "alice@example.com");

    expect(alice?.recipients).toBe(1);
    expect(alice?.deferred).toBe(3);
    expect(alice?.sent).toBe(1);
    expect(alice?.undeliveredRecipients).toBe(0);
  });

  test("Markdown shows the held mail", async () => {
    const { markdown } = await diagnose(log);

    expect(markdown.code).toBe(1);
    expect(markdown.stdout).toContain("**Verdict: mail held by this server.**");
    expect(markdown.stdout).toContain(
      "Failed deliveries to loopback addresses: 12 deferred, 0 bounced.",
    );
    expect(markdown.stdout).toContain("friend0@gmail.com");
  });

  test("Markdown replaces the empty providers table", async () => {
    const { markdown, text } = await diagnose(log);
    const section = markdown.stdout.split("## Providers\n")[1]?.split("\n## ")[0] ?? "";

    expect(section).not.toContain("| provider |");
    expect(section).toContain("No outbound mail left this server.");
    expect(text.stdout).toContain("No outbound mail left this server.");
  });
});

describe("content filter rejects", () => {
  const log = filterLog(12, "bounced", AMAVIS_REJECT);

  test("filter rejects hold the mail", async () => {
    const { json, diagnosis } = await diagnose(log);

    expect(json.code).toBe(1);
    expect(findingIds(diagnosis)).not.toContain("healthy");
    expect(diagnosis.verdict.heldByServer?.bounced).toBe(12);
    expect(diagnosis.verdict.summary).toContain("554 5.7.0 Reject");
  });

  test("account gets the rejected recipients", async () => {
    const statistics = await logsJson(log);
    const alice = statistics.accounts.find((account) => account.key === "alice@example.com");

    expect(alice?.recipients).toBe(12);
    expect(alice?.bounced).toBe(12);
    expect(alice?.undeliveredRecipients).toBe(12);
  });
});

describe("mail the server bounces itself", () => {
  // A broken transport: the error service defers every recipient without any attempt.
  const lines = [
    `${at(0)} postfix/submission/smtpd[100]: 7A8B9C0D1E: client=unknown[198.51.100.10], sasl_method=PLAIN, sasl_username=alice@example.com`,
    `${at(0)} postfix/qmgr[102]: 7A8B9C0D1E: from=<alice@example.com>, size=1000, nrcpt=6 (queue active)`,
  ];
  for (let index = 0; index < 6; index++) {
    lines.push(
      `${at(0, 1)} postfix/error[104]: 7A8B9C0D1E: to=<c${index}@example.org>, relay=none, delay=1, delays=1/0/0/0, dsn=4.3.0, status=deferred (unknown mail transport error)`,
    );
  }
  const log = lines.join("\n") + "\n";

  test("broken transport holds the mail", async () => {
    const { json, diagnosis, text } = await diagnose(log);
    const heldMail = diagnosis.verdict.heldByServer;

    expect(json.code).toBe(1);
    expect(heldMail?.deferred).toBe(6);
    expect(heldMail?.atFilter).toBe(0);
    expect(heldMail?.firstKind).toBe("server");
    expect(heldMail?.check).toContain("Postfix: `transport_maps` and master.cf.");
    expect(heldMail?.check).not.toContain("Exim");
    expect(findingIds(diagnosis)).not.toContain("healthy");
    expect(text.stdout).toContain("Verdict: MAIL HELD BY THIS SERVER");
  });

  test("Markdown shows the server's own failures", async () => {
    const { markdown } = await diagnose(log);

    expect(markdown.stdout).toContain("Deferred or bounced by this server itself: 6 deferred");
    expect(markdown.stdout).toContain("unknown mail transport error");
  });
});

describe("mail held beside deliveries", () => {
  test("few held lines keep the log healthy", async () => {
    // Two failed hand-offs among many deliveries are single messages, not held mail.
    const failedHandoffs = filterLog(2, "deferred", FILTER_DOWN, false);
    const lines = [failedHandoffs.trimEnd()];
    for (let index = 0; index < 6; index++) {
      const id = queueId(100 + index);
      lines.push(
        `${at(30 + index)} postfix/submission/smtpd[100]: ${id}: client=unknown[198.51.100.10], sasl_method=PLAIN, sasl_username=alice@example.com`,
        `${at(30 + index)} postfix/qmgr[102]: ${id}: from=<alice@example.com>, size=1000, nrcpt=1 (queue active)`,
        `${at(30 + index, 5)} postfix/smtp[104]: ${id}: to=<pal${index}@gmail.com>, relay=${GMAIL_MX}:25, delay=5, delays=0/0/1/4, dsn=2.0.0, status=sent (250 2.0.0 OK)`,
      );
    }
    const { json, diagnosis } = await diagnose(lines.join("\n") + "\n");

    expect(diagnosis.verdict.heldByServer).toBeNull();
    expect(findingIds(diagnosis)).toContain("healthy");
    expect(json.code).toBe(0);
  });

  test("filter outage hours ago is over", async () => {
    // Twelve failed hand-offs in the morning, then steady deliveries until the evening.
    const outage = filterLog(12, "deferred", FILTER_DOWN);
    const lines = [outage.trimEnd()];
    for (let index = 0; index < 30; index++) {
      const id = queueId(200 + index);
      const minute = 60 + index * 12;
      lines.push(
        `${at(minute)} postfix/submission/smtpd[100]: ${id}: client=unknown[198.51.100.10], sasl_method=PLAIN, sasl_username=alice@example.com`,
        `${at(minute)} postfix/qmgr[102]: ${id}: from=<alice@example.com>, size=1000, nrcpt=1 (queue active)`,
        `${at(minute, 5)} postfix/smtp[104]: ${id}: to=<pal${index}@gmail.com>, relay=${GMAIL_MX}:25, delay=5, delays=0/0/1/4, dsn=2.0.0, status=sent (250 2.0.0 OK)`,
      );
    }
    const { json, diagnosis } = await diagnose(lines.join("\n") + "\n");

    expect(diagnosis.verdict.heldByServer).toBeNull();
    expect(json.code).toBe(0);
  });

  test("no outbound keeps its verdict", async () => {
    const inbound = [
      `${at(0)} postfix/smtpd[110]: 4D5E6F7081: client=mx.example.net[192.0.2.20]`,
      `${at(0)} postfix/qmgr[102]: 4D5E6F7081: from=<s@example.net>, size=1000, nrcpt=1 (queue active)`,
      `${at(0, 3)} postfix/local[106]: 4D5E6F7081: to=<h@example.com>, relay=local, delay=3, delays=0/0/0/3, dsn=2.0.0, status=sent (delivered to mailbox)`,
    ];
    const { json, diagnosis, text } = await diagnose(inbound.join("\n") + "\n");

    expect(diagnosis.verdict.heldByServer).toBeNull();
    expect(text.stdout).toContain("Verdict: NO OUTBOUND DELIVERY");
    expect(json.code).toBe(0);
  });
});

describe("log that starts inside a block", () => {
  const log = suspendedOnlyLog(
    21,
    "gmail.com",
    `host ${GMAIL_MX} said: ${GMAIL_RATE} (in reply to end of DATA command)`,
  );

  test("suspended block gets a verdict", async () => {
    const { json, diagnosis } = await diagnose(log);
    const gmail = diagnosis.providers.gmail;

    expect(json.code).toBe(1);
    expect(gmail?.status).toBe("rate-limited");
    expect(gmail?.onlySuspendedDeferrals).toBe(true);
    expect(gmail?.attempts).toBe(0);
    expect(gmail?.deferredRecipients).toBe(21);
    expect(gmail?.firstBlock?.line).toBe(1);
    expect(gmail?.firstBlock?.enhancedStatus).toBe("4.7.28");
    expect(gmail?.lastBlock?.line).toBe(21);
    expect(findingIds(diagnosis)).not.toContain("healthy");
  });

  test("verdict says the block began earlier", async () => {
    const { diagnosis, text } = await diagnose(log);

    expect(diagnosis.verdict.summary).toContain("Gmail defers mail from this server since");
    expect(diagnosis.verdict.summary).toContain("probably starts after that failure");
    expect(text.stdout).toContain("Verdict: RATE-LIMITED");
    expect(text.stdout).not.toContain("No outbound deliveries in the log");
  });

  test("Markdown shows the suspended deferrals", async () => {
    const { markdown } = await diagnose(log);

    expect(markdown.stdout).toContain("Gmail: 21 of the deferrals were made without a connection");
  });

  test("suspended outage is not healthy", async () => {
    const outage = suspendedOnlyLog(
      21,
      "example.com",
      `connect to ${OUTLOOK_MX}:25: Connection timed out`,
    );
    const { json, diagnosis, text } = await diagnose(outage);
    const outlook = diagnosis.providers["exchange-online"];

    expect(outlook?.onlySuspendedDeferrals).toBe(true);
    expect(outlook?.status).toBe("ok");
    expect(outlook?.outage).toBeNull();
    expect(outlook?.firstBlock).toBeNull();
    expect(findingIds(diagnosis)).not.toContain("healthy");
    expect(diagnosis.verdict.summary).toContain("accepted no mail");
    expect(text.stdout).toContain("Verdict: NOT BLOCKED, DELIVERY SUSPENDED");
    expect(json.code).toBe(1);
  });
});
