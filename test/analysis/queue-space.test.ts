import { describe, expect, test } from "vitest";
import {
  MAX_NAMED_INSTANCES,
  MAX_QUEUE_SPACE_HOSTS,
  QueueSpaceAnalyser,
  SUBMISSION_PAIR_WINDOW_MS,
} from "../../src/analysis/queue-space.js";
import { SAME_SUBMISSION_WINDOW_MS } from "../../src/analysis/submission-lines.js";
import {
  newLoggedMessage,
  type LoggedMessage,
  type QueueSpaceEvent,
} from "../../src/logs/events.js";

const T0 = Date.UTC(2024, 2, 4, 10, 0, 0);

let nextLine = 1;

function postdropFailure(seconds: number, uid: number | null): QueueSpaceEvent {
  return event(
    "write-error",
    seconds,
    uid,
    true,
    `warning: uid=${uid ?? "x"}: No space left on device`,
  );
}

function sendmailFailure(seconds: number, uid: number | null): QueueSpaceEvent {
  return event(
    "sendmail-error",
    seconds,
    uid,
    true,
    `fatal: www-data(${uid ?? "x"}): queue file write error`,
  );
}

function event(
  kind: QueueSpaceEvent["kind"],
  seconds: number,
  uid: number | null,
  submissionFailed: boolean,
  text: string,
): QueueSpaceEvent {
  return {
    type: "queue-space",
    time: T0 + seconds * 1000,
    position: { file: "mail.log", line: nextLine++ },
    host: "mail",
    mta: "postfix",
    instance: "postfix",
    kind,
    submissionFailed,
    uid,
    clientIp: null,
    pid: null,
    queueId: null,
    text,
  };
}

/** Builds a Sendmail `SYSERR(www-data)` line of process `pid` and queue id `queueId`. */
function syserrFailure(
  seconds: number,
  pid: number | null,
  queueId: string | null,
  host = "mail",
): QueueSpaceEvent {
  const id = queueId === null ? "" : `${queueId}: `;
  return {
    ...event(
      "write-error",
      seconds,
      33,
      true,
      `${id}SYSERR(www-data): queueup: cannot create queue temp file: No space left on device`,
    ),
    mta: "sendmail",
    instance: null,
    host,
    pid,
    queueId,
  };
}

function reject(seconds: number, clientIp: string | null = "192.0.2.10"): QueueSpaceEvent {
  return {
    ...event("reject", seconds, null, false, "NOQUEUE: reject: MAIL from client.example.net"),
    clientIp,
  };
}

/** Creates a message first logged at `seconds`, from an SMTP client unless `clientIp` is null. */
function accepted(seconds: number, clientIp: string | null = "192.0.2.20"): LoggedMessage {
  const message = newLoggedMessage("postfix", "mail", "5C1A0B0", T0 + seconds * 1000, {
    file: "mail.log",
    line: nextLine++,
  });
  message.clientIp = clientIp;
  return message;
}

/** Feeds reject events and accepted messages in the order given. */
function analyseMixed(items: ReadonlyArray<QueueSpaceEvent | LoggedMessage>): QueueSpaceAnalyser {
  const analyser = new QueueSpaceAnalyser();
  for (const item of items) {
    if ("type" in item) analyser.add(item);
    else analyser.addMessage(item);
  }
  return analyser;
}

function analyse(events: readonly QueueSpaceEvent[]): QueueSpaceAnalyser {
  const analyser = new QueueSpaceAnalyser();
  for (const item of events) analyser.add(item);
  return analyser;
}

