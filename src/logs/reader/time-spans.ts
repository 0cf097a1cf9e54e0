/**
 * Time spans of one host's records in the mail logs. A general log copies a mail log line
 * with the same time, so an MTA record of a general log is a copy only when a span of the
 * mail logs contains its time. Spans follow the records and not just each file's first and
 * last record, so the time of a missing or cut mail log file stays outside every span.
 *
 * A stamp without fractional seconds stands for its whole second, so times are compared at
 * the precision of the coarser stamp: a copy dated 10:11:10.710 lies in a span that ends with
 * a mail log line dated 10:11:10.
 *
 * NOTE: copies are matched by time alone. A general log record in the same second as the last
 * record of a cut mail log is left out, even when the cut lost it.
 */

/**
 * Maximum time between two records of a host in the mail logs that still lie in one span, in
 * ms. It applies within a file and across files, so the spans of consecutive rotated files
 * merge when they touch. Ten minutes is a trade-off and not a measured value. A longer gap
 * gives fewer spans, but a general log record in a gap of at most this length is left out as
 * a copy even when a mail log lost that stretch.
 */
export const MAX_GAP_MS = 10 * 60_000;

/** The records that one mail log gave to a span, with their first and last time in ms. */
export interface SpanPart {
  readonly mailLog: string;
  first: number;
  last: number;
}

/** Times of a host's records in the mail logs, in ms since the epoch, ends included. */
export interface TimeSpan {
  first: number;
  last: number;
  /** One part per mail log with records in the span. */
  readonly parts: SpanPart[];
}

/**
 * Sorted, disjoint spans of one host's mail log records, with more than `MAX_GAP_MS` between
 * neighbours. Records mostly come in time order, so the span found last is tried first.
 */
export class HostSpans {
  private readonly spans: TimeSpan[] = [];
  private hint = 0;

  /**
   * Adds a record of `mailLog` at `time` and returns the change in the number of spans: +1
   * for a new span, -1 when the record joins two spans, else 0. A record that needs a new span
   * is not stored when `mayGrow` is false, and the change is then 0.
   */
  add(time: number, mailLog: string, mayGrow: boolean): number {
    const index = this.indexAtOrBefore(time);
    const before = index >= 0 ? this.spans[index] : undefined;
    const after = this.spans[index + 1];
    if (before !== undefined && time <= before.last + MAX_GAP_MS) {
      extend(before, time, mailLog);
      if (after === undefined || after.first - before.last > MAX_GAP_MS) return 0;
      this.join(index);
      return -1;
    }
    if (after !== undefined && after.first - time <= MAX_GAP_MS) {
      extend(after, time, mailLog);
      return 0;
    }
    if (!mayGrow) return 0;
    const part = { mailLog, first: time, last: time };
    this.spans.splice(index + 1, 0, { first: time, last: time, parts: [part] });
    this.hint = index + 1;
    return 1;
  }

  /**
   * Returns the span that contains `time`, or null. A time on a whole second may lie anywhere
   * in that second, both for `time` and for the ends of a span (see `secondEnd`).
   */
  spanCovering(time: number): TimeSpan | null {
    const span = this.spans[this.indexAtOrBefore(secondEnd(time))];
    return span !== undefined && time <= secondEnd(span.last) ? span : null;
  }

  // Returns the index of the last span that starts at or before `time`, or -1.
  private indexAtOrBefore(time: number): number {
    const spans = this.spans;
    const hinted = spans[this.hint];
    if (hinted !== undefined && hinted.first <= time) {
      const next = spans[this.hint + 1];
      if (next === undefined || next.first > time) return this.hint;
    }
    let low = 0;
    let high = spans.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((spans[middle] as TimeSpan).first <= time) low = middle + 1;
      else high = middle;
    }
    this.hint = Math.max(low - 1, 0);
    return low - 1;
  }

  // Merges the span after `index` into the span at `index`.
  private join(index: number): void {
    const span = this.spans[index] as TimeSpan;
    const next = this.spans[index + 1] as TimeSpan;
    span.last = Math.max(span.last, next.last);
    for (const part of next.parts) addPart(span, part.mailLog, part.first, part.last);
    this.spans.splice(index + 1, 1);
    this.hint = index;
  }
}

/**
 * Returns the mail logs of `span` whose records start at or before `time` and end at or after
 * it. A time in a gap between the parts of two files gives the parts within `MAX_GAP_MS`.
 */
export function mailLogsAt(span: TimeSpan, time: number): string[] {
  const near = (part: SpanPart, gap: number): boolean =>
    time >= part.first - gap && time <= part.last + gap;
  const exact = span.parts.filter((part) => near(part, 0));
  const parts = exact.length > 0 ? exact : span.parts.filter((part) => near(part, MAX_GAP_MS));
  return parts.map((part) => part.mailLog);
}

/**
 * Returns the latest instant that a stamp read as `time` may stand for, in ms. A time on a
 * whole second comes from a stamp without fractional seconds, such as a classic syslog stamp,
 * so it stands for the whole second. A stamp with fractional seconds of exactly .000 is taken
 * as such a stamp too, which widens it by less than a second.
 */
function secondEnd(time: number): number {
  return time % 1000 === 0 ? time + 999 : time;
}

function extend(span: TimeSpan, time: number, mailLog: string): void {
  if (time < span.first) span.first = time;
  if (time > span.last) span.last = time;
  addPart(span, mailLog, time, time);
}

// The part of the file being read is mostly the last one, so the search starts there.
function addPart(span: TimeSpan, mailLog: string, first: number, last: number): void {
  for (let index = span.parts.length - 1; index >= 0; index--) {
    const part = span.parts[index] as SpanPart;
    if (part.mailLog !== mailLog) continue;
    if (first < part.first) part.first = first;
    if (last > part.last) part.last = last;
    return;
  }
  span.parts.push({ mailLog, first, last });
}
