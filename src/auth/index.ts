/**
 * Mail authentication and DNS checks of sending domains and IPs. `checkSenders` is the entry
 * point for `delist check` and `delist diagnose`; the single checks are exported for tools
 * that need one of them.
 */
export { checkSenders, worst } from "./report.js";
export type {
  DomainReport,
  Section,
  SenderCheckContext,
  SenderCheckInput,
  SenderCheckReport,
} from "./report.js";
export { httpsFetcher, type HttpsFetcher, type HttpsResponse } from "./https.js";
export type { CheckResult, Problem, Verdict } from "./types.js";
export { checkSpf } from "./spf/check.js";
export { evaluateSpf, type SpfEvaluation } from "./spf/evaluate.js";
export type { SpfRequest, SpfResult } from "./spf/state.js";
export { checkDkim, type SelectorSource } from "./dkim/check.js";
export { selectorsInMessage, COMMON_SELECTORS } from "./dkim/selectors.js";
export { verifyDkimSignatures, type DkimSignatureResult } from "./dkim/verify.js";
export { checkDmarc } from "./dmarc/check.js";
export { evaluateDmarc, type DmarcEvaluation } from "./dmarc/alignment.js";
export { discoverDmarc, type OrgDomainMethod } from "./dmarc/discover.js";
export { fromDomains } from "./dmarc/from.js";
export { checkMessage, type MessageCheck } from "./message.js";
export { applyMessageCheck } from "./message-report.js";
export { checkPtr } from "./ptr.js";
export { checkMx } from "./mx.js";
export { checkMtaSts } from "./mta-sts.js";
export { checkTlsRpt } from "./tls-rpt.js";
export { checkBimi } from "./bimi.js";
export { requirementTable, type RequirementRow } from "./requirements.js";
export { renderCheckText } from "./text.js";
