import nodemailer from "nodemailer";
import type { HistoryStore } from "../store/history.js";
import type { Clock } from "../store/clock.js";
import type { AlertPayload, AlertRecord } from "../store/types.js";
import type { MonitorConfig } from "./config.js";
import type { Logger } from "./logger.js";
import { describeSmtpError, SmtpStageTracker } from "./smtp-stage.js";
import { describeWebhookError, describeWebhookStatus } from "./webhook-error.js";

/** Sends one alert on one channel; rejects with the reason when it could not be delivered. */
export interface AlertSender {
  readonly channel: "webhook" | "email";
  send(payload: AlertPayload): Promise<void>;
}

/**
 * Minutes to wait after each failed attempt. After the last one (about 10 hours in all) the
 * alert is marked failed, because the channel then needs fixing, and the error log names it.
 */
export const RETRY_DELAYS_MINUTES: readonly number[] = [1, 5, 15, 60, 180, 360];

/**
 * Posts the payload as JSON; the `Idempotency-Key` header repeats `alertKey`. Only a 2xx
 * response counts as delivered. A redirect is not followed: fetch would turn the POST into a
 * GET without the body and report success, and a redirect may lead to another host. A failure's
 * error names the webhook's origin and what to check, unless fetch gave no cause.
 */
export function webhookSender(
  config: NonNullable<MonitorConfig["alerts"]["webhook"]>,
  fetchImpl: typeof fetch = fetch,
): AlertSender {
  return {
    channel: "webhook",
    async send(payload) {
      let response: Response;
      try {
        response = await fetchImpl(config.url, {
          method: "POST",
          headers: {
            ...config.headers,
            "content-type": "application/json",
            "idempotency-key": payload.alertKey,
          },
          body: JSON.stringify(payload),
          redirect: "manual",
          signal: AbortSignal.timeout(config.timeoutMs),
        });
      } catch (error) {
        throw describeWebhookError(error, config.url, config.timeoutMs);
      }
      // The body is not needed; cancelling it frees the connection of a server that never ends it.
      await response.body?.cancel().catch(() => undefined);
      if (response.status >= 300 && response.status < 400) {
        const location = response.headers.get("location") ?? "(no Location header)";
        throw new Error(
          `the webhook at ${new URL(config.url).origin} responded with HTTP ${response.status}, a redirect to ${location}: redirects are not followed, so put the final URL in alerts.webhook.url`,
        );
      }
      if (!response.ok) throw new Error(describeWebhookStatus(config.url, response.status));
    },
  };
}

/**
 * Sends the alert as a plain-text e-mail through the configured SMTP server (nodemailer).
 * `timeoutMs` bounds the connection, the greeting and each silence of the server, which
 * nodemailer would otherwise wait out for up to 10 minutes. The error of every failure names
 * the server and what to change. The error of a time-out also names the SMTP stage it stopped
 * at (see `describeSmtpError`).
 */
export function emailSender(
  config: NonNullable<MonitorConfig["alerts"]["email"]>,
  env: Readonly<Record<string, string | undefined>>,
): AlertSender {
  const password = config.passwordEnv === undefined ? undefined : env[config.passwordEnv];
  const stages = new SmtpStageTracker();
  const transport = nodemailer.createTransport({
    host: config.host,
    port: config.port,
    secure: config.secure,
    connectionTimeout: config.timeoutMs,
    greetingTimeout: config.timeoutMs,
    socketTimeout: config.timeoutMs,
    transactionLog: true,
    logger: stages.logger,
    ...(config.user === undefined ? {} : { auth: { user: config.user, pass: password ?? "" } }),
  });
  return {
    channel: "email",
    async send(payload) {
      stages.reset();
      try {
        await transport.sendMail({
          from: config.from,
          to: config.to,
          subject: `[delist] ${payload.summary}`,
          text: emailText(payload),
          headers: { "X-Delist-Alert-Key": payload.alertKey },
        });
      } catch (error) {
        throw describeSmtpError(error, config, stages.stage());
      }
    },
  };
}

function emailText(payload: AlertPayload): string {
  const lines = [
    payload.summary,
    "",
    `Time:     ${payload.at}`,
    `State:    ${payload.key} ${payload.previous ?? "(new)"} -> ${payload.value}`,
  ];
  if (payload.incident !== null) {
    const closed =
      payload.incident.closedAt === null ? "open" : `closed ${payload.incident.closedAt}`;
    lines.push(`Incident: #${payload.incident.id}, opened ${payload.incident.openedAt}, ${closed}`);
  }
  lines.push("", "Evidence:", JSON.stringify(payload.evidence, null, 2), "");
  // Removal requests concern blocks only, so `delist removal status` lists no other incident.
  lines.push(
    payload.kind === "block"
      ? "`delist history` and `delist removal status` show the whole incident."
      : "`delist history` shows the whole incident.",
  );
  return lines.join("\n");
}

/** A point the dispatcher passes, where tests stop it as a crash would. */
export type BeforeSendHook = (alert: AlertRecord) => Promise<void> | void;

