/**
 * Copies of mail log lines in general logs. rsyslog on Debian and Ubuntu writes every line of
 * the mail facility to /var/log/mail.log and again to /var/log/syslog, and older setups also
 * write copies or subsets to mail.info, mail.warn and mail.err. When a run has both kinds of
 * file, the mail logs are read first. A record of a general log is then left out when its
 * time lies in a span of its host's mail log records (see `HostSpans`). It must also be an MTA
 * record, or a record of a program (OpenDKIM, Dovecot, spamd) that wrote to that mail log.
 *
 * Exim's own log files follow the same rule. Exim writes the first line of each entry of its
 * reject log, and usually each line of its panic log, to the main log as well (Exim
 * specification, chapter "Log files"). So `rejectlog` and `paniclog` beside `mainlog` are
 * general logs of that main log.
 * NOTE: a panic line that Exim wrote only to the panic log is left out too when it falls in a
 * span of the main log, because copies are matched by time alone (see `HostSpans`).
 */
import type { MtaName } from "../events.js";
import { EXIM_PANIC_LOG_NAMES, EXIM_REJECT_LOG_NAMES } from "./exim-log-files.js";
import { parseRotationName } from "./rotation.js";
import { HostSpans, type TimeSpan } from "./time-spans.js";

/** A file's role by its name: a mail log, a general log that copies mail lines, or neither. */
export type LogRole = "mail" | "general" | null;

// Exim's main log is `mainlog` on Debian and in Exim's default configuration, and
// `exim_mainlog` on cPanel.
const MAIL_LOG_NAMES: ReadonlySet<string> = new Set([
  "mail.log",
  "maillog",
  "mail",
  "mainlog",
  "exim_mainlog",
]);

const GENERAL_LOG_NAMES: ReadonlySet<string> = new Set([
  "syslog",
  "messages",
  "all.log",
  "mail.info",
  "mail.warn",
  "mail.err",
  "mail.crit",
  ...EXIM_REJECT_LOG_NAMES,
  ...EXIM_PANIC_LOG_NAMES,
]);

/**
 * Returns the role of the file at `path` by its name without rotation and compression
 * suffixes (see `parseRotationName`), so `mail.log.2.gz` and `syslog-20260301` count too.
 */
export function logRoleOf(path: string): LogRole {
  const { baseName } = parseRotationName(path);
  if (MAIL_LOG_NAMES.has(baseName)) return "mail";
  if (GENERAL_LOG_NAMES.has(baseName)) return "general";
  return null;
}

/**
 * Moves the mail logs to the front when `items` contain at least one mail log and at least
 * one general log, and returns the other items unchanged. The order among the mail logs, and
 * among the other items, stays as given, so rotated sets keep their order.
 */
export function orderMailLogsFirst<T>(
  items: readonly T[],
  pathOf: (item: T) => string | null,
): T[] {
  const roles = items.map((item) => {
    const path = pathOf(item);
    return path === null ? null : logRoleOf(path);
  });
  if (!roles.includes("mail") || !roles.includes("general")) return [...items];
  const mailLogs = items.filter((_, index) => roles[index] === "mail");
  const others = items.filter((_, index) => roles[index] !== "mail");
  return [...mailLogs, ...others];
}

/**
 * Records of one input that were left out as copies of records read before. Such an input is
 * a general log that copies mail log records, or any input that repeats the records of an
 * input of another file set (see `RecordFingerprints`).
 */
export interface CopiedLines {
  /** The input, named as in its input summary. */
  readonly name: string;
  /**
   * Records left out, and the lines without log framing that continue a record left out: the
   * header lines of Exim reject log entries and the reason line of an Exim configuration
   * error. A repeat marker line gives one record per repetition.
   */
  readonly lines: number;
  /** Of `lines`, the header lines of Exim reject log entries (see `isRejectLogHeaderLine`). */
  readonly headerLines: number;
  /** The MTAs whose records were left out, in the order first seen. */
  readonly mtas: readonly MtaName[];
  /**
   * The other programs whose records were left out, such as `opendkim`, in the order first
   * seen, at most `MAX_LISTED_PROGRAMS`.
   */
  readonly programs: readonly string[];
  /** Times of the first and last record left out, in ms since the epoch. */
  readonly firstTime: number;
  readonly lastTime: number;
  /**
   * The inputs that contain the records left out, in reading order: inputs read before, then
   * an input read later that has the whole of a last line cut short (see `fileWithLineStarting`).
   */
  readonly earlierInputs: readonly string[];
}

// Maximum hosts whose spans are stored, so that junk with a new host name on every line cannot
// grow memory with the input. The records of further hosts are not checked, so their copies in
// a general log are read twice.
const MAX_HOSTS = 10_000;

// Maximum spans stored over all hosts. A span splits at each gap of more than MAX_GAP_MS, so
// one host's busy mail log gives a few spans a day, but a sparse log can give one per record.
// Each span stores one part per mail log. Beyond this bound a record that would start a span
// is not stored, so its copies in a general log are read twice.
const MAX_SPANS = 100_000;

// Maximum programs other than the MTA stored per host. The records of further programs in a
// general log are read, so their copies are read twice.
const MAX_PROGRAMS_PER_HOST = 100;

/** Maximum programs other than the MTA that `CopiedLines.programs` lists. */
export const MAX_LISTED_PROGRAMS = 10;

