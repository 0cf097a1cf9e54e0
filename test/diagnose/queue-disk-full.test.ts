import { describe, expect, test } from "vitest";
import type { Diagnosis } from "../../src/diagnose/types.js";
import { painter } from "../../src/report/colour.js";
import { renderDiagnosisMarkdown } from "../../src/report/markdown.js";
import { queueSpaceLabelWords, queueSpaceSentences } from "../../src/report/queue-space-text.js";
import { renderDiagnosisText } from "../../src/report/text.js";
import { OFFLINE_DIAGNOSE, runCommand } from "../helpers/cli.js";
import { diagnoseText } from "../helpers/diagnose-text.js";
import { schemaValidator } from "../helpers/schema.js";
import { temporaryFiles } from "../helpers/temporary-files.js";

const temporary = temporaryFiles();
const validateDiagnosis = schemaValidator("diagnose.schema.json");
const validateStatistics = schemaValidator("logs.schema.json");

const MINUTE = 60_000;
const T0 = Date.UTC(2024, 2, 4, 0, 0, 0);

function stamp(minute: number): string {
  const time = new Date(T0 + minute * MINUTE).toISOString().replace(".000Z", "+00:00");
  return `${time} mail`;
}

/** Six submitted messages, one every 10 minutes, each accepted by a small receiver. */
function deliveredLines(): string[] {
  return Array.from({ length: 6 }, (_, index) => {
    const id = `7E3F${(0x1000 + index).toString(16).toUpperCase()}C0`;
    const at = stamp(index * 10);
    return [
      `${at} postfix/submission/smtpd[900]: ${id}: client=unknown[198.51.100.10], sasl_method=PLAIN, sasl_username=alice@example.com`,
      `${at} postfix/qmgr[902]: ${id}: from=<alice@example.com>, size=2000, nrcpt=1 (queue active)`,
      `${at} postfix/smtp[903]: ${id}: to=<bob${index}@example.org>, relay=mx.example.org[192.0.2.25]:25, delay=1, delays=0.1/0/0.4/0.5, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 4F2A${index})`,
    ];
  }).flat();
}

/** Returns the two lines that Postfix smtpd writes for a client it rejects for lack of space. */
function queueFullLines(minute: number, freeBytes: number): string[] {
  const at = stamp(minute);
  return [
    `${at} postfix/smtpd[4795]: NOQUEUE: reject: MAIL from mx.example.net[192.0.2.35]: 452 4.3.1 Insufficient system storage; proto=ESMTP helo=<mx.example.net>`,
    `${at} postfix/smtpd[4795]: warning: not enough free space in mail queue: ${freeBytes} bytes < 1.5*message size limit`,
  ];
}

function logText(lines: readonly string[]): string {
  return `${lines.join("\n")}\n`;
}

const FULL_LOG = logText([
  ...deliveredLines(),
  ...queueFullLines(55, 183091200),
  ...queueFullLines(58, 102039552),
  ...queueFullLines(62, 101089280),
]);

