/**
 * The SMTP probe: a conversation with the recipient's MX that stops before DATA, its status,
 * the rate limit that keeps probing from harming the sender, and its record in the history.
 */
export { runProbe, type ProbeContext, type ProbeRequest } from "./probe.js";
export { parseMxOverride, planMailHosts, SMTP_PORT, type MailHost } from "./mail-hosts.js";
export { ehloName, heloProblem, heloWarning, isFullyQualifiedHelo } from "./helo.js";
export { mxFamilyMismatch, sourceAddressProblem } from "./source-address.js";
export { AFTER_DATA_LIMIT, afterDataNote, decideStatus } from "./status.js";
export {
  checkProbeRate,
  DEFAULT_PROBE_INTERVAL_MS,
  describeProbeTarget,
  probeTarget,
  type ProbePermission,
} from "./etiquette.js";
export { recordProbe, type RecordedProbe } from "./record.js";
export {
  MAX_STORED_TEXT_BYTES,
  storedProbeResult,
  type StoredProbeResult,
} from "./stored-result.js";
export { ReplyReader, SmtpProtocolError, wireText, type WireReply } from "./reply-reader.js";
export { SmtpConnection, SmtpConnectionError, type TlsInfo } from "./connection.js";
export type { ProbeMx, ProbeReply, ProbeResult, ProbeStatus } from "./types.js";
export { renderProbeText, type ProbeTextStyle } from "./text.js";
