import { describe, expect, test } from "vitest";
import type { Diagnosis } from "../../src/diagnose/types.js";
import { queueSpaceLabelWords, queueSpaceSentences } from "../../src/report/queue-space-text.js";
import { OFFLINE_DIAGNOSE, runCommand } from "../helpers/cli.js";
import { diagnoseText } from "../helpers/diagnose-text.js";
import { schemaValidator } from "../helpers/schema.js";
import { temporaryFiles } from "../helpers/temporary-files.js";

const temporary = temporaryFiles();
const validateDiagnosis = schemaValidator("diagnose.schema.json");
const validateStatistics = schemaValidator("logs.schema.json");

function logText(lines: readonly string[]): string {
  return `${lines.join("\n")}\n`;
}

/** One local message that Exim delivered to a small receiver, then a full spool. */
const EXIM_LOG = logText([
  "2024-03-04 00:10:00 1rhA2b-000Abc-1x <= alice@example.com U=alice P=local S=812",
  '2024-03-04 00:10:01 1rhA2b-000Abc-1x => bob@example.org R=dnslookup T=remote_smtp H=mx.example.org [192.0.2.25] C="250 2.0.0 Ok: queued as 4F2A1"',
  "2024-03-04 00:10:01 1rhA2b-000Abc-1x Completed",
  "2024-03-04 00:55:00 [4120] spool directory space check failed: space=8192 inodes=40000",
  "2024-03-04 00:58:00 [4121] spool directory space check failed: space=4096 inodes=40000",
  "2024-03-04 01:02:00 [4122] Message abandoned: Spool write error (No space left on device) while receiving message from mx.example.net [192.0.2.35]",
]);

const SENDMAIL_HEAD = "Mar  4 00:55:00 mx1 sm-mta";

/** One delivered message, then a Sendmail daemon whose queue disk is full. */
const SENDMAIL_LOG = logText([
  "Mar  4 00:10:00 mx1 sm-mta[3120]: 424EF3Ab003120: from=<alice@example.com>, size=4312, class=0, nrcpts=1, msgid=<20240304.1@example.com>, proto=ESMTP, daemon=MTA, relay=laptop.example.com [198.51.100.7]",
  "Mar  4 00:10:02 mx1 sm-mta[3122]: 424EF3Ab003120: to=<bob@example.org>, delay=00:00:02, xdelay=00:00:02, mailer=esmtp, pri=121312, relay=mx.example.org. [192.0.2.25], dsn=2.0.0, stat=Sent (4F2A1 Message accepted for delivery)",
  `${SENDMAIL_HEAD}[2395]: rejecting new messages: min free: 100`,
  `${SENDMAIL_HEAD}[3140]: NOQUEUE: Insufficient disk space; try again later`,
  `${SENDMAIL_HEAD}[3141]: 424EF3Ab003141: SYSERR(root): queueup: cannot create queue temp file ./tf424EF3Ab003141, uid=0: No space left on device`,
]);

const POSTFIX_LOG = logText([
  "2024-03-04T00:55:00+00:00 mail postfix/smtpd[4795]: NOQUEUE: reject: MAIL from mx.example.net[192.0.2.35]: 452 4.3.1 Insufficient system storage; proto=ESMTP helo=<mx.example.net>",
  "2024-03-04T00:55:00+00:00 mail postfix/smtpd[4795]: warning: not enough free space in mail queue: 183091200 bytes < 1.5*message size limit",
]);

