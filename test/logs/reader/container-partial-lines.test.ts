import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { DeliveryEvent, LogEvent } from "../../../src/logs/events.js";
import type { RecordParser } from "../../../src/logs/record.js";
import { readLogs } from "../../../src/logs/pipeline.js";
import { createPostfixParser } from "../../../src/logs/postfix/index.js";
import type { ReadSummary, ReadTotals } from "../../../src/logs/reader/summary.js";
import { createReplyClassifier } from "../../../src/reply/classify.js";
import { resolveTimeZone } from "../../../src/time/zone.js";
import { makeTempDir, type TempDir } from "./temp-dir.js";

// CRI and json-file container logs with a long Postfix delivery line that the runtime split
// into parts of 16 KiB, as containerd and Docker do by default, read through `readLogs`.

const PART_CHARS = 16 * 1024;
const LINE_CHARS = 40 * 1024;
const RUNTIME_TIME = "2024-03-04T09:15:02.123456789Z";
const MARCH_2024 = Date.UTC(2024, 2, 10);

const REPLY_HEAD = "550-5.7.1 [203.0.113.10] Our system has detected that this message is likely";
// The reason and the trailer that name Gmail's block come last, so a line cut at the first
// part loses them.
const REPLY_TAIL =
  "550-5.7.1 suspicious due to the very low reputation of the sending domain. " +
  "550 5.7.1 g7si8 - gsmtp";

let dir: TempDir;
beforeEach(async () => {
  dir = await makeTempDir();
});
afterEach(async () => {
  await dir.remove();
});

// A Postfix bounce to `recipient` of `chars` chars whose reply from Gmail is padded in its
// middle with continuation lines, as a receiver's long reply text is.
function deliveryLine(recipient: string, chars: number): string {
  const head =
    `Mar  4 09:15:02 mx1 postfix/smtp[2007]: 3F1A2B0103: to=<${recipient}>, ` +
    "relay=gmail-smtp-in.l.google.com[192.0.2.25]:25, delay=1.2, " +
    "delays=0.1/0/0.5/0.6, dsn=5.7.1, status=bounced (host " +
    `gmail-smtp-in.l.google.com[192.0.2.25] said: ${REPLY_HEAD} `;
  const tail = `${REPLY_TAIL} (in reply to end of DATA command))`;
  const filler = "550-5.7.1 x ";
  const room = Math.max(0, chars - head.length - tail.length);
  const fillers = Math.floor(room / filler.length);
  const padding = filler.repeat(fillers) + " ".repeat(room - fillers * filler.length);
  return head + padding + tail;
}

function partsOf(line: string): string[] {
  const parts: string[] = [];
  for (let start = 0; start < line.length; start += PART_CHARS) {
    parts.push(line.slice(start, start + PART_CHARS));
  }
  return parts;
}

// The CRI lines of `line` on `stream`: all parts but the last tagged `P`, unless `complete`
// is false, which leaves out the last part as a container that stopped would.
function criLines(line: string, stream = "stdout", complete = true): string[] {
  const parts = partsOf(line);
  const lines = parts.map((part, index) => {
    const tag = index === parts.length - 1 ? "F" : "P";
    return `${RUNTIME_TIME} ${stream} ${tag} ${part}`;
  });
  return complete ? lines : lines.slice(0, -1);
}

function jsonFileLines(line: string, stream = "stdout"): string[] {
  const parts = partsOf(line);
  return parts.map((part, index) => {
    const log = index === parts.length - 1 ? `${part}\n` : part;
    return JSON.stringify({ log, stream, time: RUNTIME_TIME });
  });
}

interface Read {
  readonly summary: ReadSummary;
  readonly deliveries: DeliveryEvent[];
}

async function readFiles(
  files: readonly (readonly [string, readonly string[]])[],
  maxLineBytes?: number,
  parser?: RecordParser,
): Promise<Read> {
  for (const [name, lines] of files) {
    await dir.write(name, `${lines.join("\n")}\n`, MARCH_2024);
  }
  const events: LogEvent[] = [];
  const parsers = [parser ?? createPostfixParser((event) => events.push(event))];
  const names = files.map(([name]) => name);
  const summary = await readLogs(names, parsers, {
    timeZone: resolveTimeZone("UTC"),
    cwd: dir.path,
    maxLineBytes,
  });
  const deliveries = events.filter((event) => event.type === "delivery");
  return { summary, deliveries };
}

