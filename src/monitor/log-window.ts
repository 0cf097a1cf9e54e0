import { LogAnalyser, type LogFacts } from "../analysis/analyser.js";
import { buildDiagnosis } from "../diagnose/diagnose.js";
import type { Diagnosis, InputReport } from "../diagnose/types.js";
import { LineFramer } from "../logs/framing/framer.js";
import { createLogParsers } from "../logs/parsers.js";
import { ParserDispatcher } from "../logs/reader/dispatch.js";
import { LineSplitter } from "../logs/reader/lines.js";
import type { LogRecord } from "../logs/record.js";
import { createReplyClassifier } from "../reply/classify.js";
import type { TimeZone } from "../time/zone.js";
import {
  FamilySplit,
  judgedIpsOf,
  type AddressFamily,
  type ProviderEvidence,
} from "./log-families.js";

/** The analysis of one log check. */
export interface LogWindowResult {
  readonly diagnosis: Diagnosis;
  /** The sending IPs named in the window's replies, each with the providers that named it. */
  readonly judgedIps: ReadonlyMap<string, ReadonlySet<string>>;
  /** The evidence of each relay address family, when the window was built to split it. */
  readonly families: Record<AddressFamily, ProviderEvidence> | null;
  /** The window's counts per provider, for what the diagnosis leaves out: the open failure run. */
  readonly providerFacts: LogFacts["providers"];
}

/**
 * The lines that one log check read, analysed as `delist diagnose` analyses a file: the same
 * framing, parsers, analyser and diagnosis, fed chunk by chunk instead of from whole files.
 */
export class LogWindow {
  private readonly classifier = createReplyClassifier();
  private readonly analyser = new LogAnalyser(this.classifier);
  private readonly families: FamilySplit | null;
  private readonly dispatcher = new ParserDispatcher(
    createLogParsers((event) => {
      this.analyser.handle(event);
      this.families?.handle(event);
    }),
  );
  private readonly framer: LineFramer;
  private splitter: LineSplitter | null = null;
  private readonly files: { name: string; lines: number; bytes: number }[] = [];
  private lines = 0;
  private records = 0;
  private unrecognised = 0;
  private blank = 0;

  /**
   * With `splitFamilies`, the window also analyses the delivery attempts of each address family
   * of the relay IP apart (see `FamilySplit`), for a server with one IPv4 and one IPv6 address.
   */
  constructor(
    private readonly timeZone: TimeZone,
    options: { readonly splitFamilies?: boolean } = {},
  ) {
    this.framer = new LineFramer({ timeZone });
    this.families =
      options.splitFamilies === true ? new FamilySplit(this.classifier, timeZone) : null;
  }

  /**
   * Adds bytes of `file`; `startFile` is true for the first chunk of a file. The files of one
   * log continue each other, so the year of classic syslog stamps carries over between them.
   */
  add(file: string, modifiedMs: number, chunk: Buffer, startFile: boolean): void {
    if (startFile || this.splitter === null) {
      this.endFile();
      this.framer.startFile(file, modifiedMs, this.files.length > 0);
      this.splitter = new LineSplitter(this.onLine);
      this.files.push({ name: file, lines: 0, bytes: 0 });
    }
    this.splitter.push(chunk);
    const current = this.files.at(-1);
    if (current !== undefined) current.bytes += chunk.length;
  }

  /**
   * Ends the window and returns the diagnosis of its lines, with the sending IPs that the
   * receivers' replies named (Gmail's `[192.0.2.1 15]`) and the providers that named each,
   * and with the evidence of each relay address family when the window splits them.
   */
  finish(now: number, version: string): LogWindowResult {
    this.endFile();
    this.dispatcher.finish();
    const facts = this.analyser.finish();
    const diagnosis = buildDiagnosis(facts, {
      input: this.inputReport(),
      timeZone: this.timeZone,
      version,
      now,
    });
    return {
      diagnosis,
      judgedIps: judgedIpsOf(facts),
      families: this.families?.finish() ?? null,
      providerFacts: facts.providers,
    };
  }

  private endFile(): void {
    if (this.splitter === null) return;
    this.splitter.end();
    const current = this.files.at(-1);
    if (current !== undefined) current.lines = this.splitter.lines;
    this.lines += this.splitter.lines;
    this.splitter = null;
  }

  private readonly onLine = (text: string, line: number): void => {
    const outcome = this.framer.frame(text, line, this.onRecord);
    if (outcome === "blank") this.blank += 1;
    else if (outcome === "unrecognised") this.unrecognised += 1;
  };

  private readonly onRecord = (record: LogRecord): void => {
    this.records += 1;
    this.dispatcher.dispatch(record);
  };

  private inputReport(): InputReport {
    return {
      files: this.files.map((file) => ({ ...file, kind: "plain", error: null })),
      timeZone: this.timeZone.name,
      firstTime: null,
      lastTime: null,
      lines: this.lines,
      records: this.records,
      parsed: this.dispatcher.parsed,
      ignored: this.dispatcher.ignored,
      unparsed: this.dispatcher.unparsed,
      unrecognised: this.unrecognised,
      blank: this.blank,
      otherPrograms: {},
      overlong: 0,
      withNul: 0,
      evictedMessages: this.dispatcher.evictedMessages(),
      mtas: [],
      skippedSamples: [],
      bounces: null,
      notes: [],
    };
  }
}
