import { describe, expect, test } from "vitest";
import type { FatalErrorEvent } from "../../../src/logs/events.js";
import { createEximParser } from "../../../src/logs/exim/index.js";
import { runParser, type FrameOptions } from "./frame.js";

const STAMP = "2024-03-04 09:50:00";
const ID = "1rhA2b-000Abc-1x";

function fatalErrors(lines: readonly string[], options: FrameOptions = {}): FatalErrorEvent[] {
  const run = runParser(createEximParser, lines, options);
  expect(run.outcomes.unparsed).toBe(0);
  return run.events.filter((event): event is FatalErrorEvent => event.type === "fatal-error");
}

describe("Exim panic lines", () => {
  test.each([
    'failed to expand "${lookup{$domain}lsearch{/etc/exim4/dkim_domains}}": failed to open /etc/exim4/dkim_domains for linear search: No such file or directory',
    'failed to expand ACL message "${if ...}": unknown variable name "x"',
    'Failed to expand "$local_part" (warning message for remote_smtp transport): bad',
    "failed to open /etc/exim4/local_domains for linear search: No such file or directory",
    "Exim configuration error in line 12 of /etc/exim4/exim4.conf:",
    'Cannot open main log file "/var/log/exim4/mainlog": Permission denied: euid=101 egid=101',
    "socket bind() to port 25 for address :: failed: Address already in use: daemon abandoned",
    "socket bind() to port 25 for address (any IPv4) failed: Address already in use",
  ])("reads %s", (text) => {
    const [event, ...rest] = fatalErrors([`${STAMP} ${text}`]);

    expect(rest).toEqual([]);
    expect(event).toMatchObject({ mta: "exim", program: "exim", text });
    expect(event?.time).toBe(Date.UTC(2024, 2, 4, 9, 50, 0));
    expect(event?.position).toMatchObject({ file: "test.log", line: 1 });
  });

  test("reads a panic with a message id", () => {
    const text = 'failed to expand "dkim_domain": unknown variable "x"';
    const [event] = fatalErrors([`${STAMP} ${ID} <= a@example.com S=10`, `${STAMP} ${ID} ${text}`]);

    expect(event).toMatchObject({ mta: "exim", text });
    expect(event?.position.line).toBe(2);
  });

  test("reads a panic with the word rejected", () => {
    const text = 'failed to expand ACL message "rejected ${x}": unknown variable name "x"';
    const run = runParser(createEximParser, [`${STAMP} ${text}`]);

    expect(run.events.map((event) => event.type)).toEqual(["fatal-error"]);
  });

  test("reads panics through syslog", () => {
    const line = `Mar  4 09:50:00 mx1 exim[77]: ${STAMP} failed to open /etc/exim4/x for linear search: No such file or directory`;
    const [event] = fatalErrors([line]);

    expect(event?.text).toBe(
      "failed to open /etc/exim4/x for linear search: No such file or directory",
    );
  });

  test.each([
    {
      name: "with Exim's stamp",
      first: `[1\\2] ${STAMP} Exim configuration error in line 12 of /etc/exim4/exim4.conf:`,
    },
    {
      name: "with stamp and pid",
      first: `[1\\2] ${STAMP} [77] Exim configuration error in line 12 of /etc/exim4/exim4.conf:`,
    },
    {
      name: "without stamp",
      first: "[1\\2] Exim configuration error in line 12 of /etc/exim4/exim4.conf:",
    },
    {
      name: "with pid only",
      first: "[1\\2] [77] Exim configuration error in line 12 of /etc/exim4/exim4.conf:",
    },
  ])("joins syslog reason part $name", ({ first }) => {
    const lines = [
      `Mar  4 09:50:00 mx1 exim[77]: ${first}`,
      'Mar  4 09:50:00 mx1 exim[77]: [2/2]   main option "foo" unknown',
    ];
    const run = runParser(createEximParser, lines, { year: 2024 });
    const [event, ...rest] = fatalErrors(lines, { year: 2024 });

    expect(rest).toEqual([]);
    expect(run.outcomes.parsed).toBe(2);
    expect(event?.text).toBe(
      'Exim configuration error in line 12 of /etc/exim4/exim4.conf: main option "foo" unknown',
    );
    expect(event?.position.line).toBe(1);
  });

  test("syslog reason of another pid stays apart", () => {
    const lines = [
      "Mar  4 09:50:00 mx1 exim[77]: [1\\2] Exim configuration error in line 12 of /etc/exim4/exim4.conf:",
      'Mar  4 09:50:00 mx1 exim[78]: [2/2]   main option "foo" unknown',
    ];
    const run = runParser(createEximParser, lines, { year: 2024 });
    const errors = run.events.filter(
      (event): event is FatalErrorEvent => event.type === "fatal-error",
    );

    expect(errors).toHaveLength(1);
    expect(errors[0]?.text).toBe("Exim configuration error in line 12 of /etc/exim4/exim4.conf:");
    expect(run.outcomes.unparsed).toBe(1);
  });

  test.each([
    "socket bind() to port 25 for address :: failed: Address already in use: waiting 30s before trying again",
    "Cannot open /etc/exim4/motd",
    "SMTP connection from [192.0.2.1] lost",
  ])("leaves out %s", (text) => {
    const run = runParser(createEximParser, [`${STAMP} ${text}`]);

    expect(run.events.filter((event) => event.type === "fatal-error")).toEqual([]);
  });
});
