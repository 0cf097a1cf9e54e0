import { DAY_MS, HOUR_MS } from "../analysis/time.js";
import type { LogEvent } from "../logs/events.js";
import type { CopiedLines } from "../logs/reader/mail-copies.js";
import { recordFileInText } from "../logs/reader/input-names.js";
import { formatInstant, type TimeZone } from "../time/zone.js";
import { eventHost, HostClocks, hostList } from "./host-clocks.js";

/** A step back in time smaller than this is syslog buffering, not a clock change. */
const MAX_BACKWARD_MS = 10 * 60_000;

/** Two files that share more than this much time are named as overlapping. */
const MIN_OVERLAP_MS = HOUR_MS;

/** Files with fewer events than this are too small to call a copy of another. */
const MIN_OVERLAP_EVENTS = 100;

/** A log that spans longer than this probably has a wrong year somewhere. */
const MAX_SPAN_MS = 400 * DAY_MS;

/** Lines dated this far after the run are in the future, not in another time zone. */
const FUTURE_SLACK_MS = DAY_MS;

/** Maximum notes of one kind in a report, because more files with one problem add nothing. */
const MAX_NOTES = 5;

/** Maximum files followed. A run over more files checks only the first ones. */
const MAX_FILES = 1000;

const MINUTE_MS = 60_000;

/**
 * Maximum minutes with events counted per file, 45 days of a busy log. A file with events in
 * more minutes gets an overlap note without event counts.
 */
const MAX_COUNTED_MINUTES = 45 * 24 * 60;

/** The event times of one input file. */
interface FileSpan {
  readonly name: string;
  first: number;
  last: number;
  events: number;
  /** The latest line number and time seen, to tell a clock step from a late event. */
  maxLine: number;
  maxTime: number;
  steps: number;
  firstStep: TimeStep | null;
  /** The clocks of the file's syslog hosts, to tell a merge of hosts from a clock change. */
  readonly hosts: HostClocks;
  future: number;
  firstFuture: { readonly line: number; readonly time: number } | null;
  /** Events per minute since the epoch, for the size of an overlap; null past the maximum. */
  minutes: Map<number, number> | null;
  /** The minute of the last event and the events in it not yet added to `minutes`. */
  minute: number;
  eventsInMinute: number;
}

/** The first step back of a file's time, with the hosts of the two lines (null when unknown). */
interface TimeStep {
  readonly line: number;
  readonly from: number;
  readonly to: number;
  readonly fromHost: string | null;
  readonly toHost: string | null;
}

/**
 * Checker of event times, for notes when the input looks wrong: a clock that steps back,
 * lines dated in the future, or two files that cover the same hours (a copy read twice
 * doubles every count). Without these notes such input only widens the "from … to" range of
 * the report. `longSpanNotes` checks that range itself.
 */
export class InputChecks {
  private readonly files = new Map<string, FileSpan>();
  // Events come file by file, and all events of a file carry one name string, so the last
  // file's span is compared by identity before the map is searched.
  private lastName: string | null = null;
  private lastSpan: FileSpan | null = null;

  constructor(private readonly now: number) {}

  /** Records one event. The parsers give each event the time and position of its line. */
  observe(event: LogEvent): void {
    const time = event.time;
    if (!Number.isFinite(time)) return;
    const span = this.spanOf(event.position.file, time);
    if (span === null) return;
    span.events += 1;
    countMinute(span, time);
    if (time < span.first) span.first = time;
    if (time > span.last) span.last = time;
    if (time > this.now + FUTURE_SLACK_MS) {
      span.future += 1;
      span.firstFuture ??= { line: event.position.line, time };
    }
    // An event of an earlier line comes late, from a parser that waited for more lines, so
    // only events in line order can show the clock going back.
    if (event.position.line < span.maxLine) return;
    const host = eventHost(event);
    const isStep = time < span.maxTime - MAX_BACKWARD_MS;
    span.hosts.observe(host, time, isStep, MAX_BACKWARD_MS);
    if (isStep) {
      span.steps += 1;
      const fromHost = span.hosts.hostOfLatest;
      span.firstStep ??= {
        line: event.position.line,
        from: span.maxTime,
        to: time,
        fromHost,
        toHost: host,
      };
      // The lines after a clock change follow the new clock, so one change is one step.
      span.maxTime = time;
      span.hosts.setLatest(host);
    }
    span.maxLine = event.position.line;
    // A new span starts at its first event's time, so `>=` also takes the host of that event.
    if (time >= span.maxTime) {
      span.maxTime = time;
      span.hosts.setLatest(host);
    }
  }

  /**
   * Returns the sentences for the report, or none when the input looks sound. An input in
   * `copies` is not named as overlapping the earlier inputs it copies, because the reader left
   * out the lines it copies from them.
   */
  notes(timeZone: TimeZone, copies: readonly CopiedLines[] = []): string[] {
    const spans = [...this.files.values()];
    const time = (ms: number): string => formatInstant(ms, timeZone);
    return [
      ...spans.flatMap((span) => stepNote(span, time)).slice(0, MAX_NOTES),
      ...spans.flatMap((span) => futureNote(span, time)).slice(0, MAX_NOTES),
      ...overlapNotes(spans, time, copiedPairs(copies)),
    ];
  }

