import { describe, expect, test } from "vitest";
import type { Diagnosis, Finding, ProviderVerdict } from "../../src/diagnose/types.js";
import { OFFLINE_DIAGNOSE, runCommand } from "../helpers/cli.js";
import {
  GMAIL_RATE_LIMIT,
  GMAIL_UNSOLICITED,
  HOUR,
  PostfixLog,
  SENT,
  T0,
  type Outcome,
} from "../helpers/postfix-fixture.js";
import { schemaValidator } from "../helpers/schema.js";
import { temporaryFiles } from "../helpers/temporary-files.js";

const temporary = temporaryFiles();
const validateDiagnosis = schemaValidator("diagnose.schema.json");

const MINUTE = 60_000;
/** Messages of the block come every 10 minutes from here, a day after T0. */
const BLOCK_START = T0 + 24 * HOUR;
const INTERVAL = 10 * MINUTE;

const YAHOO_TSS04: Outcome = {
  status: "deferred",
  dsn: "4.7.0",
  reply:
    "421 4.7.0 [TSS04] Messages from 203.0.113.10 temporarily deferred due to unexpected volume or user complaints - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes",
};

/** One message to one recipient, sent `minutes` after `BLOCK_START`. */
interface Message {
  readonly minutes: number;
  readonly recipient: string;
  readonly outcome: Outcome;
}

/**
 * Returns messages from `fromHour` to `toHour` after `BLOCK_START`, one every 10 minutes, to new
 * recipients at `domain` named `prefix<n>`.
 */
function messagesEvery10Minutes(
  fromHour: number,
  toHour: number,
  outcome: Outcome,
  prefix: string,
  domain = "gmail.com",
): Message[] {
  const messages: Message[] = [];
  for (let minutes = fromHour * 60; minutes < toHour * 60; minutes += INTERVAL / MINUTE) {
    messages.push({ minutes, recipient: `${prefix}${minutes}@${domain}`, outcome });
  }
  return messages;
}

/**
 * Builds a Postfix log of a day of mail that Gmail accepts, one message an hour, followed by
 * `messages`. Each delivery line comes a second after its message's time.
 */
function blockLog(messages: readonly Message[]): string {
  const log = new PostfixLog().submitHourly();
  for (const message of messages) {
    log.submit({
      time: BLOCK_START + message.minutes * MINUTE,
      account: "alice@example.com",
      clientIp: "198.51.100.10",
      recipients: [{ address: message.recipient, outcome: message.outcome }],
    });
  }
  return log.text();
}

/** Returns the delivery time of a message `minutes` after `BLOCK_START`, as the JSON writes it. */
function isoTime(minutes: number): string {
  return new Date(BLOCK_START + minutes * MINUTE + 1000).toISOString().replace(".000", "");
}

/** Returns the same time as the text and Markdown reports write it. */
function shortTime(minutes: number): string {
  return isoTime(minutes).replace("T", " ").replace("Z", "");
}

/** Writes the ISO 8601 times of a JSON sentence as the text and Markdown reports give them. */
function reportTimes(sentence: string): string {
  return sentence.replace(/(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d)Z/g, "$1 $2");
}

/** The report of one log in each output format, the wrapped lines joined. */
interface Reports {
  readonly path: string;
  readonly text: string;
  readonly markdown: string;
  readonly diagnosis: Diagnosis;
}

async function reportsOf(log: string): Promise<Reports> {
  const path = temporary.file(log);
  const run = (format: string) =>
    runCommand([...OFFLINE_DIAGNOSE, "--no-progress", "--format", format, path]);
  const [text, markdown, json] = await Promise.all([run("text"), run("markdown"), run("json")]);
  return {
    path,
    text: text.stdout.replace(/\s+/g, " "),
    markdown: markdown.stdout.replace(/\s+/g, " "),
    diagnosis: JSON.parse(json.stdout) as Diagnosis,
  };
}

function gmailOf(diagnosis: Diagnosis): ProviderVerdict {
  const gmail = diagnosis.providers.gmail;
  if (gmail === undefined) throw new Error("the diagnosis has no gmail row");
  return gmail;
}

function rateLimitedOf(diagnosis: Diagnosis): Finding {
  const found = diagnosis.findings.find((item) => item.id === "rate-limited");
  if (found === undefined) throw new Error("the diagnosis has no rate-limited finding");
  return found;
}

