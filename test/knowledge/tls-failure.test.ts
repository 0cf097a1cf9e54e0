import { describe, expect, test } from "vitest";
import { isOutboundTlsFailure } from "../../src/knowledge/tls-failure.js";

describe("isOutboundTlsFailure", () => {
  test.each([
    [
      "Exim with OpenSSL",
      "H=mx.example.com [192.0.2.10]: TLS session: (SSL_connect): error:0A000086:SSL routines::certificate verify failed",
    ],
    [
      "Exim with GnuTLS",
      "H=mx.example.com [192.0.2.10]: TLS session: (gnutls_handshake): rxd alert: Internal error",
    ],
    ["Postfix unverified", "Server certificate not verified"],
    ["Postfix untrusted", "Server certificate not trusted"],
    ["Postfix handshake", "Cannot start TLS: handshake failure"],
    ["Postfix policy", "TLS is required, but was not offered by host mx.example.com[192.0.2.10]"],
    ["Sendmail ruleset", "403 4.7.0 TLS handshake failed."],
  ])("matches %s", (_, text) => {
    expect(isOutboundTlsFailure(text)).toBe(true);
  });

  test.each([
    ["a STARTTLS reply", "530 5.7.0 Must issue a STARTTLS command first. a1si2 - gsmtp"],
    [
      "Gmail's TLS reply",
      "421-4.7.29 Your email has been rate limited because it was sent over an unencrypted connection",
    ],
    [
      "a handshake timeout",
      "conversation with mx.example.com[192.0.2.10] timed out while performing the TLS handshake",
    ],
    ["a connection timeout", "connect to mx.example.com[192.0.2.10]:25: Connection timed out"],
  ])("leaves %s", (_, text) => {
    expect(isOutboundTlsFailure(text)).toBe(false);
  });
});
