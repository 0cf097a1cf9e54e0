import http from "node:http";
import type { AddressInfo } from "node:net";

/** One request the receiver got. */
export interface ReceivedAlert {
  readonly body: Record<string, unknown>;
  readonly idempotencyKey: string | undefined;
}

/** A webhook receiver on 127.0.0.1 that records alerts and fails on request. */
export interface WebhookReceiver {
  readonly url: string;
  /** Alerts acknowledged with a 2xx status, in order. */
  readonly alerts: ReceivedAlert[];
  /** Every request as `METHOD /path`, acknowledged or not. */
  readonly requests: string[];
  /** The HTTP status of the response; 204 by default. */
  status: number;
  /** The Location header of a 3xx response. */
  location: string | null;
  /** When true, requests get no response at all. */
  hang: boolean;
  close(): Promise<void>;
}

/** Starts the receiver on an ephemeral port. */
export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const alerts: ReceivedAlert[] = [];
  const requests: string[] = [];
  const state = { status: 204, location: null as string | null, hang: false };
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      requests.push(`${request.method ?? ""} ${request.url ?? ""}`);
      if (state.hang) return;
      if (state.status < 300) {
        const key = request.headers["idempotency-key"];
        alerts.push({
          body: JSON.parse(Buffer.concat(chunks).toString()) as Record<string, unknown>,
          idempotencyKey: Array.isArray(key) ? key[0] : key,
        });
      }
      const headers = state.location === null ? {} : { location: state.location };
      response.writeHead(state.status, headers).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/alerts`,
    alerts,
    requests,
    get status() {
      return state.status;
    },
    set status(value: number) {
      state.status = value;
    },
    get location() {
      return state.location;
    },
    set location(value: string | null) {
      state.location = value;
    },
    get hang() {
      return state.hang;
    },
    set hang(value: boolean) {
      state.hang = value;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
