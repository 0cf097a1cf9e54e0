import type { MtaName } from "../../logs/events.js";
import type { DiagnoseContext } from "../context.js";
import type { Finding } from "../types.js";
import { REFERENCES, finding, listNames, plural } from "./build.js";
import { mtaStep } from "./mta-steps.js";
import { retryQueueStep } from "./queue-commands.js";
import {
  collectReplyEvidence,
  earliestReply,
  rejectOrDeferTitle,
  replySamples,
} from "./replies.js";
import {
  certificateStep,
  collectTlsFailures,
  tlsFailureSentences,
  type TlsFailureEvidence,
} from "./tls-failures.js";

/**
 * `tls-required`: receivers reject or defer mail that is not sent over TLS, or this server's own
 * outbound TLS fails for a share of a provider's mail (`collectTlsFailures`). The evidence adds
 * when the log last shows an outbound TLS session and any MTA reload before the rejections
 * began, because a changed configuration is the usual cause.
 */
export function detectTlsRequired(context: DiagnoseContext): Finding | null {
  const failures = collectTlsFailures(context);
  const evidence = collectReplyEvidence(context, "tls-required");
  if (evidence === null) return failures === null ? null : tlsFailureFinding(context, failures);

  const server = context.facts.server;
  const firstRejection = Math.min(
    ...[evidence.first, evidence.firstSession]
      .filter((r) => r !== null)
      .map((r) => Date.parse(r.time)),
  );
  const tlsBefore = [...server.outboundTlsByHour].filter(([hour]) => hour < firstRejection);
  const lastTlsBefore = lastTlsSessionBefore(server.outboundTlsByHour, firstRejection);
  const reload = server.lifecycle
    .filter(
      (event) =>
        event.time <= firstRejection && (event.action === "reload" || event.action === "start"),
    )
    .at(-1);

  const permanent = Object.keys(evidence.codes).some((code) => code.startsWith("5"));
  return finding("tls-required", {
    severity: permanent ? "critical" : "warning",
    role: "cause",
    title: rejectOrDeferTitle(evidence, "mail sent without TLS"),
    summary:
      `${plural(evidence.count + evidence.sessionCount, "reply", "replies")} ${evidence.count + evidence.sessionCount === 1 ? "asks" : "ask"} for TLS.` +
      lastTlsSentence(context) +
      (failures === null ? "" : ` ${tlsFailureSentences(failures)}`),
    evidence: {
      ...evidence,
      handshakeFailures: failures,
      since: earliestReply(evidence)?.time ?? null,
      outboundTlsSessions: [...server.outboundTlsByHour.values()].reduce((a, b) => a + b, 0),
      outboundTlsSessionsBeforeRejections: tlsBefore.reduce((total, [, count]) => total + count, 0),
      lastOutboundTls: context.timeOrNull(server.lastOutboundTls),
      lastOutboundTlsBeforeRejections: context.timeOrNull(lastTlsBefore),
      reloadBeforeRejections:
        reload === undefined
          ? null
          : {
              time: context.time(reload.time),
              action: reload.action,
              file: reload.position.file,
              line: reload.position.line,
            },
    },
    samples: replySamples(context, evidence),
    fix: [
      tlsStep(server.mtas),
      ...(failures === null ? [] : [certificateStep(server.mtas)]),
      "If a reload or upgrade came just before the rejections, compare the configuration with the version before it.",
      "Check that the TLS handshake works: `openssl s_client -starttls smtp -connect gmail-smtp-in.l.google.com:25` from the server.",
      retryQueueStep("Then retry the deferred queue.", server.mtas),
    ],
    references: [REFERENCES.gmailGuidelines, REFERENCES.gmailErrors],
  });
}

/**
 * Builds the finding for outbound TLS that fails on this server while no receiver requests
 * TLS in a reply. It is a warning while the failures go on at the end of the log.
 */
function tlsFailureFinding(context: DiagnoseContext, failures: TlsFailureEvidence): Finding {
  const server = context.facts.server;
  const names = Object.values(failures.providers).flatMap((row) =>
    row === undefined ? [] : [row.name],
  );
  const first = failures.first;
  const host = failures.host ?? "<receiver's MX host>";
  return finding("tls-required", {
    severity: failures.ongoing ? "warning" : "info",
    role: "cause",
    title: `Outbound TLS to ${listNames(names)} fails on this server`,
    summary: `${tlsFailureSentences(failures)}${lastTlsSentence(context)}`,
    evidence: {
      handshakeFailures: failures,
      since: first.time,
      outboundTlsSessions: [...server.outboundTlsByHour.values()].reduce((a, b) => a + b, 0),
      lastOutboundTls: context.timeOrNull(server.lastOutboundTls),
    },
    samples: [
      {
        file: first.file,
        line: first.line,
        time: first.time,
        text: `${first.status} <${first.recipient}>: ${first.text ?? "no reason logged"}`,
      },
    ],
    fix: [
      certificateStep(server.mtas),
      `Test the handshake from the server: \`openssl s_client -starttls smtp -connect ${host}:25\` prints the receiver's certificate chain and a \`Verify return code\`, which is 0 (ok) when the system's CA bundle trusts it.`,
      "If a reload or upgrade came just before the first failure, compare the TLS settings with the version before it.",
      retryQueueStep("Then retry the deferred queue.", server.mtas),
    ],
    references: [],
  });
}

/** Returns the sentence on the latest outbound TLS session in the log, with a leading space. */
function lastTlsSentence(context: DiagnoseContext): string {
  const last = context.facts.server.lastOutboundTls;
  return last !== null
    ? ` The last outbound TLS session in the log was at ${context.time(last)}.`
    : " The log shows no outbound TLS session at all.";
}

/**
 * Settings that turn opportunistic TLS on for outgoing mail, by MTA. Sendmail 8.13 tries
 * STARTTLS as a client unless an access db entry `Try_TLS:` with `NO` forbids it, but only when
 * it was built with STARTTLS and has a certificate (Oracle's Solaris guide to sendmail 8.13).
 */
const TLS_SETTINGS: Readonly<Record<MtaName, string>> = {
  postfix: "`smtp_tls_security_level = may` (not `none`)",
  exim: "`hosts_try_tls = *` on the SMTP transport, and no `hosts_avoid_tls` that matches the receiver",
  sendmail:
    "remove `Try_TLS:` entries with `NO` from the access db, and check that sendmail was built with STARTTLS and has a client certificate (`confCLIENT_CERT`)",
};

/** Builds the step that turns opportunistic TLS back on, with the settings of `mtas`. */
export function tlsStep(mtas: ReadonlySet<MtaName>): string {
  return mtaStep("Turn opportunistic TLS back on for outgoing mail.", TLS_SETTINGS, mtas);
}

function lastTlsSessionBefore(byHour: ReadonlyMap<number, number>, time: number): number | null {
  let last: number | null = null;
  for (const hour of byHour.keys()) {
    if (hour < time && (last === null || hour > last)) last = hour;
  }
  return last;
}
