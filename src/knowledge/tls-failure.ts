/**
 * Reasons that the sending MTA logs when its own outbound TLS failed: the handshake broke off,
 * the receiver's certificate did not pass the MTA's check, or its TLS policy required a
 * session that it could not set up. No receiver decided anything, so these are no replies,
 * and the fix is in this server's TLS client settings. The MTAs write them as follows:
 *
 * - Exim: `defer (-37) H=… [ip]: TLS session: (SSL_connect): error:0A000086:SSL
 *   routines::certificate verify failed` with OpenSSL, and `TLS session: (gnutls_handshake): rxd
 *   alert: Internal error` with GnuTLS.
 * - Postfix: `Server certificate not verified`, `Server certificate not trusted`, `Cannot
 *   start TLS: handshake failure` and `TLS is required, but was not offered by host …`.
 * - Sendmail: `Deferred: 403 4.7.0 TLS handshake failed.`, the reply that its `tls_server`
 *   ruleset makes up after a failed STARTTLS, although it carries a reply code.
 *
 * NOTE: no real Postfix or Sendmail log in the test corpus shows these failures, so their
 * wording here is unchecked against one.
 *
 * A timeout during the handshake (Postfix `conversation with … timed out while performing the
 * TLS handshake`) is a connection failure, which `connectionFailureRule` takes first.
 */
const OUTBOUND_TLS_FAILURE = new RegExp(
  [
    String.raw`\bTLS session: \(`,
    String.raw`\bServer certificate not (?:verified|trusted)\b`,
    String.raw`\bCannot start TLS: handshake failure\b`,
    String.raw`\bTLS is required, but\b`,
    String.raw`\bTLS handshake failed\b`,
  ].join("|"),
  "i",
);

/** The reply code that Sendmail gives its own TLS failure (`403 4.7.0 TLS handshake failed.`). */
export const SENDMAIL_TLS_FAILURE_CODE = 403;

/** True when `text`, a deferral or bounce reason as the MTA logged it, is its own TLS failure. */
export function isOutboundTlsFailure(text: string): boolean {
  return OUTBOUND_TLS_FAILURE.test(text);
}