describe("rejections that ended before the deferrals", () => {
  // Deferrals from 0:00 to 11:50 after BLOCK_START, rejections from 2:00 to 3:50 between them.
  const messages = [
    ...messagesEvery10Minutes(0, 2, GMAIL_RATE_LIMIT, "d"),
    ...messagesEvery10Minutes(2, 4, GMAIL_UNSOLICITED, "r"),
  ];
  messages.push(...messagesEvery10Minutes(4, 12, GMAIL_RATE_LIMIT, "e"));
  const log = blockLog(messages);
  const verdict =
    "Gmail defers mail from this server since 2024-03-05T00:00:01Z, still going on at the end of the log, and rejected it from 2024-03-05T02:00:01Z to 2024-03-05T03:50:01Z.";

  test("status stays blocked", async () => {
    const { diagnosis } = await reportsOf(log);
    const gmail = gmailOf(diagnosis);
    expect(gmail.status).toBe("blocked");
    expect(gmail.ongoing).toBe(true);
    expect(diagnosis.verdict.status).toBe("blocked");
    expect(validateDiagnosis(diagnosis)).toEqual([]);
  });

  test("JSON gives each kind's period", async () => {
    const gmail = gmailOf((await reportsOf(log)).diagnosis);
    expect(gmail.firstBlock?.time).toBe(isoTime(0));
    expect(gmail.firstTemporaryBlock?.time).toBe(isoTime(0));
    expect(gmail.firstPermanentBlock?.time).toBe(isoTime(120));
    expect(gmail.lastPermanentBlock?.time).toBe(isoTime(230));
    expect(gmail.lastPermanentBlock?.permanent).toBe(true);
    expect(gmail.lastTemporaryBlock?.time).toBe(isoTime(710));
    expect(gmail.lastTemporaryBlock?.permanent).toBe(false);
    expect(gmail.lastBlock?.time).toBe(isoTime(710));
  });

  test("verdict puts the rejections in the past", async () => {
    const { diagnosis, text, markdown } = await reportsOf(log);
    expect(diagnosis.verdict.summary).toContain(verdict);
    expect(text).toContain(reportTimes(verdict));
    expect(markdown).toContain(reportTimes(verdict));
    expect(text).not.toContain("rejects it since");
  });

  test("provider row gives the last rejection", async () => {
    const { diagnosis, text, markdown, path } = await reportsOf(log);
    const line = gmailOf(diagnosis).lastPermanentBlock?.line;
    expect(line).toBeGreaterThan(0);
    const sentence = `Last rejection at ${shortTime(230)} (${path}:${line}). Later block replies only deferred mail.`;
    expect(text).toContain(sentence);
    expect(markdown).toContain(sentence);
  });

  test("readiness names only deferrals", async () => {
    const { diagnosis } = await reportsOf(log);
    const item = diagnosis.readiness.items.find((entry) => entry.id === "blocks-ended");
    expect(item?.status).toBe("fail");
    expect(item?.detail).toContain(
      `Gmail still deferred mail in the last two hours of the log, the last at ${isoTime(710)}.`,
    );
  });

  test("rate-limited finding stays present", async () => {
    const finding = rateLimitedOf((await reportsOf(log)).diagnosis);
    expect(finding.title).toBe("Gmail is deferring mail from this server");
  });
});

describe("one rejection during the deferrals", () => {
  // Deferrals from 0:00 to 11:50 after BLOCK_START, and one rejection at 2:05 between them.
  const messages = messagesEvery10Minutes(0, 12, GMAIL_RATE_LIMIT, "d");
  messages.push({ minutes: 125, recipient: "r125@gmail.com", outcome: GMAIL_UNSOLICITED });
  const log = blockLog(messages);
  const verdict = `Gmail defers mail from this server since ${isoTime(0)}, still going on at the end of the log, and rejected it once, at ${isoTime(125)}.`;

  test("verdict keeps the order of time", async () => {
    const { diagnosis, text, markdown } = await reportsOf(log);
    expect(gmailOf(diagnosis).firstPermanentBlock?.time).toBe(isoTime(125));
    expect(diagnosis.verdict.summary).toContain(verdict);
    expect(text).toContain(reportTimes(verdict));
    expect(markdown).toContain(reportTimes(verdict));
  });

  test("verdict gives no period for one reply", async () => {
    const { diagnosis } = await reportsOf(log);
    expect(diagnosis.verdict.summary).not.toContain(`from ${isoTime(125)} to ${isoTime(125)}`);
  });
});

