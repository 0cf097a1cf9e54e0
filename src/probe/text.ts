import { PROVIDER_NAMES, type ProviderId } from "../knowledge/providers.js";
import { AFTER_DATA_LIMIT } from "./status.js";
import type { ProbeResult } from "./types.js";

/** Colours for the probe report; each returns its text unchanged when colour is off. */
export interface ProbeTextStyle {
  readonly good: (text: string) => string;
  readonly bad: (text: string) => string;
  readonly warn: (text: string) => string;
  readonly dim: (text: string) => string;
  readonly bold: (text: string) => string;
}

/** Renders a probe for people: the status, the conversation and the DATA limitation. */
export function renderProbeText(
  result: ProbeResult,
  ip: string | null,
  style: ProbeTextStyle,
): string {
  const lines: string[] = [];
  const status =
    result.status === "accepted"
      ? style.good(result.status)
      : result.status === "rate-limited"
        ? style.warn(result.status)
        : style.bad(result.status);
  const where =
    result.mx === null ? "" : ` via ${result.mx.host} [${result.mx.address}]:${result.mx.port}`;
  lines.push(`${style.bold(`Probe of ${result.recipient}${where}`)}: ${status}`);
  lines.push(result.detail, "");

  lines.push(`Provider:   ${providerName(result.provider)}`);
  lines.push(
    `Sending IP: ${ip ?? "unknown"}${result.localAddress === null ? "" : ` (connected from ${result.localAddress})`}`,
  );
  lines.push(`TLS:        ${tlsLine(result)}`);

  if (result.failedHosts.length > 0) {
    lines.push(
      `Unreachable: ${result.failedHosts.map((f) => `${f.host} [${f.address}]: ${f.error}`).join("; ")}`,
    );
  }
  if (result.replies.length > 0) {
    lines.push("", style.bold("Conversation:"));
    for (const reply of result.replies) {
      if (reply.command !== null) lines.push(style.dim(`  > ${reply.command}`));
      for (const text of reply.text.split("\n")) lines.push(`  < ${text}`);
      if (reply.replyCode >= 400) lines.push(style.dim(`    ${reply.ruleId}: ${reply.summary}`));
    }
  }
  lines.push("", `Note: ${AFTER_DATA_LIMIT}`);
  return `${lines.join("\n")}\n`;
}

function providerName(provider: ProviderId | "other"): string {
  return provider === "other" ? "other receiver" : PROVIDER_NAMES[provider];
}

function tlsLine(result: ProbeResult): string {
  const tls = result.tls;
  if (tls === null) {
    return result.extensions.includes("STARTTLS") ? "offered, not negotiated" : "not offered";
  }
  const check = tls.authorized
    ? "certificate verified"
    : `certificate not verified${tls.authorizationError === null ? "" : `: ${tls.authorizationError}`}`;
  return `${tls.version ?? "unknown version"}, ${tls.cipher ?? "unknown cipher"}, ${check}`;
}
