import { describe, expect, test } from "vitest";
import {
  KEPT_BYTES,
  MAX_HOST_CLOCKS,
  REPLAY_WINDOW,
  ReplayedLines,
} from "../../../src/logs/reader/replayed-lines.js";

const T0 = Date.UTC(2024, 2, 4, 9, 0, 0);
const MINUTE = 60_000;

/** A log line as the reader passes it: its time, syslog host and bytes. */
interface Line {
  readonly time: number;
  readonly host: string;
  readonly bytes: Buffer;
}

/** Returns a Postfix delivery line of `host` `minutes` after T0, with message `text`. */
function line(minutes: number, text: string, pid = 300, host = "mail"): Line {
  const time = T0 + minutes * MINUTE;
  const stamp = new Date(time).toISOString();
  const bytes = Buffer.from(`${stamp} ${host} postfix/smtp[${String(pid)}]: ${text}`);
  return { time, host, bytes };
}

/** Returns a block of `count` deliveries of `host` one minute apart, from minute `start`. */
function block(start: number, count: number, host = "mail"): Line[] {
  return Array.from({ length: count }, (_, index) =>
    line(
      start + index,
      `A${String(index)}: to=<user${String(index)}@example.com>, status=sent`,
      300,
      host,
    ),
  );
}

/**
 * Returns `count` deliveries of the hosts mx1 and mx2 in turn, one every 10 seconds from minute
 * `start` of mx1's clock. The clock of mx2 is 11 minutes behind, so each line of mx2 is dated
 * more than `MAX_LATE_LINE_MS` before the line of mx1 before it.
 */
function skewedHosts(start: number, count: number): Line[] {
  return Array.from({ length: count }, (_, index) => {
    const minute = start + index / 6;
    const id = `${String(start)}x${String(index)}`;
    const to = `to=<user${id}@example.com>, status=sent`;
    return index % 2 === 0
      ? line(minute, `A${id}: ${to}`, 300, "mx1")
      : line(minute - 11, `B${id}: ${to}`, 400, "mx2");
  });
}

function isRepeat(finder: ReplayedLines, entry: Line): boolean {
  return finder.isRepeat(entry.time, entry.host, entry.bytes, 0, entry.bytes.length);
}

/** Passes the lines through `finder` and returns the indexes of those it found repeated. */
function repeatsOf(finder: ReplayedLines, lines: readonly Line[]): number[] {
  return lines.flatMap((entry, index) => (isRepeat(finder, entry) ? [index] : []));
}