describe("queue disk full", () => {
  test("control log is healthy", async () => {
    const diagnosis = await diagnoseText(logText(deliveredLines()));

    expect(diagnosis.queueSpace).toBeNull();
    expect(diagnosis.findings.map((finding) => finding.id)).toEqual(["healthy"]);
  });

  test("report counts the lines", async () => {
    const diagnosis = await diagnoseText(FULL_LOG);
    const report = diagnosis.queueSpace;

    expect(report?.count).toBe(6);
    expect(report?.rejects).toBe(3);
    expect(report?.warnings).toBe(3);
    expect(report?.first).toBe("2024-03-04T00:55:00Z");
    expect(report?.last).toBe("2024-03-04T01:02:00Z");
    expect(report?.sample.line).toBe(20);
    expect(report?.sample.text).toBe(
      "warning: not enough free space in mail queue: 183091200 bytes < 1.5*message size limit",
    );
    expect(validateDiagnosis(JSON.parse(JSON.stringify(diagnosis)))).toEqual([]);
  });

  test("rejects alone give a sample", async () => {
    const rejects = queueFullLines(55, 1).filter((line) => line.includes("NOQUEUE"));
    const diagnosis = await diagnoseText(logText([...deliveredLines(), ...rejects]));

    expect(diagnosis.queueSpace?.warnings).toBe(0);
    expect(diagnosis.queueSpace?.sample.text).toContain("452 4.3.1 Insufficient system storage");
  });

  test("log is not called healthy", async () => {
    const diagnosis = await diagnoseText(FULL_LOG);

    expect(diagnosis.verdict.status).toBe("ok");
    expect(diagnosis.findings.map((finding) => finding.id)).not.toContain("healthy");
  });

  test("every format shows it and exits 1", async () => {
    const log = temporary.file(FULL_LOG);
    const json = await runCommand([...OFFLINE_DIAGNOSE, "--format", "json", log]);
    const text = await runCommand([...OFFLINE_DIAGNOSE, log]);
    const markdown = await runCommand([...OFFLINE_DIAGNOSE, "--format", "markdown", log]);
    const parsed = JSON.parse(json.stdout) as Diagnosis;

    expect(parsed.queueSpace?.count).toBe(6);
    expect(json.code).toBe(1);
    expect(text.code).toBe(1);
    expect(markdown.code).toBe(1);
    expect(text.stdout).toContain("Verdict: NOT BLOCKED, QUEUE DISK FULL");
    expect(text.stdout).toContain("\nServer faults\n");
    expect(text.stdout).toContain("Queue disk full: from 2024-03-04 00:55:00 to");
    expect(text.stdout).not.toContain("Nothing to fix");
    expect(markdown.stdout).toContain("not blocked, queue disk full");
    expect(markdown.stdout).toContain("## Server faults");
    expect(markdown.stdout).toContain("logged 3 rejects of 1 client with 452 4.3.1");
    expect(text.stdout).toContain("no mail comes in");
  });

  test("fault long before the end was", async () => {
    // The disk fills at 00:55, and mail goes out again for three hours after it.
    const later = deliveredLines().map((line) =>
      line.replace(/^2024-03-04T00:/, "2024-03-04T04:").replace(/7E3F1/g, "7E3F2"),
    );
    const log = temporary.file(
      logText([...deliveredLines(), ...queueFullLines(55, 183091200), ...later]),
    );
    const json = await runCommand([...OFFLINE_DIAGNOSE, "--format", "json", log]);
    const text = await runCommand([...OFFLINE_DIAGNOSE, log]);
    const markdown = await runCommand([...OFFLINE_DIAGNOSE, "--format", "markdown", log]);

    expect((JSON.parse(json.stdout) as Diagnosis).queueSpace?.ongoing).toBe(false);
    expect(text.stdout).toContain("Verdict: NOT BLOCKED, QUEUE DISK WAS FULL");
    expect(markdown.stdout).toContain("not blocked, queue disk was full");
  });

  test("text and Markdown share the label", async () => {
    const diagnosis = await diagnoseText(FULL_LOG);
    const queueSpace = diagnosis.queueSpace;
    if (queueSpace === null) throw new Error("no queue space report");

    for (const [ongoing, expected] of [
      [true, "not blocked, queue disk full"],
      [false, "not blocked, queue disk was full"],
    ] as const) {
      const queueReport = { ...queueSpace, ongoing };
      const report: Diagnosis = { ...diagnosis, queueSpace: queueReport };
      const text = renderDiagnosisText(report, painter(false));
      const markdown = renderDiagnosisMarkdown(report);

      expect(`not blocked, ${queueSpaceLabelWords(queueReport) ?? "(none)"}`).toBe(expected);
      expect(text, expected).toContain(`Verdict: ${expected.toUpperCase()}\n`);
      expect(markdown, expected).toContain(`**Verdict: ${expected}.**`);
    }
  });

  test("text stays within 80 columns", async () => {
    const text = await runCommand([...OFFLINE_DIAGNOSE, temporary.file(FULL_LOG)]);
    const section = text.stdout.split("\nServer faults\n")[1]?.split("\n\n")[0] ?? "";

    expect(section).not.toBe("");
    for (const line of section.split("\n")) expect(line.length).toBeLessThanOrEqual(80);
  });
});

