/**
 * Time zones for naive log timestamps. Syslog's classic format and Exim's main log write local
 * time without an offset, so the reader needs the server's zone to turn them into instants,
 * and the reports print instants back in that zone so that they match the log lines.
 */
import { utcMs } from "./civil.js";

/** Converts wall-clock fields (month 0–11) in one zone to milliseconds since the epoch. */
export type WallClockToEpoch = (
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  millisecond: number,
) => number;

/** A time zone as delist uses it: a fixed offset or an IANA name resolved through Intl. */
export interface TimeZone {
  /** The name as given: `UTC`, `+07:00`, `Europe/Berlin`, or the machine's zone. */
  readonly name: string;
  /** Converts a wall-clock time, taking the earlier instant of a time that occurs twice. */
  readonly toEpoch: WallClockToEpoch;
  /**
   * Converts a wall-clock time that occurs twice, because clocks went back, to its later
   * instant (in winter time after a DST change). Returns NaN for a time that occurs once or
   * never.
   */
  readonly toLaterEpoch: WallClockToEpoch;
  /** Offset from UTC in minutes at the given instant (east positive). */
  offsetMinutesAt(epochMs: number): number;
}

const FIXED_OFFSET = /^([+-])(\d{2}):?(\d{2})$/;

/**
 * Resolves `--timezone`: `UTC`, `Z`, a fixed `±HH:MM` offset, or an IANA name. Without a
 * value it uses the zone of the machine running delist, which is right when delist runs on
 * the mail server itself.
 *
 * @throws RangeError when the name is not a zone Intl knows.
 */
export function resolveTimeZone(name?: string): TimeZone {
  if (name === undefined || name === "") {
    return ianaZone(Intl.DateTimeFormat().resolvedOptions().timeZone);
  }
  if (name === "UTC" || name === "Z" || name === "utc") return fixedZone("UTC", 0);

  const fixed = FIXED_OFFSET.exec(name);
  if (fixed !== null) {
    const sign = fixed[1] === "-" ? -1 : 1;
    const minutes = sign * (Number(fixed[2]) * 60 + Number(fixed[3]));
    if (Math.abs(minutes) > 14 * 60) {
      throw new RangeError(`invalid time zone offset "${name}": use -14:00 to +14:00`);
    }
    return fixedZone(name, minutes);
  }
  return ianaZone(name);
}

function fixedZone(name: string, offsetMinutes: number): TimeZone {
  const offsetMs = offsetMinutes * 60_000;
  return {
    name,
    toEpoch: (year, month, day, hour, minute, second, millisecond) =>
      utcMs(year, month, day, hour, minute, second, millisecond) - offsetMs,
    offsetMinutesAt: () => offsetMinutes,
    toLaterEpoch: () => NaN,
  };
}

function ianaZone(name: string): TimeZone {
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone: name,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
  } catch (error) {
    throw new RangeError(
      `unknown time zone "${name}": give an IANA name such as Europe/Berlin, UTC, or an offset such as +07:00`,
      { cause: error },
    );
  }
  if (name === "UTC" || name === "Etc/UTC") return fixedZone(name, 0);

  const offsetAt = (epochMs: number): number => offsetMinutesFromFormat(format, epochMs);
  // Offsets change at most a few times a year, so one look-up per wall-clock minute is
  // enough, and consecutive log lines mostly share their minute.
  const offsetByMinute = new Map<number, number>();
  // The offsets of later instants, NaN for a minute that occurs once. Log readers look them
  // up only for lines that step back in time, so this map stays far smaller than the one above.
  const laterOffsetByMinute = new Map<number, number>();

  return {
    name,
    offsetMinutesAt: offsetAt,
    toEpoch: (year, month, day, hour, minute, second, millisecond) => {
      const wallMinute = utcMs(year, month, day, hour, minute, 0, 0);
      let offset = offsetByMinute.get(wallMinute);
      if (offset === undefined) {
        offset = wallClockOffset(wallMinute, offsetAt);
        if (offsetByMinute.size >= 100_000) offsetByMinute.clear();
        offsetByMinute.set(wallMinute, offset);
      }
      return utcMs(year, month, day, hour, minute, second, millisecond) - offset * 60_000;
    },
    toLaterEpoch: (year, month, day, hour, minute, second, millisecond) => {
      const wallMinute = utcMs(year, month, day, hour, minute, 0, 0);
      let offset = laterOffsetByMinute.get(wallMinute);
      if (offset === undefined) {
        offset = laterWallClockOffset(wallMinute, offsetAt);
        if (laterOffsetByMinute.size >= 10_000) laterOffsetByMinute.clear();
        laterOffsetByMinute.set(wallMinute, offset);
      }
      return utcMs(year, month, day, hour, minute, second, millisecond) - offset * 60_000;
    },
  };
}

