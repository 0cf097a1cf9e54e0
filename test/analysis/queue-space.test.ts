import { describe, expect, test } from "vitest";
import { QueueSpaceAnalyser, SUBMISSION_PAIR_WINDOW_MS } from "../../src/analysis/queue-space.js";
import type { QueueSpaceEvent } from "../../src/logs/events.js";

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
    mta: "postfix",
    kind,
    submissionFailed,
    uid,
    text,
  };
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
