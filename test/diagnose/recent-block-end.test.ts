import { describe, expect, test } from "vitest";
import type { Diagnosis, ProviderVerdict, ReadinessItem } from "../../src/diagnose/types.js";
import { OFFLINE_DIAGNOSE, runCommand } from "../helpers/cli.js";
import { schemaValidator } from "../helpers/schema.js";
import { temporaryFiles } from "../helpers/temporary-files.js";

const temporary = temporaryFiles();
const validateDiagnosis = schemaValidator("diagnose.schema.json");

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
/** The first line of each log: 2026-03-10 08:00 UTC. */
const START = Date.UTC(2026, 2, 10, 8, 0, 0);
/** Yahoo defers every attempt from 10:00 on. */
const BLOCK_START = START + 2 * HOUR;
/** The first message deferred at 10:00:02 is retried and deferred again at 15:58:02. */
const LAST_DEFERRAL = Date.UTC(2026, 2, 10, 15, 58, 2);

const YAHOO_MX = "mta5.am0.yahoodns.net[192.0.2.221]";
const YAHOO_TSS04 =
  "421 4.7.0 [TSS04] Messages from 192.0.2.10 temporarily deferred due to unexpected volume or user complaints - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes";

/** One Postfix delivery attempt of a message's single Yahoo recipient. */
interface Attempt {
  readonly time: number;
  readonly queueId: string;
  readonly recipient: string;
  readonly deferred: boolean;
  /** The syslog host that logged the attempt; mx1 when unset. */
  readonly host?: string;
}

/**
 * Writes a Postfix log of bob@example.com sending one message every 10 minutes to a yahoo.com
 * recipient. Yahoo accepts the messages of 08:00 to 09:50, then defers the 36 messages of 10:00
 * to 15:50 with [TSS04], and defers the first of them once more at `LAST_DEFERRAL`. After
 * that, it accepts `accepted` deliveries, one every `gapMs`, the last at `end`. The first of
 * them are retries of the deferred messages, the rest are new messages. With no accepted
 * delivery, the log ends at the last deferral.
 */
function yahooLog(accepted: number, end: number, gapMs: number): string {
  const attempts: Attempt[] = [];
  const deferredMessages: Array<{ queueId: string; recipient: string }> = [];
  let counter = 0;
  const newMessage = (): { queueId: string; recipient: string } => {
    counter += 1;
    return {
      queueId: (0x1a2b00 + counter).toString(16).toUpperCase(),
      recipient: `y${counter}@yahoo.com`,
    };
  };

  for (let time = START; time < BLOCK_START; time += 10 * MINUTE) {
    attempts.push({ time: time + 2 * SECOND, ...newMessage(), deferred: false });
  }
  for (let time = BLOCK_START; time < BLOCK_START + 6 * HOUR; time += 10 * MINUTE) {
    const message = newMessage();
    deferredMessages.push(message);
    attempts.push({ time: time + 2 * SECOND, ...message, deferred: true });
  }
  const [firstDeferred] = deferredMessages;
  if (firstDeferred !== undefined) {
    attempts.push({ time: LAST_DEFERRAL, ...firstDeferred, deferred: true });
  }

  for (let index = 0; index < accepted; index++) {
    const time = end - (accepted - 1 - index) * gapMs;
    const message = deferredMessages[index] ?? newMessage();
    attempts.push({ time, ...message, deferred: false });
  }
  return postfixLines(attempts);
}

