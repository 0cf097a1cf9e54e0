/**
 * Process ids for the syslog tags. Postfix's master runs a few long-lived daemons (qmgr,
 * pickup, anvil) and pools of short-lived workers that each serve many requests before they
 * exit; new processes take the next free pid.
 */
export function createPids(random) {
  let nextPid = random.int(2000, 9000);
  const newPid = () => {
    nextPid = nextPid >= 32760 ? 300 : nextPid + random.int(1, 9);
    return nextPid;
  };

  // A pool of worker pids; each use may retire the worker and start a new one.
  const pool = (size, retireChance) => {
    const pids = Array.from({ length: size }, newPid);
    return () => {
      const index = random.int(0, size - 1);
      if (random.chance(retireChance)) pids[index] = newPid();
      return pids[index];
    };
  };

  return {
    qmgr: newPid(),
    pickup: newPid(),
    anvil: newPid(),
    /** One smtpd per client connection. */
    smtpd: newPid,
    smtp: pool(24, 0.01),
    cleanup: pool(6, 0.005),
    lmtp: pool(4, 0.01),
    local: pool(2, 0.01),
    bounce: pool(2, 0.01),
  };
}
