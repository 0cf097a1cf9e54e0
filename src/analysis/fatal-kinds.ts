import type { FatalErrorEvent, LifecycleEvent, LinePosition, MtaName } from "../logs/events.js";
import { postfixInstanceOf } from "../logs/postfix/program.js";
import { detach } from "./time.js";

/**
 * Maximum number of kinds that `FatalErrors` keeps. A kind keeps its text and one sample line,
 * an estimated 1 kB for lines of a few hundred characters, so the table stays near 100 kB.
 * Lines of further kinds still count in the totals.
 */
export const MAX_FATAL_KINDS = 100;

/** The earliest line of a kind: its position, program and message (`postfix/master: fatal: …`). */
export interface FatalSample {
  readonly position: LinePosition;
  readonly text: string;
}

/** The lines of one program on one host with one normalised message (see `fatalKindText`). */
export interface FatalKind {
  readonly mta: MtaName;
  /** Syslog host name of the lines ("" when the log has none). */
  readonly host: string;
  /** The syslog tag without the process id, such as `postfix/smtp`. */
  readonly program: string;
  /** The message from `fatal:` on, normalised by `fatalKindText`. */
  readonly text: string;
  count: number;
  /** Time of the earliest line, in epoch ms. */
  first: number;
  /** Time of the latest line, in epoch ms. */
  last: number;
  sample: FatalSample;
}

/** The `fatal:` lines of the MTA's start command and daemons (see `FatalErrorEvent`). */
export class FatalErrors {
  count = 0;
  /** Time of the earliest line, in epoch ms. */
  first = Number.POSITIVE_INFINITY;
  /** Time of the latest line, in epoch ms. */
  last = Number.NEGATIVE_INFINITY;
  /** The earliest line of all kinds. */
  sample: FatalSample | null = null;
  /** Kinds by host, program and normalised text, at most `MAX_FATAL_KINDS`. */
  readonly kinds = new Map<string, FatalKind>();
  /** Lines of the kinds that did not fit into `kinds`. */
  untrackedLines = 0;
  // Time of the latest start of Postfix master, in epoch ms, by `masterKey`, for the starts
  // from the first fatal line on. At most `MAX_FATAL_KINDS` instances keep their starts.
  private readonly lastMasterStarts = new Map<string, number>();
  /**
   * Syslog host names of the fatal lines and master starts, "" for lines without one. The set
   * stops growing at `MAX_FATAL_KINDS` names, which is enough to tell one host from several.
   */
  readonly hosts = new Set<string>();

  add(event: FatalErrorEvent): void {
    const sample = (): FatalSample => ({
      position: { ...event.position },
      text: detach(`${event.program}: ${event.text}`),
    });
    this.count += 1;
    if (this.sample === null || event.time < this.first) this.sample = sample();
    this.first = Math.min(this.first, event.time);
    this.last = Math.max(this.last, event.time);

    const text = event.mta === "exim" ? eximPanicKindText(event.text) : fatalKindText(event.text);
    this.addHost(event.host);
    const key = `${event.host}\0${event.program}\0${text}`;
    const kind = this.kinds.get(key);
    if (kind === undefined) {
      if (this.kinds.size >= MAX_FATAL_KINDS) {
        this.untrackedLines += 1;
        return;
      }
      this.kinds.set(detach(key), {
        mta: event.mta,
        host: detach(event.host),
        program: detach(event.program),
        text: detach(text),
        count: 1,
        first: event.time,
        last: event.time,
        sample: sample(),
      });
      return;
    }
    kind.count += 1;
    if (event.time < kind.first) {
      kind.first = event.time;
      kind.sample = sample();
    }
    if (event.time > kind.last) kind.last = event.time;
  }

  /**
   * Notes a start of Postfix master: its `daemon started -- version …` line, the only Postfix
   * start line with a version. master.c logs it after `master_config()` set up the services,
   * so a failed start has `fatal:` lines in its place. postfix-script's `starting the Postfix
   * mail system` comes before master runs, so it proves nothing.
   */
  addLifecycle(event: LifecycleEvent): void {
    if (event.mta !== "postfix" || event.action !== "start" || event.version === null) return;
    this.addHost(event.host);
    const key = masterKey(event.host, event.program);
    const latest = this.lastMasterStarts.get(key);
    if (latest === undefined && this.lastMasterStarts.size >= MAX_FATAL_KINDS) return;
    if (latest === undefined || event.time > latest) this.lastMasterStarts.set(key, event.time);
  }

