import { setTimeout as sleep } from "node:timers/promises";
import type { DnsContext } from "../dns/context.js";
import type { DnsResult } from "../dns/types.js";

/** One A query for one list; `group` is the list id that its rate limit counts against. */
export interface ScheduledQuery {
  readonly group: string;
  readonly name: string;
}

/** Limits of a batch of queries. */
export interface SchedulerOptions {
  /** Queries in flight at once, over all lists. */
  readonly concurrency: number;
  /** Maximum queries started per second for the list `group`. */
  readonly queriesPerSecond: (group: string) => number;
  /** Answers already known in this run, by query name; these names are not asked again. */
  readonly known?: ReadonlyMap<string, DnsResult<"A">>;
  /** Clock in milliseconds; default `Date.now`. */
  readonly now?: () => number;
}

interface GroupQueue {
  readonly names: string[];
  next: number;
  readonly intervalMs: number;
  earliestStart: number;
}

type Pick = { readonly name: string } | { readonly waitMs: number } | null;

/**
 * Runs A queries with at most `concurrency` in flight and at most `queriesPerSecond(group)`
 * started per second for each list, taking lists in turn so that one list's limit does not
 * hold up the others. Each query name is asked once: duplicates and names in `known` are
 * skipped. Returns every answer by query name (including those of `known`).
 */
export async function runQueries(
  dns: DnsContext,
  queries: readonly ScheduledQuery[],
  options: SchedulerOptions,
): Promise<Map<string, DnsResult<"A">>> {
  const answers = new Map<string, DnsResult<"A">>(options.known ?? []);
  const queues = buildQueues(queries, answers, options);
  const clock = options.now ?? Date.now;
  let cursor = 0;

  const pick = (): Pick => {
    const now = clock();
    let waitMs = Number.POSITIVE_INFINITY;
    for (let step = 0; step < queues.length; step++) {
      const index = (cursor + step) % queues.length;
      const queue = queues[index] as GroupQueue;
      if (queue.next >= queue.names.length) continue;
      if (queue.earliestStart > now) {
        waitMs = Math.min(waitMs, queue.earliestStart - now);
        continue;
      }
      cursor = (index + 1) % queues.length;
      queue.earliestStart = now + queue.intervalMs;
      return { name: queue.names[queue.next++] as string };
    }
    return Number.isFinite(waitMs) ? { waitMs } : null;
  };

  const worker = async (): Promise<void> => {
    for (let job = pick(); job !== null; job = pick()) {
      if ("waitMs" in job) await sleep(Math.max(1, Math.ceil(job.waitMs)));
      else answers.set(job.name, await dns.lookup(job.name, "A"));
    }
  };

  const workers = Math.max(1, Math.min(options.concurrency, queries.length));
  await Promise.all(Array.from({ length: workers }, () => worker()));
  return answers;
}

function buildQueues(
  queries: readonly ScheduledQuery[],
  answers: ReadonlyMap<string, DnsResult<"A">>,
  options: SchedulerOptions,
): GroupQueue[] {
  const byGroup = new Map<string, GroupQueue>();
  const seen = new Set<string>();
  for (const { group, name } of queries) {
    const key = name.toLowerCase();
    if (seen.has(key) || answers.has(key)) continue;
    seen.add(key);
    let queue = byGroup.get(group);
    if (queue === undefined) {
      const rate = options.queriesPerSecond(group);
      queue = { names: [], next: 0, intervalMs: 1000 / rate, earliestStart: 0 };
      byGroup.set(group, queue);
    }
    queue.names.push(key);
  }
  return [...byGroup.values()];
}
