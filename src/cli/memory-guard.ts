import process from "node:process";
import v8 from "node:v8";

/**
 * Resident set size above which the guard makes V8 collect old garbage sooner. Runs that stay
 * below it keep V8's defaults, which collect less often: `diagnose` over the first 200 MiB of
 * the benchmark log peaks at about 130 MB.
 */
export const GUARD_RSS_BYTES = 150 * 1024 * 1024;

/**
 * The V8 setting the guard applies: the old generation may grow by half of what survived the
 * last full collection, instead of up to four times that. A log of messages that each stay
 * open for a while (a deferral per queue id, never removed) keeps about 45 MB alive, but with
 * the defaults its dead messages let the heap grow to 200 MB and the process to 290 to 330 MB.
 */
export const GUARD_V8_FLAG = "--heap-growing-percent=50";

/** How often the guard reads the resident set size, in milliseconds. */
const CHECK_INTERVAL_MS = 100;

/** What the guard reads and changes: the process's memory and V8's settings. */
export interface GuardedProcess {
  residentBytes(): number;
  setV8Flag(flag: string): void;
}

const NODE_PROCESS: GuardedProcess = {
  residentBytes: () => process.memoryUsage.rss(),
  setV8Flag: (flag) => v8.setFlagsFromString(flag),
};

/**
 * Applies GUARD_V8_FLAG once the resident set size passes `limitBytes`. Returns true when it
 * applied the flag on this call, so the caller can stop checking.
 */
export function checkMemory(target: GuardedProcess, limitBytes = GUARD_RSS_BYTES): boolean {
  if (target.residentBytes() <= limitBytes) return false;
  target.setV8Flag(GUARD_V8_FLAG);
  return true;
}

/**
 * Starts a timer that applies GUARD_V8_FLAG once the process passes GUARD_RSS_BYTES, so a large
 * input stays under its memory bound (300 MB for a log of any size) while a small or common one
 * keeps V8's faster defaults. The timer does not keep the process alive.
 */
export function startMemoryGuard(target: GuardedProcess = NODE_PROCESS): void {
  const timer = setInterval(() => {
    if (checkMemory(target)) clearInterval(timer);
  }, CHECK_INTERVAL_MS);
  timer.unref();
}
