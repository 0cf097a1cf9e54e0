/** The DNS port: resolvers, the per-run context, names and zone files. */
export * from "./types.js";
export * from "./context.js";
export { reverseName, parseIp, isIpAddress, nameProblem, hostNameProblem } from "./names.js";
export { parseZoneFile, type ZoneData, type ZoneRecord } from "./zone-file.js";
export { zoneResolver, zoneFileResolver } from "./zone.js";
export { recordingResolver, replayResolver } from "./replay.js";
export {
  systemResolver,
  serverResolver,
  unavailableResolver,
  offlineResolver,
  parseServer,
} from "./system.js";
export { wireResolver, type ServerAddress } from "./wire.js";