/** The outcome of one delivery attempt; `retryAt` is null when the alert was given up. */
type Delivery =
  | { readonly outcome: "sent" | "dropped" }
  | { readonly outcome: "failed"; readonly retryAt: number | null };

/** A channel that failed during one dispatch, and how many alerts waited for it. */
interface ChannelFailure {
  readonly alertId: number;
  readonly retryAt: number;
  heldBack: number;
}

/**
 * Sends the alerts that are due from the outbox and records the outcome of each attempt. An
 * alert is marked sent only after its channel accepted it. A crash in between therefore sends
 * it again after the restart, and receivers drop such a repeat by `alertKey`.
 */
export class AlertDispatcher {
  private readonly senders: Map<string, AlertSender>;
  private failures = 0;

  constructor(
    private readonly store: HistoryStore,
    senders: readonly AlertSender[],
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly beforeSend: BeforeSendHook | null = null,
  ) {
    this.senders = new Map(senders.map((sender) => [sender.channel, sender]));
  }

  /** The channels alerts are queued on. */
  get channels(): string[] {
    return [...this.senders.keys()];
  }

  /** The number of delivery attempts that failed since this dispatcher was created. */
  get failedDeliveries(): number {
    return this.failures;
  }

  /**
   * Sends every due alert once and returns how many were sent. After a channel fails, its
   * other due alerts wait for the failed alert's retry instead of each waiting out the same
   * timeout. Stops between alerts when `signal` aborts.
   */
  async dispatch(signal?: AbortSignal): Promise<number> {
    let sent = 0;
    const failed = new Map<string, ChannelFailure>();
    for (const alert of this.store.alerts.due(this.clock.now())) {
      if (signal?.aborted === true) break;
      const failure = failed.get(alert.channel);
      if (failure !== undefined) {
        this.store.alerts.postpone(
          alert.id,
          failure.retryAt,
          `held back: alert ${failure.alertId} on this channel failed just before`,
        );
        failure.heldBack += 1;
        continue;
      }
      const delivery = await this.deliver(alert);
      if (delivery.outcome === "sent") sent += 1;
      if (delivery.outcome === "failed") {
        const retryAt = delivery.retryAt ?? this.clock.now() + firstRetryMs();
        failed.set(alert.channel, { alertId: alert.id, retryAt, heldBack: 0 });
      }
    }
    this.logHeldBack(failed);
    return sent;
  }

  private logHeldBack(failed: ReadonlyMap<string, ChannelFailure>): void {
    for (const [channel, failure] of failed) {
      if (failure.heldBack === 0) continue;
      this.logger.warn(
        {
          channel,
          failedAlertId: failure.alertId,
          alerts: failure.heldBack,
          retryAt: new Date(failure.retryAt).toISOString(),
        },
        "alerts held back until the channel's next retry",
      );
    }
  }

  private async deliver(alert: AlertRecord): Promise<Delivery> {
    const sender = this.senders.get(alert.channel);
    const ids = { alertId: alert.id, changeId: alert.changeId, channel: alert.channel };
    if (sender === undefined) {
      this.store.alerts.markAttemptFailed(alert.id, "the channel is no longer configured", null);
      this.logger.warn(ids, "alert dropped: its channel is no longer configured");
      return { outcome: "dropped" };
    }
    if (alert.held && flappedBackTo(this.store, alert)) {
      this.store.alerts.supersede(
        alert.id,
        `the state went back to ${alert.payload.value}, which the last alert sent already reported`,
      );
      this.logger.info(
        { ...ids, key: alert.payload.key, value: alert.payload.value },
        "alert dropped: the state went back to what the last alert reported",
      );
      return { outcome: "dropped" };
    }
    await this.beforeSend?.(alert);
    try {
      await sender.send(alert.payload);
    } catch (error) {
      this.failures += 1;
      const delay = RETRY_DELAYS_MINUTES[alert.attempts];
      const retryAt = delay === undefined ? null : this.clock.now() + delay * 60_000;
      const message = error instanceof Error ? error.message : String(error);
      this.store.alerts.markAttemptFailed(alert.id, message, retryAt);
      this.logger.error(
        {
          ...ids,
          attempt: alert.attempts + 1,
          err: message,
          retryAt: retryAt === null ? null : new Date(retryAt).toISOString(),
        },
        retryAt === null ? "alert failed for good" : "alert failed, will retry",
      );
      return { outcome: "failed", retryAt };
    }
    this.store.alerts.markSent(alert.id, this.clock.now());
    this.logger.info(
      { ...ids, change: alert.payload.change, key: alert.payload.key },
      "alert sent",
    );
    return { outcome: "sent" };
  }
}

/**
 * True when a held alert would report the state that the last alert sent for its key on its
 * channel already reported: the key changed and changed back inside the flap window.
 */
function flappedBackTo(store: HistoryStore, alert: AlertRecord): boolean {
  return store.alerts.lastSentValue(alert.payload.key, alert.channel) === alert.payload.value;
}

function firstRetryMs(): number {
  return (RETRY_DELAYS_MINUTES[0] ?? 1) * 60_000;
}