describe("QueueSpaceAnalyser lost submissions", () => {
  test("postdrop and sendmail pair", () => {
    const analyser = analyse([postdropFailure(0, 33), sendmailFailure(0, 33)]);

    expect(analyser.lostSubmissions).toBe(1);
    expect(analyser.writeErrors).toBe(1);
    expect(analyser.sendmailErrors).toBe(1);
  });

  test("sendmail first still pairs", () => {
    expect(analyse([sendmailFailure(0, 33), postdropFailure(1, 33)]).lostSubmissions).toBe(1);
  });

  test("other uids do not pair", () => {
    expect(analyse([postdropFailure(0, 33), sendmailFailure(0, 1004)]).lostSubmissions).toBe(2);
  });

  test("lines too far apart do not pair", () => {
    const late = SUBMISSION_PAIR_WINDOW_MS / 1000 + 1;

    expect(analyse([postdropFailure(0, 33), sendmailFailure(late, 33)]).lostSubmissions).toBe(2);
  });

  test("lines without uid do not pair", () => {
    expect(analyse([postdropFailure(0, null), sendmailFailure(0, null)]).lostSubmissions).toBe(2);
  });

  test("each line pairs once", () => {
    const events = [postdropFailure(0, 33), sendmailFailure(0, 33), sendmailFailure(1, 33)];

    expect(analyse(events).lostSubmissions).toBe(2);
  });

  test("two sendmail runs count twice", () => {
    expect(analyse([sendmailFailure(0, 33), sendmailFailure(0, 33)]).lostSubmissions).toBe(2);
  });

  test("create warnings lose nothing", () => {
    const retry = event(
      "write-error",
      0,
      null,
      false,
      "warning: mail_queue_enter: create file maildrop/123456.3002: No space left on device",
    );
    const analyser = analyse([retry, { ...retry, time: retry.time + 10_000 }]);

    expect(analyser.writeErrors).toBe(2);
    expect(analyser.lostSubmissions).toBe(0);
    expect(analyser.firstLostSubmission).toBeNull();
  });

  test("earliest lost line is kept", () => {
    const later = sendmailFailure(30, 33);
    const earlier = postdropFailure(5, 1004);
    const analyser = analyse([later, earlier]);

    expect(analyser.firstLostSubmission?.text).toBe(earlier.text);
    expect(analyser.firstSendmailError?.text).toBe(later.text);
    expect(analyser.first).toBe(earlier.time);
    expect(analyser.last).toBe(later.time);
  });
});

describe("QueueSpaceAnalyser Sendmail submission lines", () => {
  test("lines of one pid count once", () => {
    const events = [syserrFailure(0, 3150, null), syserrFailure(1, 3150, null)];
    const analyser = analyse(events);

    expect(analyser.lostSubmissions).toBe(1);
    expect(analyser.lostSubmissionLines).toBe(2);
    expect(analyser.writeErrors).toBe(2);
  });

  test("lines of one queue id count once", () => {
    const events = [
      syserrFailure(0, 3150, "424EF3Ab003150"),
      syserrFailure(2, null, "424EF3Ab003150"),
      syserrFailure(3, 3150, "424EF3Ab003150"),
    ];
    const analyser = analyse(events);

    expect(analyser.lostSubmissions).toBe(1);
    expect(analyser.lostSubmissionLines).toBe(3);
  });

  test("line without queue id joins by pid", () => {
    const events = [syserrFailure(0, 3150, "424EF3Ab003150"), syserrFailure(0, 3150, null)];

    expect(analyse(events).lostSubmissions).toBe(1);
  });

  test("other queue ids count apart", () => {
    const events = [
      syserrFailure(0, 3150, "424EF3Ab003150"),
      syserrFailure(0, 3150, "424EF3Ac003150"),
    ];

    expect(analyse(events).lostSubmissions).toBe(2);
  });

  test("other pids count apart", () => {
    const events = [syserrFailure(0, 3150, null), syserrFailure(0, 3151, null)];

    expect(analyse(events).lostSubmissions).toBe(2);
  });

  test("other hosts count apart", () => {
    const events = [syserrFailure(0, 3150, null, "mx1"), syserrFailure(0, 3150, null, "mx2")];

    expect(analyse(events).lostSubmissions).toBe(2);
  });

  test("window runs from latest line", () => {
    const late = SAME_SUBMISSION_WINDOW_MS / 1000;
    const chained = [
      syserrFailure(0, 3150, null),
      syserrFailure(late, 3150, null),
      syserrFailure(2 * late, 3150, null),
    ];
    const apart = [syserrFailure(0, 3150, null), syserrFailure(late + 1, 3150, null)];

    expect(analyse(chained).lostSubmissions).toBe(1);
    expect(analyse(apart).lostSubmissions).toBe(2);
  });

  test("lines without pid or id count apart", () => {
    const events = [syserrFailure(0, null, null), syserrFailure(0, null, null)];
    const analyser = analyse(events);

    expect(analyser.lostSubmissions).toBe(2);
    expect(analyser.lostSubmissionLines).toBe(2);
  });
});