describe("queue disk full in logs", () => {
  test("text and JSON show it", async () => {
    const log = temporary.file(FULL_LOG);
    const json = await runCommand(["logs", "--format", "json", "--timezone", "UTC", log]);
    const text = await runCommand(["logs", "--timezone", "UTC", log]);
    const parsed = JSON.parse(json.stdout) as { queueSpace: { count: number } | null };

    expect(parsed.queueSpace?.count).toBe(6);
    expect(validateStatistics(parsed)).toEqual([]);
    expect(text.stdout).toContain("Queue disk full: from 2024-03-04 00:55:00 to");
    expect(text.code).toBe(0);
  });
});

/** Returns the 452 4.3.1 reject of smtpd alone, without its free-space warning. */
function rejectLine(minute: number): string {
  return queueFullLines(minute, 1).filter((line) => line.includes("NOQUEUE"))[0] ?? "";
}

/** Returns the lines of one message that smtpd accepted from an SMTP client and delivered. */
function acceptedLines(minute: number, index: number): string[] {
  const id = `5C1A${(0x1000 + index).toString(16).toUpperCase()}B0`;
  const at = stamp(minute);
  return [
    `${at} postfix/smtpd[4795]: ${id}: client=mx.example.net[192.0.2.35]`,
    `${at} postfix/cleanup[4796]: ${id}: message-id=<${id}@example.net>`,
    `${at} postfix/qmgr[902]: ${id}: from=<news@example.net>, size=3000, nrcpt=1 (queue active)`,
    `${at} postfix/local[4797]: ${id}: to=<alice@example.com>, relay=local, delay=0.1, delays=0/0/0/0.1, dsn=2.0.0, status=sent (delivered to mailbox)`,
  ];
}

/** Returns `lines` as the syslog host `host` logged them in place of `mail`. */
function onHost(host: string, lines: readonly string[]): string[] {
  return lines.map((line) => line.replace(/^(\S+) mail /, `$1 ${host} `));
}

/** Returns the lines of one local submission that postdrop could not write to the maildrop. */
function lostSubmissionLines(minute: number, user: string, uid: number): string[] {
  const at = stamp(minute);
  return [
    `${at} postfix/postdrop[3001]: warning: uid=${uid}: No space left on device`,
    `${at} postfix/sendmail[3000]: fatal: ${user}(${uid}): queue file write error`,
  ];
}