// Every line is counted once: the counts after `lines` add up to it.
function expectLinesAddUp(totals: ReadTotals): void {
  const counted =
    totals.parsed +
    totals.ignored +
    totals.unparsed +
    totals.unrecognised +
    totals.blank +
    totals.withoutParser;
  expect(counted).toBe(totals.lines);
}

const classifier = createReplyClassifier();

function classify(event: DeliveryEvent | undefined) {
  return classifier.explain(event?.response ?? "", {
    relayHost: event?.relayHost ?? null,
    recipient: event?.recipient ?? null,
    dsn: event?.dsn ?? null,
  });
}

describe("split container lines", () => {
  const line = deliveryLine("reader@gmail.com", LINE_CHARS);
  const shortLine = deliveryLine("reader@gmail.com", 0);

  it("builds a 40 KiB line of 3 parts", () => {
    expect(line).toHaveLength(LINE_CHARS);
    expect(partsOf(line)).toHaveLength(3);
    expect(criLines(line).map((text) => text.split(" ")[2])).toEqual(["P", "P", "F"]);
  });

  for (const [format, lines] of [
    ["CRI", criLines(line)],
    ["json-file", jsonFileLines(line)],
  ] as const) {
    it(`classifies a ${format} reply of 3 parts`, async () => {
      const { summary, deliveries } = await readFiles([["postfix.log", lines]]);
      const short = await readFiles([["short.log", [shortLine]]]);

      expect(deliveries).toHaveLength(1);
      const delivery = deliveries[0];
      expect(delivery?.recipient).toBe("reader@gmail.com");
      expect(delivery?.status).toBe("bounced");
      expect(delivery?.position.line).toBe(1);
      expect(delivery?.response).toContain(REPLY_TAIL);
      const reply = classify(delivery);
      const shortReply = classify(short.deliveries[0]);
      expect(reply.category).toBe("reputation");
      expect(reply.provider).toBe("gmail");
      expect(reply.ruleId).toBe(shortReply.ruleId);

      const totals = summary.totals;
      expect(totals.lines).toBe(3);
      expect(totals.records).toBe(1);
      expect(totals.joinedPartialLines).toBe(2);
      expect(totals.unrecognised).toBe(0);
      expect(totals.overlong).toBe(0);
      expectLinesAddUp(totals);
    });
  }

  it("keeps interleaved CRI streams apart", async () => {
    const out = criLines(deliveryLine("out@gmail.com", LINE_CHARS), "stdout");
    const err = criLines(deliveryLine("err@gmail.com", LINE_CHARS), "stderr");
    const interleaved = out.flatMap((text, index) => [text, err[index] ?? ""]);
    const { summary, deliveries } = await readFiles([["postfix.log", interleaved]]);

    expect(deliveries.map((event) => event.recipient)).toEqual(["out@gmail.com", "err@gmail.com"]);
    expect(deliveries.map((event) => event.position.line)).toEqual([1, 2]);
    for (const delivery of deliveries) {
      expect(classify(delivery).category).toBe("reputation");
    }
    expect(summary.totals.joinedPartialLines).toBe(4);
    expect(summary.totals.unrecognised).toBe(0);
    expectLinesAddUp(summary.totals);
  });

  it("keeps interleaved json-file streams apart", async () => {
    const out = jsonFileLines(deliveryLine("out@gmail.com", LINE_CHARS), "stdout");
    const err = jsonFileLines(deliveryLine("err@gmail.com", LINE_CHARS), "stderr");
    const interleaved = err.flatMap((text, index) => [text, out[index] ?? ""]);
    const { summary, deliveries } = await readFiles([["postfix.log", interleaved]]);

    expect(deliveries.map((event) => event.recipient)).toEqual(["err@gmail.com", "out@gmail.com"]);
    expect(summary.totals.joinedPartialLines).toBe(4);
    expect(summary.totals.unrecognised).toBe(0);
    expectLinesAddUp(summary.totals);
  });

  it("reads a trailing CRI partial line", async () => {
    const { summary, deliveries } = await readFiles([
      ["postfix.log", criLines(line, "stdout", false)],
    ]);

    // The reply lost its last part, but the line is read and counted as one record.
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0]?.recipient).toBe("reader@gmail.com");
    expect(deliveries[0]?.position.line).toBe(1);
    const totals = summary.totals;
    expect(totals.lines).toBe(2);
    expect(totals.records).toBe(1);
    expect(totals.joinedPartialLines).toBe(1);
    expect(totals.unrecognised).toBe(0);
    expectLinesAddUp(totals);
  });

  it("reads a trailing json-file partial line", async () => {
    const lines = jsonFileLines(line).slice(0, -1);
    const { summary, deliveries } = await readFiles([["postfix.log", lines]]);

    expect(deliveries).toHaveLength(1);
    expect(summary.totals.records).toBe(1);
    expect(summary.totals.joinedPartialLines).toBe(1);
    expectLinesAddUp(summary.totals);
  });

  it("joins no CRI parts across files", async () => {
    const lines = criLines(line);
    const { summary, deliveries } = await readFiles([
      ["a.log", lines.slice(0, 2)],
      ["b.log", lines.slice(2)],
    ]);

    // a.log's line is read without its last part, which b.log has as a line of its own.
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0]?.position.file).toBe("a.log");
    const totals = summary.totals;
    expect(totals.lines).toBe(3);
    expect(totals.joinedPartialLines).toBe(1);
    expect(totals.unrecognised).toBe(1);
    expect(summary.unrecognisedSamples[0]?.file).toBe("b.log");
    expectLinesAddUp(totals);
  });

  it("cuts a CRI join past the maximum", async () => {
    const maxLineBytes = 20 * 1024;
    const { summary, deliveries } = await readFiles(
      [["postfix.log", criLines(line)]],
      maxLineBytes,
    );

    expect(deliveries).toHaveLength(1);
    expect(deliveries[0]?.response?.includes(REPLY_TAIL)).toBe(false);
    const totals = summary.totals;
    expect(totals.overlong).toBe(1);
    expect(totals.records).toBe(1);
    expect(totals.joinedPartialLines).toBe(2);
    expectLinesAddUp(totals);
  });

  it("cuts a json-file join past the maximum", async () => {
    const longLine = deliveryLine("reader@gmail.com", 100 * 1024);
    const { summary, deliveries } = await readFiles([["postfix.log", jsonFileLines(longLine)]]);

    expect(deliveries).toHaveLength(1);
    const totals = summary.totals;
    expect(totals.lines).toBe(7);
    expect(totals.overlong).toBe(1);
    expect(totals.joinedPartialLines).toBe(6);
    expectLinesAddUp(totals);
  });

  it("samples a skipped line from its first part", async () => {
    const text = `GET /health ${"x".repeat(LINE_CHARS)}`;
    const lines = ["starting", ...criLines(text)];
    const { summary } = await readFiles([["postfix.log", lines]]);

    expect(summary.totals.unrecognised).toBe(2);
    expect(summary.totals.joinedPartialLines).toBe(2);
    const samples = summary.unrecognisedSamples;
    expect(samples.map((sample) => sample.line)).toEqual([1, 2]);
    expect(samples[1]?.text.startsWith("GET /health xxx")).toBe(true);
  });

  it("samples an unparsed line from its first part", async () => {
    const unparsed: RecordParser = {
      accepts: (program) => program === "postfix/smtp",
      parse: () => "unparsed",
      finish: () => undefined,
    };
    const { summary } = await readFiles([["postfix.log", criLines(line)]], undefined, unparsed);

    expect(summary.totals.unparsed).toBe(1);
    const sample = summary.unparsedSamples[0];
    expect(sample?.line).toBe(1);
    expect(sample?.text.startsWith("Mar  4 09:15:02 mx1 postfix/smtp[2007]: 3F1A2B0103:")).toBe(
      true,
    );
  });

  it("joins a part after a NUL run", async () => {
    const [first = "", ...rest] = criLines(line);
    // A crash cut the record before the NULs, and the runtime's first part follows them.
    const crashed = `${RUNTIME_TIME} stdout F cut record\u0000\u0000\u0000${first}`;
    const { summary, deliveries } = await readFiles([["postfix.log", [crashed, ...rest]]]);

    expect(deliveries).toHaveLength(1);
    expect(classify(deliveries[0]).category).toBe("reputation");
    const totals = summary.totals;
    expect(totals.nulCutRecords).toBe(1);
    expect(totals.joinedPartialLines).toBe(2);
    expect(totals.unrecognised).toBe(0);
    expectLinesAddUp(totals);
  });
});
