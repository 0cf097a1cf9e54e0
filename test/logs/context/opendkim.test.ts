import { describe, expect, it } from "vitest";
import { createOpendkimParser } from "../../../src/logs/context/opendkim.js";
import type { LogEvent } from "../../../src/logs/events.js";
import { toRecord } from "../postfix/fixture.js";

function run(lines: readonly string[]) {
  const events: LogEvent[] = [];
  const parser = createOpendkimParser((event) => events.push(event));
  const outcomes = lines.map((line, index) => parser.parse(toRecord(line, index + 1)));
  return { events, outcomes, parser };
}

describe("OpenDKIM parser", () => {
  it("reads a signature", () => {
    const { events, parser } = run([
      "Apr  7 09:15:03 mx opendkim[14117]: C453D923EC: DKIM-Signature field added (s=mail, d=example.com)",
    ]);
    expect(parser.accepts("opendkim")).toBe(true);
    expect(events).toEqual([
      {
        type: "dkim-signing",
        time: Date.UTC(2024, 3, 7, 9, 15, 3),
        position: { file: "fixture.log", line: 1 },
        queueId: "C453D923EC",
        signed: true,
        domain: "example.com",
        selector: "mail",
      },
    ]);
  });

  it("reads a missing signing table entry", () => {
    const { events } = run([
      "Apr  7 09:15:04 mx opendkim[14361]: 4ZWF7G2D3wz5p4K: no signing table match for 'frank@example.org'",
    ]);
    expect(events[0]).toMatchObject({
      queueId: "4ZWF7G2D3wz5p4K",
      signed: false,
      domain: "example.org",
      selector: null,
    });
  });

  it("ignores verification results", () => {
    const { events, outcomes } = run([
      "Apr  7 09:15:05 mx opendkim[14362]: 5E1D2C3B4A: s=mail d=example.net SSL",
      "Apr  7 09:15:05 mx opendkim[14362]: 5E1D2C3B4A: DKIM verification successful",
    ]);
    expect(outcomes).toEqual(["ignored", "ignored"]);
    expect(events).toEqual([]);
  });
});
