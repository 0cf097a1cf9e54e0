import type { DnsContext } from "../dns/context.js";
import { evaluateDmarc, type DmarcEvaluation } from "./dmarc/alignment.js";
import type { OrgDomainMethod } from "./dmarc/discover.js";
import { fromDomains } from "./dmarc/from.js";
import { verifyDkimSignatures, type DkimSignatureResult } from "./dkim/verify.js";
import { evaluateSpf } from "./spf/evaluate.js";
import type { SpfResult } from "./spf/state.js";

/** SPF, DKIM and DMARC of one sample message, as a receiver would judge it. */
export interface MessageCheck {
  readonly fromDomain: string | null;
  /** Why DMARC cannot use the From header (missing, no address, several domains), or null. */
  readonly fromError: string | null;
  /** The envelope (MAIL FROM) domain: the Return-Path header's, else the checked domain. */
  readonly envelopeDomain: string;
  readonly signatures: readonly DkimSignatureResult[];
  /** SPF of the envelope domain from the first sending IP; null without an IP. */
  readonly spf: { readonly ip: string; readonly result: SpfResult } | null;
  readonly dmarc: DmarcEvaluation | null;
}

/**
 * Verifies a sample message: its DKIM signatures, SPF of its envelope domain from the first
 * sending IP, and DMARC with the alignment of both against the From domain.
 */
export async function checkMessage(
  message: Buffer,
  fallbackDomain: string,
  ips: readonly string[],
  helo: string | null,
  dns: DnsContext,
  method: OrgDomainMethod = "tree-walk",
): Promise<MessageCheck> {
  const text = message.toString("latin1");
  const from = fromDomains(text);
  const envelopeDomain = returnPathDomain(text) ?? fallbackDomain;
  const signatures = (await verifyDkimSignatures(message, dns)).filter(isSignature);
  const ip = ips[0];
  const spf =
    ip === undefined
      ? null
      : {
          ip,
          result: (
            await evaluateSpf(
              { ip, sender: `postmaster@${envelopeDomain}`, helo: helo ?? envelopeDomain },
              dns,
            )
          ).result,
        };
  const fromDomain = from.error === null ? (from.domains[0] ?? null) : null;
  const dmarc =
    fromDomain === null
      ? null
      : await evaluateDmarc(
          fromDomain,
          spf === null ? null : { domain: envelopeDomain, result: spf.result },
          signatures.map((s) => ({ domain: s.domain, result: s.result })),
          dns,
          method,
        );
  return { fromDomain, fromError: from.error, envelopeDomain, signatures, spf, dmarc };
}

/**
 * Tests whether a result belongs to a signature. For a message without a DKIM-Signature header,
 * mailauth 4.13 returns one result with no signing domain ("none", "message not signed"),
 * although its type declares the domain.
 */
function isSignature(result: DkimSignatureResult): boolean {
  return (result.domain as string | undefined) !== undefined;
}

/** Reads the domain of the Return-Path header, which receivers add from MAIL FROM. */
function returnPathDomain(text: string): string | null {
  const headerEnd = text.search(/\r?\n\r?\n/);
  const headers = headerEnd < 0 ? text : text.slice(0, headerEnd);
  const match = /^return-path:\s*<?[^@<>\s]*@([^>\s]+)>?/im.exec(headers);
  return match?.[1]?.toLowerCase() ?? null;
}