  private spanOf(name: string, time: number): FileSpan | null {
    if (name === this.lastName) return this.lastSpan;
    const known = this.files.get(name);
    if (known !== undefined) {
      this.lastName = name;
      this.lastSpan = known;
      return known;
    }
    if (this.files.size >= MAX_FILES) return null;
    const span: FileSpan = {
      name,
      first: time,
      last: time,
      events: 0,
      maxLine: 0,
      maxTime: time,
      steps: 0,
      firstStep: null,
      hosts: new HostClocks(),
      future: 0,
      firstFuture: null,
      minutes: new Map(),
      minute: Math.floor(time / MINUTE_MS),
      eventsInMinute: 0,
    };
    this.files.set(name, span);
    return span;
  }
}

type Format = (ms: number) => string;

// Counts an event at `time` in its minute. Events mostly come in time order, so the map is
// updated only when the minute changes.
function countMinute(span: FileSpan, time: number): void {
  const minute = Math.floor(time / MINUTE_MS);
  if (minute === span.minute) {
    span.eventsInMinute += 1;
    return;
  }
  flushMinute(span);
  span.minute = minute;
  span.eventsInMinute = 1;
}

function flushMinute(span: FileSpan): void {
  const minutes = span.minutes;
  if (minutes === null || span.eventsInMinute === 0) return;
  minutes.set(span.minute, (minutes.get(span.minute) ?? 0) + span.eventsInMinute);
  span.eventsInMinute = 0;
  if (minutes.size > MAX_COUNTED_MINUTES) span.minutes = null;
}

// The events of `span` in the minutes from the one of `from` to the one of `to`, or null when
// the file has too many minutes with events. Events of the end minutes outside the range are
// counted too, so the count is exact only to the minute.
function eventsBetween(span: FileSpan, from: number, to: number): number | null {
  flushMinute(span);
  const minutes = span.minutes;
  if (minutes === null) return null;
  const first = Math.floor(from / MINUTE_MS);
  const last = Math.floor(to / MINUTE_MS);
  let events = 0;
  for (const [minute, count] of minutes) {
    if (minute >= first && minute <= last) events += count;
  }
  return events;
}

/** A step back at least this long reads as rotated files joined in the wrong order. */
const ROTATED_STEP_MS = 12 * 60 * 60 * 1000;

/** A step back to a Feb 29 of at least this long is a year guess moved to a leap year. */
const LEAP_DAY_STEP_MS = 300 * DAY_MS;

function stepNote(span: FileSpan, time: Format): string[] {
  const step = span.firstStep;
  if (step === null) return [];
  const more = span.steps > 1 ? ` (${span.steps.toLocaleString("en-US")} such steps in all)` : "";
  const where = `In ${recordFileInText(span.name)} the time goes back from ${time(step.from)} to ${time(step.to)} at line ${step.line.toLocaleString("en-US")}${more}`;
  const steadyHosts = span.hosts.steadyHosts(span.steps);
  if (steadyHosts !== null && step.fromHost !== null && step.toHost !== null) {
    return [hostMergeNote(span, step, steadyHosts, time)];
  }
  // Classic syslog stamps carry no year, and a Feb 29 line dates itself and the lines after it
  // in the leap year before a guessed year without that day. Its step back then lands on Feb 29.
  if (step.from - step.to >= LEAP_DAY_STEP_MS && time(step.to).slice(4, 10) === "-02-29") {
    return [
      `${where}: a Feb 29 line moved the year guessed for this log without years back to a leap year, so the lines before it are dated a year or more too late. Give --year with the year of the log's first line.`,
    ];
  }
  // A clock or a host's time zone is seldom half a day off, but joined rotated files jump back
  // by the span of a file.
  if (step.from - step.to >= ROTATED_STEP_MS) {
    return [
      `${where}: most likely rotated files joined newest first, as \`cat mail.log*\` or \`zcat -f mail.log*\` join them. Verdicts, first blocks and whether a block is over may then be wrong. Give the files by name, which delist sorts by time, or join them oldest first.`,
    ];
  }
  return [
    `${where}: the server's clock was changed, or lines of another host or time zone are mixed in. Times and hourly counts around it may be wrong.`,
  ];
}

