import { certificateFix, UNREACHABLE_CODES } from "./alert-advice.js";

/**
 * Rewords the error that fetch threw for a webhook request so that it names the webhook's
 * origin and what to check. fetch reports every failure as `fetch failed`, and the reason
 * (ECONNREFUSED and the address, a TLS error) is in its cause. Only the URL's origin is named,
 * because webhook paths often contain a secret token. Any other error, such as one without a
 * cause, is returned unchanged.
 */
export function describeWebhookError(error: unknown, url: string, timeoutMs: number): unknown {
  const at = `the webhook at ${new URL(url).origin}`;
  if (error instanceof Error && error.name === "TimeoutError") {
    return new Error(
      `${at} did not respond within ${timeoutMs} ms: check that the receiver is running and ` +
        "responds, or raise alerts.webhook.timeoutMs",
      { cause: error },
    );
  }
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : null;
  if (cause === null) return error;
  return new Error(`${at} ${describeCause(cause)}`, { cause: error });
}

/** Describes the cause of a failed fetch by its code, with the next step. */
function describeCause(cause: Error): string {
  const code = "code" in cause && typeof cause.code === "string" ? cause.code : undefined;
  const detail = cause.message;
  // undici (Node 20's fetch) reports a connection closed before the response as `UND_ERR_SOCKET`.
  if (code === "UND_ERR_SOCKET" || code === "ECONNRESET") {
    return (
      `closed the connection before a response came (${detail}). Check the receiver's log for ` +
      "the reason, and that the port of alerts.webhook.url serves the URL's scheme (http or https)"
    );
  }
  const certificateStep =
    code === undefined ? null : certificateFix(code, "the host name of alerts.webhook.url");
  if (certificateStep !== null) {
    return `sent a TLS certificate that this host rejects: ${detail}. ${certificateStep}`;
  }
  if (code === "ERR_SSL_WRONG_VERSION_NUMBER") {
    return (
      `did not answer in TLS: ${detail}. Check that the port of alerts.webhook.url serves ` +
      "HTTPS, because a receiver that serves plain HTTP needs an http:// URL"
    );
  }
  // The HTTP parser of undici (llhttp, in Node 20.20) gives its errors codes that start with
  // HPE_, such as HPE_INVALID_CONSTANT for a reply that does not start with "HTTP/".
  if (code?.startsWith("HPE_") === true) {
    return (
      `answered with something that is not HTTP: ${detail}. Check the port of ` +
      "alerts.webhook.url, because another service (such as SSH or SMTP) may listen there"
    );
  }
  if (code !== undefined && UNREACHABLE_CODES.has(code)) {
    return (
      `could not be reached: ${detail}. Check the host name and port of alerts.webhook.url, ` +
      "and that the receiver is running"
    );
  }
  return `could not be reached: ${detail}. Check alerts.webhook.url and the receiver's log`;
}

/**
 * Describes a response with a status other than 2xx or 3xx, such as `the webhook at
 * https://hooks.example.com responded with HTTP 401`, with what to check for that status.
 */
export function describeWebhookStatus(url: string, status: number): string {
  return `the webhook at ${new URL(url).origin} responded with HTTP ${status}: ${statusStep(status)}`;
}

function statusStep(status: number): string {
  if (status === 401 || status === 403) {
    return (
      "the receiver rejected the credentials. Check the token in alerts.webhook.headers (such " +
      "as Authorization) or in alerts.webhook.url"
    );
  }
  if (status === 404 || status === 405 || status === 410) {
    return "the receiver has no webhook at this URL. Check the path of alerts.webhook.url";
  }
  if (status === 429) {
    return "the receiver rejected the request for its rate limit. Check that limit at the receiver";
  }
  if (status >= 500) return "the receiver failed to handle the alert. Check its log for the reason";
  return "the receiver rejected the alert. Check its log for the reason";
}
