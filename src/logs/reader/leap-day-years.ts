/**
 * The year correction for a file set whose `Feb 29` lines fall in a year without that day.
 * Classic syslog stamps carry no year, so the first line's year comes from the file's
 * modification time. A log copied without it gets a later year, and its `Feb 29` lines can
 * then fall in a year without that day. The framer moves such a line and the
 * lines after it to the leap year before, but the lines before it are already dated and would
 * stay in the later year. A dry run of the framer over the set finds that move first, so that
 * the read takes the same years off the first line and the whole set lands in one year.
 */
import { isLeapYear, utcMs } from "../../time/civil.js";
import type { TimeZone } from "../../time/zone.js";
import { FUTURE_SLACK_MS } from "../framing/year.js";
import { DryRunDone, frameSet } from "./dry-run.js";
import { ByteLineSplitter } from "./lines.js";
import { readSource } from "./read.js";
import type { FileSource } from "./sources.js";

const DAY_MS = 86_400_000;

/** The move of a file set's first `Feb 29` line out of a year without that day. */
export interface LeapDayCorrection {
  /** The year without Feb 29 that the modification time gave the line. */
  readonly fromYear: number;
  /** The leap year before `fromYear`, which the line and the whole set move to. */
  readonly toYear: number;
}

/**
 * Returns the move of the first `Feb 29` line of the rotated set `files` (oldest first, as
 * read) out of a year without that day, or null when no line needs it. The read then takes
 * `fromYear - toYear` off the year inferred for the set's first classic syslog line.
 *
 * It frames the set's first record, and stops when the span from that record to the newest
 * file's modification time passes no end of February in a year without Feb 29. That is true
 * of most logs whose modification time is still their last write. Otherwise it searches the
 * set's bytes for `Feb 29 `, and only a set that has them is framed again, up to its first
 * `Feb 29` line. A file that fails to read gives null, and the read reports it.
 * NOTE: a set whose stamps run newest first (`zcat -f mail.log*` into one file) can have its
 * Feb 29 before its first line in time. The span check then misses it, so its lines before
 * the Feb 29 line stay in the later year.
 */
export async function leapDayYearsBack(
  files: readonly FileSource[],
  timeZone: TimeZone,
): Promise<LeapDayCorrection | null> {
  const lastWriteMs = Math.max(...files.map((file) => file.modifiedMs));
  const firstTime = await frameSet(files, timeZone, (framer, record) => {
    if (!framer.hasReadClassicStamp) return NOT_CLASSIC;
    return record.time;
  });
  if (firstTime === null || firstTime === NOT_CLASSIC) return null;
  if (!passesCommonYearFebruary(firstTime, lastWriteMs)) return null;
  if (!(await hasLeapDayText(files))) return null;

  return frameSet(files, timeZone, (framer) => framer.leapDayMoves[0] ?? undefined);
}

// Returned by the first record's check when the set starts with a stamp that carries its year.
const NOT_CLASSIC = -Infinity;

// Whether the bytes of `files` (decompressed) contain `Feb 29 ` anywhere. One search per chunk
// took about a fifth of the time of framing the lines of a 150 MB plain log.
async function hasLeapDayText(files: readonly FileSource[]): Promise<boolean> {
  const finder = new LeapDayTextFinder();
  try {
    for (const file of files) await readSource(file, finder);
  } catch (error) {
    if (error instanceof DryRunDone) return true;
    throw error;
  }
  return false;
}

/**
 * A splitter that splits nothing: it searches each chunk for `Feb 29 `, also across the end of
 * the chunk before, and throws `DryRunDone` at the first one.
 */
class LeapDayTextFinder extends ByteLineSplitter {
  private tail = Buffer.alloc(0);

  constructor() {
    super(() => undefined);
  }

  override push(chunk: Buffer): void {
    if (chunk.indexOf(LEAP_DAY_TEXT) >= 0) throw new DryRunDone();
    const head = chunk.subarray(0, LEAP_DAY_TEXT.length - 1);
    if (Buffer.concat([this.tail, head]).indexOf(LEAP_DAY_TEXT) >= 0) throw new DryRunDone();
    this.tail = Buffer.from(chunk.subarray(-(LEAP_DAY_TEXT.length - 1)));
  }

  override end(): void {
    this.tail = Buffer.alloc(0);
  }
}

const LEAP_DAY_TEXT = Buffer.from("Feb 29 ", "latin1");

// Whether the time from `firstMs` to `lastWriteMs` passes the end of February of a year without
// Feb 29, with a day of slack on each side for the log's zone.
function passesCommonYearFebruary(firstMs: number, lastWriteMs: number): boolean {
  const latestMs = lastWriteMs + FUTURE_SLACK_MS;
  const firstYear = new Date(firstMs).getUTCFullYear();
  const lastYear = new Date(latestMs).getUTCFullYear();
  for (let year = firstYear; year <= lastYear; year++) {
    if (isLeapYear(year)) continue;
    const marchFirst = utcMs(year, 2, 1, 0, 0, 0, 0);
    if (marchFirst + DAY_MS > firstMs && marchFirst - DAY_MS <= latestMs) return true;
  }
  return false;
}