describe("QueueSpaceAnalyser reject runs", () => {
  test("rejects without mail form one run", () => {
    const analyser = analyseMixed([reject(0), reject(300), reject(600)]);

    expect(analyser.maxRunRejects).toBe(3);
    expect(analyser.maxRunSpanMs).toBe(600_000);
  });

  test("accepted mail ends a run", () => {
    const analyser = analyseMixed([reject(0), accepted(60), reject(600), reject(660)]);

    expect(analyser.maxRunRejects).toBe(2);
    expect(analyser.maxRunSpanMs).toBe(60_000);
    expect(analyser.acceptedInSpan).toBe(1);
  });

  test("local submission ends no run", () => {
    const analyser = analyseMixed([reject(0), accepted(60, null), reject(600)]);

    expect(analyser.maxRunRejects).toBe(2);
    expect(analyser.acceptedInSpan).toBe(0);
  });

  test("mail first seen before reject", () => {
    // The message's client= line came before the reject, its qmgr line after it.
    const analyser = analyseMixed([reject(0), accepted(0), reject(600)]);

    expect(analyser.maxRunRejects).toBe(2);
    expect(analyser.acceptedInSpan).toBe(0);
  });

  test("mail outside the span", () => {
    const analyser = analyseMixed([accepted(-60), reject(0), reject(30), accepted(90)]);

    expect(analyser.acceptedInSpan).toBe(0);
    expect(analyser.maxRunRejects).toBe(2);
  });

  test("clients count apart from rejects", () => {
    const analyser = analyseMixed([reject(0), reject(1), reject(2, "192.0.2.11"), reject(3, null)]);

    expect(analyser.rejects).toBe(4);
    expect(analyser.rejectClients.size).toBe(2);
  });
});

describe("QueueSpaceAnalyser hosts", () => {
  function rejectOn(host: string, seconds: number): QueueSpaceEvent {
    return { ...reject(seconds), host };
  }

  function acceptedOn(host: string, seconds: number): LoggedMessage {
    return { ...accepted(seconds), host };
  }

  test("other host's mail ends no run", () => {
    const analyser = analyseMixed([
      rejectOn("mx1.example.com", 0),
      acceptedOn("mx2.example.com", 60),
      rejectOn("mx1.example.com", 600),
    ]);

    expect(analyser.maxRunRejects).toBe(2);
    expect(analyser.maxRunSpanMs).toBe(600_000);
    expect(analyser.acceptedInSpan).toBe(0);
  });

  test("runs of two hosts stay apart", () => {
    const analyser = analyseMixed([
      rejectOn("mx1.example.com", 0),
      rejectOn("mx2.example.com", 10),
      acceptedOn("mx2.example.com", 20),
      rejectOn("mx1.example.com", 600),
      rejectOn("mx2.example.com", 700),
    ]);

    expect(analyser.rejects).toBe(4);
    expect(analyser.maxRunRejects).toBe(2);
    expect(analyser.maxRunSpanMs).toBe(600_000);
    expect(analyser.acceptedInSpan).toBe(1);
  });

  test("rejects of another host join no run", () => {
    // Without hosts, the rejects of mx2 would make one run of three with those of mx1.
    const analyser = analyseMixed([
      rejectOn("mx1.example.com", 0),
      acceptedOn("mx1.example.com", 30),
      rejectOn("mx2.example.com", 60),
      rejectOn("mx1.example.com", 90),
      rejectOn("mx1.example.com", 120),
    ]);

    expect(analyser.maxRunRejects).toBe(2);
    expect(analyser.maxRunSpanMs).toBe(30_000);
  });

  test("hosts past the cap count in totals", () => {
    const events: QueueSpaceEvent[] = [];
    for (let i = 0; i <= MAX_QUEUE_SPACE_HOSTS; i++) events.push(rejectOn(`mx${i}.example.com`, i));
    events.push(rejectOn("mx0.example.com", 2000));
    const analyser = analyseMixed(events);

    expect(analyser.rejects).toBe(MAX_QUEUE_SPACE_HOSTS + 2);
    expect(analyser.untrackedLines).toBe(1);
    expect(analyser.maxRunRejects).toBe(2);
  });
});