describe("deferrals that ended before the rejections", () => {
  const log = blockLog([
    ...messagesEvery10Minutes(0, 2, GMAIL_RATE_LIMIT, "d"),
    ...messagesEvery10Minutes(2, 12, GMAIL_UNSOLICITED, "r"),
  ]);
  const verdict =
    "Gmail deferred mail from this server from 2024-03-05T00:00:01Z to 2024-03-05T01:50:01Z and rejects it since 2024-03-05T02:00:01Z,";

  test("verdict puts the deferrals in the past", async () => {
    const { diagnosis, text } = await reportsOf(log);
    expect(gmailOf(diagnosis).status).toBe("blocked");
    expect(diagnosis.verdict.summary).toContain(`${verdict} still going on at the end of the log.`);
    expect(text).toContain(reportTimes(verdict));
  });

  test("provider row gives the last deferral", async () => {
    const { diagnosis, text, path } = await reportsOf(log);
    const line = gmailOf(diagnosis).lastTemporaryBlock?.line;
    expect(line).toBeGreaterThan(0);
    expect(text).toContain(
      `Last deferral at ${shortTime(110)} (${path}:${line}). Later block replies only rejected mail.`,
    );
  });

  test("rate-limited finding is past", async () => {
    const finding = rateLimitedOf((await reportsOf(log)).diagnosis);
    expect(finding.title).toBe("Gmail deferred mail from this server");
    expect(finding.summary).toContain(
      `12 deferrals from ${isoTime(0)} to ${isoTime(110)}. Gmail's block goes on with other replies.`,
    );
    expect(finding.summary).not.toContain("not lost yet");
  });
});

describe("rejections and deferrals to the end", () => {
  test("verdict keeps both in the present", async () => {
    const messages = messagesEvery10Minutes(0, 12, GMAIL_RATE_LIMIT, "d").map((message, index) =>
      index % 3 === 2 ? { ...message, outcome: GMAIL_UNSOLICITED } : message,
    );
    const { diagnosis, text } = await reportsOf(blockLog(messages));
    const gmail = gmailOf(diagnosis);
    expect(gmail.lastPermanentBlock?.time).toBe(isoTime(710));
    expect(gmail.lastTemporaryBlock?.time).toBe(isoTime(700));
    expect(diagnosis.verdict.summary).toContain(
      "Gmail defers mail from this server since 2024-03-05T00:00:01Z and rejects it since 2024-03-05T00:20:01Z, still going on at the end of the log.",
    );
    // Both kinds came in the last two hours, so the row needs no sentence on either.
    expect(text).not.toContain("Last rejection at");
    expect(text).not.toContain("Last deferral at");
  });
});

describe("rate-limited finding with an ended provider", () => {
  // Gmail defers to the end. Yahoo defers until hour 11 and then accepts mail every 5 minutes.
  const messages = [
    ...messagesEvery10Minutes(0, 12, GMAIL_RATE_LIMIT, "d"),
    ...messagesEvery10Minutes(0, 11, YAHOO_TSS04, "y", "yahoo.com"),
  ];
  for (let minutes = 655; minutes < 720; minutes += 5) {
    messages.push({ minutes, recipient: `ok${minutes}@yahoo.com`, outcome: SENT });
  }
  const log = blockLog(messages);

  test("title names Yahoo in the past", async () => {
    const { diagnosis } = await reportsOf(log);
    const yahoo = diagnosis.providers.yahoo;
    expect(yahoo?.status).toBe("rate-limited");
    expect(yahoo?.acceptedSinceLastBlock).toBe(13);
    const finding = rateLimitedOf(diagnosis);
    expect(finding.title).toBe(
      "Gmail is deferring mail from this server, and Yahoo/AOL deferred it earlier",
    );
  });

  test("summary agrees with the verdict", async () => {
    const { diagnosis, text } = await reportsOf(log);
    const sentence = `Yahoo/AOL deferred mail from ${isoTime(0)} to ${isoTime(650)} and has accepted 13 deliveries since, too soon to call the block lifted.`;
    expect(rateLimitedOf(diagnosis).summary).toContain(sentence);
    expect(text).toContain(reportTimes(sentence));
    expect(diagnosis.verdict.summary).toContain(
      `Yahoo/AOL deferred mail from this server from ${isoTime(0)} to ${isoTime(650)} and has accepted 13 deliveries since`,
    );
  });
});

