import { describe, expect, test } from "vitest";
import { syslogPartOf } from "../../../src/logs/exim/syslog-part.js";

describe("syslogPartOf", () => {
  test.each([
    {
      message: "[1\\2] Exim configuration error:",
      part: { index: 1, total: 2, endsAtLineBreak: true, textStart: 6 },
    },
    {
      message: "[2/2]   main option",
      part: { index: 2, total: 2, endsAtLineBreak: false, textStart: 6 },
    },
    {
      message: "[12/13] text",
      part: { index: 12, total: 13, endsAtLineBreak: false, textStart: 8 },
    },
  ])("reads $message", ({ message, part }) => {
    expect(syslogPartOf(message)).toEqual(part);
  });

  test.each([
    "[77] 1rhA2b-000Abc-1x Completed",
    "[1\\2]text",
    "[\\2] text",
    "[1\\] text",
    "1\\2] x",
  ])("rejects %s", (message) => {
    expect(syslogPartOf(message)).toBeNull();
  });
});
