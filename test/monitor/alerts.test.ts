import { afterEach, describe, expect, it } from "vitest";
import { SMTPServer } from "smtp-server";
import {
  AlertDispatcher,
  createMonitorLogger,
  emailSender,
  RETRY_DELAYS_MINUTES,
  webhookSender,
  type AlertSender,
} from "../../src/monitor/index.js";
import { blockKey, HistoryStore } from "../../src/store/index.js";
import { forbidRealNetwork } from "../dns/guard.js";
import { FakeClock } from "../helpers/clock.js";
import { schemaValidator } from "../helpers/schema.js";
import net, { type AddressInfo } from "node:net";
import { PassThrough } from "node:stream";
import { startWebhookReceiver, type WebhookReceiver } from "./webhook.js";

forbidRealNetwork();

const validate = schemaValidator("alert.schema.json");
const START = Date.parse("2024-03-01T00:00:00Z");

let receiver: WebhookReceiver | null = null;
let mailServer: SMTPServer | null = null;
afterEach(async () => {
  await receiver?.close();
  await new Promise<void>((resolve) =>
    mailServer === null ? resolve() : mailServer.close(() => resolve()),
  );
  receiver = null;
  mailServer = null;
});

function blockSeen(store: HistoryStore, channels: string[], at = START): void {
  store.states.observe(
    {
      key: blockKey("gmail", "192.0.2.1"),
      kind: "block",
      subject: "gmail 192.0.2.1",
      value: "blocked",
      at,
      runId: null,
      evidence: { source: "test" },
    },
    channels,
  );
}

function blockLifted(store: HistoryStore, channels: string[], at: number): void {
  store.states.observe(
    {
      key: blockKey("gmail", "192.0.2.1"),
      kind: "block",
      subject: "gmail 192.0.2.1",
      value: "ok",
      at,
      runId: null,
      evidence: { source: "test" },
    },
    channels,
  );
}

function dispatcher(store: HistoryStore, clock: FakeClock, senders: AlertSender[]) {
  return new AlertDispatcher(store, senders, clock, createMonitorLogger(new PassThrough(), clock));
}

async function startMailServer(messages: string[]): Promise<number> {
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        messages.push(Buffer.concat(chunks).toString());
        callback();
      });
    },
  });
  mailServer = server;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.server.address() as { port: number }).port;
}

