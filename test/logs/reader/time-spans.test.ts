import { describe, expect, it } from "vitest";
import { MailLogCopies } from "../../../src/logs/reader/mail-copies.js";
import { HostSpans, mailLogsAt, MAX_GAP_MS } from "../../../src/logs/reader/time-spans.js";

const T0 = Date.UTC(2026, 2, 1);
const SECOND = 1000;
const MINUTE = 60_000;

function spansOf(...records: ReadonlyArray<readonly [number, string]>): HostSpans {
  const spans = new HostSpans();
  for (const [time, mailLog] of records) spans.add(time, mailLog, true);
  return spans;
}

describe("HostSpans", () => {
  it("keeps records within the gap in one span", () => {
    const spans = new HostSpans();
    expect(spans.add(T0, "mail.log", true)).toBe(1);
    expect(spans.add(T0 + MAX_GAP_MS, "mail.log", true)).toBe(0);
    expect(spans.add(T0 + 2 * MAX_GAP_MS, "mail.log", true)).toBe(0);

    const span = spans.spanCovering(T0 + 15 * MINUTE);
    expect(span?.first).toBe(T0);
    expect(span?.last).toBe(T0 + 2 * MAX_GAP_MS);
  });

  it("splits at a longer gap", () => {
    const spans = new HostSpans();
    expect(spans.add(T0, "mail.log", true)).toBe(1);
    expect(spans.add(T0 + MAX_GAP_MS + SECOND, "mail.log", true)).toBe(1);

    expect(spans.spanCovering(T0)).not.toBeNull();
    expect(spans.spanCovering(T0 + SECOND)).toBeNull();
    expect(spans.spanCovering(T0 + MAX_GAP_MS)).toBeNull();
    expect(spans.spanCovering(T0 + MAX_GAP_MS + SECOND)).not.toBeNull();
    expect(spans.spanCovering(T0 - 1)).toBeNull();
  });

  it("covers the whole second of a whole-second end", () => {
    const spans = spansOf([T0, "mail.log"], [T0 + 10 * SECOND, "mail.log"]);

    expect(spans.spanCovering(T0 + 10 * SECOND + 710)).not.toBeNull();
    expect(spans.spanCovering(T0 + 10 * SECOND + 999)).not.toBeNull();
    expect(spans.spanCovering(T0 + 11 * SECOND)).toBeNull();
    expect(spans.spanCovering(T0 + 11 * SECOND + 1)).toBeNull();
  });

  it("covers a whole-second time of a fractional start", () => {
    const spans = spansOf([T0 + 500, "mail.log"], [T0 + 10 * SECOND + 250, "mail.log"]);

    expect(spans.spanCovering(T0)).not.toBeNull();
    expect(spans.spanCovering(T0 - SECOND)).toBeNull();
    expect(spans.spanCovering(T0 + 499)).toBeNull();
  });

  it("compares two fractional times exactly", () => {
    const spans = spansOf([T0 + 200, "mail.log"], [T0 + 10 * SECOND + 300, "mail.log"]);

    expect(spans.spanCovering(T0 + 10 * SECOND + 300)).not.toBeNull();
    expect(spans.spanCovering(T0 + 10 * SECOND + 301)).toBeNull();
    expect(spans.spanCovering(T0 + 199)).toBeNull();
  });

  it("joins two spans with a record between them", () => {
    const spans = spansOf([T0, "mail.log"], [T0 + 3 * MAX_GAP_MS, "mail.log"]);
    expect(spans.spanCovering(T0 + MAX_GAP_MS)).toBeNull();

    expect(spans.add(T0 + 2 * MAX_GAP_MS, "mail.log", true)).toBe(0);
    expect(spans.add(T0 + MAX_GAP_MS, "mail.log", true)).toBe(-1);
    const span = spans.spanCovering(T0 + MAX_GAP_MS / 2);
    expect(span?.first).toBe(T0);
    expect(span?.last).toBe(T0 + 3 * MAX_GAP_MS);
    expect(span?.parts).toEqual([{ mailLog: "mail.log", first: T0, last: T0 + 3 * MAX_GAP_MS }]);
  });

  it("extends the next span back in time", () => {
    const spans = spansOf([T0 + 2 * MAX_GAP_MS, "mail.log"], [T0, "mail.log.1"]);
    expect(spans.add(T0 + 2 * MAX_GAP_MS - MINUTE, "mail.log", true)).toBe(0);

    const span = spans.spanCovering(T0 + 2 * MAX_GAP_MS - MINUTE);
    expect(span?.first).toBe(T0 + 2 * MAX_GAP_MS - MINUTE);
    expect(spans.spanCovering(T0 + MAX_GAP_MS)).toBeNull();
  });

  it("merges touching spans of rotated files", () => {
    const rotation = T0 + 5 * MINUTE;
    const spans = spansOf(
      [T0, "mail.log.1"],
      [rotation - MINUTE, "mail.log.1"],
      [rotation + MINUTE, "mail.log"],
      [rotation + 8 * MINUTE, "mail.log"],
    );

    const span = spans.spanCovering(rotation);
    if (span === null) throw new Error("no span covers the rotation time");
    expect(span.first).toBe(T0);
    expect(span.last).toBe(rotation + 8 * MINUTE);
    expect(mailLogsAt(span, T0 + MINUTE)).toEqual(["mail.log.1"]);
    expect(mailLogsAt(span, rotation + 2 * MINUTE)).toEqual(["mail.log"]);
    expect(mailLogsAt(span, rotation)).toEqual(["mail.log.1", "mail.log"]);
  });

  it("stores no new span when it may not grow", () => {
    const spans = spansOf([T0, "mail.log"]);
    expect(spans.add(T0 + 2 * MAX_GAP_MS, "mail.log", false)).toBe(0);
    expect(spans.spanCovering(T0 + 2 * MAX_GAP_MS)).toBeNull();

    expect(spans.add(T0 + MINUTE, "mail.log", false)).toBe(0);
    expect(spans.spanCovering(T0 + MINUTE)?.last).toBe(T0 + MINUTE);
  });
});