/** Renders the attempts as Postfix lines, with the submission lines of each new message. */
function postfixLines(attempts: readonly Attempt[]): string {
  const submitted = new Set<string>();
  const lines: Array<{ time: number; text: string }> = [];
  let pid = 3000;
  let host = "mx1";
  const add = (time: number, program: string, text: string): void => {
    pid += 1;
    const stamp = new Date(time).toISOString().replace(".000Z", "+00:00");
    lines.push({ time, text: `${stamp} ${host} postfix/${program}[${pid}]: ${text}` });
  };

  for (const attempt of attempts) {
    const { queueId, recipient, time } = attempt;
    host = attempt.host ?? "mx1";
    if (!submitted.has(queueId)) {
      submitted.add(queueId);
      const queued = time - 2 * SECOND;
      add(
        queued,
        "submission/smtpd",
        `${queueId}: client=unknown[198.51.100.7], sasl_method=LOGIN, sasl_username=bob@example.com`,
      );
      add(queued, "cleanup", `${queueId}: message-id=<${queueId}@example.com>`);
      add(queued, "qmgr", `${queueId}: from=<bob@example.com>, size=2345, nrcpt=1 (queue active)`);
    }
    const result = attempt.deferred
      ? `dsn=4.7.0, status=deferred (host ${YAHOO_MX} refused to talk to me: ${YAHOO_TSS04})`
      : `dsn=2.0.0, status=sent (250 ok dirdel)`;
    add(time, "smtp", `${queueId}: to=<${recipient}>, relay=${YAHOO_MX}:25, delay=1, ${result}`);
  }
  return `${lines
    .sort((a, b) => a.time - b.time)
    .map((line) => line.text)
    .join("\n")}\n`;
}

/** The report of one log in each output format, from in-process CLI runs. */
interface Reports {
  readonly code: number;
  readonly text: string;
  readonly markdown: string;
  readonly diagnosis: Diagnosis;
}

async function reportsOf(log: string): Promise<Reports> {
  const path = temporary.file(log);
  const run = (format: string) =>
    runCommand([...OFFLINE_DIAGNOSE, "--no-progress", "--format", format, path]);
  const [text, markdown, json] = await Promise.all([run("text"), run("markdown"), run("json")]);
  expect(json.code).toBe(text.code);
  expect(markdown.code).toBe(text.code);
  return {
    code: text.code,
    text: flatten(text.stdout),
    markdown: flatten(markdown.stdout),
    diagnosis: JSON.parse(json.stdout) as Diagnosis,
  };
}

/** Joins wrapped lines, so that a sentence can be found whatever the line width. */
function flatten(report: string): string {
  return report.replace(/\s+/g, " ");
}

function yahooOf(diagnosis: Diagnosis): ProviderVerdict {
  const yahoo = diagnosis.providers.yahoo;
  if (yahoo === undefined) throw new Error("the diagnosis has no yahoo row");
  return yahoo;
}

/** Writes the ISO 8601 times of a JSON sentence as the text and Markdown reports give them. */
function tableTimes(sentence: string): string {
  return sentence.replace(/(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d)Z/g, "$1 $2");
}

function blocksEnded(diagnosis: Diagnosis): ReadinessItem | undefined {
  return diagnosis.readiness.items.find((item) => item.id === "blocks-ended");
}

const LIFT_RULE =
  "A block counts as lifted once the provider has accepted 20 deliveries after its last block reply, the latest at least 2 hours after it, or 5 deliveries with no failed attempt and 6 hours without a block reply.";

/** The readiness detail as the reports print it: the lift rule is printed there, once. */
const printed = (detail: string): string => detail;

/** The verdict summary as the reports print it, with the lift rule left to the readiness item. */
const printedVerdict = (summary: string): string => summary.replace(` ${LIFT_RULE}`, "");

const TOO_EARLY_VERDICT = (accepted: number) =>
  `Yahoo/AOL deferred mail from this server from 2026-03-10T10:00:02Z to 2026-03-10T15:58:02Z and has accepted ${accepted} deliveries since, too soon to call the block lifted. ${LIFT_RULE}`;
const TOO_EARLY_READINESS = (accepted: number) =>
  `Yahoo/AOL deferred mail in the last two hours of the log, the last at 2026-03-10T15:58:02Z, and has accepted ${accepted} deliveries since, too soon to call the block lifted. ${LIFT_RULE}`;