const EIGHTEEN_HOURS_MS = 18 * 3_600_000;

/**
 * Finds the UTC offset that turns a wall-clock time (given as if it were UTC) into an instant.
 * The offsets 18 hours before and after are the candidates, because no zone changes its
 * offset twice within 36 hours. In the hour that repeats when clocks go back, the earlier
 * instant is taken. A time in the hour skipped when clocks go forward is read with the offset
 * from before the change, so 02:30 on a spring-forward night becomes 03:30 summer time.
 */
function wallClockOffset(wallAsUtc: number, offsetAt: (epochMs: number) => number): number {
  const before = offsetAt(wallAsUtc - EIGHTEEN_HOURS_MS);
  if (offsetAt(wallAsUtc - before * 60_000) === before) return before;
  const after = offsetAt(wallAsUtc + EIGHTEEN_HOURS_MS);
  if (offsetAt(wallAsUtc - after * 60_000) === after) return after;
  return before;
}

/**
 * Finds the UTC offset of the later instant of a wall-clock time (given as if it were UTC)
 * that occurs twice, or NaN when it occurs once or never. A time occurs twice when clocks went
 * back near it, so the offset 18 hours later is smaller than the one 18 hours before, and
 * each of the two offsets turns the time into an instant that has that offset.
 */
function laterWallClockOffset(wallAsUtc: number, offsetAt: (epochMs: number) => number): number {
  const before = offsetAt(wallAsUtc - EIGHTEEN_HOURS_MS);
  const after = offsetAt(wallAsUtc + EIGHTEEN_HOURS_MS);
  if (after >= before) return NaN;
  if (offsetAt(wallAsUtc - before * 60_000) !== before) return NaN;
  if (offsetAt(wallAsUtc - after * 60_000) !== after) return NaN;
  return after;
}

function offsetMinutesFromFormat(format: Intl.DateTimeFormat, epochMs: number): number {
  const parts: Record<string, number> = {};
  for (const part of format.formatToParts(new Date(epochMs))) {
    if (part.type !== "literal") parts[part.type] = Number(part.value);
  }
  const asUtc = Date.UTC(
    parts["year"] ?? 1970,
    (parts["month"] ?? 1) - 1,
    parts["day"] ?? 1,
    parts["hour"] ?? 0,
    parts["minute"] ?? 0,
    parts["second"] ?? 0,
  );
  const wholeSeconds = Math.floor(epochMs / 1000) * 1000;
  return Math.round((asUtc - wholeSeconds) / 60_000);
}

/** Formats an instant as ISO 8601 in the given zone, with its offset (`Z` for UTC). */
export function formatInstant(epochMs: number, zone: TimeZone): string {
  const offset = zone.offsetMinutesAt(epochMs);
  const shifted = new Date(epochMs + offset * 60_000).toISOString().slice(0, 19);
  if (offset === 0) return `${shifted}Z`;
  const sign = offset < 0 ? "-" : "+";
  const absolute = Math.abs(offset);
  const hours = String(Math.floor(absolute / 60)).padStart(2, "0");
  const minutes = String(absolute % 60).padStart(2, "0");
  return `${shifted}${sign}${hours}:${minutes}`;
}
