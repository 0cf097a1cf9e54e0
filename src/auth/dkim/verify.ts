import type { DnsContext } from "../../dns/context.js";
import { mailauthResolver } from "../mailauth-resolver.js";

/** The verification result of one DKIM-Signature of a message. */
export interface DkimSignatureResult {
  readonly domain: string;
  readonly selector: string | null;
  /** mailauth's result: pass, fail, neutral, none, temperror, permerror or policy. */
  readonly result: string;
  readonly comment: string | null;
}

/**
 * Verifies every DKIM signature of a whole message (headers and body) with mailauth, asking DNS
 * through the context. Keys under 1024 bits do not pass.
 */
export async function verifyDkimSignatures(
  message: Buffer,
  dns: DnsContext,
): Promise<DkimSignatureResult[]> {
  // Loaded here and not at the top: mailauth takes about 30 MB and 0.2 s to load, and only a
  // check of a sample message needs it, not every run of diagnose and check.
  const { dkimVerify } = await import("mailauth");
  const verification = await dkimVerify(message, {
    resolver: mailauthResolver(dns),
    minBitLength: 1024,
  });
  return verification.results.map((result) => ({
    domain: result.signingDomain,
    selector: result.selector ?? null,
    result: result.status.result,
    comment: result.status.comment ?? null,
  }));
}
