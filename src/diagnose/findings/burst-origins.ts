import { describeOrigin } from "./origin-names.js";
import type { DiagnoseContext } from "../context.js";
import { busiestOf, earlierDays, type Burst, type HourValues } from "../series.js";
import type { OutboundBurst } from "./outbound-bursts.js";

/** A submitter or envelope sender with its recipients in the burst hours. */
export interface BurstContributor {
  readonly name: string;
  readonly recipients: number;
}

/** Maximum entries in `topOrigins` of a burst. */
const MAX_ORIGINS = 5;

/**
 * Lists the accounts, local programs and relay clients that sent more in the burst hours than
 * on their busiest earlier day in the same hours, the burst's own source first and the rest by
 * recipients. A submitter that sent no more than before, such as an office account at its usual
 * peak, sent ordinary mail beside the burst and is left out.
 */
export function burstOrigins(context: DiagnoseContext, burst: OutboundBurst): BurstContributor[] {
  const { accounts, localSources, relayClients } = context.facts.origins;
  const series: Array<{ name: string; values: Map<number, number> }> = [];
  for (const origin of [...accounts.values(), ...localSources.values(), ...relayClients.values()]) {
    const values = new Map([...origin.hourly].map(([hour, counts]) => [hour, counts.recipients]));
    series.push({ name: describeOrigin(origin), values });
  }
  const entries = aboveEarlierDays(context, burst, series);
  const source = burst.source;
  if (source === null || source.kind === "sender") return entries.slice(0, MAX_ORIGINS);
  const others = entries.filter((entry) => entry.name !== source.name);
  return [{ name: source.name, recipients: source.recipients }, ...others].slice(0, MAX_ORIGINS);
}

/**
 * Lists the envelope sender addresses that sent more in the burst hours than on their busiest
 * earlier day in the same hours, by recipients. The key null is the null sender `<>`.
 *
 * The hourly tables of senders keep up to 64 senders each (see `HourSenders`), so both sides
 * are bounds. The burst hours count the recipients that the tables certainly saw. The earlier
 * days count the maximum that each sender can have sent, which for a sender missing from an
 * hour that replaced senders is that hour's smallest estimate. So a light sender missing from a
 * busy earlier hour does not look new there.
 */
export function burstSenders(
  context: DiagnoseContext,
  burst: Pick<Burst, "hours" | "startHour" | "endHour">,
): Array<[string | null, number]> {
  const series = new Map<
    string | null,
    { values: Map<number, number>; max: Map<number, number> }
  >();
  const maxMissing = new Map<number, number>();
  for (const [hour, volume] of context.facts.volume.hours) {
    maxMissing.set(hour, volume.senders.maxMissingRecipients);
    for (const [sender, counts] of volume.senders) {
      let entry = series.get(sender);
      if (entry === undefined) {
        entry = { values: new Map(), max: new Map() };
        series.set(sender, entry);
      }
      entry.values.set(hour, counts.recipients);
      entry.max.set(hour, counts.recipients + counts.overcount);
    }
  }
  const entries = aboveEarlierDays(
    context,
    burst,
    [...series].map(([name, { values, max }]) => ({
      name,
      values,
      earlierValues: { get: (hour: number) => max.get(hour) ?? maxMissing.get(hour) },
    })),
  );
  return entries.map((entry) => [entry.name, entry.recipients]);
}

/**
 * Sums each series over the burst hours and keeps those above their busiest earlier day in the
 * same hours, the largest first. The earlier days are read from `earlierValues` when a series
 * has it, else from `values`. A series is kept when the log covers no such earlier day, because
 * then nothing shows that its mail was ordinary.
 */
function aboveEarlierDays<Name>(
  context: DiagnoseContext,
  burst: Pick<Burst, "hours" | "startHour" | "endHour">,
  series: ReadonlyArray<{ name: Name; values: HourValues; earlierValues?: HourValues }>,
): Array<{ name: Name; recipients: number }> {
  const coveredFrom = context.facts.firstTime ?? burst.startHour;
  const contributors: Array<{ name: Name; recipients: number }> = [];
  for (const { name, values, earlierValues = values } of series) {
    const recipients = burst.hours.reduce((sum, point) => sum + (values.get(point.hour) ?? 0), 0);
    if (recipients === 0) continue;
    const busiest = busiestOf(earlierDays(earlierValues, burst, coveredFrom));
    if (busiest !== null && recipients <= busiest.total) continue;
    contributors.push({ name, recipients });
  }
  return contributors.sort((a, b) => b.recipients - a.recipients);
}