describe("block end near the end of the log", () => {
  test("one hour after the last deferral", async () => {
    const reports = await reportsOf(yahooLog(30, LAST_DEFERRAL + HOUR, 2 * MINUTE));
    const yahoo = yahooOf(reports.diagnosis);

    expect(reports.code).toBe(1);
    expect(yahoo.status).toBe("rate-limited");
    expect(yahoo.ongoing).toBe(true);
    expect(yahoo.acceptedSinceLastBlock).toBe(30);
    expect(yahoo.unacceptedAttempts).toBeNull();
    expect(yahoo.pastBlock).toBeNull();
    expect(yahoo.lastBlock?.time).toBe("2026-03-10T15:58:02Z");
    expect(reports.diagnosis.verdict.summary).toBe(TOO_EARLY_VERDICT(30));
    expect(blocksEnded(reports.diagnosis)?.status).toBe("fail");
    expect(blocksEnded(reports.diagnosis)?.detail).toBe(TOO_EARLY_READINESS(30));
    expect(validateDiagnosis(reports.diagnosis)).toEqual([]);

    expect(reports.text).toContain(
      `Verdict: RATE-LIMITED ${tableTimes(printedVerdict(TOO_EARLY_VERDICT(30)))}`,
    );
    expect(reports.text).toContain(
      "last at 2026-03-10 15:58:02, and 30 deliveries accepted since, too soon to call it lifted.",
    );
    expect(reports.text).toContain(
      `[ ] Rejections and deferrals have stopped: ${tableTimes(printed(TOO_EARLY_READINESS(30)))}`,
    );
    expect(reports.text).not.toContain("still going on");
    expect(reports.markdown).toContain(tableTimes(printedVerdict(TOO_EARLY_VERDICT(30))));
    expect(reports.markdown).toContain(tableTimes(printed(TOO_EARLY_READINESS(30))));
    expect(reports.markdown).not.toContain("still going on");
  });

  test("eleven deliveries in 13 minutes", async () => {
    const reports = await reportsOf(yahooLog(11, LAST_DEFERRAL + 13 * MINUTE, MINUTE));
    const yahoo = yahooOf(reports.diagnosis);

    expect(reports.code).toBe(1);
    expect(yahoo.status).toBe("rate-limited");
    expect(yahoo.ongoing).toBe(true);
    expect(yahoo.acceptedSinceLastBlock).toBe(11);
    expect(yahoo.unacceptedAttempts).toBeNull();
    expect(reports.diagnosis.verdict.summary).toBe(TOO_EARLY_VERDICT(11));
    expect(blocksEnded(reports.diagnosis)?.status).toBe("fail");
    expect(blocksEnded(reports.diagnosis)?.detail).toBe(TOO_EARLY_READINESS(11));
    expect(validateDiagnosis(reports.diagnosis)).toEqual([]);

    expect(reports.text).toContain(tableTimes(printedVerdict(TOO_EARLY_VERDICT(11))));
    expect(reports.text).toContain("and 11 deliveries accepted since, too soon to call it lifted.");
    expect(reports.text).not.toContain("still going on");
    expect(reports.markdown).toContain(tableTimes(printedVerdict(TOO_EARLY_VERDICT(11))));
    expect(reports.markdown).toContain(tableTimes(printed(TOO_EARLY_READINESS(11))));
  });

  test("three hours after the last deferral", async () => {
    const reports = await reportsOf(yahooLog(60, LAST_DEFERRAL + 3 * HOUR, 3 * MINUTE));
    const yahoo = yahooOf(reports.diagnosis);
    const rateLimited = reports.diagnosis.findings.find((item) => item.id === "rate-limited");
    const pastBlock =
      "Yahoo/AOL deferred mail from this server from 2026-03-10T10:00:02Z to 2026-03-10T15:58:02Z, and has accepted 60 deliveries since, the last at 2026-03-10T18:58:02Z, so the block counts as lifted.";

    expect(reports.code).toBe(0);
    expect(yahoo.status).toBe("ok");
    expect(yahoo.ongoing).toBe(false);
    expect(yahoo.acceptedSinceLastBlock).toBe(60);
    expect(yahoo.pastBlock).toEqual({
      status: "rate-limited",
      deliveredAfter: 60,
      lastDelivery: "2026-03-10T18:58:02Z",
      blockReadLate: false,
    });
    expect(reports.diagnosis.verdict.summary).toContain(pastBlock);
    expect(blocksEnded(reports.diagnosis)?.status).toBe("pass");
    expect(blocksEnded(reports.diagnosis)?.detail).toBe(
      "No provider rejects or defers mail in the last two hours of the log.",
    );
    expect(validateDiagnosis(reports.diagnosis)).toEqual([]);

    expect(rateLimited?.severity).toBe("info");
    expect(rateLimited?.title).toBe(
      "Yahoo/AOL deferred mail from this server, a block since lifted",
    );
    expect(rateLimited?.summary).toBe(
      "37 deferrals from 2026-03-10T10:00:02Z to 2026-03-10T15:58:02Z. Later attempts delivered all 36 deferred recipients.",
    );

    expect(reports.text).toContain(tableTimes(pastBlock));
    expect(reports.text).toContain(
      "Yahoo/AOL deferred mail from this server, a block since lifted",
    );
    expect(reports.text).not.toContain("not lost yet");
    expect(reports.text).not.toContain("too soon");
    expect(reports.markdown).toContain(tableTimes(pastBlock));
    expect(reports.markdown).toContain("Later attempts delivered all 36 deferred recipients.");
    expect(reports.markdown).not.toContain("not lost yet");
  });

  test("too few deliveries, hours later", async () => {
    const reports = await reportsOf(yahooLog(5, LAST_DEFERRAL + 3 * HOUR, 10 * MINUTE));
    const yahoo = yahooOf(reports.diagnosis);
    const verdict = `Yahoo/AOL deferred mail from this server from 2026-03-10T10:00:02Z to 2026-03-10T15:58:02Z and has accepted 5 deliveries since, not enough to call the block lifted. ${LIFT_RULE}`;
    const readiness = `Yahoo/AOL deferred mail until 2026-03-10T15:58:02Z and has accepted 5 deliveries since, not enough to call the block lifted. ${LIFT_RULE}`;

    expect(yahoo.status).toBe("rate-limited");
    expect(yahoo.ongoing).toBe(false);
    expect(yahoo.pastBlock).toBeNull();
    expect(yahoo.acceptedSinceLastBlock).toBe(5);
    expect(reports.diagnosis.verdict.summary).toBe(verdict);
    expect(blocksEnded(reports.diagnosis)?.status).toBe("fail");
    expect(blocksEnded(reports.diagnosis)?.detail).toBe(readiness);
    expect(reports.text).toContain(`Verdict: RATE-LIMITED ${tableTimes(printedVerdict(verdict))}`);
    expect(reports.text).toContain(
      "and 5 deliveries accepted since, not enough to call it lifted.",
    );
    // Yahoo accepts mail again, so its form comes with a note to wait, and the summary names
    // it apart from the providers that still defer.
    const forms = reports.diagnosis.readiness.removalForms;
    expect(forms.find((form) => form.provider === "yahoo")?.rule).toMatch(
      /^Yahoo\/AOL has accepted 5 deliveries since its last block reply at 2026-03-10T15:58:02Z, so wait: send the form only if its block replies come back\. /,
    );
    expect(reports.diagnosis.readiness.summary).toContain(
      "Yahoo/AOL has accepted too few deliveries since its block",
    );
    expect(reports.diagnosis.readiness.summary).not.toContain("still reject");
    expect(reports.text).not.toContain("defers mail from this server since");
    expect(reports.markdown).toContain(tableTimes(printedVerdict(verdict)));
  });

  test("still deferring at the end", async () => {
    const reports = await reportsOf(yahooLog(0, LAST_DEFERRAL, MINUTE));
    const yahoo = yahooOf(reports.diagnosis);
    const verdict =
      "Yahoo/AOL defers mail from this server since 2026-03-10T10:00:02Z, still going on at the end of the log.";
    const readiness =
      "Yahoo/AOL still deferred mail in the last two hours of the log, the last at 2026-03-10T15:58:02Z.";

    expect(reports.code).toBe(1);
    expect(yahoo.status).toBe("rate-limited");
    expect(yahoo.ongoing).toBe(true);
    expect(yahoo.acceptedSinceLastBlock).toBe(0);
    expect(yahoo.unacceptedAttempts?.attempts).toBe(37);
    expect(reports.diagnosis.verdict.summary).toBe(verdict);
    expect(blocksEnded(reports.diagnosis)?.status).toBe("fail");
    expect(blocksEnded(reports.diagnosis)?.detail).toBe(readiness);
    expect(validateDiagnosis(reports.diagnosis)).toEqual([]);

    expect(reports.text).toContain(tableTimes(printedVerdict(verdict)));
    expect(reports.text).toContain(
      `[ ] Rejections and deferrals have stopped: ${tableTimes(printed(readiness))}`,
    );
    expect(reports.text).not.toContain("too soon");
    expect(reports.markdown).toContain(tableTimes(printedVerdict(verdict)));
    expect(reports.markdown).toContain(tableTimes(printed(readiness)));
  });
});

