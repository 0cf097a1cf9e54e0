import { MAX_LATE_LINE_MS } from "../framing/wall-clock.js";
import { inputNameInText } from "./input-names.js";
import { decodeLatin1 } from "./latin1.js";

/**
 * Largest number of earlier read buffers kept, and of lines compared after the time went back
 * before the comparing stops. A reader buffer contains thousands of lines, so only a line that
 * spans two reads, which comes in a buffer of its own, counts against it in practice.
 */
export const REPLAY_WINDOW = 8192;

/**
 * Bytes of earlier read buffers kept beside the current one: one reader buffer. A block that a
 * file contains twice is found when its second copy starts within these bytes and the current
 * buffer after the first copy's lines.
 */
export const KEPT_BYTES = 1024 * 1024;

/**
 * Largest number of line texts held while comparing, in two generations: the kept lines split at
 * the first step back, and the lines read since. A log of two hosts whose clocks differ steps
 * back all the time, so the texts of its oldest lines make room for the newest.
 */
const MAX_TEXTS = 4 * REPLAY_WINDOW;

/**
 * Largest number of syslog hosts with a clock of their own in one file. Past it, the lines of
 * the hosts not yet seen share one clock, so a step back between two of them starts the
 * comparing as in a file with one clock. The cap bounds memory on junk with a new host field
 * on every line.
 */
export const MAX_HOST_CLOCKS = 10_000;

/** The latest times of the lines of one syslog host, or of the lines without a host. */
interface HostClock {
  // The latest time read since the file started or this clock last went back.
  latestTime: number;
  // The latest time read before this clock last went back: a line dated later is new.
  replayUntil: number;
}

/** The copies of one line text read while comparing, before and since step back `step`. */
interface Copies {
  beforeStep: number;
  sinceStep: number;
  step: number;
}

/**
 * Finder of exact repeats of earlier lines of a file, read after the file's time went back.
 * Some logs contain blocks of lines more than once, because a block was appended again by hand or
 * a log shipper sent it twice. Each copy would count every delivery again. A line repeats an
 * earlier one when its text is the same: stamp, host, program, pid and message. The reader
 * passes every line that it counts as a record, also those counted without a record (see
 * `RecordParser.quietPrefixes`), but not the copies of syslog repeat markers (`last message
 * repeated N times`), which repeat a line on purpose.
 *
 * The time goes back when a line is dated more than `MAX_LATE_LINE_MS` before the latest line
 * of its syslog host. Each host has a clock of its own, because a central log of hosts whose
 * clocks differ would otherwise step back on every change of host. Lines without a host field,
 * such as those of Exim's own main log, share one clock.
 *
 * Until the time goes back, the finder only keeps references to the reader's latest buffers,
 * which the reader allocates anew for each read, so a log whose time never goes back costs a
 * few comparisons per line. At the first step back, the lines of those buffers before the
 * current line become the texts that later lines are compared with, and each line read while
 * comparing joins them. The lines of every host are compared, because a text contains its host.
 * Only copies of lines before the last step count as repeats, so a real line that a server
 * writes twice in one second after its clock was set back still counts twice. The comparing
 * stops once `REPLAY_WINDOW` lines have passed without another step and a line of the host
 * that stepped back last is dated past that host's latest time before the step. It also stops
 * when that host logs no line for `REPLAY_WINDOW` lines.
 *
 * NOTE: the text of a classic syslog line has no time zone. In the hour that repeats when clocks
 * go back, a line with the same stamp, pid and message as one of the hour before therefore
 * counts as a repeat. A `last message repeated N times` line inside a repeated block is not
 * compared, so the copies that it stands for count once per copy of the block.
 */
export class ReplayedLines {
  /** Lines found to repeat an earlier line of their file, since this finder was made. */
  repeats = 0;
  /** Times the kept buffers were split into lines, once per span of comparing. */
  splits = 0;

