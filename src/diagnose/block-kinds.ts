import type { ProviderVerdict, ReplyEvidence } from "./types.js";
import { inLastHours } from "./verdict.js";

/** The block replies of one kind, permanent or temporary, that a provider sent. */
export interface BlockKindPeriod {
  readonly permanent: boolean;
  /** Time of the first reply of this kind. */
  readonly first: string;
  readonly last: ReplyEvidence;
  /** Block-signal replies of this kind, to recipients and to whole sessions. */
  readonly replies: number;
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
      replies: repliesOf(verdict, permanent),
      current: isLatest || inLastHours(last.time, logEnd),
    });
  };
  add(false, verdict.firstTemporaryBlock, verdict.lastTemporaryBlock);
  add(true, verdict.firstPermanentBlock, verdict.lastPermanentBlock);
  return periods.sort((a, b) => Date.parse(a.first) - Date.parse(b.first));
}

/** Counts a provider's block-signal replies of one kind, permanent or temporary. */
function repliesOf(verdict: ProviderVerdict, permanent: boolean): number {
  return verdict.reasons
    .filter((reason) => reason.blockSignal && reason.permanent === permanent)
    .reduce((total, reason) => total + reason.count + reason.sessionCount, 0);
}

/**
 * Describes what a provider does with the mail, kind by kind, for the verdict sentence, in the
 * order the kinds started. A kind that stopped is in the past tense with its period, and one
 * reply alone reads "once, at …". `ongoing` is the caller's clause on the end of the block,
 * such as ", still going on at the end of the log", and follows the kinds that go on. A kind
 * that stopped after a kind that goes on had started comes after that clause, so the sentence
 * does not go back in time: "Gmail defers mail from this server since …, still going on at the
 * end of the log, and rejected it from … to …". `mail` is the object of the first verb, such
 * as "mail from this server", and `plural` gives the present tense the verb form of a plural
 * subject ("other receivers defer").
 */
export function blockKindsClause(
  subject: string,
  mail: string,
  periods: readonly BlockKindPeriod[],
  plural: boolean,
  ongoing: string,
): string {
  const firstCurrent = periods.find((period) => period.current);
  const later = (period: BlockKindPeriod) =>
    !period.current &&
    firstCurrent !== undefined &&
    Date.parse(period.first) > Date.parse(firstCurrent.first);
  const before = periods.filter((period) => !later(period));
  const after = periods.filter(later);
  const ordered = [
    ...before.filter((period) => !period.current),
    ...before.filter((period) => period.current),
  ];
  const parts = ordered.map((period, index) => kindText(period, index === 0 ? mail : "it", plural));
  const afterParts = after.map((period) => `, and ${kindText(period, "it", plural)}`);
  return `${subject} ${parts.join(" and ")}${ongoing}${afterParts.join("")}`;
}

/** Describes one kind of block reply: "defers mail since …", "rejected it once, at …". */
function kindText(period: BlockKindPeriod, object: string, plural: boolean): string {
  if (period.current) {
    const stem = period.permanent ? "reject" : "defer";
    return `${plural ? stem : `${stem}s`} ${object} since ${period.first}`;
  }
  const verb = period.permanent ? "rejected" : "deferred";
  if (period.first !== period.last.time) {
    return `${verb} ${object} from ${period.first} to ${period.last.time}`;
  }
  return `${verb} ${object} ${period.replies === 1 ? "once, " : ""}at ${period.first}`;
}
