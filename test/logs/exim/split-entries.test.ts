import { describe, expect, test } from "vitest";
import type { DeliveryEvent, LogEvent, RejectEvent } from "../../../src/logs/events.js";
import { createEximParser, type EximParser } from "../../../src/logs/exim/index.js";
import { MAX_JOINED_PARTS } from "../../../src/logs/exim/part-joiner.js";
import { diagnoseText } from "../../helpers/diagnose-text.js";
import { runParser, type ParserRun } from "./frame.js";

const ID = "1rhA2b-000Abc-1x";
const HEAD = "Mar  4 09:50:00 mx1 exim";

/** A long 550 5.7.1 reply in Gmail's words, whose end a cut after part 1 would lose. */
const LONG_REPLY =
  "550-5.7.1 [192.0.2.1] Our system has detected that this message is likely unsolicited " +
  "mail. To reduce the amount of spam sent to Gmail, this message has been blocked. Please " +
  "review our Bulk Email Senders Guidelines.";

const BOUNCE =
  `${ID} ** bob@gmail.com R=dnslookup T=remote_smtp H=gmail-smtp-in.l.google.com ` +
  `[192.0.2.200]: SMTP error from remote mail server after end of data: ${LONG_REPLY}`;

const REJECT =
  "H=(client.example.net) [192.0.2.9] F=<a@example.com> rejected RCPT <b@example.org>: " +
  LONG_REPLY;

/** Runs Exim's parser on `lines`, framed with the year 2024, and returns the run and parser. */
function parse(lines: readonly string[]): { run: ParserRun; parser: EximParser } {
  let parser: EximParser | null = null;
  const run = runParser(
    (sink) => {
      parser = createEximParser(sink);
      return parser;
    },
    lines,
    { year: 2024 },
  );
  if (parser === null) throw new Error("parser not created");
  return { run, parser };
}

/** Cuts `text` into syslog parts of `width` characters, split within one line (`/`). */
function splitParts(text: string, width: number, pid = 77, head = HEAD): string[] {
  const parts: string[] = [];
  for (let start = 0; start < text.length; start += width) {
    parts.push(text.slice(start, start + width));
  }
  return parts.map((part, at) => `${head}[${pid}]: [${at + 1}/${parts.length}] ${part}`);
}

function deliveries(events: readonly LogEvent[]): DeliveryEvent[] {
  return events.filter((event): event is DeliveryEvent => event.type === "delivery");
}

function rejects(events: readonly LogEvent[]): RejectEvent[] {
  return events.filter((event): event is RejectEvent => event.type === "reject");
}

