import { appendFileSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SMTPServer } from "smtp-server";
import { afterEach, describe, expect, it } from "vitest";
import {
  blockKey,
  buildHistoryReport,
  connectionKey,
  HistoryStore,
} from "../../src/store/index.js";
import { forbidRealNetwork } from "../dns/guard.js";
import { FakeClock } from "../helpers/clock.js";
import { schemaValidator } from "../helpers/schema.js";
import { useTempDirs } from "../store/helpers.js";
import { NEVER, testMonitor } from "./harness.js";
import { startWebhookReceiver, type WebhookReceiver } from "./webhook.js";

forbidRealNetwork();

const tempDir = useTempDirs();
const validateAlert = schemaValidator("alert.schema.json");
const validateHistory = schemaValidator("history.schema.json");
const IP = "192.0.2.1";
const IPV6 = "2001:db8::1";
const KEY = connectionKey("gmail", IP);
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const FLAP_WINDOW = 30 * MINUTE;
const T0 = Date.UTC(2024, 2, 4, 0, 0, 0);
const GMAIL_MX = "gmail-smtp-in.l.google.com[192.0.2.27]:25";

let receiver: WebhookReceiver | null = null;
let mailServer: SMTPServer | null = null;
afterEach(async () => {
  await receiver?.close();
  receiver = null;
  const server = mailServer;
  mailServer = null;
  if (server !== null) await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** Formats a syslog time stamp in UTC, such as `Mar  4 00:10:02`. */
function stamp(time: number): string {
  const date = new Date(time);
  const month = date.toLocaleString("en-US", { month: "short", timeZone: "UTC" });
  const day = String(date.getUTCDate()).padStart(2, " ");
  return `${month} ${day} ${date.toISOString().slice(11, 19)}`;
}

let queueId = 0;

function nextQueueId(): string {
  queueId += 1;
  return `4A${String(queueId).padStart(6, "0")}`;
}

/**
 * Builds Postfix lines of `count` messages to Gmail, `stepMs` apart, each deferred because the
 * connection timed out.
 */
function timeoutLines(start: number, count: number, stepMs = 10 * MINUTE): string[] {
  return Array.from({ length: count }, (_, index) => {
    const time = start + index * stepMs;
    return (
      `${stamp(time)} mail postfix/smtp[1001]: ${nextQueueId()}: to=<user${index}@gmail.com>, ` +
      `relay=none, delay=30, delays=0.1/0/30/0, dsn=4.4.1, status=deferred ` +
      `(connect to ${GMAIL_MX}: Connection timed out)`
    );
  });
}

/** Builds Postfix lines of `count` messages that Gmail accepted, `stepMs` apart. */
function deliveredLines(start: number, count: number, stepMs = 10 * MINUTE): string[] {
  return Array.from({ length: count }, (_, index) => {
    const time = start + index * stepMs;
    return (
      `${stamp(time)} mail postfix/smtp[1002]: ${nextQueueId()}: to=<friend${index}@gmail.com>, ` +
      `relay=${GMAIL_MX}, delay=1, delays=0.1/0/0.4/0.5, dsn=2.0.0, ` +
      `status=sent (250 2.0.0 OK 1709510400 x1si1.1 - gsmtp)`
    );
  });
}

/** Builds Postfix lines of `count` messages that Gmail rejected as spam, `stepMs` apart. */
function rejectedLines(start: number, count: number, stepMs = 10 * MINUTE): string[] {
  return Array.from({ length: count }, (_, index) => {
    const time = start + index * stepMs;
    return (
      `${stamp(time)} mail postfix/smtp[1004]: ${nextQueueId()}: to=<someone${index}@gmail.com>, ` +
      `relay=${GMAIL_MX}, delay=1, delays=0.1/0/0.4/0.5, dsn=5.7.1, status=bounced ` +
      `(host gmail-smtp-in.l.google.com[192.0.2.27] said: 550-5.7.1 [192.0.2.1] Our system ` +
      `has detected that this message is likely unsolicited mail. 550 5.7.1 gsmtp ` +
      `(in reply to end of DATA command))`
    );
  });
}

/** Builds a Postfix line of one message that a small receiver accepted. */
function otherReceiverLine(time: number): string {
  return (
    `${stamp(time)} mail postfix/smtp[1003]: ${nextQueueId()}: to=<bob@example.net>, ` +
    `relay=mx.example.net[198.51.100.25]:25, delay=1, delays=0.1/0/0.4/0.5, dsn=2.0.0, ` +
    `status=sent (250 2.0.0 OK)`
  );
}

/**
 * Appends `lines` to the log and dates the file at `modifiedAt`, because syslog time stamps have
 * no year and the reader takes it from the file's modification time.
 */
function writeLog(path: string, lines: readonly string[], modifiedAt: number): void {
  appendFileSync(path, `${lines.join("\n")}\n`);
  utimesSync(path, modifiedAt / 1000, modifiedAt / 1000);
}

/** Builds a monitor that follows `mail.log` in a new directory and alerts to `alerts`. */
function logMonitor(options: {
  readonly clock: FakeClock;
  readonly alerts?: object;
  readonly ips?: readonly string[];
}) {
  const dir = tempDir();
  const path = join(dir, "mail.log");
  writeFileSync(path, "");
  const store = HistoryStore.open(":memory:");
  const { monitor, logs } = testMonitor({
    store,
    clock: options.clock,
    cwd: dir,
    config: {
      ips: options.ips ?? [IP],
      logs: ["mail.log"],
      logsFromStart: true,
      alerts: { flapWindowMinutes: FLAP_WINDOW / MINUTE, ...options.alerts },
      schedules: { blocklists: NEVER, dns: NEVER, probes: NEVER, logs: NEVER },
    },
  });
  return { monitor, logs, store, path };
}

/** Moves the clock to `at`, then runs the log job and sends the due alerts. */
async function checkAt(
  clock: FakeClock,
  monitor: ReturnType<typeof logMonitor>["monitor"],
  at: number,
): Promise<string> {
  clock.set(at);
  const outcome = await monitor.runJob("logs");
  await monitor.dispatchAlerts();
  return String(outcome);
}

function iso(time: number): string {
  return new Date(time).toISOString();
}

describe("outage alerts", () => {
  it("page when an outage starts and ends", async () => {
    receiver = await startWebhookReceiver();
    const clock = new FakeClock(T0);
    const { monitor, store, path } = logMonitor({
      clock,
      alerts: { webhook: { url: receiver.url } },
    });
    const firstCheck = T0 + 2 * HOUR;
    writeLog(path, timeoutLines(T0, 12), firstCheck);

    expect(await checkAt(clock, monitor, firstCheck)).toBe("complete");

    const [started] = receiver.alerts.map((alert) => alert.body);
    expect(validateAlert(started)).toEqual([]);
    expect(started?.["change"]).toBe("outage-started");
    expect(started?.["kind"]).toBe("connection");
    expect(started?.["key"]).toBe(KEY);
    expect(started?.["value"]).toBe("unreachable");
    expect(started?.["at"]).toBe(iso(T0));
    expect(started?.["summary"]).toBe(
      "Outage started: this server cannot connect to Gmail from 192.0.2.1.",
    );
    const evidence = started?.["evidence"] as Record<string, Record<string, unknown>>;
    expect(evidence["outage"]?.["failures"]).toBe(12);
    expect(evidence["outage"]?.["failuresInWindow"]).toBe(12);
    expect(evidence["outage"]?.["ongoing"]).toBe(true);
    expect(evidence["outage"]?.["first"]).toMatchObject({ time: iso(T0).replace(".000", "") });
    expect(store.incidents.latest(KEY)?.openedAt).toBe(T0);
    expect(store.incidents.latest(KEY)?.closedAt).toBeNull();

    // Five deliveries over 40 minutes end the outage, by diagnose's recovery rule.
    const secondCheck = firstCheck + HOUR;
    const endedAt = firstCheck + 10 * MINUTE;
    writeLog(path, deliveredLines(endedAt, 5, 10 * MINUTE), secondCheck);
    expect(await checkAt(clock, monitor, secondCheck)).toBe("complete");

    const ended = receiver.alerts[1]?.body;
    expect(validateAlert(ended)).toEqual([]);
    expect(ended?.["change"]).toBe("outage-ended");
    expect(ended?.["previous"]).toBe("unreachable");
    expect(ended?.["value"]).toBe("reachable");
    expect(ended?.["summary"]).toBe(
      "Outage ended: this server connects to Gmail from 192.0.2.1 again.",
    );
    expect(ended?.["incident"]).toEqual({
      id: store.incidents.latest(KEY)?.id,
      openedAt: iso(T0),
      closedAt: iso(endedAt),
    });
    expect(receiver.alerts).toHaveLength(2);
    store.close();
  });

  it("record no block for the provider", async () => {
    const clock = new FakeClock(T0);
    const { monitor, store, path } = logMonitor({ clock });
    writeLog(path, timeoutLines(T0, 12), T0 + 2 * HOUR);

    await checkAt(clock, monitor, T0 + 2 * HOUR);

    expect(store.states.get(KEY)?.value).toBe("unreachable");
    expect(store.states.get(blockKey("gmail", IP))).toBeNull();
    expect(store.incidents.changes({ key: blockKey("gmail", IP) })).toEqual([]);
    expect(store.incidents.incidents().map((incident) => incident.kind)).toEqual(["connection"]);
    store.close();
  });

  it("hold an end inside the flap window", async () => {
    receiver = await startWebhookReceiver();
    const clock = new FakeClock(T0);
    const { monitor, store, path } = logMonitor({
      clock,
      alerts: { webhook: { url: receiver.url } },
    });
    const firstCheck = T0 + 2 * HOUR;
    writeLog(path, timeoutLines(T0, 12), firstCheck);
    await checkAt(clock, monitor, firstCheck);

    // Five deliveries over 32 minutes of log time end the outage in a check 25 minutes after the
    // first, and a new outage follows.
    const lastFailure = T0 + 110 * MINUTE;
    writeLog(path, deliveredLines(lastFailure + MINUTE, 5, 8 * MINUTE), firstCheck + 25 * MINUTE);
    await checkAt(clock, monitor, firstCheck + 25 * MINUTE);
    const [, endChange] = store.incidents.changes({ key: KEY });
    expect(endChange?.change).toBe("outage-ended");
    expect(store.alerts.heldUntil(endChange?.id ?? 0)).toBe(firstCheck + FLAP_WINDOW);

    writeLog(path, timeoutLines(firstCheck + 26 * MINUTE, 12, 10_000), firstCheck + 28 * MINUTE);
    await checkAt(clock, monitor, firstCheck + 28 * MINUTE);
    await checkAt(clock, monitor, firstCheck + FLAP_WINDOW);

    expect(receiver.alerts.map((alert) => alert.body["change"])).toEqual(["outage-started"]);
    const changes = store.incidents.changes({ key: KEY }).map((change) => change.change);
    expect(changes).toEqual(["outage-started", "outage-ended", "outage-started"]);
    expect(store.incidents.incidents({ key: KEY })).toHaveLength(2);
    expect(store.alerts.all().map((alert) => alert.status)).toEqual([
      "sent",
      "superseded",
      "superseded",
    ]);
    store.close();
  });

  it("retry an outage alert the webhook failed", async () => {
    receiver = await startWebhookReceiver();
    receiver.status = 500;
    const clock = new FakeClock(T0);
    const { monitor, store, path } = logMonitor({
      clock,
      alerts: { webhook: { url: receiver.url } },
    });
    writeLog(path, timeoutLines(T0, 12), T0 + 2 * HOUR);
    await checkAt(clock, monitor, T0 + 2 * HOUR);
    expect(receiver.requests).toEqual(["POST /alerts"]);
    expect(store.alerts.all()[0]?.lastError).toBe(
      `the webhook at ${new URL(receiver.url).origin} responded with HTTP 500: the receiver ` +
        "failed to handle the alert. Check its log for the reason",
    );
    expect(store.alerts.nextAttemptAt()).toBe(T0 + 2 * HOUR + MINUTE);

    receiver.status = 204;
    clock.set(T0 + 2 * HOUR + MINUTE);
    await monitor.dispatchAlerts();

    expect(receiver.alerts.map((alert) => alert.body["change"])).toEqual(["outage-started"]);
    expect(store.alerts.all()[0]?.status).toBe("sent");
    store.close();
  });

  it("send the outage by e-mail", async () => {
    const messages: string[] = [];
    const port = await startMailServer(messages);
    const clock = new FakeClock(T0);
    const { monitor, store, path } = logMonitor({
      clock,
      alerts: {
        email: {
          host: "127.0.0.1",
          port,
          from: "delist@example.com",
          to: ["ops@example.com"],
          timeoutMs: 5_000,
        },
      },
    });
    writeLog(path, timeoutLines(T0, 12), T0 + 2 * HOUR);
    await checkAt(clock, monitor, T0 + 2 * HOUR);

    expect(messages).toHaveLength(1);
    expect(messages[0]).toContain(
      "Subject: [delist] Outage started: this server cannot connect to Gmail from\r\n 192.0.2.1.",
    );
    // The body is quoted-printable, whose soft line breaks end in `=`.
    const body = messages[0]?.replaceAll("=\r\n", "") ?? "";
    expect(body).toContain(`State:    ${KEY} (new) -> unreachable`);
    expect(body).toContain("\r\n`delist history` shows the whole incident.");
    expect(store.alerts.all()[0]?.status).toBe("sent");
    store.close();
  });

  it("record start and end inside one window", async () => {
    receiver = await startWebhookReceiver();
    const clock = new FakeClock(T0);
    const { monitor, store, path } = logMonitor({
      clock,
      alerts: { webhook: { url: receiver.url } },
    });
    const recoveredAt = T0 + 2 * HOUR;
    // Twelve failures, then a delivery every ten minutes for an hour, which diagnose counts as
    // recovered.
    writeLog(
      path,
      [...timeoutLines(T0, 12), ...deliveredLines(recoveredAt, 7)],
      recoveredAt + 2 * HOUR,
    );

    await checkAt(clock, monitor, recoveredAt + 2 * HOUR);

    const changes = store.incidents.changes({ key: KEY });
    expect(changes.map((change) => [change.change, change.at])).toEqual([
      ["outage-started", T0],
      ["outage-ended", recoveredAt],
    ]);
    const incident = store.incidents.latest(KEY);
    expect(incident?.openedAt).toBe(T0);
    expect(incident?.closedAt).toBe(recoveredAt);
    expect(store.states.get(KEY)?.value).toBe("reachable");
    // The end is held for the flap window, because the start was recorded at the same time.
    expect(store.alerts.heldUntil(changes[1]?.id ?? 0)).toBe(recoveredAt + 2 * HOUR + FLAP_WINDOW);
    store.close();
  });

  it("keep the outage through a quiet window", async () => {
    const clock = new FakeClock(T0);
    const { monitor, store, path } = logMonitor({ clock });
    const firstCheck = T0 + 2 * HOUR;
    writeLog(path, timeoutLines(T0, 12), firstCheck);
    await checkAt(clock, monitor, firstCheck);

    // Mail to another receiver, then three more failures: neither shows Gmail reachable.
    writeLog(path, [otherReceiverLine(firstCheck + MINUTE)], firstCheck + 2 * MINUTE);
    await checkAt(clock, monitor, firstCheck + 2 * MINUTE);
    writeLog(path, timeoutLines(firstCheck + 3 * MINUTE, 3, MINUTE), firstCheck + 10 * MINUTE);
    await checkAt(clock, monitor, firstCheck + 10 * MINUTE);

    expect(store.states.get(KEY)?.value).toBe("unreachable");
    expect(store.states.get(KEY)?.since).toBe(T0);
    expect(store.incidents.changes({ key: KEY })).toHaveLength(1);
    expect(store.incidents.latest(KEY)?.closedAt).toBeNull();
    store.close();
  });

  it("keep the outage after one delivery", async () => {
    receiver = await startWebhookReceiver();
    const clock = new FakeClock(T0);
    const { monitor, store, path } = logMonitor({
      clock,
      alerts: { webhook: { url: receiver.url } },
    });
    // Six failures in each of two windows make one outage of twelve.
    writeLog(path, timeoutLines(T0, 6), T0 + HOUR);
    await checkAt(clock, monitor, T0 + HOUR);
    writeLog(path, timeoutLines(T0 + HOUR, 6), T0 + 2 * HOUR);
    await checkAt(clock, monitor, T0 + 2 * HOUR);
    const started = receiver.alerts[0]?.body;
    const evidence = started?.["evidence"] as Record<string, Record<string, unknown>>;

    // One delivery, then three more failures, as in a log where diagnose still finds the outage.
    writeLog(path, deliveredLines(T0 + 2 * HOUR, 1), T0 + 3 * HOUR);
    await checkAt(clock, monitor, T0 + 3 * HOUR);
    const afterDelivery = store.states.get(KEY)?.value;
    writeLog(path, timeoutLines(T0 + 3 * HOUR, 3), T0 + 4 * HOUR);
    await checkAt(clock, monitor, T0 + 4 * HOUR);

    expect(started?.["change"]).toBe("outage-started");
    expect(evidence["connectionFailures"]).toBe(6);
    expect(evidence["outage"]?.["failures"]).toBe(12);
    expect(evidence["outage"]?.["failuresInWindow"]).toBe(6);
    expect(afterDelivery).toBe("unreachable");
    expect(store.states.get(KEY)?.value).toBe("unreachable");
    expect(store.incidents.changes({ key: KEY }).map((change) => change.change)).toEqual([
      "outage-started",
    ]);
    expect(store.incidents.latest(KEY)?.closedAt).toBeNull();
    expect(receiver.alerts).toHaveLength(1);
    store.close();
  });

  it("count deliveries over windows", async () => {
    const clock = new FakeClock(T0);
    const { monitor, store, path } = logMonitor({ clock });
    writeLog(path, timeoutLines(T0, 12), T0 + 2 * HOUR);
    await checkAt(clock, monitor, T0 + 2 * HOUR);

    // Three deliveries over 20 minutes, then two more: five over 40 minutes in all.
    const endedAt = T0 + 2 * HOUR;
    writeLog(path, deliveredLines(endedAt, 3), endedAt + 25 * MINUTE);
    await checkAt(clock, monitor, endedAt + 25 * MINUTE);
    const afterThree = store.states.get(KEY)?.value;
    writeLog(path, deliveredLines(endedAt + 30 * MINUTE, 2), endedAt + HOUR);
    await checkAt(clock, monitor, endedAt + HOUR);

    expect(afterThree).toBe("unreachable");
    expect(store.states.get(KEY)?.value).toBe("reachable");
    const changes = store.incidents.changes({ key: KEY });
    expect(changes.map((change) => [change.change, change.at])).toEqual([
      ["outage-started", T0],
      ["outage-ended", endedAt],
    ]);
    expect(store.failureRuns.get(KEY)).toBeNull();
    store.close();
  });

  it("end an outage on rejections", async () => {
    const clock = new FakeClock(T0);
    const { monitor, store, path } = logMonitor({ clock });
    writeLog(path, timeoutLines(T0, 12), T0 + 2 * HOUR);
    await checkAt(clock, monitor, T0 + 2 * HOUR);

    writeLog(path, rejectedLines(T0 + 2 * HOUR, 3), T0 + 3 * HOUR);
    await checkAt(clock, monitor, T0 + 3 * HOUR);

    expect(store.states.get(KEY)?.value).toBe("reachable");
    expect(store.states.get(blockKey("gmail", IP))?.value).toBe("blocked");
    store.close();
  });

  it("record nothing for a few failures", async () => {
    const clock = new FakeClock(T0);
    const { monitor, store, path } = logMonitor({ clock });
    writeLog(path, timeoutLines(T0, 3), T0 + HOUR);

    expect(await checkAt(clock, monitor, T0 + HOUR)).toBe("complete");

    expect(store.states.get(KEY)).toBeNull();
    expect(store.incidents.changes()).toEqual([]);
    store.close();
  });

  it("set a first reachable state as baseline", async () => {
    const clock = new FakeClock(T0);
    const { monitor, store, path } = logMonitor({ clock });
    writeLog(path, deliveredLines(T0, 2), T0 + HOUR);

    await checkAt(clock, monitor, T0 + HOUR);

    expect(store.states.get(KEY)?.value).toBe("reachable");
    expect(store.incidents.changes()).toEqual([]);
    expect(store.alerts.all()).toEqual([]);
    store.close();
  });

  it("key a dual-stack server's outage by log", async () => {
    const clock = new FakeClock(T0);
    const { monitor, store, path } = logMonitor({ clock, ips: [IP, IPV6] });
    writeLog(path, timeoutLines(T0, 12), T0 + 2 * HOUR);

    await checkAt(clock, monitor, T0 + 2 * HOUR);

    const [state, ...others] = store.states.list();
    expect(others).toEqual([]);
    expect(state?.key).toBe(connectionKey("gmail", path));
    expect(state?.subject).toBe(`Gmail (log ${path})`);
    expect(state?.value).toBe("unreachable");
    store.close();
  });

  it("report outages in a valid history", async () => {
    const clock = new FakeClock(T0);
    const { monitor, store, path } = logMonitor({ clock });
    writeLog(path, timeoutLines(T0, 12), T0 + 2 * HOUR);
    await checkAt(clock, monitor, T0 + 2 * HOUR);
    writeLog(path, deliveredLines(T0 + 3 * HOUR, 5), T0 + 4 * HOUR);
    await checkAt(clock, monitor, T0 + 4 * HOUR);

    const report = buildHistoryReport(store, {}, clock.now());
    const output = {
      schemaVersion: 1,
      tool: { name: "delist", version: "test" },
      generatedAt: iso(clock.now()),
      database: store.path,
      ...report,
    };

    expect(validateHistory(output)).toEqual([]);
    expect(report.changes.map((change) => change.summary)).toEqual([
      "Outage started: this server cannot connect to Gmail from 192.0.2.1.",
      "Outage ended: this server connects to Gmail from 192.0.2.1 again.",
    ]);
    // The incident lasts from the first failure to the first delivery after the outage.
    expect(report.incidents[0]?.hours).toBe(3);
    store.close();
  });
});

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