describe("queue disk full per MTA", () => {
  test("Exim spool lines are counted", async () => {
    const diagnosis = await diagnoseText(EXIM_LOG, { year: 2024 });
    const report = diagnosis.queueSpace;

    expect(report?.mta).toBe("exim");
    expect(report?.warnings).toBe(2);
    expect(report?.writeErrors).toBe(1);
    expect(report?.rejects).toBe(0);
    expect(report?.confirmed).toBe(true);
    expect(report?.sample.line).toBe(4);
    expect(validateDiagnosis(JSON.parse(JSON.stringify(diagnosis)))).toEqual([]);
  });

  test("Sendmail queue lines are counted", async () => {
    const diagnosis = await diagnoseText(SENDMAIL_LOG, { year: 2024 });
    const report = diagnosis.queueSpace;

    expect(report?.mta).toBe("sendmail");
    expect(report?.warnings).toBe(1);
    expect(report?.rejects).toBe(1);
    expect(report?.writeErrors).toBe(1);
    expect(report?.lostSubmissions).toBe(0);
    expect(report?.confirmed).toBe(true);
    expect(report?.sample.text).toBe("rejecting new messages: min free: 100");
    expect(validateDiagnosis(JSON.parse(JSON.stringify(diagnosis)))).toEqual([]);
  });

  test("verdict label names the disk", async () => {
    for (const [log, full, wasFull] of [
      [EXIM_LOG, "spool disk full", "spool disk was full"],
      [SENDMAIL_LOG, "queue disk full", "queue disk was full"],
      [POSTFIX_LOG, "queue disk full", "queue disk was full"],
    ] as const) {
      const report = (await diagnoseText(log, { year: 2024 })).queueSpace;
      if (report === null) throw new Error(`no queue space report for ${full}`);

      expect(queueSpaceLabelWords({ ...report, ongoing: true })).toBe(full);
      expect(queueSpaceLabelWords({ ...report, ongoing: false })).toBe(wasFull);
    }
  });

  test("fix names the Exim spool", async () => {
    const report = (await diagnoseText(EXIM_LOG, { year: 2024 })).queueSpace;
    const fix = queueSpaceSentences(report)?.fix ?? "";

    expect(fix).toContain("Exim's spool directory (`exim -bP spool_directory`");
    expect(fix).toContain("check_spool_space");
    expect(fix).toContain("check_log_space");
    expect(fix).not.toContain("postconf");
  });

  test("fix names the Sendmail queue", async () => {
    const report = (await diagnoseText(SENDMAIL_LOG, { year: 2024 })).queueSpace;
    const sentences = queueSpaceSentences(report);

    expect(sentences?.fix).toContain("Sendmail's queue directory (the QueueDirectory option");
    expect(sentences?.fix).toContain("MinFreeBlocks");
    expect(sentences?.fix).not.toContain("postconf");
    expect(sentences?.counts).toContain("with 452 4.4.5 Insufficient disk space");
    expect(sentences?.counts).not.toContain("Postfix");
  });

  test("fix names the Postfix queue", async () => {
    const report = (await diagnoseText(POSTFIX_LOG, { year: 2024 })).queueSpace;
    const fix = queueSpaceSentences(report)?.fix ?? "";

    expect(report?.mta).toBe("postfix");
    expect(fix).toContain("`postconf -h queue_directory`");
    expect(fix).toContain("queue_minfree");
  });

  test("lone Sendmail reject is a note", async () => {
    const log = logText([
      "Mar  4 00:10:00 mx1 sm-mta[3120]: 424EF3Ab003120: from=<alice@example.com>, size=4312, class=0, nrcpts=1, msgid=<20240304.1@example.com>, proto=ESMTP, daemon=MTA, relay=laptop.example.com [198.51.100.7]",
      `${SENDMAIL_HEAD}[3140]: NOQUEUE: Insufficient disk space; try again later`,
    ]);
    const diagnosis = await diagnoseText(log, { year: 2024 });
    const sentences = queueSpaceSentences(diagnosis.queueSpace);

    expect(diagnosis.queueSpace?.confirmed).toBe(false);
    expect(sentences?.counts).toContain("Sendmail answered 1 client command with 452 4.4.5");
    expect(sentences?.fix).toContain(
      "If it repeats, check the free space of the file system of Sendmail's",
    );
  });

  test("Exim text verdict and exit status", async () => {
    const log = temporary.file(EXIM_LOG);
    const text = await runCommand([...OFFLINE_DIAGNOSE, log]);
    const json = await runCommand([...OFFLINE_DIAGNOSE, "--format", "json", log]);
    const section = text.stdout.split("\nServer faults\n")[1]?.split("\n\n")[0] ?? "";

    expect(text.code).toBe(1);
    expect(json.code).toBe(1);
    expect((JSON.parse(json.stdout) as Diagnosis).queueSpace?.mta).toBe("exim");
    expect(text.stdout).toContain("Verdict: NOT BLOCKED, SPOOL DISK FULL");
    expect(section).toContain("Spool disk full: from 2024-03-04 00:55:00 to");
    for (const line of section.split("\n")) expect(line.length).toBeLessThanOrEqual(80);
  });

  test("Sendmail text verdict and exit status", async () => {
    const log = temporary.file(SENDMAIL_LOG);
    const text = await runCommand([...OFFLINE_DIAGNOSE, "--year", "2024", log]);
    const logs = await runCommand(["logs", "--format", "json", "--timezone", "UTC", log]);
    const section = text.stdout.split("\nServer faults\n")[1]?.split("\n\n")[0] ?? "";

    expect(text.code).toBe(1);
    expect(text.stdout).toContain("Verdict: NOT BLOCKED, QUEUE DISK FULL");
    expect(section).toContain("MinFreeBlocks");
    for (const line of section.split("\n")) expect(line.length).toBeLessThanOrEqual(80);
    expect(validateStatistics(JSON.parse(logs.stdout))).toEqual([]);
  });
});

