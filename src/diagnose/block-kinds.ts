import type { ProviderVerdict, ReplyEvidence } from "./types.js";
import { inLastHours } from "./verdict.js";

/** The block replies of one kind, permanent or temporary, that a provider sent. */
export interface BlockKindPeriod {
  readonly permanent: boolean;
  /** Time of the first reply of this kind. */
  readonly first: string;
  readonly last: ReplyEvidence;
  /**
   * True when replies of this kind still came at the end of the block: the latest of them is
   * the block's latest reply, or it falls in the last `ONGOING_WINDOW_MS` of the log.
   */
  readonly current: boolean;
}

/**
 * Splits a provider's block replies into its rejections and its deferrals, earliest first.
 * Gmail, for one, rejects part of the mail as spam for a while and defers the rest for days,
 * so a block can go on with one kind after the other has stopped.
 */
export function blockKinds(verdict: ProviderVerdict, logEnd: number | null): BlockKindPeriod[] {
  const latest = verdict.lastBlock;
  const periods: BlockKindPeriod[] = [];
  const add = (permanent: boolean, first: ReplyEvidence | null, last: ReplyEvidence | null) => {
    if (first === null || last === null) return;
    const lastTime = Date.parse(last.time);
    const isLatest = latest !== null && lastTime >= Date.parse(latest.time);
    periods.push({
      permanent,
      first: first.time,
      last,
      current: isLatest || inLastHours(last.time, logEnd),
    });
  };
  add(false, verdict.firstTemporaryBlock, verdict.lastTemporaryBlock);
  add(true, verdict.firstPermanentBlock, verdict.lastPermanentBlock);
  return periods.sort((a, b) => Date.parse(a.first) - Date.parse(b.first));
}

/**
 * Describes what a provider does with the mail, kind by kind, for the verdict sentence. A kind
 * that stopped is in the past tense with its period and comes first, so that a clause the
 * caller appends ("still going on at the end of the log") follows a kind that goes on:
 * "Gmail rejected mail from this server from … to … and defers it since …". `mail` is the
 * object of the first verb, such as "mail from this server", and `plural` gives the present
 * tense the verb form of a plural subject ("other receivers defer").
 */
export function blockKindsClause(
  subject: string,
  mail: string,
  periods: readonly BlockKindPeriod[],
  plural: boolean,
): string {
  const ordered = [
    ...periods.filter((period) => !period.current),
    ...periods.filter((period) => period.current),
  ];
  const parts = ordered.map((period, index) => {
    const object = index === 0 ? mail : "it";
    if (!period.current) {
      const verb = period.permanent ? "rejected" : "deferred";
      return `${verb} ${object} from ${period.first} to ${period.last.time}`;
    }
    const stem = period.permanent ? "reject" : "defer";
    return `${plural ? stem : `${stem}s`} ${object} since ${period.first}`;
  });
  return `${subject} ${parts.join(" and ")}`;
}
