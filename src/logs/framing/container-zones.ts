/**
 * Time zones of the stamps inside container lines. `docker logs -t`, `kubectl logs
 * --timestamps`, CRI log files and Docker's json-file driver put a UTC stamp of the runtime
 * before each line. A syslog or Exim stamp without a zone inside the line is in the
 * container's zone, which the difference between the two stamps gives.
 */
import { inputNameInText } from "../reader/input-names.js";

// Maximum difference between the two stamps and the zone offset found from them, for the
// offset to count as the container's zone. The runtime stamps a line when it reads it, so the
// two differ by the offset plus a fraction of a second.
const MAX_LAG_MS = 60_000;

// Maximum distinct offsets kept per input. A zone with daylight saving time gives two.
const MAX_OFFSETS = 4;

/** The zone offsets other than UTC that the stamps inside container lines of one input had. */
export class ContainerZones {
  private readonly offsets: number[] = [];
  // The offset found last, which most lines repeat. 0 until an offset other than UTC is found.
  private lastOffsetMs = 0;

  /** The offsets found since `reset`, in minutes east of UTC, in the order first found. */
  get offsetsMinutes(): readonly number[] {
    return this.offsets.map((offsetMs) => offsetMs / 60_000);
  }

  /** Forgets the offsets found, for the next input. */
  reset(): void {
    this.offsets.length = 0;
    this.lastOffsetMs = 0;
  }

  /**
   * Adds `offsetMs`, the zone offset rounded from `differenceMs`, the inner stamp read in UTC
   * minus the runtime's stamp. An offset of 0 or one that lies more than a minute from the
   * difference is left out, because a late read can cause such a difference.
   */
  add(offsetMs: number, differenceMs: number): void {
    if (offsetMs === 0 || offsetMs === this.lastOffsetMs) return;
    if (Math.abs(differenceMs - offsetMs) > MAX_LAG_MS) return;
    if (!this.offsets.includes(offsetMs)) {
      if (this.offsets.length >= MAX_OFFSETS) return;
      this.offsets.push(offsetMs);
    }
    this.lastOffsetMs = offsetMs;
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

// `330` as `UTC+05:30`.
function zoneName(offsetMinutes: number): string {
  const sign = offsetMinutes < 0 ? "-" : "+";
  const minutes = Math.abs(offsetMinutes);
  const hours = String(Math.floor(minutes / 60)).padStart(2, "0");
  return `UTC${sign}${hours}:${String(minutes % 60).padStart(2, "0")}`;
}
