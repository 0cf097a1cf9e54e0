import type { FatalErrorEvent, LifecycleEvent, LinePosition, MtaName } from "../logs/events.js";
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

/** The lines of one program with one normalised message (see `fatalKindText`). */
export interface FatalKind {
  readonly mta: MtaName;
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
  /** Kinds by program and normalised text, at most `MAX_FATAL_KINDS`. */
  readonly kinds = new Map<string, FatalKind>();
  /** Lines of the kinds that did not fit into `kinds`. */
  untrackedLines = 0;
  /** Time of the latest start of Postfix master after a fatal line, in epoch ms, or null. */
  lastMasterStart: number | null = null;

  add(event: FatalErrorEvent): void {
    const sample = (): FatalSample => ({
      position: { ...event.position },
      text: detach(`${event.program}: ${event.text}`),
    });
    this.count += 1;
    if (this.sample === null || event.time < this.first) this.sample = sample();
    this.first = Math.min(this.first, event.time);
    this.last = Math.max(this.last, event.time);

    const text = fatalKindText(event.text);
    const key = `${event.program}\0${text}`;
    const kind = this.kinds.get(key);
    if (kind === undefined) {
      if (this.kinds.size >= MAX_FATAL_KINDS) {
        this.untrackedLines += 1;
        return;
      }
      this.kinds.set(detach(key), {
        mta: event.mta,
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
    if (this.lastMasterStart === null || event.time > this.lastMasterStart) {
      this.lastMasterStart = event.time;
    }
  }

  /**
   * True when the kind is a start failure (of the `postfix` command, postfix-script or
   * master) and master started after its latest line, so that failure is over.
   *
   * NOTE: kinds and starts carry no host or instance, so in a log of several servers or
   * Postfix instances a start of one also ends the start failures of the others.
   */
  isEndedByStart(kind: FatalKind): boolean {
    const service = kind.program.slice(kind.program.lastIndexOf("/") + 1);
    if (!START_PROGRAMS.has(service)) return false;
    return this.lastMasterStart !== null && this.lastMasterStart > kind.last;
  }
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
