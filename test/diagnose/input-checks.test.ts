import { describe, expect, test } from "vitest";
import { InputChecks, longSpanNotes } from "../../src/diagnose/input-checks.js";
import { analyseLogs, inputReport } from "../../src/diagnose/run.js";
import type { LogEvent } from "../../src/logs/events.js";
import { resolveTimeZone } from "../../src/time/zone.js";
import { HOUR, PostfixLog, T0 } from "../helpers/postfix-fixture.js";
import { temporaryFiles } from "../helpers/temporary-files.js";

const UTC = resolveTimeZone("UTC");
const DAY = 24 * HOUR;

function event(file: string, line: number, time: number): LogEvent {
  return {
    type: "tls",
    time,
    position: { file, line },
    direction: "outbound",
    peerHost: null,
    peerIp: null,
    protocol: null,
  };
}

/** Returns an MTA start of `host`, one of the few events that carry their line's host. */
function hostEvent(file: string, line: number, time: number, host: string): LogEvent {
  return {
    type: "lifecycle",
    time,
    position: { file, line },
    host,
    action: "start",
    mta: "postfix",
    program: "postfix/master",
    version: null,
  };
}

/** Feeds one event per line, `times[i]` on line i + 1. */
function feed(checks: InputChecks, file: string, times: readonly number[]): void {
  times.forEach((time, index) => checks.observe(event(file, index + 1, time)));
}