describe("block end after quiet hours", () => {
  test("17 accepted over 14 quiet hours", async () => {
    const end = LAST_DEFERRAL + 14 * HOUR;
    const reports = await reportsOf(yahooLog(17, end, 49 * MINUTE));
    const yahoo = yahooOf(reports.diagnosis);
    const pastBlock =
      "Yahoo/AOL deferred mail from this server from 2026-03-10T10:00:02Z to 2026-03-10T15:58:02Z, and has accepted 17 deliveries since, the last at 2026-03-11T05:58:02Z, so the block counts as lifted.";

    expect(reports.code).toBe(0);
    expect(yahoo.status).toBe("ok");
    expect(yahoo.ongoing).toBe(false);
    expect(yahoo.acceptedSinceLastBlock).toBe(17);
    expect(yahoo.pastBlock).toEqual({
      status: "rate-limited",
      deliveredAfter: 17,
      lastDelivery: "2026-03-11T05:58:02Z",
      blockReadLate: false,
    });
    expect(reports.diagnosis.verdict.status).toBe("ok");
    expect(reports.diagnosis.verdict.summary).toContain(pastBlock);
    expect(blocksEnded(reports.diagnosis)?.status).toBe("pass");
    expect(reports.diagnosis.readiness.removalForms).toEqual([]);
    expect(validateDiagnosis(reports.diagnosis)).toEqual([]);

    expect(reports.text).toContain(tableTimes(pastBlock));
    expect(reports.text).toMatch(/Yahoo\/AOL +lifted /);
    expect(reports.text).not.toContain("not enough");
    expect(reports.text).not.toContain("senders.yahooinc.com/contact");
    expect(reports.markdown).toContain(tableTimes(pastBlock));
  });

  test("1 accepted 2 h 46 min after", async () => {
    const reports = await reportsOf(yahooLog(1, LAST_DEFERRAL + 2 * HOUR + 46 * MINUTE, MINUTE));
    const yahoo = yahooOf(reports.diagnosis);
    const verdict = `Yahoo/AOL deferred mail from this server from 2026-03-10T10:00:02Z to 2026-03-10T15:58:02Z and has accepted 1 delivery since, not enough to call the block lifted. ${LIFT_RULE}`;
    const readiness = `Yahoo/AOL deferred mail until 2026-03-10T15:58:02Z and has accepted 1 delivery since, not enough to call the block lifted. ${LIFT_RULE}`;

    expect(reports.code).toBe(1);
    expect(yahoo.status).toBe("rate-limited");
    expect(yahoo.ongoing).toBe(false);
    expect(yahoo.acceptedSinceLastBlock).toBe(1);
    expect(yahoo.pastBlock).toBeNull();
    expect(reports.diagnosis.verdict.summary).toBe(verdict);
    // The status keeps the block, so the readiness item must not call it over.
    expect(blocksEnded(reports.diagnosis)?.status).toBe("fail");
    expect(blocksEnded(reports.diagnosis)?.detail).toBe(readiness);
    expect(validateDiagnosis(reports.diagnosis)).toEqual([]);

    expect(reports.text).toContain(`Verdict: RATE-LIMITED ${tableTimes(printedVerdict(verdict))}`);
    expect(reports.text).toContain(
      `[ ] Rejections and deferrals have stopped: ${tableTimes(printed(readiness))}`,
    );
    expect(reports.text).not.toContain("No provider rejects or defers mail");
    expect(reports.markdown).toContain(tableTimes(printed(readiness)));
  });

  test("a failed attempt needs 20 in a row", async () => {
    const log = yahooLog(17, LAST_DEFERRAL + 14 * HOUR, 49 * MINUTE);
    const bounce = `2026-03-10T17:00:00+00:00 mx1 postfix/smtp[9999]: 1A2C00: to=<gone@yahoo.com>, relay=${YAHOO_MX}:25, delay=1, dsn=5.1.1, status=bounced (host ${YAHOO_MX} said: 554 delivery error: dd This user doesn't have a yahoo.com account (gone@yahoo.com) [0] - mta1.mail.example.yahoo.com (in reply to end of DATA command))`;
    const reports = await reportsOf(`${log}${bounce}\n`);
    const yahoo = yahooOf(reports.diagnosis);

    expect(yahoo.status).toBe("rate-limited");
    expect(yahoo.pastBlock).toBeNull();
    expect(yahoo.acceptedSinceLastBlock).toBe(17);
    expect(reports.diagnosis.verdict.summary).toContain("not enough to call the block lifted");
    expect(blocksEnded(reports.diagnosis)?.status).toBe("fail");
  });
});