describe("AlertDispatcher", () => {
  it("posts a valid payload to the webhook", async () => {
    receiver = await startWebhookReceiver();
    const store = HistoryStore.open(":memory:");
    const clock = new FakeClock(START);
    blockSeen(store, ["webhook"]);
    const sent = await dispatcher(store, clock, [
      webhookSender({ url: receiver.url, headers: { "x-token": "t" }, timeoutMs: 5_000 }),
    ]).dispatch();
    expect(sent).toBe(1);
    const body = receiver.alerts[0]?.body;
    expect(validate(body)).toEqual([]);
    expect(body?.["summary"]).toBe("Block seen: gmail 192.0.2.1 is blocked.");
    expect(receiver.alerts[0]?.idempotencyKey).toBe(body?.["alertKey"]);
    expect(store.alerts.all()[0]?.status).toBe("sent");
    store.close();
  });

  it("sends the alert by e-mail", async () => {
    const messages: string[] = [];
    const port = await startMailServer(messages);
    const store = HistoryStore.open(":memory:");
    const clock = new FakeClock(START);
    blockSeen(store, ["email"]);
    const sender = emailSender(
      {
        host: "127.0.0.1",
        port,
        secure: false,
        from: "delist@example.com",
        to: ["ops@example.com"],
        timeoutMs: 5_000,
      },
      {},
    );
    expect(await dispatcher(store, clock, [sender]).dispatch()).toBe(1);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toContain("Subject: [delist] Block seen: gmail 192.0.2.1 is blocked.");
    expect(messages[0]).toContain("X-Delist-Alert-Key: delist-change-1-");
    expect(messages[0]).toContain("State:    block:gmail:192.0.2.1 (new) -> blocked");
    store.close();
  });

  it("backs off, then gives up", async () => {
    const store = HistoryStore.open(":memory:");
    const clock = new FakeClock(START);
    blockSeen(store, ["webhook"]);
    let calls = 0;
    const failing: AlertSender = {
      channel: "webhook",
      send: () => {
        calls += 1;
        return Promise.reject(new Error("connection refused"));
      },
    };
    const subject = dispatcher(store, clock, [failing]);
    for (const delay of RETRY_DELAYS_MINUTES) {
      await subject.dispatch();
      expect(store.alerts.nextAttemptAt()).toBe(clock.now() + delay * 60_000);
      await subject.dispatch();
      clock.set(clock.now() + delay * 60_000);
    }
    await subject.dispatch();
    expect(calls).toBe(RETRY_DELAYS_MINUTES.length + 1);
    expect(store.alerts.all()[0]?.status).toBe("failed");
    expect(store.alerts.all()[0]?.lastError).toBe("connection refused");
    store.close();
  });

  it("treats a webhook redirect as a failure", async () => {
    receiver = await startWebhookReceiver();
    receiver.status = 302;
    receiver.location = "/elsewhere";
    const store = HistoryStore.open(":memory:");
    const clock = new FakeClock(START);
    blockSeen(store, ["webhook"]);
    const sender = webhookSender({ url: receiver.url, headers: {}, timeoutMs: 5_000 });
    expect(await dispatcher(store, clock, [sender]).dispatch()).toBe(0);
    // fetch would follow the redirect with a GET and no body, and the alert would be lost.
    expect(receiver.requests).toEqual(["POST /alerts"]);
    const alert = store.alerts.all()[0];
    expect(alert?.status).toBe("pending");
    expect(alert?.lastError).toBe(
      `the webhook at ${new URL(receiver.url).origin} responded with HTTP 302, a redirect to /elsewhere: redirects are not followed, so put the final URL in alerts.webhook.url`,
    );
    store.close();
  });

  it("names the webhook timeout", async () => {
    receiver = await startWebhookReceiver();
    receiver.hang = true;
    const store = HistoryStore.open(":memory:");
    blockSeen(store, ["webhook"]);
    const sender = webhookSender({ url: receiver.url, headers: {}, timeoutMs: 200 });
    await dispatcher(store, new FakeClock(START), [sender]).dispatch();
    expect(store.alerts.all()[0]?.lastError).toBe(
      `the webhook at ${new URL(receiver.url).origin} did not respond within 200 ms: check ` +
        "that the receiver is running and responds, or raise alerts.webhook.timeoutMs",
    );
    store.close();
  });

  it("names why a webhook could not be reached, and when it is retried", async () => {
    // A port that was free a moment ago: nothing listens there, so the connection is refused.
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));

    const store = HistoryStore.open(":memory:");
    const clock = new FakeClock(START);
    blockSeen(store, ["webhook"]);
    const url = `http://127.0.0.1:${port}/hooks/secret-token`;
    const sender = webhookSender({ url, headers: {}, timeoutMs: 5_000 });
    const log = new PassThrough();
    const chunks: string[] = [];
    log.on("data", (chunk: Buffer) => chunks.push(chunk.toString()));
    const logger = createMonitorLogger(log, clock);
    await new AlertDispatcher(store, [sender], clock, logger).dispatch();

    const error = store.alerts.all()[0]?.lastError ?? "";
    expect(error).toMatch(
      new RegExp(
        `^the webhook at http://127\\.0\\.0\\.1:${port} could not be reached: .*ECONNREFUSED`,
      ),
    );
    expect(error).not.toContain("secret-token");
    const failed = chunks
      .join("")
      .split("\n")
      .filter((line) => line.includes("alert failed"))
      .map((line) => JSON.parse(line) as { retryAt: unknown });
    const retryAt = new Date(START + (RETRY_DELAYS_MINUTES[0] ?? 0) * 60_000).toISOString();
    expect(failed.map((line) => line.retryAt)).toEqual([retryAt]);
    store.close();
  });

  it("holds back a failed channel's other alerts", async () => {
    const store = HistoryStore.open(":memory:");
    const clock = new FakeClock(START);
    for (let index = 0; index < 5; index++) {
      blockSeen(store, ["webhook", "email"], START + index);
      blockLifted(store, ["webhook", "email"], START + index);
    }
    let webhookCalls = 0;
    const failing: AlertSender = {
      channel: "webhook",
      send: () => {
        webhookCalls += 1;
        return Promise.reject(new Error("timed out"));
      },
    };
    const working: AlertSender = { channel: "email", send: () => Promise.resolve() };
    expect(await dispatcher(store, clock, [failing, working]).dispatch()).toBe(10);
    // One attempt waits out the failure; the other nine wait for its retry, uncounted.
    expect(webhookCalls).toBe(1);
    const webhook = store.alerts.all().filter((alert) => alert.channel === "webhook");
    expect(webhook.map((alert) => alert.attempts)).toEqual([1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    const retryAt = START + (RETRY_DELAYS_MINUTES[0] ?? 0) * 60_000;
    expect(new Set(webhook.map((alert) => alert.nextAttemptAt))).toEqual(new Set([retryAt]));
    expect(store.alerts.due(retryAt - 1)).toEqual([]);
    expect(store.alerts.due(retryAt)).toHaveLength(10);
    store.close();
  });

  it("gives up on a silent mail server", async () => {
    const silent = net.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const port = (silent.address() as AddressInfo).port;
    const store = HistoryStore.open(":memory:");
    blockSeen(store, ["email"]);
    const sender = emailSender(
      {
        host: "127.0.0.1",
        port,
        secure: false,
        from: "a@example.com",
        to: ["b@example.com"],
        timeoutMs: 1_000,
      },
      {},
    );
    // Without timeoutMs, nodemailer would wait 10 minutes and the test would time out.
    // The greeting timer and the socket's idle timer both run for timeoutMs, so either
    // may end the attempt first.
    await dispatcher(store, new FakeClock(START), [sender]).dispatch();
    expect(store.alerts.all()[0]?.lastError).toMatch(/greeting|timeout/i);
    store.close();
    silent.close();
  });

  it("drops an alert of a removed channel", async () => {
    const store = HistoryStore.open(":memory:");
    const clock = new FakeClock(START);
    blockSeen(store, ["email"]);
    expect(await dispatcher(store, clock, []).dispatch()).toBe(0);
    expect(store.alerts.all()[0]?.status).toBe("failed");
    store.close();
  });
});