describe("input checks", () => {
  test("ordered log gives no notes", () => {
    const checks = new InputChecks(T0 + DAY);
    feed(checks, "mail.log", [T0, T0 + 1000, T0 + 500, T0 + HOUR]);
    expect(checks.notes(UTC)).toEqual([]);
  });

  test("clock step back is named", () => {
    const checks = new InputChecks(T0 + DAY);
    feed(checks, "mail.log", [T0 + 2 * HOUR, T0 + 2 * HOUR + 1000, T0, T0 + 1000, T0 - HOUR]);
    const notes = checks.notes(UTC);

    expect(notes).toHaveLength(1);
    expect(notes[0]).toBe(
      "In mail.log the time goes back from 2024-03-04T02:00:01Z to 2024-03-04T00:00:00Z at line 3 (2 such steps in all): the server's clock was changed, or lines of another host or time zone are mixed in. Times and hourly counts around it may be wrong.",
    );
  });

  test("steady hosts name the merge", () => {
    const checks = new InputChecks(T0 + DAY);
    // mx2's clock is two hours behind mx1's, and a central log writes their lines as they come.
    for (let index = 0; index < 4; index++) {
      const time = T0 + index * 20 * 60_000;
      checks.observe(hostEvent("central.log", 2 * index + 1, time, "mx1"));
      checks.observe(hostEvent("central.log", 2 * index + 2, time - 2 * HOUR, "mx2"));
    }
    const notes = checks.notes(UTC);

    expect(notes).toEqual([
      "In central.log the time goes back from 2024-03-04T00:00:00Z on mx1 to 2024-03-03T22:00:00Z on mx2 at line 2 (4 such steps in all): the file merges the lines of the hosts mx1 and mx2, whose clocks differ or whose lines arrived out of order. The lines of each host go forward in time, so no host's clock went back, but times compared across these hosts may be off.",
    ]);
  });

  test("host's own step names a clock change", () => {
    const checks = new InputChecks(T0 + DAY);
    checks.observe(hostEvent("central.log", 1, T0 + 2 * HOUR, "mx1"));
    checks.observe(hostEvent("central.log", 2, T0 + 2 * HOUR, "mx2"));
    checks.observe(hostEvent("central.log", 3, T0, "mx1"));
    const notes = checks.notes(UTC);

    expect(notes).toHaveLength(1);
    expect(notes[0]).toContain("at line 3: the server's clock was changed");
  });

  test("hostless step keeps clock note", () => {
    const checks = new InputChecks(T0 + DAY);
    checks.observe(hostEvent("central.log", 1, T0 + 2 * HOUR, "mx1"));
    checks.observe(hostEvent("central.log", 2, T0 + 2 * HOUR, "mx2"));
    checks.observe(event("central.log", 3, T0));
    const notes = checks.notes(UTC);

    expect(notes).toHaveLength(1);
    expect(notes[0]).toContain("at line 3: the server's clock was changed");
  });

  test("many hosts are counted", () => {
    const checks = new InputChecks(T0 + DAY);
    const hosts = ["mx1", "mx2", "mx3", "mx4", "mx5"];
    hosts.forEach((host, index) => {
      checks.observe(hostEvent("central.log", index + 1, T0 - index * HOUR, host));
    });
    const [note] = checks.notes(UTC);

    expect(note).toContain("the hosts mx1, mx2, mx3 and 2 more,");
  });

  test("day-long step names rotated files", () => {
    const checks = new InputChecks(T0 + 3 * DAY);
    // mail.log, then mail.log.1 of the day before, as `cat mail.log*` joins them.
    feed(checks, "-", [T0 + DAY, T0 + DAY + HOUR, T0, T0 + HOUR]);
    const notes = checks.notes(UTC);

    expect(notes).toHaveLength(1);
    expect(notes[0]).toContain("at line 3: most likely rotated files joined newest first");
    expect(notes[0]).toContain("Give the files by name");
  });

  test("late event of an earlier line is no step", () => {
    const checks = new InputChecks(T0 + DAY);
    checks.observe(event("mail.log", 10, T0 + 2 * HOUR));
    checks.observe(event("mail.log", 2, T0));
    expect(checks.notes(UTC)).toEqual([]);
  });

  test("future lines are counted", () => {
    const checks = new InputChecks(T0);
    feed(checks, "mail.log", [T0 - HOUR, T0 + 2 * DAY, T0 + 3 * DAY]);
    const notes = checks.notes(UTC);

    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(/^2 events in mail\.log are dated after today, the first 2024-03-06/);
    expect(notes[0]).toContain("--year");
  });

  test("one future line is singular", () => {
    const checks = new InputChecks(T0);
    feed(checks, "mail.log", [T0 - HOUR, T0 + 2 * DAY]);
    const notes = checks.notes(UTC);

    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(/^1 event in mail\.log is dated after today, the first 2024-03-06/);
  });

  test("span note without yearless stamps", () => {
    expect(longSpanNotes(T0 - 500 * DAY, T0, UTC, false)).toEqual([
      "The input spans from 2022-10-21T00:00:00Z to 2024-03-04T00:00:00Z, more than a year: give only the recent files.",
    ]);
  });

  test("span over a year is named", () => {
    expect(longSpanNotes(T0 - 500 * DAY, T0, UTC)).toEqual([
      "The input spans from 2022-10-21T00:00:00Z to 2024-03-04T00:00:00Z, more than a year: check that a log without years got the right year (--year), or give only the recent files.",
    ]);
  });

  test("span of a year or less is not named", () => {
    expect(longSpanNotes(T0 - 400 * DAY, T0, UTC)).toEqual([]);
    expect(longSpanNotes(null, null, UTC)).toEqual([]);
  });

  test("overlapping large files are named", () => {
    const checks = new InputChecks(T0 + 10 * DAY);
    const times = Array.from({ length: 200 }, (_, i) => T0 + i * 60_000);
    feed(checks, "mail.log", times);
    feed(checks, "copy.log", times);
    const notes = checks.notes(UTC);

    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(/^mail\.log and copy\.log cover the same time, 2024-03-04T00:00:00Z/);
    expect(notes[0]).toContain("every count is doubled");
  });

  test("partial overlap gives its size", () => {
    const checks = new InputChecks(T0 + 10 * DAY);
    // 200 events a minute apart, and a file whose first 100 events repeat the last 100.
    const times = Array.from({ length: 200 }, (_, i) => T0 + i * 60_000);
    const laterTimes = Array.from({ length: 300 }, (_, i) => T0 + (100 + i) * 60_000);
    feed(checks, "mail.log.2", times);
    feed(checks, "mail.log.1", laterTimes);
    const notes = checks.notes(UTC);

    expect(notes).toEqual([
      "mail.log.2 and mail.log.1 cover the same time, 2024-03-04T01:40:00Z to 2024-03-04T03:19:00Z (1.7 hours), with about 100 of the 200 events of mail.log.2 and about 100 of the 300 events of mail.log.1. If one repeats the lines of the other, the counts of that time are doubled. Logs of different servers may overlap.",
    ]);
  });

  test("rotated files that touch are not overlapping", () => {
    const checks = new InputChecks(T0 + 10 * DAY);
    feed(
      checks,
      "mail.log.1",
      Array.from({ length: 200 }, (_, i) => T0 + i * 60_000),
    );
    feed(
      checks,
      "mail.log",
      Array.from({ length: 200 }, (_, i) => T0 + 199 * 60_000 + i * 60_000),
    );
    expect(checks.notes(UTC)).toEqual([]);
  });
});

