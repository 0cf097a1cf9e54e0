import { describe, expect, test } from "vitest";
import type { DeliveryEvent, LogEvent, LoggedMessage } from "../../../src/logs/events.js";
import { createSendmailParser } from "../../../src/logs/sendmail/index.js";
import { corpusPath, corpusRoot } from "../../helpers/corpus.js";
import { diagnoseFiles } from "../../helpers/diagnose-text.js";
import { readLogLines, runParser, type ParserRun } from "../exim/frame.js";

const root = corpusRoot();

function real(path: string): string {
  return corpusPath(root ?? "", "logs", "real", ...path.split("/"));
}

function count(run: ParserRun, type: LogEvent["type"]): number {
  return run.events.filter((event) => event.type === type).length;
}

/** Returns the messages of the run's `message` events, without transactions that queued nothing. */
function queuedMessages(run: ParserRun): LoggedMessage[] {
  return run.events.flatMap((event) =>
    event.type === "message" && event.nothingQueued !== true ? [event.message] : [],
  );
}

/** One record of fluent-plugin-sendmail's expected output: a `to=` line with its message. */
interface FluentRecord {
  time: number;
  qid: string;
  from: string;
  size: string;
  nrcpts: string;
  msgid: string;
  proto: string;
  relay_from: { ip: string | null; host: string | null };
  status_canonical: "sent" | "sent_local" | "deferred" | "bounced";
  to: string[];
  mailer: string;
  dsn: string;
  stat: string;
  relay_to?: { ip: string | null; host: string | null };
}

// The plugin's record for one `to=` line, rebuilt from the events of that line.
function asFluentRecord(line: DeliveryEvent[]): Partial<FluentRecord> {
  const first = line[0];
  if (first === undefined) return {};
  const message = first.message;
  const record: Partial<FluentRecord> = {
    time: first.time / 1000,
    qid: message.id,
    from: `<${message.sender ?? ""}>`,
    size: String(message.sizeBytes),
    nrcpts: String(message.recipientCount),
    msgid: `<${message.messageId ?? ""}>`,
    proto: message.service?.toUpperCase() ?? "",
    relay_from: { ip: message.clientIp, host: message.clientHost },
    status_canonical:
      first.status === "sent" && !first.remote ? "sent_local" : (first.status as "sent"),
    to: line.map((delivery) => delivery.recipient),
    mailer: first.transport ?? "",
    dsn: first.dsn ?? "",
    stat: first.response ?? "",
  };
  if (first.relayIp !== null) record.relay_to = { ip: first.relayIp, host: first.relayHost };
  return record;
}

describe.skipIf(root === null)("Sendmail parser on real logs and fixtures", () => {
  test("fluent-plugin-sendmail records", () => {
    // The fixture's stamps are Japan time in 2016, as the expected epoch seconds show.
    const run = runParser(
      createSendmailParser,
      readLogLines(real("fluent-plugin-sendmail/test/data/data")),
      {
        year: 2016,
        timeZone: "+09:00",
      },
    );
    const expected = readLogLines(real("fluent-plugin-sendmail/test/data/result")).map(
      (line) => JSON.parse(line) as FluentRecord,
    );
    const byLine = new Map<number, DeliveryEvent[]>();
    for (const event of run.events) {
      if (event.type !== "delivery") continue;
      byLine.set(event.position.line, [...(byLine.get(event.position.line) ?? []), event]);
    }
    const actual = [...byLine.values()].map(asFluentRecord);

    expect(run.outcomes.unparsed).toBe(0);
    expect(actual).toHaveLength(expected.length);
    expected.forEach((record, index) => {
      const { time, qid, from, size, nrcpts, msgid, proto, relay_from, status_canonical } = record;
      const { mailer, dsn, stat, relay_to } = record;
      const to = record.to.map((address) => address.replace(/^<(.*)>$/, "$1"));
      const comparable = {
        time,
        qid,
        from,
        size,
        nrcpts,
        msgid,
        proto,
        relay_from,
        status_canonical,
        to,
        mailer,
        dsn,
        stat,
      };
      expect(actual[index]).toEqual(
        relay_to === undefined ? comparable : { ...comparable, relay_to },
      );
    });
  });

  test("fail2ban AUTH failures", () => {
    const run = runParser(
      createSendmailParser,
      readLogLines(real("fail2ban/tests/files/logs/sendmail-auth")),
      { year: 2020 },
    );
    const failures = run.events.filter((event) => event.type === "auth-failure");

    expect(run.outcomes.unparsed).toBe(0);
    expect(failures).toHaveLength(7);
    expect(failures.every((event) => event.clientIp !== null)).toBe(true);
  });

  test("fail2ban rejects", () => {
    const run = runParser(
      createSendmailParser,
      readLogLines(real("fail2ban/tests/files/logs/sendmail-reject")),
      { year: 2020 },
    );
    const rejects = run.events.filter((event) => event.type === "reject");

    expect(run.outcomes.unparsed).toBe(0);
    expect(rejects).toHaveLength(22);
    expect(rejects.every((event) => event.clientIp !== null)).toBe(true);
    expect(rejects.filter((event) => event.stage === "RCPT")).toHaveLength(16);
    // The file's three `from=` lines all have `nrcpts=0`: no message was queued.
    expect(queuedMessages(run)).toEqual([]);
    expect(count(run, "message")).toBe(3);
  });

  test("fail2ban rejects name the MTA", async () => {
    const diagnosis = await diagnoseFiles([real("fail2ban/tests/files/logs/sendmail-reject")]);

    expect(diagnosis.input.mtas).toEqual(["sendmail"]);
    expect(diagnosis.server.hostnames).toEqual(["h2", "h17"]);
    expect(diagnosis.verdict.summary).not.toContain("mainlog");
  });

  test("nrcpts=0 queues nothing in a mixed maillog", () => {
    const lines = readLogLines(real("Postfix-Maillog-Dump/maillog"));
    const run = runParser(createSendmailParser, lines, { year: 2022 });
    const emptyLines = lines.filter((line) => / from=.* nrcpts=0,/.test(line));
    const empty = run.events.filter(
      (event) => event.type === "message" && event.nothingQueued === true,
    );

    expect(emptyLines).toHaveLength(14);
    expect(queuedMessages(run).filter((message) => message.recipientCount === 0)).toEqual([]);
    expect(empty).toHaveLength(14);
  });

  test("Sendmail submissions in a mixed maillog", () => {
    const lines = readLogLines(real("Postfix-Maillog-Dump/maillog"));
    const run = runParser(createSendmailParser, lines, { year: 2022 });
    const submissionLines = lines.filter((line) =>
      / sendmail\[\d+\]: \w+: from=.*relay=\w+@localhost$/.test(line),
    );
    const submitted = run.events.filter(
      (event) => event.type === "message" && event.message.service === "local",
    );

    // Every Sendmail line of this log has a known form, so none may stay unparsed.
    expect(run.outcomes.unparsed).toBe(0);
    expect(count(run, "lifecycle")).toBe(4);
    expect(submissionLines.length).toBeGreaterThan(100);
    expect(submitted).toHaveLength(submissionLines.length);
    expect(
      submitted.every((event) => event.type === "message" && event.message.localUser === "root"),
    ).toBe(true);
    // The submission program hands each message to Postfix on 127.0.0.1: no outbound mail.
    expect(run.events.some((event) => event.type === "delivery" && event.remote)).toBe(false);
  });
});