describe("MailLogCopies", () => {
  it("names only the mail logs that cover copies", () => {
    const copies = new MailLogCopies();
    for (const [mailLog, start] of [
      ["mail.log.2", T0],
      ["mail.log", T0 + 48 * 60 * MINUTE],
    ] as const) {
      copies.startInput(mailLog);
      for (let minute = 0; minute < 60; minute += 5) {
        copies.observeMailRecord("mx1", start + minute * MINUTE);
      }
      copies.endInput();
      copies.addReadInput(mailLog);
    }

    copies.startInput("syslog.2");
    const covered = copies.spanCovering("mx1", T0 + 30 * MINUTE);
    if (covered === null) throw new Error("no span covers the copy");
    const mailLogs = mailLogsAt(covered, T0 + 30 * MINUTE);
    copies.countCopy({ mta: "postfix" }, T0 + 30 * MINUTE, mailLogs);
    expect(copies.spanCovering("mx1", T0 + 24 * 60 * MINUTE)).toBeNull();
    expect(copies.spanCovering("mx2", T0 + 30 * MINUTE)).toBeNull();
    expect(copies.endInput()).toBe(1);

    expect(copies.copies.map((copy) => [copy.name, copy.earlierInputs])).toEqual([
      ["syslog.2", ["mail.log.2"]],
    ]);
  });

  it("stops adding spans at its bound", () => {
    const copies = new MailLogCopies();
    copies.startInput("mail.log");
    const records = 100_001;
    const step = MAX_GAP_MS + 1;
    for (let index = 0; index < records; index++) {
      copies.observeMailRecord("mx1", T0 + index * step);
    }

    expect(copies.spanCovering("mx1", T0)).not.toBeNull();
    expect(copies.spanCovering("mx1", T0 + (records - 2) * step)).not.toBeNull();
    expect(copies.spanCovering("mx1", T0 + (records - 1) * step)).toBeNull();
  });
});