describe("input checks in a run", () => {
  const temporary = temporaryFiles();

  function twoDays(): string {
    const log = new PostfixLog();
    for (let hour = 0; hour < 48; hour++) {
      log.submit({
        time: T0 + hour * HOUR,
        account: "alice@example.com",
        clientIp: "198.51.100.10",
        recipients: [
          { address: `friend${hour}@gmail.com` },
          { address: `peer${hour}@example.net` },
        ],
      });
    }
    return log.text();
  }

  test("an exact copy is read once", async () => {
    const first = temporary.file(twoDays(), "mail.log");
    const second = temporary.file(twoDays(), "mail.info");
    const run = await analyseLogs([first, second], { timeZone: UTC, now: T0 + 3 * DAY });
    const notes = inputReport(run, UTC).notes;

    expect(notes).toHaveLength(1);
    expect(notes[0]).toBe(
      `Skipped ${second}: it has the same content as ${first}, so its lines would have been counted twice.`,
    );
  });

  test("span note names the header's range", async () => {
    // An ignored line 500 days before the mail sets the span. An unparsed line and a line of a
    // program without a parser lie further out and do not.
    const log = new PostfixLog();
    log.submitHourly({ hours: 2 });
    log.raw(
      T0 - 900 * DAY,
      "2021-09-16T00:00:00+00:00 mail postfix/smtp[7]: 4A1B2C3D4E: to=<a@example.com>,",
    );
    log.raw(
      T0 - 500 * DAY,
      "2022-10-21T00:00:00+00:00 mail postfix/smtpd[8]: connect from a.example.com[192.0.2.1]",
    );
    log.raw(
      T0 + 900 * DAY,
      "2026-08-20T00:00:00+00:00 mail roundcube: User a@example.com logged in",
    );
    const path = temporary.file(log.text(), "mail.log");
    const run = await analyseLogs([path], { timeZone: UTC, now: T0 + 1000 * DAY });
    const input = inputReport(run, UTC);
    const spanNotes = input.notes.filter((note) => note.startsWith("The input spans"));

    expect(input.firstTime).toBe("2022-10-21T00:00:00Z");
    expect(input.lastTime).toBe("2024-03-04T01:00:02Z");
    expect(spanNotes).toEqual([
      "The input spans from 2022-10-21T00:00:00Z to 2024-03-04T01:00:02Z, more than a year: give only the recent files.",
    ]);
  });

  test("an overlapping log is noted", async () => {
    // The same mail logged by a second host is no copy, so both are read.
    const first = temporary.file(twoDays(), "mail.log");
    const second = temporary.file(twoDays().replaceAll(" mail ", " mail2 "), "mail2.log");
    const run = await analyseLogs([first, second], { timeZone: UTC, now: T0 + 3 * DAY });
    const notes = inputReport(run, UTC).notes;

    expect(notes).toHaveLength(1);
    expect(notes[0]).toContain("cover the same time");
    expect(notes[0]).toContain(first);
    expect(notes[0]).toContain(second);
  });

  test("a copy is left out, not overlapping", async () => {
    // A copy with one more line is no exact copy of the file, but its lines are copies.
    const first = temporary.file(twoDays(), "mail.log");
    const second = temporary.file(
      `${twoDays()}2024-03-06T00:00:00+00:00 mail postfix/qmgr[9]: 00000ABCDE: removed\n`,
      "copy.log",
    );
    const run = await analyseLogs([first, second], { timeZone: UTC, now: T0 + 3 * DAY });
    const notes = inputReport(run, UTC).notes;

    expect(notes).toHaveLength(1);
    expect(notes[0]).toContain(`Postfix lines of ${second}: ${first} contains the same lines`);
    expect(notes[0]).not.toContain("cover the same time");
  });
});
