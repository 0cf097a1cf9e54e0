import { LogAnalyser, type LogFacts } from "../analysis/analyser.js";
import { ProviderResolver } from "../analysis/provider-resolver.js";
import { deliveryProvider } from "../analysis/relay-host.js";
import { buildDiagnosis } from "../diagnose/diagnose.js";
import type { Diagnosis, InputReport } from "../diagnose/types.js";
import { LineFramer, type FrameOutcome } from "../logs/framing/framer.js";
import { createLogParsers } from "../logs/parsers.js";
import { ParserDispatcher } from "../logs/reader/dispatch.js";
import { ReplayedLines } from "../logs/reader/replayed-lines.js";
import {
  ByteLineSplitter,
  checkMaxLineBytes,
  CUT_BY_NUL_RUN,
  DEFAULT_MAX_LINE_BYTES,
  NO_NUL,
  textAfterInnerNulRun,
  type NulMark,
} from "../logs/reader/lines.js";
import { relayHostLabel } from "../knowledge/providers.js";
import type { DeliveryEvent, LogEvent } from "../logs/events.js";
import type { LogRecord } from "../logs/record.js";
import { createReplyClassifier } from "../reply/classify.js";
import type { TimeZone } from "../time/zone.js";
import { AcceptanceTimes, isFailedAttempt } from "./lift-progress.js";
import {
  ADDRESS_FAMILIES,
  addressFamilyOf,
  FamilySplit,
  judgedIpsOf,
  type AddressFamily,
  type ProviderEvidence,
} from "./log-families.js";
import { SourceTracker, type SourceWindow } from "./log-sources.js";

/** The analysis of one log check. */
export interface LogWindowResult {
  readonly diagnosis: Diagnosis;
  /** The sending IPs named in the window's replies, each with the providers that named it. */
  readonly judgedIps: ReadonlyMap<string, ReadonlySet<string>>;
  /** The evidence of each relay address family, when the window was built to split it. */
  readonly families: Record<AddressFamily, ProviderEvidence> | null;
  /** The window's counts per provider, for what the diagnosis leaves out: the open failure run. */
  readonly providerFacts: LogFacts["providers"];
  /**
   * The latest deliveries that each provider's own MX accepted, by provider, and that each
   * relay host accepted, by `relayHostBucket`. When the window splits families, also by
   * `acceptanceBucket`.
   */
  readonly acceptances: AcceptanceTimes;
  /** The outgoing sources the window showed, or null when it was built without tracking them. */
  readonly sources: SourceWindow | null;
  /** Time of the window's first log line (ms since the epoch), or null when none has a time. */
  readonly firstTime: number | null;
  /** Time of the window's latest log line (ms since the epoch), or null when none has a time. */
  readonly lastTime: number | null;
}

/**
 * Returns the bucket of `AcceptanceTimes` that contains a provider's acceptances: the provider, or
 * the relay address family and the provider.
 */
export function acceptanceBucket(provider: string, family: AddressFamily | null = null): string {
  return family === null ? provider : `${family} ${provider}`;
}

/**
 * Returns the owner under which `acceptanceBucket` counts the deliveries of the relay host
 * `label` (`relayHostLabel`, as in `ProviderVerdict.relayHost`). The label, unlike the row key
 * `relay-host`, names the same relay host in every window.
 */
export function relayHostBucket(label: string): string {
  return `relay-host ${label}`;
}

/**
 * Returns the relay host label of a delivery that the analysis counts in a relay host's row
 * (see `deliveryProvider`), or null for any other delivery.
 */
function relayHostOf(event: DeliveryEvent, resolver: ProviderResolver): string | null {
  if (deliveryProvider(event, resolver) !== "relay-host") return null;
  // A line that names neither host nor IP has no label to count under, so it is not counted.
  return relayHostLabel(event.relayHost, event.relayIp, event.relayPort);
}

/**
 * The lines that one log check read, analysed as `delist diagnose` analyses a file: the same
 * framing, parsers, analyser and diagnosis, fed chunk by chunk instead of from whole files.
 */
