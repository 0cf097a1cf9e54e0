import { format } from "node:util";
import { certificateFix, UNREACHABLE_CODES } from "./alert-advice.js";

/**
 * Follows the SMTP dialogue of a nodemailer transport through its transaction log, so that a
 * time-out can name the stage the client waited at. nodemailer 10 reports every socket
 * time-out as `Timeout` with the command `CONN`, whatever it had sent.
 *
 * The transport must be created with `transactionLog: true` and `logger` set to this tracker's
 * `logger`, and `reset` called before each message.
 * NOTE: one tracker follows one dialogue at a time, so it suits a transport that sends one
 * message after another (as the alert dispatcher does), not a pool.
 */
export class SmtpStageTracker {
  /** Commands sent that got no reply yet, oldest first. With PIPELINING, several are sent at once. */
  private unanswered: string[] = [];
  private greeted = false;

  /** A bunyan-style logger for nodemailer's `logger` option. It keeps only the dialogue. */
  readonly logger = {
    trace: () => undefined,
    debug: (entry: unknown, message: unknown, ...args: unknown[]) => {
      this.record(entry, message, args);
    },
    info: () => undefined,
    warn: () => undefined,
    error: () => undefined,
    fatal: () => undefined,
  };

  /** Forgets the last dialogue. Call it before each message. */
  reset(): void {
    this.unanswered = [];
    this.greeted = false;
  }

  /**
   * Describes what the client waited for when the dialogue stopped: `the greeting`, or the
   * reply to the oldest unanswered command, such as `the reply to RCPT TO`.
   */
  stage(): string {
    if (!this.greeted) return "the greeting";
    const waiting = this.unanswered[0];
    return waiting === undefined ? "the next reply" : `the reply to ${waiting}`;
  }

  private record(entry: unknown, message: unknown, args: readonly unknown[]): void {
    if (typeof entry !== "object" || entry === null || !("tnx" in entry)) return;
    const line = format(message, ...args);
    if (entry.tnx === "server") {
      const answered = this.greeted ? this.unanswered.shift() : undefined;
      this.greeted = true;
      // After 354 the client streams the message, which the transaction log leaves out, and
      // the server replies once it has read the final dot.
      if (answered === "DATA" && line.startsWith("354")) this.unanswered.unshift("the message");
    } else if (entry.tnx === "client") {
      this.unanswered.push(commandName(line));
    }
  }
}

const COMMAND = /^(EHLO|HELO|LHLO|STARTTLS|AUTH|MAIL FROM|RCPT TO|DATA|BDAT|RSET|NOOP|QUIT)\b/i;

/**
 * Returns the command of a line the client sent, without its arguments, so that no address
 * or credential reaches the log: `MAIL FROM`, `RCPT TO`, `AUTH`. Any other line is the
 * client's response to an AUTH challenge.
 */
function commandName(line: string): string {
  return COMMAND.exec(line)?.[1]?.toUpperCase() ?? "the AUTH exchange";
}

/**
 * Rewords an error of a nodemailer transport so that it names the SMTP server, what failed and
 * what to do. nodemailer's own messages name neither the server nor the setting to change:
 * a rejected certificate is only `certificate has expired`, and a time-out (`ETIMEDOUT`) only
 * `Timeout` or `Greeting never received`. A time-out also names the wait and `stage` from
 * `SmtpStageTracker.stage`. Returns a value that is not an Error unchanged.
 */
export function describeSmtpError(
  error: unknown,
  server: SmtpServerSettings,
  stage: string,
): unknown {
  if (!(error instanceof Error)) return error;
  const at = `the SMTP server at ${formatHostPort(server.host, server.port)}`;
  const message =
    errorCode(error, "code") === "ETIMEDOUT"
      ? describeTimeout(error, at, server.timeoutMs, stage)
      : `${at} ${describeFailure(error)}`;
  return new Error(message, { cause: error });
}

/** The settings of `alerts.email` that the messages of `describeSmtpError` name. */
interface SmtpServerSettings {
  readonly host: string;
  readonly port: number;
  readonly timeoutMs: number;
}

function describeTimeout(error: Error, at: string, timeoutMs: number, stage: string): string {
  const timeoutType = errorCode(error, "timeoutType");
  const within = `within ${timeoutMs} ms`;
  let failure: string;
  if (timeoutType === "CONNECT_TIMEOUT") {
    failure = `${at} did not accept the connection ${within}`;
  } else if (timeoutType === "UPGRADE_TIMEOUT") {
    failure = `${at} did not finish the TLS handshake ${within}`;
  } else {
    failure = `${at} did not send ${stage} ${within}`;
  }
  return `${failure}: check that the server is running and replies, or raise timeoutMs`;
}

/**
 * Describes a failure other than a time-out by the error's codes. nodemailer sets `code` to
 * its own class (`ESOCKET`, `EAUTH`, `EENVELOPE` ...) and keeps the code of the underlying
 * socket or TLS error, such as `ECONNREFUSED` or `CERT_HAS_EXPIRED`, as `originalCode`.
 */
function describeFailure(error: Error): string {
  const code = errorCode(error, "code");
  const originalCode = errorCode(error, "originalCode") ?? code;
  const detail = error.message;
  const certificateStep =
    originalCode === undefined ? null : certificateFix(originalCode, "alerts.email.host");
  if (certificateStep !== null) {
    return `sent a TLS certificate that this host rejects: ${detail}. ${certificateStep}`;
  }
  if (originalCode === "ERR_SSL_WRONG_VERSION_NUMBER") {
    return (
      `did not answer in TLS: ${detail}. Set alerts.email.secure to true only for a port that ` +
      "starts with TLS (465), and to false for one that uses STARTTLS (587 or 25)"
    );
  }
  if (code === "ETLS" || originalCode?.startsWith("ERR_SSL_") === true) {
    return `failed the TLS handshake: ${detail}. Check the TLS settings in the server's log`;
  }
  if (code === "EDNS" || (originalCode !== undefined && UNREACHABLE_CODES.has(originalCode))) {
    return (
      `could not be reached: ${detail}. Check alerts.email.host and alerts.email.port, and ` +
      "that the server is running"
    );
  }
  if (code === "EAUTH") {
    return (
      `rejected the login: ${detail}. Check alerts.email.user and the password in the ` +
      "environment variable that alerts.email.passwordEnv names"
    );
  }
  if (code === "EENVELOPE" || code === "EMESSAGE") {
    return (
      `rejected the alert: ${detail}. Check alerts.email.from and alerts.email.to, and that ` +
      "the server relays mail from this host"
    );
  }
  return `failed: ${detail}. Check the server's log for the reason`;
}

/** Returns the string property `name` of an error, such as nodemailer's `code`. */
function errorCode(error: Error, name: string): string | undefined {
  const value = (error as unknown as Record<string, unknown>)[name];
  return typeof value === "string" ? value : undefined;
}

function formatHostPort(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}
