/**
 * Error codes of a connection that did not reach the server at all: refused, no route, or a
 * host name that DNS did not resolve. The e-mail and webhook alerts give the same advice for them.
 */
export const UNREACHABLE_CODES: ReadonlySet<string> = new Set([
  "ECONNREFUSED",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
]);

/**
 * Returns what to do about a certificate that TLS verification rejected, by Node's error code,
 * or null when `code` is not about the certificate. `hostSetting` names the setting that
 * contains the server's host name, such as `alerts.email.host`.
 */
export function certificateFix(code: string, hostSetting: string): string | null {
  if (code === "CERT_HAS_EXPIRED") return "Renew the certificate on the server";
  if (code === "CERT_NOT_YET_VALID") {
    return "Check the clocks of this host and of the server, or the certificate's start date";
  }
  if (code === "ERR_TLS_CERT_ALTNAME_INVALID") {
    return `Set ${hostSetting} to a name that the certificate covers`;
  }
  if (code.includes("CERT") || code === "UNABLE_TO_VERIFY_LEAF_SIGNATURE") {
    return (
      "Use a certificate from a CA that this host trusts, or name the file of the server's " +
      "CA certificate in the NODE_EXTRA_CA_CERTS environment variable"
    );
  }
  return null;
}
