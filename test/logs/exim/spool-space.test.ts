import { describe, expect, test } from "vitest";
import type { LogEvent, QueueSpaceEvent } from "../../../src/logs/events.js";
import { createEximParser } from "../../../src/logs/exim/index.js";
import { runParser } from "./frame.js";

const AT = "2024-03-04 00:55:00";

function spaceEvents(events: readonly LogEvent[]): QueueSpaceEvent[] {
  return events.filter((event): event is QueueSpaceEvent => event.type === "queue-space");
}

describe("Exim spool space lines", () => {
  test.each([
    {
      text: "spool directory space check failed: space=8192 inodes=40000",
      kind: "warning",
    },
    {
      text: "log directory space check failed: space=2048 inodes=40000",
      kind: "warning",
    },
    {
      text: "Message abandoned: Spool write error (No space left on device) while receiving message from mx.example.net [192.0.2.35]",
      kind: "write-error",
    },
    {
      text: "Message abandoned: spool file write error while receiving from mx.example.net [192.0.2.35]: No space left on device",
      kind: "write-error",
    },
  ])("reads $text", ({ text, kind }) => {
    const run = runParser(createEximParser, [`${AT} [4120] ${text}`]);
    const [event] = spaceEvents(run.events);

    expect(run.outcomes.parsed).toBe(1);
    expect(run.events).toHaveLength(1);
    expect(event?.kind).toBe(kind);
    expect(event?.mta).toBe("exim");
    expect(event?.text).toBe(text);
    expect(event?.submissionFailed).toBe(false);
    expect(event?.position).toEqual({ file: "test.log", line: 1 });
  });

  test.each([
    {
      name: "data file of a client",
      text: "Message abandoned: Spool write error (No space left on device) while receiving message from mx.example.net (helo.example.net) [192.0.2.35]:50122",
      local: false,
    },
    {
      name: "header file of a client",
      text: "Message abandoned: spool file write error while receiving from [192.0.2.35]: No space left on device",
      local: false,
    },
    {
      name: "data file of a login",
      text: "Message abandoned: Spool write error (No space left on device) while receiving message from www-data",
      local: true,
    },
    {
      name: "header file of a login",
      text: "Message abandoned: spool file write error while receiving from shop: No space left on device",
      local: true,
    },
  ])("reads $name after its message id", ({ text, local }) => {
    const line = `${AT} 1rhA2b-000Abc-1x ${text}`;
    const run = runParser(createEximParser, [line]);
    const [event, ...rest] = spaceEvents(run.events);

    expect(rest).toEqual([]);
    expect(run.outcomes.parsed).toBe(1);
    expect(run.outcomes.unparsed).toBe(0);
    expect(event?.kind).toBe("write-error");
    expect(event?.submissionFailed).toBe(local);
    expect(event?.text).toBe(`1rhA2b-000Abc-1x ${text}`);
  });

  test("login without message id is a lost submission", () => {
    const text =
      "Message abandoned: Spool write error (No space left on device) while receiving message from www-data";
    const [event] = spaceEvents(runParser(createEximParser, [`${AT} [4120] ${text}`]).events);

    expect(event?.kind).toBe("write-error");
    expect(event?.submissionFailed).toBe(true);
  });

  test("input read error is no write", () => {
    const run = runParser(createEximParser, [
      `${AT} Message abandoned: Input read error (Connection reset by peer) while receiving message from mx.example.net [192.0.2.35]`,
    ]);

    expect(spaceEvents(run.events)).toEqual([]);
  });

  test.each([
    "Spool write error (Input/output error) while receiving message from www-data",
    "spool file write error while receiving from www-data: Disk quota exceeded",
  ])("reads other cause: %s", (text) => {
    const run = runParser(createEximParser, [`${AT} 1rhA2b-000Abc-1x Message abandoned: ${text}`]);
    const [event, ...rest] = spaceEvents(run.events);

    expect(rest).toEqual([]);
    expect(event?.kind).toBe("other-write-error");
    expect(event?.submissionFailed).toBe(true);
  });

  test("receiver's 452 is no fault", () => {
    const run = runParser(createEximParser, [
      `${AT} 1rhA2b-000Abc-1x <= alice@example.com U=alice P=local S=812`,
      `${AT} 1rhA2b-000Abc-1x == bob@example.org R=dnslookup T=remote_smtp defer (-44) H=mx.example.org [192.0.2.25]: SMTP error from remote mail server after MAIL FROM:<alice@example.com> SIZE=1878: 452 Space shortage, please try later`,
    ]);

    expect(spaceEvents(run.events)).toEqual([]);
    expect(run.events.some((event) => event.type === "delivery")).toBe(true);
  });
});