describe("rate-limited finding with a single ended deferral", () => {
  // Gmail defers to the end. Yahoo defers once and then accepts mail every 5 minutes.
  const messages = [
    ...messagesEvery10Minutes(0, 12, GMAIL_RATE_LIMIT, "d"),
    { minutes: 600, recipient: "y600@yahoo.com", outcome: YAHOO_TSS04 },
  ];
  for (let minutes = 655; minutes < 720; minutes += 5) {
    messages.push({ minutes, recipient: `ok${minutes}@yahoo.com`, outcome: SENT });
  }
  const log = blockLog(messages);

  test("gives the one deferral's time, not a period", async () => {
    const { diagnosis } = await reportsOf(log);
    const summary = rateLimitedOf(diagnosis).summary;
    expect(summary).toContain(`Yahoo/AOL deferred mail at ${isoTime(600)} and has accepted`);
    expect(summary).not.toContain(`from ${isoTime(600)} to ${isoTime(600)}`);
  });
});

describe("rate-limited title with a few current deferrals", () => {
  // Gmail defers 60 times until 9:50 and then accepts a message every 10 minutes, too few to
  // lift its block. Yahoo defers 3 times near the end of the log.
  const messages = messagesEvery10Minutes(0, 10, GMAIL_RATE_LIMIT, "d");
  for (let minutes = 605; minutes < 720; minutes += 10) {
    messages.push({ minutes, recipient: `ok${minutes}@gmail.com`, outcome: SENT });
  }
  for (const minutes of [660, 680, 700]) {
    messages.push({ minutes, recipient: `y${minutes}@yahoo.com`, outcome: YAHOO_TSS04 });
  }
  messages.sort((a, b) => a.minutes - b.minutes);

  test("leads with the provider of most deferrals", async () => {
    const { diagnosis } = await reportsOf(blockLog(messages));
    expect(diagnosis.providers.yahoo?.ongoing).toBe(true);
    expect(rateLimitedOf(diagnosis).title).toBe(
      "Gmail deferred mail from this server, and Yahoo/AOL is still deferring it",
    );
  });
});

describe("rate-limited finding of a recent block", () => {
  test("uses the verdict's facts", async () => {
    const messages = messagesEvery10Minutes(0, 10, YAHOO_TSS04, "y", "yahoo.com");
    for (let minutes = 605; minutes < 660; minutes += 5) {
      messages.push({ minutes, recipient: `ok${minutes}@yahoo.com`, outcome: SENT });
    }
    const { diagnosis, text } = await reportsOf(blockLog(messages));
    const finding = rateLimitedOf(diagnosis);
    expect(diagnosis.providers.yahoo?.ongoing).toBe(true);
    expect(diagnosis.providers.yahoo?.acceptedSinceLastBlock).toBe(11);
    expect(finding.severity).toBe("warning");
    expect(finding.title).toBe("Yahoo/AOL deferred mail from this server");
    expect(finding.summary).toMatch(
      new RegExp(
        `^60 deferrals from ${isoTime(0)} to ${isoTime(590)}\\. Yahoo/AOL has accepted 11 deliveries since, too soon to call the block lifted\\.`,
      ),
    );
    expect(finding.summary).not.toContain("not lost yet");
    expect(text).not.toContain("is deferring");
  });
});

describe("unexplained block after a change of reply", () => {
  test("lists the rule in force first", async () => {
    const log = blockLog([
      ...messagesEvery10Minutes(0, 10, GMAIL_RATE_LIMIT, "d"),
      ...messagesEvery10Minutes(10, 12, GMAIL_UNSOLICITED, "r"),
    ]);
    const { diagnosis } = await reportsOf(log);
    const gmail = gmailOf(diagnosis);
    expect(gmail.replyChange?.previousRuleId).toBe("gmail.ip-rate-limit");
    expect(gmail.replyChange?.reply.ruleId).toBe("gmail.likely-unsolicited");
    const block = diagnosis.unexplainedBlocks.find((entry) => entry.provider === "gmail");
    const rules = block?.reasons.map((reason) => reason.ruleId);
    // The rate limit has 60 replies and the rejections 12, so the count alone would put it first.
    expect(rules).toEqual(["gmail.likely-unsolicited", "gmail.ip-rate-limit"]);
  });
});