describe("QueueSpaceAnalyser instances", () => {
  function rejectOf(instance: string, seconds: number): QueueSpaceEvent {
    return { ...reject(seconds), instance };
  }

  function acceptedBy(instance: string, seconds: number): LoggedMessage {
    return { ...accepted(seconds), instance };
  }

  test("other instance's mail ends no run", () => {
    const analyser = analyseMixed([
      rejectOf("postfix-out", 0),
      acceptedBy("postfix", 30),
      rejectOf("postfix-out", 180),
      acceptedBy("postfix", 210),
      rejectOf("postfix-out", 360),
    ]);

    expect(analyser.maxRunRejects).toBe(3);
    expect(analyser.acceptedInSpan).toBe(0);
  });

  test("same instance's mail ends a run", () => {
    const analyser = analyseMixed([
      rejectOf("postfix-out", 0),
      acceptedBy("postfix-out", 30),
      rejectOf("postfix-out", 180),
    ]);

    expect(analyser.maxRunRejects).toBe(1);
    expect(analyser.acceptedInSpan).toBe(1);
  });

  test("default instance ignores the others' mail", () => {
    const analyser = analyseMixed([
      rejectOf("postfix", 0),
      acceptedBy("postfix-out", 30),
      rejectOf("postfix", 180),
    ]);

    expect(analyser.maxRunRejects).toBe(2);
    expect(analyser.acceptedInSpan).toBe(0);
  });

  test("message without instance is the default's", () => {
    const analyser = analyseMixed([rejectOf("postfix", 0), accepted(30), rejectOf("postfix", 180)]);

    expect(analyser.maxRunRejects).toBe(1);
    expect(analyser.acceptedInSpan).toBe(1);
  });

  test("instances are named once each", () => {
    const analyser = analyse([
      rejectOf("postfix-out", 0),
      rejectOf("postfix", 10),
      rejectOf("postfix-out", 20),
    ]);

    expect([...analyser.instances].sort()).toEqual(["postfix", "postfix-out"]);
  });

  test("named instances stop at the cap", () => {
    const events: QueueSpaceEvent[] = [];
    for (let i = 0; i <= MAX_NAMED_INSTANCES; i++) events.push(rejectOf(`postfix-${i}`, i));
    const analyser = analyse(events);

    expect(analyser.instances.size).toBe(MAX_NAMED_INSTANCES);
    expect(analyser.rejects).toBe(MAX_NAMED_INSTANCES + 1);
  });

  test("instances share the state cap", () => {
    const events: QueueSpaceEvent[] = [];
    for (let i = 0; i < MAX_QUEUE_SPACE_HOSTS; i++) events.push(rejectOf(`postfix-${i}`, i));
    events.push(rejectOf("postfix", 2000));
    const analyser = analyse(events);

    expect(analyser.untrackedLines).toBe(1);
  });
});