  // The buffers before the current one, oldest first, with the end of the last line read from
  // each. They hold at least KEPT_BYTES when the file is that long.
  private readonly older: Buffer[] = [];
  private readonly olderEnds: number[] = [];
  private olderBytes = 0;
  private current: Buffer | null = null;
  private currentEnd = 0;
  // The clock of each host field read, "" for lines without one, up to MAX_HOST_CLOCKS.
  private clocks = new Map<string, HostClock>();
  // The clock shared by the hosts past MAX_HOST_CLOCKS.
  private sharedClock = newClock();
  // The host and clock of the line before, which saves the map look-up on a run of one host.
  private lastHost: string | null = null;
  private lastClock = this.sharedClock;
  // The clock that went back last, whose lines decide when the comparing stops, and the lines
  // of other hosts read since its last line.
  private steppedClock: HostClock | null = null;
  private linesOfOtherHosts = 0;
  // While comparing, the texts of the lines kept and read since, with their copies, in two
  // generations: a text found in the older one moves to the newer, and the older one is dropped
  // when the newer is full. `texts` is null when not comparing.
  private texts: Map<string, Copies> | null = null;
  private olderTexts = new Map<string, Copies>();
  private step = 0;
  private linesSinceStep = 0;

  /** Forgets the lines of the file before, which a new file cannot repeat. */
  startFile(): void {
    this.older.length = 0;
    this.olderEnds.length = 0;
    this.olderBytes = 0;
    this.current = null;
    this.currentEnd = 0;
    this.clocks = new Map();
    this.sharedClock = newClock();
    this.lastHost = null;
    this.lastClock = this.sharedClock;
    this.steppedClock = null;
    this.linesOfOtherHosts = 0;
    this.texts = null;
    this.olderTexts = new Map();
    this.step = 0;
  }

  /**
   * Returns true when the line `buffer[start, end)`, dated `time` and logged by the syslog host
   * `host` ("" for a line without a host field), repeats an earlier line of its file, and counts
   * it. The bytes of `buffer` must not change while the finder keeps it.
   */
  isRepeat(time: number, host: string, buffer: Buffer, start: number, end: number): boolean {
    if (buffer !== this.current) this.switchBuffer(buffer);
    if (end > this.currentEnd) this.currentEnd = end;
    const clock = host === this.lastHost ? this.lastClock : this.clockOf(host);
    const steppedBack = time < clock.latestTime - MAX_LATE_LINE_MS;
    if (this.texts === null && !steppedBack) {
      if (time > clock.latestTime) clock.latestTime = time;
      return false;
    }
    return this.compare(time, clock, buffer, start, end, steppedBack);
  }

  // Returns the clock of `host`, made when the host is new, and remembers it for the next line.
  private clockOf(host: string): HostClock {
    let clock = this.clocks.get(host);
    if (clock === undefined) {
      clock = this.sharedClock;
      if (this.clocks.size < MAX_HOST_CLOCKS) {
        clock = newClock();
        this.clocks.set(host, clock);
      }
    }
    this.lastHost = host;
    this.lastClock = clock;
    return clock;
  }

  private compare(
    time: number,
    clock: HostClock,
    buffer: Buffer,
    start: number,
    end: number,
    steppedBack: boolean,
  ): boolean {
    if (steppedBack) {
      if (clock.latestTime > clock.replayUntil) clock.replayUntil = clock.latestTime;
      // The lines after a clock change follow the new clock, so one change is one step.
      clock.latestTime = time;
      // The kept lines are split once, at the first step, and later steps while comparing
      // add to the texts split then.
      this.texts ??= this.textsBefore(buffer, start);
      this.step += 1;
      this.linesSinceStep = 0;
      this.steppedClock = clock;
      this.linesOfOtherHosts = 0;
    }
    const text = textOf(buffer, start, end);
    const copies = this.copiesOf(text);
    if (copies.step !== this.step) {
      copies.beforeStep += copies.sinceStep;
      copies.sinceStep = 0;
      copies.step = this.step;
    }
    const isRepeat = copies.beforeStep > 0;
    copies.sinceStep += 1;
    if (time > clock.latestTime) clock.latestTime = time;
    this.linesSinceStep += 1;
    if (this.isReplayOver(clock, time)) this.stopComparing();
    if (isRepeat) this.repeats += 1;
    return isRepeat;
  }

