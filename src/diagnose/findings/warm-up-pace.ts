import { DAY_MS, dayOf } from "../../analysis/time.js";
import type { DiagnoseContext } from "../context.js";
import { firstBlockTime } from "./outbound-bursts.js";
import { dailyRecipients } from "./volume-spike.js";

/**
 * The daily growth that warm-up advice allows: a quarter a day. It stays below `RAMP_FACTOR`
 * (half a day), the growth that the `volume-spike` ramp test flags, because a ramp that the
 * detector flags is one that receivers throttle.
 */
export const WARM_UP_GROWTH_FACTOR = 1.25;

/** The advised growth as words for fix steps, matching `WARM_UP_GROWTH_FACTOR`. */
export const WARM_UP_GROWTH_TEXT = "by at most a quarter a day";

/** A whole day's outbound recipients before the first block reply. */
export interface AcceptedDay {
  /** The UTC day as `YYYY-MM-DD`, as `dailyRamp` writes it. */
  readonly day: string;
  readonly recipients: number;
}

/**
 * Returns the last whole UTC day that ended before the first block reply of any provider and
 * sent outbound mail: the last daily volume that receivers accepted without rejecting or
 * deferring it for the sender's reputation. Returns null when the log has no block reply or
 * no such day.
 */
export function lastAcceptedDay(context: DiagnoseContext): AcceptedDay | null {
  const blockStart = firstBlockTime(context);
  const first = context.facts.firstTime;
  if (blockStart === null || first === null) return null;
  let accepted: { day: number; recipients: number } | null = null;
  for (const entry of dailyRecipients(context)) {
    const whole = entry.day >= dayOf(first) && entry.day + DAY_MS <= blockStart;
    if (whole && entry.recipients > 0) accepted = entry;
  }
  if (accepted === null) return null;
  return { day: context.time(accepted.day).slice(0, 10), recipients: accepted.recipients };
}

/**
 * Builds the warm-up step that begins with `lead` ("Warm the IP up"): restart from the last
 * accepted daily volume when the log shows one (`accepted`), else from `start`, and grow
 * `WARM_UP_GROWTH_TEXT` while no provider defers mail.
 */
export function warmUpStep(lead: string, start: string, accepted: AcceptedDay | null): string {
  const growth = `grow it ${WARM_UP_GROWTH_TEXT} to each provider, and only while none of them defers mail`;
  if (accepted === null) return `${lead}: ${start} and ${growth}.`;
  const volume = accepted.recipients.toLocaleString("en-US");
  return `${lead}: go back to about ${volume} recipients a day, the last daily volume that receivers accepted without deferrals (${accepted.day}), and ${growth}.`;
}