export class LogWindow {
  private readonly classifier = createReplyClassifier();
  private readonly analyser = new LogAnalyser(this.classifier);
  private readonly families: FamilySplit | null;
  private readonly sources: SourceTracker | null;
  private readonly resolver = new ProviderResolver();
  private readonly acceptances = new AcceptanceTimes();
  private readonly dispatcher = new ParserDispatcher(
    createLogParsers((event) => {
      this.analyser.handle(event);
      this.families?.handle(event);
      this.sources?.handle(event);
      this.addAcceptance(event);
    }),
  );
  private readonly framer: LineFramer;
  private readonly maxLineBytes: number;
  private splitter: ByteLineSplitter | null = null;
  private readonly files: { name: string; lines: number; bytes: number }[] = [];
  private lines = 0;
  private records = 0;
  private unrecognised = 0;
  private blank = 0;
  private overlong = 0;
  private withNul = 0;
  private nulCutRecords = 0;
  private joinedPartialLines = 0;
  private readonly replays = new ReplayedLines();
  // The bytes of the line being framed, which `replays` compares.
  private readonly framedLine: { buffer: Buffer; start: number; end: number } = {
    buffer: Buffer.alloc(0),
    start: 0,
    end: 0,
  };

  /**
   * With `splitFamilies`, the window also analyses the delivery attempts of each address family
   * of the relay IP apart (see `FamilySplit`), for a server with one IPv4 and one IPv6 address.
   * With `trackSources`, it also records what ties each outgoing source to a sending IP (see
   * `SourceTracker`), for a log whose mail leaves from several IPs. `maxLineBytes` is the
   * line limit in bytes, as in `delist diagnose` (default `DEFAULT_MAX_LINE_BYTES`).
   *
   * @throws RangeError unless `maxLineBytes` is a positive integer.
   */
  constructor(
    private readonly timeZone: TimeZone,
    options: {
      readonly splitFamilies?: boolean;
      readonly trackSources?: boolean;
      readonly maxLineBytes?: number;
    } = {},
  ) {
    this.maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
    checkMaxLineBytes(this.maxLineBytes);
    this.framer = new LineFramer({ timeZone, maxLineBytes: this.maxLineBytes });
    this.families =
      options.splitFamilies === true ? new FamilySplit(this.classifier, timeZone) : null;
    this.sources =
      options.trackSources === true
        ? new SourceTracker(this.classifier, this.resolver, this.acceptances)
        : null;
  }

  /**
   * Adds bytes of `file`; `startFile` is true for the first chunk of a file. The files of one
   * log continue each other, so the year of classic syslog stamps carries over between them.
   */
  add(file: string, modifiedMs: number, chunk: Buffer, startFile: boolean): void {
    if (startFile || this.splitter === null) {
      this.endFile();
      this.framer.startFile(file, modifiedMs, this.files.length > 0);
      this.replays.startFile();
      this.splitter = new ByteLineSplitter(this.onLine, this.maxLineBytes);
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
      acceptances: this.acceptances,
      sources: this.sources?.finish() ?? null,
      firstTime: facts.firstTime,
      lastTime: facts.lastTime,
    };
  }

  /**
   * Records a delivery that a provider's own MX or a relay host accepted, or a delivery attempt
   * that it did not accept. As in the diagnosis, mail handed to a relay host such as a smarthost
   * does not show that the recipient's provider accepts this server's mail, but any failed
   * attempt counts against a lift. A failed attempt whose line names no relay IP counts for both
   * address families.
   */
  private addAcceptance(event: LogEvent): void {
    if (event.type !== "delivery") return;
    if (event.status !== "sent") {
      if (isFailedAttempt(event)) this.addFailure(event);
      return;
    }
    // A relay host is the receiver of its own row, so its acceptances count for its block, as
    // in the diagnosis.
    const relayHost = relayHostOf(event, this.resolver);
    if (relayHost !== null) {
      this.addAcceptanceTo(relayHostBucket(relayHost), event);
      return;
    }
    if (this.resolver.relayProvider(event.relayHost) === null) return;
    this.addAcceptanceTo(this.resolver.resolve(event.relayHost, event.recipient), event);
  }

  private addAcceptanceTo(owner: string, event: DeliveryEvent): void {
    this.acceptances.add(acceptanceBucket(owner), event.time);
    if (this.families === null) return;
    const family = addressFamilyOf(event.relayIp);
    if (family !== null) this.acceptances.add(acceptanceBucket(owner, family), event.time);
  }

  /**
   * Records a failed attempt for the recipient's provider and, for mail handed to a relay host,
   * for that relay host too.
   */
  private addFailure(event: DeliveryEvent): void {
    this.addFailureTo(this.resolver.resolve(event.relayHost, event.recipient), event);
    const relayHost = relayHostOf(event, this.resolver);
    if (relayHost !== null) this.addFailureTo(relayHostBucket(relayHost), event);
  }

  private addFailureTo(owner: string, event: DeliveryEvent): void {
    this.acceptances.addFailure(acceptanceBucket(owner), event.time);
    if (this.families === null) return;
    const family = addressFamilyOf(event.relayIp);
    for (const each of family === null ? ADDRESS_FAMILIES : [family]) {
      this.acceptances.addFailure(acceptanceBucket(owner, each), event.time);
    }
  }

