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

  test("joins syslog parts with other lines between", () => {
    const lines = [
      "Mar  4 09:50:00 mx1 exim[77]: [1\\2] Exim configuration error in line 12 of /etc/exim4/exim4.conf:",
      `Mar  4 09:50:00 mx1 exim[120]: ${ID} <= alice@example.com H=a.example.com [192.0.2.10] P=esmtp S=1200`,
      `Mar  4 09:50:01 mx1 exim[120]: ${ID} Completed`,
      'Mar  4 09:50:01 mx1 exim[77]: [2\\2]   main option "foo" unknown',
    ];
    const [event, ...rest] = fatalErrors(lines, { year: 2024 });

    expect(rest).toEqual([]);
    expect(event?.text).toBe(
      'Exim configuration error in line 12 of /etc/exim4/exim4.conf: main option "foo" unknown',
    );
    expect(event?.position.line).toBe(1);
  });

  test("joins interleaved parts by pid", () => {
    const lines = [
      "Mar  4 09:50:00 mx1 exim[77]: [1\\2] Exim configuration error in line 12 of /etc/exim4/exim4.conf:",
      "Mar  4 09:50:00 mx1 exim[78]: [1\\2] Exim configuration error in line 30 of /etc/exim4/exim4.conf:",
      'Mar  4 09:50:00 mx1 exim[78]: [2\\2]   main option "bar" unknown',
      'Mar  4 09:50:00 mx1 exim[77]: [2\\2]   main option "foo" unknown',
    ];
    const texts = fatalErrors(lines, { year: 2024 }).map((event) => event.text);

    expect(texts).toHaveLength(2);
    expect(texts).toContain(
      'Exim configuration error in line 12 of /etc/exim4/exim4.conf: main option "foo" unknown',
    );
    expect(texts).toContain(
      'Exim configuration error in line 30 of /etc/exim4/exim4.conf: main option "bar" unknown',
    );
  });

  test("joins syslog parts by host", () => {
    const lines = [
      "Mar  4 09:50:00 mx1 exim[77]: [1\\2] Exim configuration error in line 12 of /etc/exim4/exim4.conf:",
      'Mar  4 09:50:00 mx2 exim[77]: [2\\2]   main option "bar" unknown',
    ];
    const run = runParser(createEximParser, lines, { year: 2024 });
    const errors = run.events.filter((event) => event.type === "fatal-error");

    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({
      host: "mx1",
      text: "Exim configuration error in line 12 of /etc/exim4/exim4.conf:",
    });
    expect(run.outcomes.unparsed).toBe(1);
  });

  test("joins three and sixteen parts", () => {
    for (const total of [3, 16]) {
      const lines = [
        `Mar  4 09:50:00 mx1 exim[77]: [1\\${total}] Exim configuration error in line 12 of /etc/exim4/exim4.conf:`,
      ];
      for (let index = 2; index <= total; index += 1) {
        const separator = index === total ? "/" : "\\";
        lines.push(
          `Mar  4 09:50:01 mx1 exim[77]: [${index}${separator}${total}]   reason ${index}`,
        );
      }
      const [event, ...rest] = fatalErrors(lines, { year: 2024 });
      const reasons = Array.from({ length: total - 1 }, (_, at) => `reason ${at + 2}`);

      expect(rest).toEqual([]);
      expect(event?.text).toBe(
        `Exim configuration error in line 12 of /etc/exim4/exim4.conf: ${reasons.join(" ")}`,
      );
    }
  });

  test("reads seventeen parts one by one", () => {
    const lines = [
      "Mar  4 09:50:00 mx1 exim[77]: [1\\17] Exim configuration error in line 12 of /etc/exim4/exim4.conf:",
      'Mar  4 09:50:00 mx1 exim[77]: [2\\17]   main option "foo" unknown',
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
    {
      name: "after the time window",
      lines: [
        "Mar  4 09:50:00 mx1 exim[77]: [1\\2] Exim configuration error in line 12 of /etc/exim4/exim4.conf:",
        'Mar  4 09:50:06 mx1 exim[77]: [2\\2]   main option "foo" unknown',
      ],
      unparsed: 1,
    },
    {
      name: "out of order",
      lines: [
        "Mar  4 09:50:00 mx1 exim[77]: [1\\3] Exim configuration error in line 12 of /etc/exim4/exim4.conf:",
        "Mar  4 09:50:00 mx1 exim[77]: [3\\3] tail",
      ],
      unparsed: 1,
    },
    {
      name: "at end of input",
      lines: [
        "Mar  4 09:50:00 mx1 exim[77]: [1\\2] Exim configuration error in line 12 of /etc/exim4/exim4.conf:",
      ],
      unparsed: 0,
    },
    {
      name: "with a new part 1",
      lines: [
        "Mar  4 09:50:00 mx1 exim[77]: [1\\2] Exim configuration error in line 12 of /etc/exim4/exim4.conf:",
        "Mar  4 09:50:00 mx1 exim[77]: [1\\2] Exim configuration error in line 12 of /etc/exim4/exim4.conf:",
      ],
      unparsed: 0,
    },
  ])("keeps part 1 alone $name", ({ lines, unparsed }) => {
    const run = runParser(createEximParser, lines, { year: 2024 });
    const errors = run.events.filter(
      (event): event is FatalErrorEvent => event.type === "fatal-error",
    );

    expect(errors.length).toBeGreaterThan(0);
    for (const error of errors) {
      expect(error.text).toBe("Exim configuration error in line 12 of /etc/exim4/exim4.conf:");
    }
    expect(run.outcomes.unparsed).toBe(unparsed);
  });

  test("keeps parts gathered before a timeout", () => {
    const lines = [
      "Mar  4 09:50:00 mx1 exim[77]: [1\\3] Exim configuration error in line 12 of /etc/exim4/exim4.conf:",
      'Mar  4 09:50:00 mx1 exim[77]: [2\\3]   main option "foo" unknown',
      `Mar  4 09:50:09 mx1 exim[120]: ${ID} Completed`,
      "Mar  4 09:50:09 mx1 exim[77]: [3\\3] tail",
    ];
    const run = runParser(createEximParser, lines, { year: 2024 });
    const errors = run.events.filter(
      (event): event is FatalErrorEvent => event.type === "fatal-error",
    );

    expect(errors.map((event) => event.text)).toEqual([
      'Exim configuration error in line 12 of /etc/exim4/exim4.conf: main option "foo" unknown',
    ]);
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