describe("queue disk fault rule", () => {
  test("lone reject is a note", async () => {
    const log = temporary.file(logText([...deliveredLines(), rejectLine(55)]));
    const json = await runCommand([...OFFLINE_DIAGNOSE, "--format", "json", log]);
    const text = await runCommand([...OFFLINE_DIAGNOSE, log]);
    const markdown = await runCommand([...OFFLINE_DIAGNOSE, "--format", "markdown", log]);
    const parsed = JSON.parse(json.stdout) as Diagnosis;

    expect(parsed.queueSpace?.rejects).toBe(1);
    expect(parsed.queueSpace?.confirmed).toBe(false);
    expect(parsed.findings.map((finding) => finding.id)).toEqual(["healthy"]);
    expect(validateDiagnosis(parsed)).toEqual([]);
    expect(json.code).toBe(0);
    expect(text.code).toBe(0);
    expect(markdown.code).toBe(0);
    expect(text.stdout).toContain("Verdict: OK");
    expect(text.stdout).toContain("\nServer faults\n  Note: at 2024-03-04 00:55:00, Postfix smtpd");
    expect(text.stdout).toContain("If it repeats, check the free space of the file system");
    expect(text.stdout).not.toContain("QUEUE DISK");
    expect(markdown.stdout).not.toContain("queue disk full");
    expect(markdown.stdout).toContain("## Server faults");
  });

  test.each([
    ["two close rejects", [55, 58], false],
    ["two rejects 10 minutes apart", [55, 65], true],
    ["three close rejects", [55, 55, 56], true],
  ])("%s", async (_name, minutes, confirmed) => {
    const lines = [...deliveredLines(), ...minutes.map((minute) => rejectLine(minute))];
    const diagnosis = await diagnoseText(logText(lines));
    const ids = diagnosis.findings.map((finding) => finding.id);

    expect(diagnosis.queueSpace?.rejects).toBe(minutes.length);
    expect(diagnosis.queueSpace?.confirmed).toBe(confirmed);
    expect(ids.includes("healthy")).toBe(!confirmed);
  });

  test("mail between rejects is a note", async () => {
    const lines = [
      ...deliveredLines(),
      rejectLine(55),
      ...acceptedLines(58, 0),
      ...acceptedLines(60, 1),
      rejectLine(65),
    ];
    const log = temporary.file(logText(lines));
    const json = await runCommand([...OFFLINE_DIAGNOSE, "--format", "json", log]);
    const text = await runCommand([...OFFLINE_DIAGNOSE, log]);
    const parsed = JSON.parse(json.stdout) as Diagnosis;
    const section = text.stdout.split("\nServer faults\n")[1]?.split("\n\n")[0] ?? "";

    expect(parsed.queueSpace?.rejects).toBe(2);
    expect(parsed.queueSpace?.rejectedClients).toBe(1);
    expect(parsed.queueSpace?.acceptedMessages).toBe(2);
    expect(parsed.queueSpace?.confirmed).toBe(false);
    expect(validateDiagnosis(parsed)).toEqual([]);
    expect(json.code).toBe(0);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain("Verdict: OK");
    expect(section.replace(/\s+/g, " ")).toContain("2 rejects of 1 client with 452 4.3.1");
    expect(section.replace(/\s+/g, " ")).toContain("accepted 2 messages from SMTP clients");
    expect(section).not.toContain("no mail comes in");
  });

  test.each([
    ["mail between each reject", [55, 58, 60, 62, 65], [56, 59, 61, 63], false],
    ["mail before the rejects", [55, 56, 57], [52], true],
    ["mail between runs of three", [55, 55, 56, 60], [58], true],
    ["mail after a long run", [55, 65], [66], true],
  ])("%s", async (_name, rejects, accepted, confirmed) => {
    const entries = [
      ...rejects.map((minute) => ({ minute, lines: [rejectLine(minute)] })),
      ...accepted.map((minute, index) => ({ minute, lines: acceptedLines(minute, index) })),
    ].sort((a, b) => a.minute - b.minute);
    const lines = entries.flatMap((entry) => entry.lines);
    const diagnosis = await diagnoseText(logText([...deliveredLines(), ...lines]));

    expect(diagnosis.queueSpace?.rejects).toBe(rejects.length);
    expect(diagnosis.queueSpace?.confirmed).toBe(confirmed);
  });

  test.each([
    ["mail of another host", "mx2.example.com", true],
    ["mail of the same host", "mx1.example.com", false],
  ])("central log, %s", async (_name, mailHost, confirmed) => {
    const lines = [
      ...onHost("mx1.example.com", [rejectLine(55)]),
      ...onHost(mailHost, acceptedLines(56, 0)),
      ...onHost("mx1.example.com", [rejectLine(57)]),
      ...onHost(mailHost, acceptedLines(58, 1)),
      ...onHost("mx1.example.com", [rejectLine(59)]),
    ];
    const diagnosis = await diagnoseText(logText(lines));

    expect(diagnosis.queueSpace?.rejects).toBe(3);
    expect(diagnosis.queueSpace?.acceptedMessages).toBe(confirmed ? 0 : 2);
    expect(diagnosis.queueSpace?.confirmed).toBe(confirmed);
  });

  test("fault with mail in its span", async () => {
    const lines = [
      ...deliveredLines(),
      ...queueFullLines(55, 1),
      ...acceptedLines(57, 0),
      ...queueFullLines(59, 1),
    ];
    const text = renderDiagnosisText(await diagnoseText(logText(lines)), painter(false));
    const section = text.split("\nServer faults\n")[1]?.split("\n\n")[0] ?? "";

    expect(text).toContain("QUEUE DISK FULL");
    expect(section.replace(/\s+/g, " ")).toContain("Postfix smtpd still accepted 1 message");
    expect(section).not.toContain("no mail comes in");
  });

  test("one reject with its warning is a fault", async () => {
    const diagnosis = await diagnoseText(logText([...deliveredLines(), ...queueFullLines(55, 1)]));

    expect(diagnosis.queueSpace?.confirmed).toBe(true);
  });
});