describe("ReplayedLines", () => {
  test("block read twice counts once", () => {
    const finder = new ReplayedLines();
    const first = block(0, 30);

    expect(repeatsOf(finder, first)).toEqual([]);
    expect(repeatsOf(finder, block(0, 30))).toEqual(first.map((_, index) => index));
    expect(finder.repeats).toBe(30);
  });

  test("same line without step counts", () => {
    const finder = new ReplayedLines();
    const same = line(0, "A1: to=<user@example.com>, status=deferred");

    expect(repeatsOf(finder, [same, same, same])).toEqual([]);
    expect(finder.repeats).toBe(0);
  });

  test("late line within ten minutes counts", () => {
    const finder = new ReplayedLines();
    const lines = [...block(0, 12), line(3, "A3: to=<user3@example.com>, status=sent")];

    expect(repeatsOf(finder, lines)).toEqual([]);
  });

  test("line alike but another pid counts", () => {
    const finder = new ReplayedLines();
    const text = "A0: to=<user0@example.com>, status=sent";
    repeatsOf(finder, [line(0, text, 300), ...block(1, 20)]);

    expect(isRepeat(finder, line(0, text, 301))).toBe(false);
    expect(isRepeat(finder, line(0, text, 300))).toBe(true);
  });

  test("lines after clock set back count", () => {
    const finder = new ReplayedLines();
    repeatsOf(finder, block(0, 30));
    // After the clock goes back, the server writes one new line twice in the same second.
    const twice = line(5, "B1: to=<other@example.com>, status=sent");

    expect(repeatsOf(finder, [twice, twice])).toEqual([]);
  });

  test("identical lines of a block drop together", () => {
    const finder = new ReplayedLines();
    const scan = line(0, "qmgr_scan_start: start incoming queue scan");
    const copy = [scan, scan, scan, ...block(1, 20)];
    repeatsOf(finder, copy);

    expect(repeatsOf(finder, copy)).toEqual(copy.map((_, index) => index));
  });

  test("third copy counts once too", () => {
    const finder = new ReplayedLines();
    const copy = block(0, 20);
    repeatsOf(finder, copy);
    repeatsOf(finder, copy);

    expect(repeatsOf(finder, copy)).toHaveLength(20);
    expect(finder.repeats).toBe(40);
  });

  test("same message at another time counts", () => {
    const finder = new ReplayedLines();
    repeatsOf(finder, block(0, 20));
    // The message of the first line again, but with a stamp a minute later than it had.
    const moved = line(1, "A0: to=<user0@example.com>, status=sent");

    expect(isRepeat(finder, { ...moved, time: moved.time - 30 * MINUTE })).toBe(false);
    expect(isRepeat(finder, line(0, "A0: to=<user0@example.com>, status=sent"))).toBe(true);
  });

  test("two skewed hosts keep counting", () => {
    const finder = new ReplayedLines();
    const lines = skewedHosts(0, 400);
    const resent = lines.slice(100, 120);

    expect(repeatsOf(finder, lines)).toEqual([]);
    expect(repeatsOf(finder, resent)).toHaveLength(20);
    expect(finder.repeats).toBe(20);
    // Both hosts step back, but the kept lines are split once.
    expect(finder.splits).toBe(1);
  });

  test("skewed hosts without copies compare nothing", () => {
    const finder = new ReplayedLines();

    expect(repeatsOf(finder, skewedHosts(0, 400))).toEqual([]);
    expect(finder.repeats).toBe(0);
    // Each host's clock only goes forward, so no line is compared.
    expect(finder.splits).toBe(0);
  });

  test("one skewed host repeats a block", () => {
    const finder = new ReplayedLines();
    const lines = skewedHosts(0, 200);
    // mx1 sends 20 of its lines again while mx2 logs new lines, and then both log new lines.
    const resent = lines.slice(40, 80).filter((entry) => entry.host === "mx1");
    const mx2Lines = skewedHosts(200, 40).filter((entry) => entry.host === "mx2");
    const mixed = [
      ...resent.flatMap((copy, index) => [copy, mx2Lines[index] ?? copy]),
      ...skewedHosts(240, 40),
    ];
    const copies = resent.map((_, index) => 2 * index);

    expect(repeatsOf(finder, lines)).toEqual([]);
    expect(mx2Lines).toHaveLength(20);
    expect(repeatsOf(finder, mixed)).toEqual(copies);
    expect(finder.repeats).toBe(20);
  });

  test("hosts past the cap share a clock", () => {
    const finder = new ReplayedLines();
    const hosts = Array.from({ length: MAX_HOST_CLOCKS }, (_, index) => `h${String(index)}`);
    hosts.forEach((host) => isRepeat(finder, line(0, "A0: status=sent", 300, host)));
    const copy = line(20, "C0: to=<user@example.com>, status=sent", 300, "extra1");
    isRepeat(finder, copy);
    // A second untracked host whose clock is 15 minutes behind steps back against the first.
    isRepeat(finder, line(5, "C1: to=<user@example.com>, status=sent", 300, "extra2"));

    expect(finder.splits).toBe(1);
    expect(isRepeat(finder, copy)).toBe(true);
  });

  test("silent stepped host ends comparing", () => {
    const finder = new ReplayedLines();
    repeatsOf(finder, block(0, 20, "mx1"));
    repeatsOf(finder, block(0, 5, "mx1"));
    // mx2 alone logs on after mx1's copy, and its lines end the comparing.
    repeatsOf(finder, block(30, REPLAY_WINDOW, "mx2"));
    repeatsOf(finder, block(30, 5, "mx2"));

    expect(finder.repeats).toBe(10);
    expect(finder.splits).toBe(2);
  });

  test("new file forgets the last", () => {
    const finder = new ReplayedLines();
    repeatsOf(finder, block(0, 20));
    finder.startFile();

    expect(repeatsOf(finder, block(0, 20))).toEqual([]);
  });

  test("copy beyond the window counts", () => {
    const finder = new ReplayedLines();
    const original = line(0, "A0: to=<user0@example.com>, status=sent");
    repeatsOf(finder, [original, ...block(1, REPLAY_WINDOW)]);

    expect(isRepeat(finder, original)).toBe(false);
    expect(isRepeat(finder, line(2, "A1: to=<user1@example.com>, status=sent"))).toBe(true);
  });

  test("long lines beyond kept bytes count", () => {
    const finder = new ReplayedLines();
    const padding = "x".repeat(1000);
    // Each line has a buffer of its own, as a line that spans two reads of the reader has.
    const lines = Array.from({ length: Math.ceil((2 * KEPT_BYTES) / 1000) }, (_, index) =>
      line(index / 60, `A${String(index)}: ${padding}`),
    );
    repeatsOf(finder, lines);
    const first = lines[0];
    const last = lines.at(-2);
    if (first === undefined || last === undefined) throw new Error("no lines");

    expect(isRepeat(finder, first)).toBe(false);
    expect(isRepeat(finder, last)).toBe(true);
  });

  test("lines of one shared buffer", () => {
    const finder = new ReplayedLines();
    const texts = block(0, 30).map((entry) => entry.bytes.toString("latin1"));
    const shared = Buffer.from(texts.join("\n"), "latin1");
    let start = 0;
    const places = texts.map((text, index) => {
      const place = { time: T0 + index * MINUTE, start, end: start + text.length };
      start += text.length + 1;
      return place;
    });
    for (const place of places) {
      finder.isRepeat(place.time, "mail", shared, place.start, place.end);
    }
    // The copy comes in a buffer of its own, so the first one's lines are read back from the ring.
    const copy = Buffer.from(texts.join("\n"), "latin1");
    const repeated = places.filter((place) =>
      finder.isRepeat(place.time, "mail", copy, place.start, place.end),
    );

    expect(repeated).toHaveLength(30);
  });

  test("finds a later copy after stopping", () => {
    const finder = new ReplayedLines();
    repeatsOf(finder, block(0, 20));
    repeatsOf(finder, block(0, 20));
    // Enough new lines to stop comparing, then another copy of the last 20 of them.
    const later = block(100, REPLAY_WINDOW + 20);
    expect(repeatsOf(finder, later)).toEqual([]);

    expect(repeatsOf(finder, later.slice(-20))).toHaveLength(20);
    expect(finder.repeats).toBe(40);
  });
});
