import { describe, expect, test } from "vitest";
import type { LogEvent, QueueSpaceEvent } from "../../../src/logs/events.js";
import { createSendmailParser } from "../../../src/logs/sendmail/index.js";
import { runParser } from "../exim/frame.js";

const HEAD = "Mar  4 00:55:00 mx1 sm-mta";

function spaceEvents(events: readonly LogEvent[]): QueueSpaceEvent[] {
  return events.filter((event): event is QueueSpaceEvent => event.type === "queue-space");
}

describe("Sendmail queue space lines", () => {
  test.each([
    { text: "rejecting new messages: min free: 100", kind: "warning" },
    { text: "NOQUEUE: Insufficient disk space; try again later", kind: "reject" },
    { text: "424EF3Ab003120: Insufficient disk space; try again later", kind: "reject" },
    {
      text: "424EF3Ab003120: SYSERR(root): queueup: cannot create queue temp file ./tf424EF3Ab003120, uid=0: No space left on device",
      kind: "write-error",
    },
    {
      text: "424EF3Ab003120: SYSERR(root): Out of disk space for temp file: No space left on device",
      kind: "write-error",
    },
    { text: "SYSERR(smmsp): Out of disk space for temp file", kind: "write-error" },
  ])("reads $text", ({ text, kind }) => {
    const run = runParser(createSendmailParser, [`${HEAD}[3120]: ${text}`], { year: 2024 });
    const [event] = spaceEvents(run.events);

    expect(run.outcomes.parsed).toBe(1);
    expect(run.events).toHaveLength(1);
    expect(event?.kind).toBe(kind);
    expect(event?.mta).toBe("sendmail");
    expect(event?.text).toBe(text);
    expect(event?.submissionFailed).toBe(false);
  });

  test.each([
    { user: "root", local: false },
    { user: "smmsp", local: false },
    { user: "www-data", local: true },
    { user: "UID1004", local: true },
  ])("SYSERR($user) loses a submission: $local", ({ user, local }) => {
    const text = `424EF3Ab003120: SYSERR(${user}): queueup: cannot create queue temp file ./tf424EF3Ab003120, uid=1004: No space left on device`;
    const run = runParser(createSendmailParser, [`${HEAD}[3120]: ${text}`], { year: 2024 });
    const [event] = spaceEvents(run.events);

    expect(event?.kind).toBe("write-error");
    expect(event?.submissionFailed).toBe(local);
  });

  test.each([
    "SYSERR(root): collect: Cannot write ./df424EF3Ab003120 (bfcommit, uid=0, gid=25): Permission denied",
    "SYSERR(root): queueup: cannot create queue temp file ./tf424EF3Ab003120, uid=0: Disk quota exceeded",
    "SYSERR(root): Error writing control file ./tf424EF3Ab003120: Input/output error",
  ])("reads other cause: %s", (text) => {
    const run = runParser(createSendmailParser, [`${HEAD}[3120]: 424EF3Ab003120: ${text}`], {
      year: 2024,
    });
    const [event, ...rest] = spaceEvents(run.events);

    expect(rest).toEqual([]);
    expect(run.outcomes.parsed).toBe(1);
    expect(event?.kind).toBe("other-write-error");
    expect(event?.submissionFailed).toBe(false);
  });

  test.each([
    {
      text: "424EF3Ab003150: SYSERR(www-data): Error writing control file ./tf424EF3Ab003150: Disk quota exceeded",
      queueId: "424EF3Ab003150",
    },
    { text: "SYSERR(www-data): Out of disk space for temp file", queueId: null },
  ])("keeps pid and queue id: $queueId", ({ text, queueId }) => {
    const run = runParser(createSendmailParser, [`${HEAD}[3150]: ${text}`], { year: 2024 });
    const [event] = spaceEvents(run.events);

    expect(event?.pid).toBe(3150);
    expect(event?.queueId).toBe(queueId);
    expect(event?.submissionFailed).toBe(true);
  });

  test("other system errors stay ignored", () => {
    const run = runParser(
      createSendmailParser,
      [`${HEAD}[3120]: SYSERR(root): getrequests: problem creating SMTP socket`],
      { year: 2024 },
    );

    expect(run.outcomes.ignored).toBe(1);
    expect(spaceEvents(run.events)).toEqual([]);
  });

  test("receiver's 452 is no fault", () => {
    const run = runParser(
      createSendmailParser,
      [
        `${HEAD}[3120]: 424EF3Ab003120: from=<alice@example.com>, size=4312, class=0, nrcpts=1, msgid=<20240304.1@example.com>, proto=ESMTP, daemon=MTA, relay=laptop.example.com [198.51.100.7]`,
        `${HEAD}[3122]: 424EF3Ab003120: to=<bob@example.org>, delay=00:00:02, xdelay=00:00:02, mailer=esmtp, pri=121312, relay=mx.example.org. [192.0.2.25], dsn=4.4.5, stat=Deferred: 452 4.4.5 Insufficient disk space; try again later`,
      ],
      { year: 2024 },
    );

    expect(spaceEvents(run.events)).toEqual([]);
    expect(run.events.some((event) => event.type === "delivery")).toBe(true);
  });
});