describe("local submissions lost to a full queue disk", () => {
  const LOCAL_LOG = logText([
    ...deliveredLines(),
    ...lostSubmissionLines(50, "www-data", 33),
    `${stamp(51)} postfix/postdrop[3002]: warning: mail_queue_enter: create file maildrop/123456.3002: No space left on device`,
    `${stamp(52)} postfix/cleanup[2214]: warning: 7E3F2000C0: write queue file: No space left on device`,
    ...lostSubmissionLines(53, "shop", 1004),
  ]);

  test("report counts them", async () => {
    const diagnosis = await diagnoseText(LOCAL_LOG);
    const report = diagnosis.queueSpace;

    expect(report?.count).toBe(6);
    expect(report?.rejects).toBe(0);
    expect(report?.writeErrors).toBe(4);
    expect(report?.sendmailErrors).toBe(2);
    expect(report?.lostSubmissions).toBe(2);
    expect(report?.confirmed).toBe(true);
    expect(report?.sample.text).toBe("warning: uid=33: No space left on device");
    expect(report?.lostSample?.text).toBe("fatal: www-data(33): queue file write error");
    expect(diagnosis.findings.map((finding) => finding.id)).not.toContain("healthy");
    expect(validateDiagnosis(JSON.parse(JSON.stringify(diagnosis)))).toEqual([]);
  });

  test("every format shows them and exits 1", async () => {
    const log = temporary.file(LOCAL_LOG);
    const text = await runCommand([...OFFLINE_DIAGNOSE, log]);
    const markdown = await runCommand([...OFFLINE_DIAGNOSE, "--format", "markdown", log]);
    const section = text.stdout.split("\nServer faults\n")[1]?.split("\n\n")[0] ?? "";

    expect(text.code).toBe(1);
    expect(markdown.code).toBe(1);
    expect(text.stdout).toContain("Verdict: NOT BLOCKED, QUEUE DISK FULL");
    expect(section).toContain("2 local submissions were lost");
    expect(section).toContain("logged 4 queue file writes");
    expect(section).toContain("    lost: ");
    for (const line of section.split("\n")) expect(line.length).toBeLessThanOrEqual(80);
    expect(markdown.stdout).toContain("- lost: ");
    expect(markdown.stdout).toContain("2 local submissions were lost");
  });

  test("cut tags count the same", async () => {
    // rsyslog's `programname` cuts `postfix/postdrop[3001]` to `postfix[3001]`.
    const cut = LOCAL_LOG.replace(/ postfix\/\w+\[/g, " postfix[");
    const diagnosis = await diagnoseText(cut);
    const report = diagnosis.queueSpace;

    expect(cut).not.toContain("postfix/postdrop");
    expect(report?.count).toBe(6);
    expect(report?.writeErrors).toBe(4);
    expect(report?.sendmailErrors).toBe(2);
    expect(report?.lostSubmissions).toBe(2);
    expect(diagnosis.mtaFatalErrors).toBeNull();
    expect(diagnosis.input.unparsed).toBe(0);
  });

  test("cut sendmail usage line is no fatal error", async () => {
    const lines = [
      ...deliveredLines(),
      `${stamp(50)} postfix[3072]: fatal: Recipient addresses must be specified on the command line or via the -t option`,
      `${stamp(51)} postfix[3073]: fatal: www-data(33): No recipient addresses found in message header`,
    ];
    const diagnosis = await diagnoseText(logText(lines));

    expect(diagnosis.mtaFatalErrors).toBeNull();
    expect(diagnosis.queueSpace).toBeNull();
  });

  test("postdrop is not another program", async () => {
    const lines = [
      ...deliveredLines(),
      `${stamp(50)} postdrop[3001]: warning: uid=33: No space left on device`,
    ];
    const diagnosis = await diagnoseText(logText(lines));

    expect(diagnosis.input.otherPrograms).toEqual({});
    expect(diagnosis.queueSpace?.lostSubmissions).toBe(1);
  });

  test("logs command shows them", async () => {
    const log = temporary.file(LOCAL_LOG);
    const json = await runCommand(["logs", "--format", "json", "--timezone", "UTC", log]);
    const text = await runCommand(["logs", "--timezone", "UTC", log]);
    const parsed = JSON.parse(json.stdout) as { queueSpace: { lostSubmissions: number } | null };

    expect(parsed.queueSpace?.lostSubmissions).toBe(2);
    expect(validateStatistics(parsed)).toEqual([]);
    expect(text.stdout).toContain("2 local submissions were lost");
    expect(text.stdout).toContain("    lost: ");
  });
});

describe("queue file writes of other causes", () => {
  /** A submission that postdrop could not write because the file was too large. */
  const TOO_LARGE_LOG = logText([
    ...deliveredLines(),
    `${stamp(50)} postfix/postdrop[3001]: warning: uid=33: File too large`,
    `${stamp(50)} postfix/sendmail[3000]: fatal: www-data(33): queue file write error`,
  ]);

  test("report counts them apart", async () => {
    const diagnosis = await diagnoseText(TOO_LARGE_LOG);
    const report = diagnosis.queueSpace;

    expect(report?.confirmed).toBe(false);
    expect(report?.count).toBe(2);
    expect(report?.writeErrors).toBe(0);
    expect(report?.otherWriteErrors).toBe(1);
    expect(report?.sendmailErrors).toBe(1);
    expect(report?.lostSubmissions).toBe(1);
    expect(report?.otherWriteSample?.text).toBe("warning: uid=33: File too large");
    expect(diagnosis.findings.map((finding) => finding.id)).not.toContain("healthy");
    expect(validateDiagnosis(JSON.parse(JSON.stringify(diagnosis)))).toEqual([]);
  });

  test("sendmail line alone is no fault", async () => {
    const lines = [
      ...deliveredLines(),
      `${stamp(50)} postfix/sendmail[3000]: fatal: www-data(33): queue file write error`,
    ];
    const report = (await diagnoseText(logText(lines))).queueSpace;

    expect(report?.confirmed).toBe(false);
    expect(report?.sendmailErrors).toBe(1);
    expect(report?.lostSubmissions).toBe(1);
  });

  test("sendmail line naming no space is a fault", async () => {
    const lines = [
      ...deliveredLines(),
      `${stamp(50)} postfix/sendmail[3000]: fatal: www-data(33): error writing queue file: No space left on device`,
    ];
    const report = (await diagnoseText(logText(lines))).queueSpace;

    expect(report?.confirmed).toBe(true);
  });

  test("text report shows the cause", async () => {
    const log = temporary.file(TOO_LARGE_LOG);
    const text = await runCommand([...OFFLINE_DIAGNOSE, log]);
    const logs = await runCommand(["logs", "--format", "json", "--timezone", "UTC", log]);
    const section = (text.stdout.split("\nServer faults\n")[1]?.split("\n\n")[0] ?? "").replace(
      /\s+/g,
      " ",
    );

    expect(text.code).toBe(1);
    expect(text.stdout).not.toContain("QUEUE DISK");
    expect(section).toContain("Note: at 2024-03-04 00:50:00, queue file writes failed");
    expect(section).toContain("1 queue file write failed for another cause than lack of space");
    expect(section).toContain('The first reads "warning: uid=33: File too large".');
    expect(section).toContain("1 local submission was lost");
    expect(section).toContain("the Postfix sendmail command exited with an error");
    expect(section).toContain("needs that cause fixed");
    expect(section).toContain("permissions of the queue directory");
    expect(validateStatistics(JSON.parse(logs.stdout))).toEqual([]);
  });

  test("fix names the size limit first", async () => {
    const fix = queueSpaceSentences((await diagnoseText(TOO_LARGE_LOG)).queueSpace)?.fix ?? "";

    expect(fix).toMatch(/^A write that failed for another cause needs that cause fixed/);
    expect(fix).toContain('"File too large" means a message larger than message_size_limit');
    expect(fix.indexOf("message_size_limit")).toBeLessThan(fix.indexOf("df -h"));
  });

  test("space lines keep the free space first", async () => {
    const lines = [
      ...deliveredLines(),
      `${stamp(40)} postfix/smtpd[2001]: NOQUEUE: reject: MAIL from a.example.com[192.0.2.10]: 452 4.3.1 Insufficient system storage; proto=ESMTP helo=<a.example.com>`,
      `${stamp(50)} postfix/postdrop[3001]: warning: uid=33: File too large`,
      `${stamp(50)} postfix/sendmail[3000]: fatal: www-data(33): queue file write error`,
    ];
    const report = (await diagnoseText(logText(lines))).queueSpace;
    const fix = queueSpaceSentences(report)?.fix ?? "";

    expect(report?.confirmed).toBe(false);
    expect(fix).toMatch(/^If it repeats, check the free space/);
  });
});
