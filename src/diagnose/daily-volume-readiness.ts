import type { DiagnoseContext } from "./context.js";
import { findDailyBurst, utcDate } from "./findings/daily-burst.js";
import type { ReadinessItem } from "./types.js";

const ITEM = { id: "volume-normal", title: "Volume back to normal" } as const;

/**
 * Builds the `volume-normal` item for a burst that only the daily volume shows (see
 * `findDailyBurst`), or returns null when there is none. The item passes when a whole day
 * after the burst went back below the burst level. It fails when the burst lasts until the end
 * of the log, and it is not checked when the log ends before the day after the burst is over.
 */
export function dailyVolumeItem(context: DiagnoseContext): ReadinessItem | null {
  const burst = findDailyBurst(context);
  if (burst === null) return null;
  const first = burst.days[0] ?? burst.peak;
  const last = burst.days[burst.days.length - 1] ?? burst.peak;
  const span =
    first.day === last.day
      ? `on ${utcDate(first.day)}`
      : `from ${utcDate(first.day)} to ${utcDate(last.day)}`;
  const level = `up to ${burst.peak.recipients.toLocaleString("en-US")} recipients a day against ${burst.baseline.toLocaleString("en-US")} before`;

  if (burst.after === null) {
    return {
      ...ITEM,
      status: "fail",
      detail: `Outbound volume is still far above its usual daily level at the end of the log: ${level}, ${span} (UTC days).`,
    };
  }
  if (!burst.after.whole) {
    return {
      ...ITEM,
      status: "not-checked",
      detail: `Outbound volume was far above its usual daily level ${span} (UTC days, ${level}), and the log ends before the next day is over; give a newer log to see whether it went back to normal.`,
    };
  }
  return {
    ...ITEM,
    status: "pass",
    detail: `The daily burst ${span} (UTC days, ${level}) ended: ${utcDate(burst.after.day)} sent ${burst.after.recipients.toLocaleString("en-US")}.`,
  };
}