  /**
   * Returns the time of the latest start of the Postfix master of `host` and of the instance
   * of the tag `program`, in epoch ms, or undefined when none was noted.
   */
  lastMasterStart(host: string, program: string): number | undefined {
    return this.lastMasterStarts.get(masterKey(host, program));
  }

  /**
   * True when the kind is a start failure (of the `postfix` command, postfix-script or
   * master) and master of the same Postfix instance started on the same syslog host after
   * its latest line, so that failure is over. A central log contains the lines of several
   * servers, and a host can run several instances (`postfix-out/master`). A start of one
   * ends no failure of another.
   */
  isEndedByStart(kind: FatalKind): boolean {
    const service = kind.program.slice(kind.program.lastIndexOf("/") + 1);
    if (!START_PROGRAMS.has(service)) return false;
    const start = this.lastMasterStart(kind.host, kind.program);
    return start !== undefined && start > kind.last;
  }

  private addHost(host: string): void {
    if (this.hosts.size < MAX_FATAL_KINDS && !this.hosts.has(host)) this.hosts.add(detach(host));
  }
}

/**
 * Returns the key of `lastMasterStarts`: the syslog host and the Postfix instance of the tag
 * `program`, which is its `syslog_name` prefix (see `postfixInstanceOf`).
 */
function masterKey(host: string, program: string): string {
  return detach(`${host}\0${postfixInstanceOf(program)}`);
}

/** The last part of the syslog tags of Postfix's start command, its script and master. */
const START_PROGRAMS = new Set(["postfix", "postfix-script", "master"]);

/** The path of a lookup table in `open database /etc/postfix/virtual.db: …`. */
const DATABASE_PATH = /\bdatabase \/[^\s:]*/g;

/** A lookup table named by type and path, such as `hash:/etc/postfix/virtual`. */
const TABLE_REFERENCE = /\b([a-z][a-z0-9_]*):\/[^\s:,'"]*/g;

/** A short Postfix queue id: hex with at least one letter, so that plain numbers stay numbers. */
const SHORT_QUEUE_ID = /\b(?=[0-9A-F]*[A-F])[0-9A-F]{6,20}\b/g;

/** A long Postfix queue id (`enable_long_queue_ids`): 10 base-52 characters, `z`, the inode. */
const LONG_QUEUE_ID =
  /\b[0-9B-DF-HJ-NP-TV-Zb-df-hj-np-tv-z]{10}z[0-9B-DF-HJ-NP-TV-Zb-df-hj-np-tv-y]+\b/g;

const NUMBER = /\b\d+\b/g;

/**
 * Returns the text by which `fatal:` lines count as one kind: the paths of lookup tables
 * become `<path>`, queue ids `<queue id>` and other numbers (process ids, ports, addresses,
 * counts) `N`. So `open database /etc/postfix/virtual.db: No such file or directory` and the
 * same line for transport.db are one kind, and so are `bind 0.0.0.0 port 25` and `bind
 * 192.0.2.1 port 587`. Other paths, such as that of main.cf, stay, because they tell causes
 * apart.
 */
export function fatalKindText(text: string): string {
  return text
    .replace(DATABASE_PATH, "database <path>")
    .replace(TABLE_REFERENCE, "$1:<path>")
    .replace(LONG_QUEUE_ID, "<queue id>")
    .replace(SHORT_QUEUE_ID, "<queue id>")
    .replace(NUMBER, "N");
}

/** The file in Exim's `failed to open /etc/exim4/virtual/example.com for linear search`. */
const EXIM_OPENED_FILE = /\bfailed to open \/[^\s:]*/g;

/**
 * Returns the text by which Exim panic lines count as one kind: `fatalKindText`, after the
 * file of `failed to open FILE` became `<path>`. A lookup such as `lsearch{/etc/exim4/virtual/
 * $domain}` opens one file per domain, so its lines differ only there. The quoted string of
 * `failed to expand "…"` stays, because Exim quotes the string as the configuration writes it,
 * before expansion, and that string differs between the failing options.
 */
export function eximPanicKindText(text: string): string {
  return fatalKindText(text.replace(EXIM_OPENED_FILE, "failed to open <path>"));
}
