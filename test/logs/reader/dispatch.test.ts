import { describe, expect, it } from "vitest";
import type { LogRecord, ParseOutcome, RecordParser } from "../../../src/logs/record.js";
import { OTHER_PROGRAMS, ParserDispatcher } from "../../../src/logs/reader/dispatch.js";

function record(program: string, message = "x", syslogHeader = true): LogRecord {
  return { time: 0, host: "mx1", program, pid: null, message, file: "f", line: 1, syslogHeader };
}

class FakeParser implements RecordParser {
  acceptsCalls = 0;
  namesMessage?: (text: string) => boolean;
  parsedMessages: string[] = [];
  finished = 0;
  constructor(
    private readonly prefix: string,
    private readonly outcome: (message: string) => ParseOutcome = () => "parsed",
  ) {}
  accepts(program: string): boolean {
    this.acceptsCalls += 1;
    return program.startsWith(this.prefix);
  }
  parse(item: LogRecord): ParseOutcome {
    this.parsedMessages.push(item.message);
    return this.outcome(item.message);
  }
  finish(): void {
    this.finished += 1;
  }
}

describe("ParserDispatcher", () => {
  it("hands records to the first parser that accepts them", () => {
    const postfix = new FakeParser("postfix/");
    const any = new FakeParser("");
    const dispatcher = new ParserDispatcher([postfix, any]);
    dispatcher.dispatch(record("postfix/smtp", "a"));
    dispatcher.dispatch(record("exim", "b"));
    expect(postfix.parsedMessages).toEqual(["a"]);
    expect(any.parsedMessages).toEqual(["b"]);
  });

  it("asks each parser once per program", () => {
    const postfix = new FakeParser("postfix/");
    const dispatcher = new ParserDispatcher([postfix]);
    for (let i = 0; i < 5; i++) dispatcher.dispatch(record("postfix/smtp"));
    for (let i = 0; i < 5; i++) dispatcher.dispatch(record("dovecot"));
    expect(postfix.acceptsCalls).toBe(2);
  });

  it("counts outcomes", () => {
    const parser = new FakeParser("", (message) => message as ParseOutcome);
    const dispatcher = new ParserDispatcher([parser]);
    for (const outcome of ["parsed", "parsed", "ignored", "unparsed"]) {
      dispatcher.dispatch(record("p", outcome));
    }
    expect([dispatcher.parsed, dispatcher.ignored, dispatcher.unparsed]).toEqual([2, 1, 1]);
  });

  it("counts programs without a parser, most first", () => {
    const dispatcher = new ParserDispatcher([new FakeParser("postfix/")]);
    expect(dispatcher.dispatch(record("dovecot"))).toBeNull();
    dispatcher.dispatch(record("opendkim"));
    dispatcher.dispatch(record("dovecot"));
    expect(dispatcher.withoutParser).toBe(3);
    expect(dispatcher.programsWithoutParser()).toEqual([
      { program: "dovecot", records: 2 },
      { program: "opendkim", records: 1 },
    ]);
  });

  it("bounds the programs it counts by name", () => {
    const dispatcher = new ParserDispatcher([]);
    for (let i = 0; i < 1005; i++) dispatcher.dispatch(record(`junk${i}`));
    const counts = dispatcher.programsWithoutParser();
    expect(counts).toHaveLength(1001);
    expect(counts[0]).toEqual({ program: OTHER_PROGRAMS, records: 5 });
  });

  it("counts a syslog double write once", () => {
    const parser = new FakeParser("exim");
    parser.namesMessage = () => true;
    const dispatcher = new ParserDispatcher([parser]);
    dispatcher.dispatch(record("exim", "1tAbCd-000001-Xy ** a@example.com: Unrouteable address"));
    dispatcher.dispatch(record("exim", "1tAbCd-000001-Xy ** a@example.com: Unrouteable address"));
    expect(parser.parsedMessages).toHaveLength(1);
    expect(dispatcher.duplicates).toBe(1);
  });

  it("keeps repeated lines without a syslog header", () => {
    const parser = new FakeParser("exim");
    parser.namesMessage = () => true;
    const dispatcher = new ParserDispatcher([parser]);
    const text = "1tAbCd-000001-Xy ** a@example.com: Unrouteable address";
    dispatcher.dispatch(record("exim", text, false));
    dispatcher.dispatch(record("exim", text, false));
    expect(parser.parsedMessages).toHaveLength(2);
    expect(dispatcher.duplicates).toBe(0);
  });

  it("finishes every parser", () => {
    const parsers = [new FakeParser("a"), new FakeParser("b")];
    new ParserDispatcher(parsers).finish();
    expect(parsers.map((parser) => parser.finished)).toEqual([1, 1]);
  });
});
