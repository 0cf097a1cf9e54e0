import type { ServerSubject } from "../diagnose/server-subject.js";
import type { Diagnosis } from "../diagnose/types.js";
import { failingConnectionProviders, suspendedProviders } from "../diagnose/verdict.js";
import { heldSubject } from "./hosts.js";
import { queueSpaceLabelWords } from "./queue-space-text.js";

/** The colour of the verdict label in the text report. `none` prints it in bold only. */
export type VerdictTone = "red" | "yellow" | "green" | "none";

/** The words after "Verdict:" in the text and Markdown reports, and their colour. */
export interface VerdictLabel {
  /** Lower-case words apart from acronyms, such as "not blocked, connections failing". */
  readonly words: string;
  readonly tone: VerdictTone;
}

/**
 * Chooses the verdict label that the text report prints in capitals and the Markdown report as
 * it is. The first state that applies wins: a block, outage or rate limit (the JSON status),
 * mail held by this server, no outbound delivery, connections still failing, delivery
 * suspended, a queue disk fault or lost local mail, and else "ok". "ok" would read as healthy
 * while this server keeps the mail back or loses it itself, or while connections to a provider
 * keep failing or stay suspended (exit 1), so those states get words of their own. A queue
 * disk fault or lost local mail also follows a block, an outage, a rate limit and "no outbound
 * delivery". The JSON status does not change for them. A rate limit whose likely causes are all
 * faults of this server's configuration reads "deferred, outgoing TLS is off" (see
 * `configurationFault`), so that the label points at the fix and not at sending less.
 */
export function verdictLabel(diagnosis: Diagnosis): VerdictLabel {
  const status = diagnosis.verdict.status;
  const queueWords = queueSpaceLabelWords(diagnosis.queueSpace);
  // A block leads, and a queue disk fault or lost local mail follows it, because the receivers'
  // verdict hides neither.
  const after = queueWords === null ? "" : `, ${queueWords}`;
  if (status === "blocked" || status === "unreachable") {
    return { words: `${status}${after}`, tone: "red" };
  }
  if (status === "rate-limited") {
    const fault = configurationFault(diagnosis);
    const words = fault === null ? status : `deferred, ${fault}`;
    return { words: `${words}${after}`, tone: "yellow" };
  }

  if (diagnosis.verdict.heldByServer !== null) {
    const subject = heldLabelSubject(heldSubject(diagnosis));
    return { words: `mail held by ${subject}`, tone: "red" };
  }
  const queueTone = diagnosis.queueSpace?.confirmed === true ? "red" : "yellow";
  if (status === "no-outbound-delivery") {
    if (queueWords === null) return { words: "no outbound delivery", tone: "none" };
    return { words: `no outbound delivery, ${queueWords}`, tone: queueTone };
  }
  if (failingConnectionProviders(diagnosis.providers).length > 0) {
    return { words: "not blocked, connections failing", tone: "yellow" };
  }
  if (suspendedProviders(diagnosis.providers).length > 0) {
    return { words: "not blocked, delivery suspended", tone: "yellow" };
  }
  if (queueWords !== null) return { words: `not blocked, ${queueWords}`, tone: queueTone };
  return { words: "ok", tone: "green" };
}

/**
 * Names the servers that hold mail without host names, whose case the text report's capitals
 * would change: "this server", "these servers", or "one of these servers" and "some of these
 * servers" when the verdict summary names some hosts of several.
 */
function heldLabelSubject(subject: ServerSubject): string {
  if (!subject.named) return subject.text;
  return subject.plural ? "some of these servers" : "one of these servers";
}

/** The label words for the finding ids that name a fault of this server's own configuration. */
const CONFIGURATION_FAULTS: Readonly<Partial<Record<string, string>>> = {
  "tls-required": "outgoing TLS is off",
  "reverse-dns": "reverse DNS fails",
  authentication: "authentication fails",
};

/**
 * Names the configuration faults behind a rate limit, such as "outgoing TLS is off", or returns
 * null unless every cause of warning or critical severity is such a fault. A cause of another
 * kind, such as `web-script`, keeps the label "rate-limited".
 */
function configurationFault(diagnosis: Diagnosis): string | null {
  const causes = diagnosis.findings.filter((f) => f.role === "cause" && f.severity !== "info");
  // A tls-required finding without receiver replies is about handshakes that fail.
  const faults = causes.map((f) =>
    f.id === "tls-required" && !("codes" in f.evidence)
      ? "outgoing TLS fails"
      : CONFIGURATION_FAULTS[f.id],
  );
  if (faults.length === 0 || faults.some((fault) => fault === undefined)) return null;
  return [...new Set(faults)].join(" and ");
}