/** A full Exim spool that abandons a client's message and two local submissions. */
const EXIM_LOST_LOG = logText([
  "2024-03-04 00:10:00 1rhA2b-000Abc-1x <= alice@example.com U=alice P=local S=812",
  '2024-03-04 00:10:01 1rhA2b-000Abc-1x => bob@example.org R=dnslookup T=remote_smtp H=mx.example.org [192.0.2.25] C="250 2.0.0 Ok: queued as 4F2A1"',
  "2024-03-04 00:10:01 1rhA2b-000Abc-1x Completed",
  "2024-03-04 00:55:00 1rhB3c-000Bcd-2y Message abandoned: Spool write error (No space left on device) while receiving message from mx.example.net [192.0.2.35]",
  "2024-03-04 00:56:00 1rhB4d-000Cde-3z Message abandoned: Spool write error (No space left on device) while receiving message from www-data",
  "2024-03-04 00:57:00 1rhB5e-000Def-4a Message abandoned: spool file write error while receiving from shop: No space left on device",
]);

/** A full Sendmail queue that loses one local submission of www-data. */
const SENDMAIL_LOST_LOG = logText([
  "Mar  4 00:10:00 mx1 sm-mta[3120]: 424EF3Ab003120: from=<alice@example.com>, size=4312, class=0, nrcpts=1, msgid=<20240304.1@example.com>, proto=ESMTP, daemon=MTA, relay=laptop.example.com [198.51.100.7]",
  `${SENDMAIL_HEAD}[3141]: 424EF3Ab003141: SYSERR(root): queueup: cannot create queue temp file ./tf424EF3Ab003141, uid=0: No space left on device`,
  `${SENDMAIL_HEAD}[3150]: 424EF3Ab003150: SYSERR(www-data): queueup: cannot create queue temp file ./tf424EF3Ab003150, uid=33: No space left on device`,
]);

/** A full Sendmail queue that loses two local submissions of www-data, the first in three lines. */
const SENDMAIL_LOST_LINES_LOG = logText([
  "Mar  4 00:10:00 mx1 sm-mta[3120]: 424EF3Ab003120: from=<alice@example.com>, size=4312, class=0, nrcpts=1, msgid=<20240304.1@example.com>, proto=ESMTP, daemon=MTA, relay=laptop.example.com [198.51.100.7]",
  "Mar  4 00:55:00 mx1 sendmail[3150]: 424EF3Ab003150: SYSERR(www-data): queueup: cannot create queue temp file ./tf424EF3Ab003150, uid=33: No space left on device",
  "Mar  4 00:55:00 mx1 sendmail[3150]: SYSERR(www-data): Out of disk space for temp file",
  "Mar  4 00:55:01 mx1 sendmail[3150]: 424EF3Ab003150: SYSERR(www-data): Error writing control file ./tf424EF3Ab003150: No space left on device",
  "Mar  4 00:58:00 mx1 sendmail[3162]: 424EF3Ab003162: SYSERR(www-data): queueup: cannot create queue temp file ./tf424EF3Ab003162, uid=33: No space left on device",
]);

