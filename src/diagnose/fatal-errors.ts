import type { FatalErrors, FatalKind } from "../analysis/fatal-kinds.js";
import { eximPanicCauseOf } from "../knowledge/exim-panic.js";
import { fatalCauseOf, type FatalCause } from "../knowledge/postfix-fatal.js";
import type { MtaName } from "../logs/events.js";
import type { LogSample } from "./types.js";
import { ONGOING_WINDOW_MS } from "./verdict.js";

/** Kinds that the report lists, most lines first. */
export const FATAL_KINDS_SHOWN = 10;

/** The lines of one program on one host with one normalised message, with the cause and its fix. */
export interface FatalKindReport {
  readonly mta: MtaName;
  /**
   * Syslog host name of the lines when the log names more than one host, as a central log of
   * several servers does. Null when the log names one host or none.
   */
  readonly host: string | null;
  /** The syslog tag without the process id, such as `postfix/smtp`. */
  readonly program: string;
  /** The message from `fatal:` on, with table paths, queue ids and numbers replaced. */
  readonly kind: string;
  readonly cause: FatalCause;
  readonly fix: string;
  readonly count: number;
  readonly first: string;
  readonly last: string;
  /**
   * True when the latest line of the kind is within the last two hours of the log and, for a
   * start failure, Postfix master did not start after it (see `masterStartedAfter`).
   */
  readonly ongoing: boolean;
  /**
   * True when the kind is a start failure (the `postfix` command, postfix-script or master)
   * and master logged `daemon started` on the same host after its latest line, so that failure
   * is over.
   */
  readonly masterStartedAfter: boolean;
  /** The earliest line of the kind, with its program and message. */
  readonly sample: LogSample;
}

/**
 * The `fatal:` lines of the MTA's start command and daemons, such as Postfix's `fatal: bind
 * 0.0.0.0 port 25: Address already in use`. The program exits after each, so the MTA or that
 * daemon stopped until a later start.
 */
export interface FatalErrorsReport {
  readonly count: number;
  readonly first: string;
  readonly last: string;
  /** The earliest line, with its program and message (`postfix/master: fatal: …`). */
  readonly sample: LogSample;
  /** True when any kind is ongoing, or when a line of no kept kind is in the last two hours. */
  readonly ongoing: boolean;
  /** At most `FATAL_KINDS_SHOWN` kinds, most lines first, then earliest first. */
  readonly kinds: readonly FatalKindReport[];
  /** Kinds kept, of which `kinds` lists the first ones. */
  readonly kindCount: number;
  /** False when the log had more kinds than are kept, so `kindCount` is a lower bound. */
  readonly kindsExact: boolean;
  /** Lines of the kinds that `kinds` does not list. */
  readonly otherLines: number;
}

/**
 * Builds the report of the fatal errors, with times formatted by `time` and `logEnd` the time
 * of the log's last line, or returns null when the log has none. `mailHosts` names the
 * servers of the log's mail: syslog host names, and the names that `serverOf` gives the files
 * without them. With the hosts of the fatal lines and master starts, they decide whether the
 * log names more than one host, so that each kind names its own.
 */
export function fatalErrorsReport(
  failures: FatalErrors | null,
  time: (epochMs: number) => string,
  logEnd: number | null,
  mailHosts: Iterable<string>,
): FatalErrorsReport | null {
  if (failures === null || failures.sample === null) return null;
  const isRecent = (last: number) => logEnd === null || last >= logEnd - ONGOING_WINDOW_MS;
  const namesHosts = hostCount(failures.hosts, mailHosts) > 1;
  const allKinds = [...failures.kinds.values()]
    .sort((a, b) => b.count - a.count || a.first - b.first)
    .map((kind) => {
      const host = namesHosts && kind.host !== "" ? kind.host : null;
      return kindReport(kind, host, failures.isEndedByStart(kind), time, isRecent);
    });
  const kinds = allKinds.slice(0, FATAL_KINDS_SHOWN);
  const listedLines = kinds.reduce((sum, kind) => sum + kind.count, 0);
  const { sample } = failures;
  return {
    count: failures.count,
    first: time(failures.first),
    last: time(failures.last),
    sample: {
      file: sample.position.file,
      line: sample.position.line,
      time: time(failures.first),
      text: sample.text,
    },
    ongoing:
      allKinds.some((kind) => kind.ongoing) ||
      (failures.untrackedLines > 0 && isRecent(failures.last)),
    kinds,
    kindCount: failures.kinds.size,
    kindsExact: failures.untrackedLines === 0,
    otherLines: failures.count - listedLines,
  };
}

// Counts the distinct host names, up to 2, without "" for lines that have none.
function hostCount(fatalHosts: ReadonlySet<string>, mailHosts: Iterable<string>): number {
  const hosts = new Set([...fatalHosts].filter((host) => host !== ""));
  for (const host of mailHosts) {
    if (hosts.size > 1) break;
    if (host !== "") hosts.add(host);
  }
  return hosts.size;
}

function kindReport(
  kind: FatalKind,
  host: string | null,
  masterStartedAfter: boolean,
  time: (epochMs: number) => string,
  isRecent: (last: number) => boolean,
): FatalKindReport {
  const { cause, fix } =
    kind.mta === "exim" ? eximPanicCauseOf(kind.text) : fatalCauseOf(kind.text);
  return {
    mta: kind.mta,
    host,
    program: kind.program,
    kind: kind.text,
    cause,
    fix,
    count: kind.count,
    first: time(kind.first),
    last: time(kind.last),
    ongoing: isRecent(kind.last) && !masterStartedAfter,
    masterStartedAfter,
    sample: {
      file: kind.sample.position.file,
      line: kind.sample.position.line,
      time: time(kind.first),
      text: kind.sample.text,
    },
  };
}
