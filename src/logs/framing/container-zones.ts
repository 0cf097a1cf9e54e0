/**
 * Time zones of the stamps inside container lines. `docker logs -t`, `kubectl logs
 * --timestamps`, CRI log files and Docker's json-file driver put a UTC stamp of the runtime
 * before each line. A syslog or Exim stamp without a zone inside the line is in the
 * container's zone, which the difference between the two stamps gives.
 */
import { formatInstant, type TimeZone } from "../../time/zone.js";
import { inputNameInText } from "../reader/input-names.js";

// Maximum difference between the two stamps and the zone offset found from them, for the
// difference to count as the container's zone. The runtime stamps a line when it reads it, so
// the two differ by the offset plus a fraction of a second. A larger lag means that the
// runtime printed the line late, as a restarted container does when it replays a log file.
const MAX_LAG_MS = 60_000;

const QUARTER_HOUR_MS = 15 * 60_000;
// Zone offsets run from -12:00 to +14:00.
const MIN_ZONE_OFFSET_MS = -12 * 3_600_000;
const MAX_ZONE_OFFSET_MS = 14 * 3_600_000;

// Maximum distinct offsets kept per input. A zone with daylight saving time gives two.
const MAX_OFFSETS = 4;

/** A line whose inner stamp no zone offset puts near its runtime's stamp. */
export interface UnzonedLine {
  /** Instant of the line's own stamp, in the zone learnt for the input or `--timezone`. */
  readonly ownTime: number;
  /** Instant of the container runtime's stamp. */
  readonly runtimeTime: number;
}

/**
 * The zone offsets that the stamps inside container lines of one input had, and the lines
 * whose two stamps differ by no zone offset.
 */
export class ContainerZones {
  private readonly offsets: number[] = [];
  // The offset found last, which most lines repeat, or null before the first one.
  private lastOffsetMs: number | null = null;
  private lateLines = 0;
  private earlyLines = 0;
  private firstUnzoned: UnzonedLine | null = null;

  /** The offsets other than UTC found since `reset`, in minutes east of UTC, in order found. */
  get offsetsMinutes(): readonly number[] {
    return this.offsets.map((offsetMs) => offsetMs / 60_000);
  }

  /** The offset found last in milliseconds east of UTC, UTC included, or null before one. */
  get learntOffsetMs(): number | null {
    return this.lastOffsetMs;
  }

  /** Lines since `reset` that the runtime printed later than a zone offset allows. */
  get lateLineCount(): number {
    return this.lateLines;
  }

  /** Lines since `reset` whose own stamp is later than a zone offset allows. */
  get earlyLineCount(): number {
    return this.earlyLines;
  }

  /** The first line since `reset` counted by `lateLineCount` or `earlyLineCount`. */
  get firstUnzonedLine(): UnzonedLine | null {
    return this.firstUnzoned;
  }

  /** Forgets the offsets and lines found, for the next input. */
  reset(): void {
    this.offsets.length = 0;
    this.lastOffsetMs = null;
    this.lateLines = 0;
    this.earlyLines = 0;
    this.firstUnzoned = null;
  }

  /**
   * Returns the zone offset in milliseconds that `differenceMs`, the inner stamp read in UTC
   * minus the runtime's stamp, gives, and keeps it. Returns NaN when the difference lies more
   * than `MAX_LAG_MS` from every quarter-hour offset between -12:00 and +14:00.
   */
  zoneOffsetOf(differenceMs: number): number {
    const offsetMs = Math.round(differenceMs / QUARTER_HOUR_MS) * QUARTER_HOUR_MS;
    if (offsetMs < MIN_ZONE_OFFSET_MS || offsetMs > MAX_ZONE_OFFSET_MS) return NaN;
    if (Math.abs(differenceMs - offsetMs) > MAX_LAG_MS) return NaN;
    if (offsetMs === this.lastOffsetMs) return offsetMs;
    this.lastOffsetMs = offsetMs;
    if (offsetMs !== 0 && !this.offsets.includes(offsetMs) && this.offsets.length < MAX_OFFSETS) {
      this.offsets.push(offsetMs);
    }
    return offsetMs;
  }

  /** Counts a line that `zoneOffsetOf` found no offset for, dated `ownTime` by its stamp. */
  addUnzonedLine(ownTime: number, runtimeTime: number): void {
    if (runtimeTime >= ownTime) this.lateLines += 1;
    else this.earlyLines += 1;
    this.firstUnzoned ??= { ownTime, runtimeTime };
  }
}

/**
 * Returns the note for input `name`, whose container lines had inner stamps in the zones
 * `offsetsMinutes` (see `ContainerZones`).
 */
export function containerZoneNote(name: string, offsetsMinutes: readonly number[]): string {
  const zones = offsetsMinutes.map(zoneName);
  const zoneList =
    zones.length === 1 ? (zones[0] ?? "") : `${zones.slice(0, -1).join(", ")} and ${zones.at(-1)}`;
  return (
    `The syslog or Exim stamps inside the container lines of ${inputNameInText(name)} are in ` +
    `${zoneList}, by their difference from the container runtime's stamps. Those lines were ` +
    `dated by that zone, and --timezone does not apply to them.`
  );
}

/**
 * Returns the note for input `name` on the lines that `zones` counted as late or early, or
 * null when it counted none. Dates are written in `zone`.
 */
export function unzonedLinesNote(
  name: string,
  zones: ContainerZones,
  zone: TimeZone,
): string | null {
  const first = zones.firstUnzonedLine;
  if (first === null) return null;
  const late = zones.lateLineCount;
  const early = zones.earlyLineCount;
  const sentences: string[] = [];
  if (late > 0) {
    sentences.push(
      `In ${inputNameInText(name)}, ${linesText(late)} printed by the container runtime ` +
        `later than their own stamps, for example replayed after a container restart, so ` +
        `they are dated by their own stamps.`,
    );
  }
  if (early > 0) {
    sentences.push(
      `In ${inputNameInText(name)}, ${linesText(early)} stamped by the container itself ` +
        `later than the runtime's stamps by more than a zone offset, so they are dated by ` +
        `their own stamps.`,
    );
  }
  sentences.push(
    `The first such line has its own stamp at ${formatInstant(first.ownTime, zone)} and the ` +
      `runtime's at ${formatInstant(first.runtimeTime, zone)}.`,
  );
  return sentences.join(" ");
}

// `1` as `1 line was`, `3` as `3 lines were`.
function linesText(count: number): string {
  return count === 1 ? "1 line was" : `${count.toLocaleString("en-US")} lines were`;
}

// `330` as `UTC+05:30`.
function zoneName(offsetMinutes: number): string {
  const sign = offsetMinutes < 0 ? "-" : "+";
  const minutes = Math.abs(offsetMinutes);
  const hours = String(Math.floor(minutes / 60)).padStart(2, "0");
  return `UTC${sign}${hours}:${String(minutes % 60).padStart(2, "0")}`;
}
