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
  readonly alerts: ReceivedAlert[];
  /** The HTTP status of the response; 204 by default. */
  status: number;
  close(): Promise<void>;
}

/** Starts the receiver on an ephemeral port. */
export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const alerts: ReceivedAlert[] = [];
  const state = { status: 204 };
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      if (state.status < 300) {
        const key = request.headers["idempotency-key"];
        alerts.push({
          body: JSON.parse(Buffer.concat(chunks).toString()) as Record<string, unknown>,
          idempotencyKey: Array.isArray(key) ? key[0] : key,
        });
      }
      response.writeHead(state.status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/alerts`,
    alerts,
    get status() {
      return state.status;
    },
    set status(value: number) {
      state.status = value;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