/** A delivered message, then a local submission that Exim abandoned at a disk quota. */
const EXIM_QUOTA_LOG = logText([
  "2024-03-04 09:15:01 1rhA2b-000Abc-1x <= alice@example.com H=a.example.com [192.0.2.10] P=esmtp S=1200 id=1@example.com",
  '2024-03-04 09:15:02 1rhA2b-000Abc-1x => bob@gmail.com R=dnslookup T=remote_smtp H=gmail-smtp-in.l.google.com [192.0.2.200] C="250 2.0.0 OK 1709543702 x1si123 - gsmtp"',
  "2024-03-04 09:15:02 1rhA2b-000Abc-1x Completed",
  "2024-03-04 09:20:00 1rhA3c-000Abd-2y Message abandoned: Spool write error (Disk quota exceeded) while receiving message from www-data",
]);

/** A delivered message, then a local submission that Sendmail could not queue at a quota. */
const SENDMAIL_QUOTA_LOG = logText([
  "Mar  4 00:10:00 mx1 sm-mta[3120]: 424EF3Ab003120: from=<alice@example.com>, size=4312, class=0, nrcpts=1, msgid=<20240304.1@example.com>, proto=ESMTP, daemon=MTA, relay=laptop.example.com [198.51.100.7]",
  "Mar  4 00:10:02 mx1 sm-mta[3122]: 424EF3Ab003120: to=<bob@gmail.com>, delay=00:00:02, xdelay=00:00:02, mailer=esmtp, pri=121312, relay=gmail-smtp-in.l.google.com. [192.0.2.200], dsn=2.0.0, stat=Sent (OK 1709543702 x1si123 - gsmtp)",
  `${SENDMAIL_HEAD}[3150]: 424EF3Ab003150: SYSERR(www-data): queueup: cannot create queue temp file ./tf424EF3Ab003150, uid=33: Disk quota exceeded`,
]);

