import { format } from "node:util";

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
 * Rewords a nodemailer time-out (`ETIMEDOUT`, whose message is only `Timeout` or `Greeting
 * never received`) to name the server, the wait and `stage` from `SmtpStageTracker.stage`.
 * Returns any other error unchanged, because its message already names the reply or address.
 */
export function describeSmtpError(
  error: unknown,
  server: { readonly host: string; readonly port: number; readonly timeoutMs: number },
  stage: string,
): unknown {
  if (!(error instanceof Error) || !("code" in error) || error.code !== "ETIMEDOUT") return error;
  const timeoutType = "timeoutType" in error ? error.timeoutType : undefined;
  const at = `the SMTP server at ${formatHostPort(server.host, server.port)}`;
  const within = `within ${server.timeoutMs} ms`;
  let message: string;
  if (timeoutType === "CONNECT_TIMEOUT") {
    message = `${at} did not accept the connection ${within}`;
  } else if (timeoutType === "UPGRADE_TIMEOUT") {
    message = `${at} did not finish the TLS handshake ${within}`;
  } else {
    message = `${at} did not send ${stage} ${within}`;
  }
  return new Error(`${message}: check that the server is running and replies, or raise timeoutMs`, {
    cause: error,
  });
}

function formatHostPort(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}