describe("Exim split syslog entries", () => {
  test("joins a long bounce line", () => {
    const { run, parser } = parse(splitParts(BOUNCE, 120));
    const [delivery, ...rest] = deliveries(run.events);

    expect(rest).toEqual([]);
    expect(delivery?.status).toBe("bounced");
    expect(delivery?.recipient).toBe("bob@gmail.com");
    expect(delivery?.response).toContain(LONG_REPLY);
    expect(delivery?.position.line).toBe(1);
    expect(run.outcomes).toEqual({ parsed: 1, ignored: 3, unparsed: 0 });
    expect(parser.incompleteSplitLines).toBe(0);
  });

  test("joins a long reject reply", () => {
    const { run } = parse(splitParts(REJECT, 100));
    const [reject, ...rest] = rejects(run.events);

    expect(rest).toEqual([]);
    expect(reject?.stage).toBe("RCPT");
    expect(reject?.recipient).toBe("b@example.org");
    expect(reject?.response).toContain(LONG_REPLY);
    expect(run.outcomes.unparsed).toBe(0);
  });

  test("leaves out reject-log header lines", () => {
    const lines = [
      `${HEAD}[78]: [1\\4] H=(client.example.net) [192.0.2.9] F=<a@example.com> rejected after DATA: 550 5.7.1 Message content rejected`,
      `${HEAD}[78]: [2\\4] Envelope-from: <a@example.com>`,
      `${HEAD}[78]: [3\\4] Envelope-to: <b@example.org>`,
      `${HEAD}[78]: [4/4] P Received: from [192.0.2.9] by mx1.example.com`,
    ];
    const { run, parser } = parse(lines);
    const [reject, ...rest] = rejects(run.events);

    expect(rest).toEqual([]);
    expect(reject?.stage).toBe("DATA");
    expect(reject?.response).toBe("550 5.7.1 Message content rejected");
    expect(run.outcomes).toEqual({ parsed: 1, ignored: 3, unparsed: 0 });
    expect(parser.incompleteSplitLines).toBe(0);
  });

  test("joins parts with other lines between", () => {
    const parts = splitParts(BOUNCE, 200);
    const other = splitParts(REJECT, 200, 78);
    const lines: string[] = [];
    for (let at = 0; at < Math.max(parts.length, other.length); at += 1) {
      lines.push(...[parts[at], other[at]].filter((line) => line !== undefined));
      lines.push(`${HEAD}[120]: 1rhA3c-000Abd-2y Completed`);
    }
    const { run } = parse(lines);

    expect(deliveries(run.events).map((event) => event.response)).toEqual([
      expect.stringContaining(LONG_REPLY),
    ]);
    expect(rejects(run.events).map((event) => event.response)).toEqual([
      expect.stringContaining(LONG_REPLY),
    ]);
    expect(run.outcomes.unparsed).toBe(0);
  });

  test("keeps parts of other hosts apart", () => {
    const [first, second] = splitParts(REJECT, REJECT.length - 40);
    const lines = [first ?? "", (second ?? "").replace(" mx1 ", " mx2 ")];
    const { run, parser } = parse(lines);
    const [reject] = rejects(run.events);

    expect(reject?.response).not.toContain(LONG_REPLY);
    expect(run.outcomes.unparsed).toBe(1);
    expect(parser.incompleteSplitLines).toBe(1);
  });

  test("counts a part after the window", () => {
    const [first, second] = splitParts(BOUNCE, BOUNCE.length - 40);
    const late = (second ?? "").replace("09:50:00", "09:50:06");
    const { run, parser } = parse([first ?? "", late]);
    const [delivery, ...rest] = deliveries(run.events);

    expect(rest).toEqual([]);
    expect(delivery?.status).toBe("bounced");
    expect(delivery?.response).not.toContain(LONG_REPLY);
    expect(run.outcomes.unparsed).toBe(1);
    expect(parser.incompleteSplitLines).toBe(1);
  });

  test("counts a part missing at end", () => {
    const parts = splitParts(BOUNCE, 120);
    const { run, parser } = parse(parts.slice(0, -1));

    expect(deliveries(run.events)).toHaveLength(1);
    expect(run.outcomes.unparsed).toBe(0);
    expect(parser.incompleteSplitLines).toBe(1);
  });

  test("reads part 1 alone past the part limit", () => {
    const width = 100;
    const text = `${REJECT} ${"x".repeat(MAX_JOINED_PARTS * width - REJECT.length)}`;
    const parts = splitParts(text, width);
    const { run, parser } = parse(parts.slice(0, 2));
    const [reject, ...rest] = rejects(run.events);

    expect(parts).toHaveLength(MAX_JOINED_PARTS + 1);
    expect(rest).toEqual([]);
    expect(reject?.recipient).toBe("b@example.org");
    expect(reject?.response).not.toContain(LONG_REPLY);
    expect(run.outcomes).toEqual({ parsed: 1, ignored: 0, unparsed: 1 });
    expect(parser.incompleteSplitLines).toBe(0);
  });
});

describe("Exim split entries in diagnose", () => {
  test("notes a line missing parts", async () => {
    const parts = splitParts(BOUNCE, 120);
    const diagnosis = await diagnoseText(`${parts.slice(0, -1).join("\n")}\n`, { year: 2024 });
    const notes = diagnosis.input.notes.filter((note) => note.includes("numbered parts"));

    expect(notes).toEqual([
      "Exim sent 1 line to syslog in numbered parts that never all came (a part out of order, " +
        "more than 5 seconds after part 1, or missing). Each was read from the parts that " +
        "came, so a reply or reason in it may be cut.",
    ]);
    expect(diagnosis.input.unparsed).toBe(0);
  });

  test("no note when parts join", async () => {
    const diagnosis = await diagnoseText(`${splitParts(BOUNCE, 120).join("\n")}\n`, {
      year: 2024,
    });

    expect(diagnosis.input.notes.filter((note) => note.includes("numbered parts"))).toEqual([]);
    expect(diagnosis.input.unparsed).toBe(0);
  });
});