describe("block end on two hosts", () => {
  /**
   * Yahoo defers mx1's mail until 15:58:02 and mx2's until 17:58:02. mx1 then delivers 6
   * messages before 17:58:02 and 3 after it, and mx2 delivers 4 after it. The log ends at
   * 18:40:02.
   */
  function twoHostLog(): string {
    const attempts: Attempt[] = [];
    let counter = 0;
    const attempt = (host: string, time: number, deferred: boolean): void => {
      counter += 1;
      const queueId = (0x2b3c00 + counter).toString(16).toUpperCase();
      attempts.push({ time, queueId, recipient: `z${counter}@yahoo.com`, deferred, host });
    };
    for (let time = BLOCK_START; time <= LAST_DEFERRAL; time += 20 * MINUTE) {
      attempt("mx1", time + 2 * SECOND, true);
    }
    attempt("mx1", LAST_DEFERRAL, true);
    for (let time = BLOCK_START; time <= LAST_DEFERRAL + 2 * HOUR; time += 20 * MINUTE) {
      attempt("mx2", time + 2 * SECOND, true);
    }
    attempt("mx2", LAST_DEFERRAL + 2 * HOUR, true);
    for (let index = 1; index <= 6; index++)
      attempt("mx1", LAST_DEFERRAL + index * 15 * MINUTE, false);
    for (let index = 1; index <= 3; index++) {
      attempt("mx1", LAST_DEFERRAL + 2 * HOUR + index * 10 * MINUTE, false);
    }
    for (let index = 1; index <= 4; index++) {
      attempt("mx2", LAST_DEFERRAL + 2 * HOUR + index * 10 * MINUTE + MINUTE, false);
    }
    return postfixLines(attempts);
  }

  test("counts since the latest block reply", async () => {
    const reports = await reportsOf(twoHostLog());
    const yahoo = yahooOf(reports.diagnosis);
    const verdict =
      "Yahoo/AOL deferred mail from mx2 and mx1 from 2026-03-10T10:00:02Z to 2026-03-10T17:58:02Z and has accepted 7 deliveries since, too soon to call the block lifted. A block counts as lifted once the provider has accepted 20 deliveries after its last block reply, the latest at least 2 hours after it, or 5 deliveries with no failed attempt and 6 hours without a block reply.";

    expect(yahoo.status).toBe("rate-limited");
    expect(yahoo.ongoing).toBe(true);
    expect(yahoo.lastBlock?.time).toBe("2026-03-10T17:58:02Z");
    // mx1's 6 deliveries before 17:58:02 came after its own last deferral, but not after the
    // provider's latest one, which the sentence names.
    expect(yahoo.acceptedSinceLastBlock).toBe(7);
    expect(reports.diagnosis.verdict.summary).toBe(verdict);
    expect(reports.text).toContain(tableTimes(printedVerdict(verdict)));
    expect(validateDiagnosis(reports.diagnosis)).toEqual([]);
  });
});
