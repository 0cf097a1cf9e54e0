import { providerRowName } from "../../analysis/providers.js";
import type { ProviderKey } from "../../knowledge/providers.js";
import { failedHostOf } from "../../knowledge/rules/connection.js";
import type { MtaName } from "../../logs/events.js";
import type { DiagnoseContext } from "../context.js";
import type { Finding } from "../types.js";
import { undeliveredReport, type UndeliveredSampleReport } from "../undelivered.js";
import { ONGOING_WINDOW_MS } from "../verdict.js";
import { listNames, period, plural } from "./build.js";
import { mtaStep } from "./mta-steps.js";

/**
 * A provider row needs at least this many deliveries that failed on the MTA's own outbound TLS,
 * and at least `TLS_FAILURE_MIN_SHARE` of its attempts, before `tls-required` reports them.
 * A few failures among many deliveries are usually single receivers with a broken certificate. Five
 * and a tenth are estimates.
 */
export const TLS_FAILURE_MIN_LINES = 5;
export const TLS_FAILURE_MIN_SHARE = 0.1;

/** The outbound TLS failures of one provider row. */
export interface ProviderTlsFailures {
  readonly name: string;
  /** Deferral and bounce lines: every retry counts. */
  readonly count: number;
  /** The row's delivery attempts, the failures included. */
  readonly attempts: number;
  readonly first: string;
  readonly last: string;
}

/** Deliveries that this server deferred or bounced because its own outbound TLS failed. */
export interface TlsFailureEvidence {
  /** Deferral and bounce lines of the rows in `providers`: every retry counts. */
  readonly count: number;
  readonly deferred: number;
  readonly bounced: number;
  /** The earliest of these lines. */
  readonly first: UndeliveredSampleReport;
  readonly last: string;
  /** True when the latest line falls within two hours of the end of the log. */
  readonly ongoing: boolean;
  /**
   * The receiver's host that the earliest line names, as a plain host name that is safe in a
   * shell command, or null when it names none.
   */
  readonly host: string | null;
  /** Only the rows with enough failures (see `TLS_FAILURE_MIN_LINES`). */
  readonly providers: Partial<Record<ProviderKey, ProviderTlsFailures>>;
}

/**
 * Collects the outbound TLS failures of the provider rows that have enough of them (see
 * `TLS_FAILURE_MIN_LINES`), or returns null when no row has.
 */
export function collectTlsFailures(context: DiagnoseContext): TlsFailureEvidence | null {
  const rows = [...context.facts.providers.values()].filter((facts) => {
    const failures = facts.tlsFailures.deferred + facts.tlsFailures.bounced;
    return failures >= TLS_FAILURE_MIN_LINES && failures >= facts.attempts * TLS_FAILURE_MIN_SHARE;
  });
  if (rows.length === 0) return null;

  const earliest = rows
    .map((facts) => facts.tlsFailures)
    .reduce((best, tally) =>
      best.first === null || (tally.first !== null && tally.first.time < best.first.time)
        ? tally
        : best,
    );
  const first = undeliveredReport(earliest, (time) => context.time(time)).first;
  if (first === null) return null;

  const lastTime = Math.max(...rows.map((facts) => facts.tlsFailures.lastTime));
  const logEnd = context.facts.lastTime ?? lastTime;
  const providers: Partial<Record<ProviderKey, ProviderTlsFailures>> = {};
  for (const facts of rows) {
    const tally = facts.tlsFailures;
    providers[facts.key] = {
      name: providerRowName(facts),
      count: tally.deferred + tally.bounced,
      attempts: facts.attempts,
      first: context.time(tally.first?.time ?? tally.lastTime),
      last: context.time(tally.lastTime),
    };
  }
  const deferred = rows.reduce((total, facts) => total + facts.tlsFailures.deferred, 0);
  const bounced = rows.reduce((total, facts) => total + facts.tlsFailures.bounced, 0);
  return {
    count: deferred + bounced,
    deferred,
    bounced,
    first,
    last: context.time(lastTime),
    ongoing: lastTime >= logEnd - ONGOING_WINDOW_MS,
    host: failedHostOf({
      relayHost: earliest.first?.relayHost ?? null,
      text: earliest.first?.text ?? "",
    }),
    providers,
  };
}

/**
 * Describes the failures in two sentences, such as "This server's own outbound TLS failed for
 * 25 deliveries to Gmail (25 of 30 attempts), from 2024-03-05 08:50:00 to … It still fails
 * within the last two hours of the log."
 */
export function tlsFailureSentences(evidence: TlsFailureEvidence): string {
  const rows = Object.values(evidence.providers).flatMap((row) =>
    row === undefined ? [] : [`${row.name} (${row.count} of ${row.attempts} attempts)`],
  );
  const end = evidence.ongoing
    ? "It still fails within the last two hours of the log."
    : "It stopped more than two hours before the end of the log.";
  return (
    `This server's own outbound TLS failed for ${plural(evidence.count, "delivery", "deliveries")} to ${rows.join(", ")}, ` +
    `${period(evidence.first.time, evidence.last)}, so the MTA deferred or bounced the mail before any receiver could judge it. ${end}`
  );
}

/** Returns the outbound TLS failures in the evidence of a `tls-required` finding, or null. */
export function tlsFailuresOf(result: Finding): TlsFailureEvidence | null {
  if (result.id !== "tls-required") return null;
  const evidence = result.evidence as { readonly handshakeFailures?: TlsFailureEvidence | null };
  return evidence.handshakeFailures ?? null;
}

/**
 * Returns the verdict's sentence on the outbound TLS failures of a `tls-required` finding in
 * `findings` that still go on at the end of the log, with a leading space, or "" when there
 * are none.
 */
export function tlsFailureNote(findings: readonly Finding[]): string {
  for (const result of findings) {
    const failures = tlsFailuresOf(result);
    if (failures === null || !failures.ongoing) continue;
    const names = Object.values(failures.providers).flatMap((row) =>
      row === undefined ? [] : [row.name],
    );
    return ` This server's own outbound TLS fails for mail to ${listNames(names)}: ${plural(failures.count, "failed delivery", "failed deliveries")} since ${failures.first.time}, still in the last two hours of the log (tls-required).`;
  }
  return "";
}

/**
 * Client settings that decide how the MTA checks the receiver's certificate and which CA
 * bundle and client certificate it uses, by MTA. Exim's are options of the smtp transport.
 */
const CERTIFICATE_SETTINGS: Readonly<Record<MtaName, string>> = {
  postfix:
    "`smtp_tls_security_level` (`verify`, `secure` or `dane` check the certificate, `may` and `encrypt` do not), and `smtp_tls_CAfile` or `smtp_tls_CApath` for the CA bundle",
  exim: "`tls_verify_certificates` (the CA bundle file, or `system`) and `tls_verify_hosts` on the smtp transport, and `tls_certificate` and `tls_privatekey` when it sends a client certificate",
  sendmail:
    "`confCACERT` and `confCACERT_PATH` for the CA bundle, and `confCLIENT_CERT` and `confCLIENT_KEY` for the client certificate, then rebuild sendmail.cf",
};

/** Builds the step that checks the MTA's TLS client settings, with the settings of `mtas`. */
export function certificateStep(mtas: ReadonlySet<MtaName>): string {
  return mtaStep(
    "Check the TLS client settings of the MTA: the CA bundle it verifies receivers' certificates with, the hosts it verifies, and its own client certificate and key files.",
    CERTIFICATE_SETTINGS,
    mtas,
  );
}