  // Returns the copies of `text` in the newer generation, moved from the older one or new.
  private copiesOf(text: string): Copies {
    const texts = this.texts ?? new Map<string, Copies>();
    this.texts = texts;
    const known = texts.get(text);
    if (known !== undefined) return known;
    const older = this.olderTexts.get(text);
    if (older !== undefined) this.olderTexts.delete(text);
    const copies = older ?? { beforeStep: 0, sinceStep: 0, step: this.step };
    if (texts.size >= MAX_TEXTS / 2) {
      this.olderTexts = texts;
      this.texts = new Map([[text, copies]]);
    } else {
      texts.set(text, copies);
    }
    return copies;
  }

  // Whether the comparing can stop after a line of `clock` dated `time`. A host that stepped
  // back and then logs nothing for `REPLAY_WINDOW` lines ends the comparing too, so that the
  // other hosts of a central log are not compared to the end of the file.
  // NOTE: a copy that such a host resumes after that pause has no step back, so it is kept.
  private isReplayOver(clock: HostClock, time: number): boolean {
    if (clock !== this.steppedClock) {
      this.linesOfOtherHosts += 1;
      return this.linesOfOtherHosts >= REPLAY_WINDOW;
    }
    this.linesOfOtherHosts = 0;
    return this.linesSinceStep >= REPLAY_WINDOW && time > clock.replayUntil;
  }

  private stopComparing(): void {
    this.texts = null;
    this.olderTexts = new Map();
  }

  // Makes `buffer` the current one and keeps the one before, dropping the oldest buffers that
  // the others make up for.
  private switchBuffer(buffer: Buffer): void {
    const current = this.current;
    if (current !== null) {
      this.older.push(current);
      this.olderEnds.push(this.currentEnd);
      this.olderBytes += this.currentEnd;
      while (
        this.older.length > REPLAY_WINDOW ||
        this.olderBytes - this.oldestEnd() >= KEPT_BYTES
      ) {
        this.olderBytes -= this.oldestEnd();
        this.older.shift();
        this.olderEnds.shift();
      }
    }
    this.current = buffer;
    this.currentEnd = 0;
  }

  private oldestEnd(): number {
    return this.olderEnds[0] ?? 0;
  }

  // The texts of the lines kept before `buffer[start]`, the line at which the time went back.
  private textsBefore(buffer: Buffer, start: number): Map<string, Copies> {
    this.splits += 1;
    const texts = new Map<string, Copies>();
    this.older.forEach((kept, index) => addLines(texts, kept, this.olderEnds[index] ?? 0));
    addLines(texts, buffer, start);
    return texts;
  }
}

function newClock(): HostClock {
  return { latestTime: -Infinity, replayUntil: -Infinity };
}

// The text of a line as the finder compares it, without CRs: the reader drops the one before a
// line's end, and `addLines` splits on line feeds only.
function textOf(buffer: Buffer, start: number, end: number): string {
  return decodeLatin1(buffer, start, end).replaceAll("\r", "");
}

// Adds the lines of `buffer[0, end)` to `texts`. The first and last parts of a read buffer may be
// pieces of lines that span two reads, which no whole line equals.
function addLines(texts: Map<string, Copies>, buffer: Buffer, end: number): void {
  for (const part of decodeLatin1(buffer, 0, end).split("\n")) {
    const text = part.replaceAll("\r", "");
    if (text === "") continue;
    const copies = texts.get(text);
    if (copies === undefined) texts.set(text, { beforeStep: 0, sinceStep: 1, step: 0 });
    else copies.sinceStep += 1;
  }
}

/** Returns the note for an input in which `count` lines repeated earlier lines and were dropped. */
export function replayedLinesNote(name: string, count: number): string {
  const lines = count === 1 ? "1 line" : `${count.toLocaleString("en-US")} lines`;
  return (
    `${inputNameInText(name)} contains some lines more than once: after its time went back, ` +
    `${lines} repeated an earlier line exactly (same time, host, program, pid and text) and ` +
    `${count === 1 ? "was" : "were"} dropped, so that each delivery and message counts once.`
  );
}
