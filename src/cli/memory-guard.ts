import process from "node:process";
import v8 from "node:v8";

/** A resident set size and the V8 setting that the guard applies once the process passes it. */
export interface GuardStep {
  readonly residentBytes: number;
  readonly v8Flag: string;
}

const MB = 1024 * 1024;

/**
 * The steps of the guard, smallest size first. V8 lets the old generation grow to up to four
 * times what survived its last full collection. A log of messages that each stay open for a
 * while (a deferral per queue id, never removed) keeps about 45 MB alive, and its dead messages
 * then let the process reach 300 to 340 MB. Past 150 MB the heap may grow by what survived
 * (`--heap-growing-percent=100`), which costs the 1 GiB benchmark log little, and past 220 MB by
 * a quarter of it. Runs that stay below 150 MB, such as `diagnose` over the first 200 MiB of
 * the benchmark log (about 130 MB), keep V8's defaults.
 * NOTE: the sizes and percentages were chosen on the benchmark log and on a generated log of
 * one deferral per queue id, 1,000,000 lines in gzip. Other inputs may need other values.
 */
export const GUARD_STEPS: readonly GuardStep[] = [
  { residentBytes: 150 * MB, v8Flag: "--heap-growing-percent=100" },
  { residentBytes: 220 * MB, v8Flag: "--heap-growing-percent=25" },
];

/** How often the guard reads the resident set size, in milliseconds. */
const CHECK_INTERVAL_MS = 100;

/** The process state that the guard reads and changes: its memory and V8's settings. */
export interface GuardedProcess {
  residentBytes(): number;
  setV8Flag(flag: string): void;
}

const NODE_PROCESS: GuardedProcess = {
  residentBytes: () => process.memoryUsage.rss(),
  setV8Flag: (flag) => v8.setFlagsFromString(flag),
};

/**
 * Applies the flag of each step from `steps[next]` on that the process has passed, and returns
 * the index of the first step not applied yet.
 */
export function checkMemory(
  target: GuardedProcess,
  next: number,
  steps: readonly GuardStep[] = GUARD_STEPS,
): number {
  const resident = target.residentBytes();
  let index = next;
  for (let step = steps[index]; step !== undefined && resident > step.residentBytes;) {
    target.setV8Flag(step.v8Flag);
    index += 1;
    step = steps[index];
  }
  return index;
}

/**
 * Starts a timer that applies the guard's steps as the process grows, so a large input stays
 * under its memory bound (300 MB for a log of any size) while a small or common one keeps V8's
 * faster defaults. The timer does not keep the process alive and stops after the last step.
 * NOTE: no step counts accounts. A log of 50,000 SASL accounts peaks at 287 to 291 MB
 * (`bench/accounts-memory.mjs`, Node 20, load 17 to 20), close to the bound. A log that adds
 * 200,000 deferred queue ids and 1,000,000 recipient domains to them peaks at 321 to 326 MB.
 * Its live heap is about 121 MB after reading, and V8 lets the heap reach 250 MB before a full
 * collection. Read buffers that wait for a full collection add 10 to 35 MB.
 */
export function startMemoryGuard(target: GuardedProcess = NODE_PROCESS): void {
  let next = 0;
  const timer = setInterval(() => {
    next = checkMemory(target, next);
    if (next >= GUARD_STEPS.length) clearInterval(timer);
  }, CHECK_INTERVAL_MS);
  timer.unref();
}
