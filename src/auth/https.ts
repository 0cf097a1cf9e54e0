import https from "node:https";
import type { LookupFunction } from "node:net";

/** An HTTPS response as the MTA-STS check reads it. */
export interface HttpsResponse {
  readonly status: number;
  readonly contentType: string | null;
  readonly body: string;
}

/** Fetches one HTTPS URL; rejects with an Error on network, TLS or size trouble. */
export type HttpsFetcher = (url: string) => Promise<HttpsResponse>;

export interface HttpsFetcherOptions {
  /** Limit for the whole request, in milliseconds. Default 5000. */
  readonly timeoutMs?: number;
  /** Largest body read, in bytes. Default 65536 (RFC 8461 suggests 64 KiB). */
  readonly maxBytes?: number;
  /** Extra trusted certificates, for tests with a self-signed server. */
  readonly ca?: string | Buffer;
  /** Host name lookup, for tests that point a name at 127.0.0.1. */
  readonly lookup?: LookupFunction;
}

/**
 * Creates the default fetcher: Node's `https` with certificate checks on, a size and time limit,
 * and no redirects, because RFC 8461 (section 3.3) forbids following them.
 */
export function httpsFetcher(options: HttpsFetcherOptions = {}): HttpsFetcher {
  const timeoutMs = options.timeoutMs ?? 5000;
  const maxBytes = options.maxBytes ?? 65536;
  return (url) =>
    new Promise<HttpsResponse>((resolve, reject) => {
      const request = https.get(url, {
        timeout: timeoutMs,
        ...(options.ca === undefined ? {} : { ca: options.ca }),
        ...(options.lookup === undefined ? {} : { lookup: options.lookup }),
      });
      request.on("timeout", () =>
        request.destroy(new Error(`no answer from ${url} within ${timeoutMs} ms`)),
      );
      request.on("error", reject);
      request.on("response", (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on("data", (chunk: Buffer) => {
          size += chunk.length;
          if (size > maxBytes)
            request.destroy(new Error(`${url} is larger than ${maxBytes} bytes`));
          else chunks.push(chunk);
        });
        response.on("error", reject);
        response.on("end", () =>
          resolve({
            status: response.statusCode ?? 0,
            contentType: response.headers["content-type"] ?? null,
            body: Buffer.concat(chunks).toString("utf8"),
          }),
        );
      });
    });
}
