/**
 * DNS blocklist and reputation look-ups. `checkBlocklists` is the entry point for
 * `delist blocklists` and `delist diagnose`: it returns one result per target and list, the
 * run's notices, the `ip-blocklisted` finding and the `blocklists` readiness item.
 */
export {
  checkBlocklists,
  DEFAULT_CONCURRENCY,
  DEFAULT_QUERIES_PER_SECOND,
  type BlocklistInput,
  type BlocklistOptions,
} from "./check.js";
export type { BlocklistReport, ListReport, Notice, NoticeKind } from "./report.js";
export { CATALOGUE, isLive, retiredListOfZone } from "./catalogue.js";
export {
  BlocklistConfigError,
  loadBlocklistConfig,
  parseBlocklistConfig,
  withConfig,
  type BlocklistConfig,
} from "./config.js";
export { interpretAnswer } from "./interpret.js";
export { judgeProbes, type ListHealth, type ListHealthState } from "./probe.js";
export { findPublicResolver, type PublicResolver } from "./public-resolver.js";
export { checkDqsKey, parseTarget, queryName, uniqueTargets, type Target } from "./query-name.js";
export { runQueries, type ScheduledQuery, type SchedulerOptions } from "./scheduler.js";
export { renderBlocklistText, type TextStyle } from "./text.js";
export * from "./types.js";