describe("local submissions lost by Exim and Sendmail", () => {
  test("Exim counts logins, not clients", async () => {
    const diagnosis = await diagnoseText(EXIM_LOST_LOG, { year: 2024 });
    const report = diagnosis.queueSpace;

    expect(diagnosis.input.unparsed).toBe(0);
    expect(report?.writeErrors).toBe(3);
    expect(report?.lostSubmissions).toBe(2);
    expect(report?.sendmailErrors).toBe(0);
    expect(report?.confirmed).toBe(true);
    expect(report?.lostSample?.line).toBe(5);
    expect(report?.lostSample?.text).toContain("while receiving message from www-data");
    expect(validateDiagnosis(JSON.parse(JSON.stringify(diagnosis)))).toEqual([]);
  });

  test("Sendmail counts users other than root", async () => {
    const diagnosis = await diagnoseText(SENDMAIL_LOST_LOG, { year: 2024 });
    const report = diagnosis.queueSpace;

    expect(report?.writeErrors).toBe(2);
    expect(report?.lostSubmissions).toBe(1);
    expect(report?.lostSample?.line).toBe(3);
    expect(validateDiagnosis(JSON.parse(JSON.stringify(diagnosis)))).toEqual([]);
  });

  test("Sendmail counts one submission per process", async () => {
    const diagnosis = await diagnoseText(SENDMAIL_LOST_LINES_LOG, { year: 2024 });
    const report = diagnosis.queueSpace;
    const sentences = queueSpaceSentences(report);

    expect(report?.writeErrors).toBe(4);
    expect(report?.lostSubmissions).toBe(2);
    expect(report?.lostSubmissionLines).toBe(4);
    expect(report?.lostSample?.line).toBe(2);
    expect(sentences?.counts).toContain("2 local submissions were lost (4 log lines): Sendmail");
    expect(validateDiagnosis(JSON.parse(JSON.stringify(diagnosis)))).toEqual([]);
  });

  test.each([
    {
      mta: "Exim",
      log: EXIM_LOST_LOG,
      counts: "2 local submissions were lost",
      line: "Exim logged `Message abandoned` while it received the message from a local account",
      account: "`Message abandoned` lines",
    },
    {
      mta: "Sendmail",
      log: SENDMAIL_LOST_LOG,
      counts: "1 local submission was lost",
      line: "Sendmail logged a `SYSERR(USER)` line for the calling user and queued nothing",
      account: "`SYSERR(USER)` lines",
    },
  ])("$mta text names the loss", async ({ log, counts, line, account }) => {
    const report = (await diagnoseText(log, { year: 2024 })).queueSpace;
    const sentences = queueSpaceSentences(report);

    expect(sentences?.counts).toContain(`${counts}: `);
    expect(sentences?.counts).toContain(line);
    expect(sentences?.counts).not.toContain("sendmail exited");
    expect(sentences?.counts).toContain("so the program that ran the sendmail command");
    expect(sentences?.lost).toContain(`:${report?.lostSample?.line ?? "none"}: `);
    expect(sentences?.fix).toContain("Lost local submissions are gone");
    expect(sentences?.fix).toContain(account);
    expect(sentences?.fix).not.toContain("postdrop");
  });

  test("Exim spool quota loss exits 1", async () => {
    const log = temporary.file(EXIM_QUOTA_LOG);
    const text = await runCommand([...OFFLINE_DIAGNOSE, log]);
    const json = await runCommand([...OFFLINE_DIAGNOSE, "--format", "json", log]);
    const diagnosis = JSON.parse(json.stdout) as Diagnosis;
    const section = (text.stdout.split("\nServer faults\n")[1]?.split("\n\n")[0] ?? "").replace(
      /\s+/g,
      " ",
    );

    expect(text.code).toBe(1);
    expect(json.code).toBe(1);
    expect(diagnosis.queueSpace?.confirmed).toBe(false);
    expect(diagnosis.queueSpace?.otherWriteErrors).toBe(1);
    expect(diagnosis.queueSpace?.lostSubmissions).toBe(1);
    expect(diagnosis.findings.map((finding) => finding.id)).not.toContain("healthy");
    expect(text.stdout).not.toContain("No receiver rejects or throttles");
    expect(section).toContain("spool file writes failed");
    expect(section).toContain("1 spool file write failed for another cause");
    expect(section).toContain("Exim logged `Message abandoned`");
    expect(section).toContain("permissions of the spool directory");
    expect(section).not.toContain("queue file");
    expect(section).not.toContain("sendmail exited");
    expect(validateDiagnosis(diagnosis)).toEqual([]);
  });

  test("Sendmail quota loss exits 1", async () => {
    const log = temporary.file(SENDMAIL_QUOTA_LOG);
    const json = await runCommand([...OFFLINE_DIAGNOSE, "--format", "json", log]);
    const diagnosis = JSON.parse(json.stdout) as Diagnosis;
    const sentences = queueSpaceSentences(diagnosis.queueSpace);

    expect(json.code).toBe(1);
    expect(diagnosis.queueSpace?.confirmed).toBe(false);
    expect(diagnosis.queueSpace?.lostSubmissions).toBe(1);
    expect(diagnosis.findings.map((finding) => finding.id)).not.toContain("healthy");
    expect(sentences?.counts).toContain("queue file writes failed");
    expect(sentences?.counts).toContain("Sendmail logged a `SYSERR(USER)` line");
  });

  test("JSON of both commands counts them", async () => {
    const log = temporary.file(EXIM_LOST_LOG);
    const diagnose = await runCommand([...OFFLINE_DIAGNOSE, "--format", "json", log]);
    const logs = await runCommand(["logs", "--format", "json", "--timezone", "UTC", log]);
    const diagnosis = JSON.parse(diagnose.stdout) as Diagnosis;
    const statistics = JSON.parse(logs.stdout) as { queueSpace: { lostSubmissions: number } };

    expect(diagnose.code).toBe(1);
    expect(diagnosis.queueSpace?.lostSubmissions).toBe(2);
    expect(statistics.queueSpace.lostSubmissions).toBe(2);
    expect(validateDiagnosis(diagnosis)).toEqual([]);
    expect(validateStatistics(statistics)).toEqual([]);
  });
});