// The note on a file whose time goes back only where a line of one host follows a later line
// of another, so that no host's clock stepped.
function hostMergeNote(
  span: FileSpan,
  step: TimeStep,
  hosts: readonly string[],
  time: Format,
): string {
  const more = span.steps > 1 ? ` (${span.steps.toLocaleString("en-US")} such steps in all)` : "";
  const line = step.line.toLocaleString("en-US");
  return (
    `In ${recordFileInText(span.name)} the time goes back from ${time(step.from)} on ` +
    `${step.fromHost ?? ""} to ${time(step.to)} on ${step.toHost ?? ""} at line ${line}${more}: ` +
    `the file merges the lines of the hosts ${hostList(hosts)}, whose clocks differ or whose ` +
    "lines arrived out of order. The lines of each host go forward in time, so no host's " +
    "clock went back, but times compared across these hosts may be off."
  );
}

function futureNote(span: FileSpan, time: Format): string[] {
  const first = span.firstFuture;
  if (first === null) return [];
  return [
    `${span.future === 1 ? "1 event" : `${span.future.toLocaleString("en-US")} events`} in ${recordFileInText(span.name)} ${span.future === 1 ? "is" : "are"} dated after today, the first ${time(first.time)} at line ${first.line.toLocaleString("en-US")}: the year guess for a log without years is wrong (give --year) or the server's clock was.`,
  ];
}

/**
 * Returns a note when the time span of the lines read, `first` to `last` in ms since the
 * epoch, is longer than `MAX_SPAN_MS`, else none. It takes the span of the report's header
 * (`ReadSummary.earliestTime` and `latestTime`), so that the report names one range. The
 * advice on `--year` is given only when `hasYearlessStamps`, because only classic syslog
 * stamps take their year from it.
 */
export function longSpanNotes(
  first: number | null,
  last: number | null,
  timeZone: TimeZone,
  hasYearlessStamps = true,
): string[] {
  if (first === null || last === null || last - first <= MAX_SPAN_MS) return [];
  const time = (ms: number): string => formatInstant(ms, timeZone);
  const check = hasYearlessStamps
    ? "check that a log without years got the right year (--year), or give only the recent files"
    : "give only the recent files";
  return [`The input spans from ${time(first)} to ${time(last)}, more than a year: ${check}.`];
}

// Returns a key for each pair of an input and an earlier input it copies lines from.
function copiedPairs(copies: readonly CopiedLines[]): Set<string> {
  const pairs = new Set<string>();
  for (const copy of copies) {
    for (const earlier of copy.earlierInputs) {
      pairs.add(pairKey(copy.name, earlier));
      pairs.add(pairKey(earlier, copy.name));
    }
  }
  return pairs;
}

function pairKey(a: string, b: string): string {
  return `${a}\0${b}`;
}

/**
 * Names files whose time ranges overlap by more than {@link MIN_OVERLAP_MS}. It sweeps the
 * files in order of their first time and compares each with the one that reaches furthest.
 * A pair in `skipped` (see `copiedPairs`) is not named.
 */
function overlapNotes(
  spans: readonly FileSpan[],
  time: Format,
  skipped: ReadonlySet<string>,
): string[] {
  const large = spans
    .filter((span) => span.events >= MIN_OVERLAP_EVENTS)
    .sort((a, b) => a.first - b.first);
  const notes: string[] = [];
  let reach: FileSpan | null = null;
  for (const span of large) {
    if (reach !== null) {
      const overlap = Math.min(reach.last, span.last) - span.first;
      if (overlap > MIN_OVERLAP_MS && !skipped.has(pairKey(reach.name, span.name))) {
        notes.push(overlapNote(reach, span, time));
      }
    }
    if (reach === null || span.last > reach.last) reach = span;
  }
  return notes.slice(0, MAX_NOTES);
}

// The note on `earlier` and `later`, two files whose times overlap, where `later` starts
// inside the time of `earlier`. It gives the overlap's length and the events of each file in
// it, unless the overlap contains all events of both files.
function overlapNote(earlier: FileSpan, later: FileSpan, time: Format): string {
  const from = later.first;
  const to = Math.min(earlier.last, later.last);
  const files = `${recordFileInText(earlier.name)} and ${recordFileInText(later.name)}`;
  const start = `${files} cover the same time, ${time(from)} to ${time(to)}`;
  const servers = "Logs of different servers may overlap.";
  const earlierEvents = eventsBetween(earlier, from, to);
  const laterEvents = eventsBetween(later, from, to);
  if (earlierEvents === earlier.events && laterEvents === later.events) {
    return `${start}: if one is a copy of the other, every count is doubled. ${servers}`;
  }
  const hours = (to - from) / HOUR_MS;
  const length = `${hours.toLocaleString("en-US", { maximumFractionDigits: 1 })} hours`;
  const doubled = "If one repeats the lines of the other, the counts of that time are doubled.";
  if (earlierEvents === null || laterEvents === null) {
    return `${start} (${length}). ${doubled} ${servers}`;
  }
  const share = (events: number, span: FileSpan): string =>
    `about ${events.toLocaleString("en-US")} of the ${span.events.toLocaleString("en-US")} events of ${recordFileInText(span.name)}`;
  return (
    `${start} (${length}), with ${share(earlierEvents, earlier)} and ` +
    `${share(laterEvents, later)}. ${doubled} ${servers}`
  );
}