  private endFile(): void {
    if (this.splitter === null) return;
    this.splitter.end();
    this.frameOpenLines();
    const current = this.files.at(-1);
    if (current !== undefined) current.lines = this.splitter.lines;
    this.lines += this.splitter.lines;
    this.overlong += this.splitter.overlongLines;
    this.withNul += this.splitter.nulLines;
    this.splitter = null;
  }

  private readonly onLine = (
    buffer: Buffer,
    start: number,
    end: number,
    line: number,
    nul: NulMark,
  ): void => {
    if (nul === NO_NUL) this.frameLine(buffer, start, end, line);
    else this.frameNulLine(buffer, start, end, line, nul);
  };

  // Frames a line with NULs as `delist diagnose` does. A crash can cut the record being written
  // and leave NULs after it, and the first record written after the restart then follows on
  // the same line. The cut record is counted in `nulCutRecords` and not framed, and the text
  // after the run is framed as the line. A line whose text after its last NUL run frames as no
  // record is framed whole.
  private frameNulLine(
    buffer: Buffer,
    start: number,
    end: number,
    line: number,
    nul: NulMark,
  ): void {
    if (nul === CUT_BY_NUL_RUN) {
      this.nulCutRecords += 1;
      return;
    }
    const after = textAfterInnerNulRun(buffer, start, end);
    const outcome = after > start ? this.frameBytes(buffer, after, end, line) : null;
    if (outcome === "record" || outcome === "partial") {
      this.nulCutRecords += 1;
      if (outcome === "partial") this.joinedPartialLines += 1;
      return;
    }
    this.frameLine(buffer, start, end, line);
  }

  private frameLine(buffer: Buffer, start: number, end: number, line: number): void {
    this.countOutcome(this.frameBytes(buffer, start, end, line));
  }

  // Frames the container log lines whose last part the file did not contain, as `delist
  // diagnose` does. Each counts as the line its parts make, in place of its last part.
  private frameOpenLines(): void {
    const framed = this.framedLine;
    for (const open of this.framer.takeOpenLines()) {
      this.joinedPartialLines -= 1;
      framed.buffer = Buffer.from(open.text, "latin1");
      framed.start = 0;
      framed.end = framed.buffer.length;
      this.countOutcome(this.framer.frameOpenLine(open, this.onRecord));
    }
  }

  private countOutcome(outcome: FrameOutcome): void {
    if (outcome === "blank") this.blank += 1;
    else if (outcome === "unrecognised") this.unrecognised += 1;
    else if (outcome === "partial") this.joinedPartialLines += 1;
  }

  // Frames the bytes `buffer[start, end)` and keeps where they are for `onRecord`.
  private frameBytes(buffer: Buffer, start: number, end: number, line: number): FrameOutcome {
    const framed = this.framedLine;
    framed.buffer = buffer;
    framed.start = start;
    framed.end = end;
    return this.framer.frameBytes(buffer, start, end, line, this.onRecord);
  }

  private readonly onRecord = (record: LogRecord): void => {
    const line = this.framedLine;
    if (
      record.fromRepeatMarker !== true &&
      this.replays.isRepeat(record.time, record.host, line.buffer, line.start, line.end)
    ) {
      return;
    }
    this.records += 1;
    this.dispatcher.dispatch(record);
  };

  private inputReport(): InputReport {
    return {
      files: this.files.map((file) => ({ ...file, kind: "plain", copiedLines: 0, error: null })),
      timeZone: this.timeZone.name,
      firstTime: null,
      lastTime: null,
      lines: this.lines,
      records: this.records,
      parsed: this.dispatcher.parsed,
      ignored: this.dispatcher.ignored + this.joinedPartialLines,
      unparsed: this.dispatcher.unparsed,
      unrecognised: this.unrecognised,
      blank: this.blank,
      otherPrograms: {},
      copiedLines: 0,
      overlong: this.overlong + this.framer.overlongJoinedLines,
      withNul: this.withNul + this.framer.escapedNulLineCount,
      nulCutRecords: this.nulCutRecords,
      repeatMarkerRecords: this.framer.repeatMarkerRecords,
      exactRepeatLines: this.replays.repeats,
      // NOTE: the monitor does not set aside lines dated before 1990 or in the future.
      clockFaultLines: 0,
      evictedMessages: this.dispatcher.evictedMessages(),
      repeatedDeliveryLines: this.dispatcher.repeatedDeliveryLines(),
      mtas: [],
      skippedSamples: [],
      bounces: null,
      notes: [],
    };
  }
}