/** The copies counted in the general log being read. */
interface InputCopies {
  readonly name: string;
  lines: number;
  headerLines: number;
  readonly mtas: MtaName[];
  readonly programs: string[];
  first: number;
  last: number;
  readonly earlierInputs: Set<string>;
}

function noCopies(name: string): InputCopies {
  return {
    name,
    lines: 0,
    headerLines: 0,
    mtas: [],
    programs: [],
    first: Infinity,
    last: -Infinity,
    earlierInputs: new Set(),
  };
}

/**
 * Store of the time spans of each host's records in the mail logs (see `HostSpans`) and of the
 * programs that wrote them, and counter of the records of general logs that fall inside a
 * span. The caller reads every mail log before the general logs (see `orderMailLogsFirst`).
 * It leaves out each record of a general log for which `spanCovering` returns a span and that
 * is an MTA record or passes `isMailProgram`, and counts it with `countCopy`. It counts the
 * copies that `RecordFingerprints` finds the same way.
 */
export class MailLogCopies {
  private readonly hosts = new Map<string, HostSpans>();
  // The programs other than the MTA that wrote each host's mail log records.
  private readonly programs = new Map<string, Set<string>>();
  private spanCount = 0;
  // Records of one file mostly share a host, so the last host's spans are checked first.
  private lastHost: string | null = null;
  private lastSpans: HostSpans | null = null;
  // The inputs that gave records, in reading order.
  private readonly readInputs: string[] = [];
  private readonly found: CopiedLines[] = [];
  private input = noCopies("");

  /**
   * Adds a record of the mail log being read (named by `startInput`) to its host's spans.
   * `program` is the record's syslog program when no MTA parser takes it, else null.
   */
  observeMailRecord(host: string, time: number, program: string | null = null): void {
    let spans = this.spansOf(host);
    if (spans === undefined) {
      if (this.hosts.size >= MAX_HOSTS) return;
      spans = new HostSpans();
      this.hosts.set(host, spans);
    }
    this.spanCount += spans.add(time, this.input.name, this.spanCount < MAX_SPANS);
    if (program !== null) this.addProgram(host, program);
  }

  /** Returns true when `program` wrote records of `host` to the mail logs read so far. */
  isMailProgram(host: string, program: string): boolean {
    return this.programs.get(host)?.has(program) ?? false;
  }

  /** Names an input that gave records, for the notes on the copies. */
  addReadInput(name: string): void {
    this.readInputs.push(name);
  }

  /** Returns the span of `host`'s mail log records that contains `time`, or null. */
  spanCovering(host: string, time: number): TimeSpan | null {
    return this.spansOf(host)?.spanCovering(time) ?? null;
  }

  /** Starts the input named `name`. */
  startInput(name: string): void {
    this.input = noCopies(name);
  }

  /**
   * Counts one record at `time` that the current input copies from `earlierInputs`: the mail
   * logs that `mailLogsAt` finds in a span, or the input that `RecordFingerprints` names.
   * `source` is the record's MTA, or its program for a record that no MTA parser takes.
   */
  countCopy(
    source: { mta: MtaName } | { program: string },
    time: number,
    earlierInputs: Iterable<string>,
  ): void {
    const input = this.input;
    input.lines += 1;
    if ("mta" in source) {
      if (!input.mtas.includes(source.mta)) input.mtas.push(source.mta);
    } else if (
      input.programs.length < MAX_LISTED_PROGRAMS &&
      !input.programs.includes(source.program)
    ) {
      input.programs.push(source.program);
    }
    if (time < input.first) input.first = time;
    if (time > input.last) input.last = time;
    for (const name of earlierInputs) input.earlierInputs.add(name);
  }

  /**
   * Counts a header line of an Exim reject log entry whose first line the current input copies
   * (see `countCopy`), so the whole entry is left out.
   */
  countHeaderLine(): void {
    this.input.lines += 1;
    this.input.headerLines += 1;
  }

  /**
   * Counts a line without log framing, such as the reason of an Exim configuration error, that
   * continues a record that the current input copies (see `countCopy`).
   */
  countContinuationLine(): void {
    this.input.lines += 1;
  }

  /** Ends the current input and returns the number of its lines counted as copies. */
  endInput(): number {
    const { name, lines, headerLines, mtas, programs, first, last } = this.input;
    if (lines > 0) {
      const named = this.input.earlierInputs;
      const read = this.readInputs.filter((name) => named.has(name));
      // The input with the whole of a cut last line can be one that is read later.
      const later = [...named].filter((name) => !this.readInputs.includes(name));
      const earlierInputs = [...read, ...later];
      const times = { firstTime: first, lastTime: last };
      const copy = { name, lines, headerLines, mtas, programs, ...times, earlierInputs };
      this.found.push(copy);
    }
    this.startInput("");
    return lines;
  }

  /** The inputs with copies, in reading order. */
  get copies(): readonly CopiedLines[] {
    return this.found;
  }

  private addProgram(host: string, program: string): void {
    let programs = this.programs.get(host);
    if (programs === undefined) {
      programs = new Set();
      this.programs.set(host, programs);
    }
    if (programs.size < MAX_PROGRAMS_PER_HOST) programs.add(program);
  }

  private spansOf(host: string): HostSpans | undefined {
    if (host === this.lastHost && this.lastSpans !== null) return this.lastSpans;
    const spans = this.hosts.get(host);
    if (spans !== undefined) {
      this.lastHost = host;
      this.lastSpans = spans;
    }
    return spans;
  }
}
