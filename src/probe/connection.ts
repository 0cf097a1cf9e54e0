/**
 * A minimal SMTP client connection on `node:net` and `node:tls`. The probe must stop after
 * RCPT TO, read every reply with its exact text, and record the TLS version. Nodemailer's SMTP
 * transport always goes on to DATA and hides the individual replies, so it cannot serve here.
 */
import net from "node:net";
import tls from "node:tls";
import { ReplyReader, type WireReply } from "./reply-reader.js";

/** The address and port to connect to, the local address, and the timeout. */
export interface ConnectOptions {
  readonly address: string;
  readonly port: number;
  /** The local address to send from (`--source-ip`), or null for the system's choice. */
  readonly localAddress: string | null;
  readonly timeoutMs: number;
  /** Ends the connection attempt when it aborts. */
  readonly signal?: AbortSignal;
}

/** The outcome of the TLS handshake. */
export interface TlsInfo {
  /** `TLSv1.3`, `TLSv1.2`… */
  readonly version: string | null;
  readonly cipher: string | null;
  /** True when the certificate chain verified against the system's CAs for the MX name. */
  readonly authorized: boolean;
  readonly authorizationError: string | null;
}

/** The connection failed, timed out or was closed by the server. */
export class SmtpConnectionError extends Error {
  override readonly name = "SmtpConnectionError";
}

/** The error message of a connection that the caller stopped, such as the monitor shutting down. */
const STOPPED = "the probe was stopped because delist is shutting down";

/**
 * Returns OpenSSL's reason and code (`wrong version number (ERR_SSL_WRONG_VERSION_NUMBER)`)
 * instead of its multi-line message with source file names, when Node provides them.
 */
function tlsReason(error: Error): string {
  const { reason, code } = error as Error & { reason?: unknown; code?: unknown };
  if (typeof reason !== "string") return error.message.trim();
  return typeof code === "string" ? `${reason} (${code})` : reason;
}

/** Returns the command's name without its argument: `RCPT TO`, `MAIL FROM`, `EHLO`. */
function commandName(line: string): string {
  return /^(?:MAIL FROM|RCPT TO)(?=:)|^\S+/i.exec(line)?.[0] ?? line;
}

type Waiter = { resolve: (reply: WireReply) => void; reject: (error: Error) => void };

/** One SMTP session: send a command line, read the reply. */
export class SmtpConnection {
  private readonly reader = new ReplyReader();
  private readonly replies: WireReply[] = [];
  private waiter: Waiter | null = null;
  private failure: Error | null = null;
  /** The local address the connection was made from. */
  readonly localAddress: string | null;

  private constructor(
    private socket: net.Socket,
    private readonly timeoutMs: number,
  ) {
    this.localAddress = socket.localAddress ?? null;
    this.attach(socket);
  }

  /** Opens a TCP connection; rejects with an SmtpConnectionError. */
  static connect(options: ConnectOptions): Promise<SmtpConnection> {
    return new Promise((resolve, reject) => {
      if (options.signal?.aborted === true) {
        reject(new SmtpConnectionError(STOPPED));
        return;
      }
      const socket = net.connect({
        host: options.address,
        port: options.port,
        ...(options.localAddress === null ? {} : { localAddress: options.localAddress }),
      });
      let settled = false;
      const settle = (error: Error | null): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        options.signal?.removeEventListener("abort", onAbort);
        if (error === null) {
          socket.removeAllListeners("error");
          resolve(new SmtpConnection(socket, options.timeoutMs));
          return;
        }
        socket.destroy();
        reject(error);
      };
      const onAbort = (): void => settle(new SmtpConnectionError(STOPPED));
      const timer = setTimeout(
        () => settle(new SmtpConnectionError(`no TCP connection within ${options.timeoutMs} ms`)),
        options.timeoutMs,
      );
      options.signal?.addEventListener("abort", onAbort, { once: true });
      socket.once("connect", () => settle(null));
      socket.once("error", (error) =>
        settle(new SmtpConnectionError(`cannot connect: ${error.message}`, { cause: error })),
      );
    });
  }

  /**
   * Waits for the next reply (the greeting, or the reply to the last command). `awaited` names
   * it in the timeout error, as in "no reply to RCPT TO within 3000 ms".
   */
  read(awaited = "reply"): Promise<WireReply> {
    const queued = this.replies.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    if (this.failure !== null) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = null;
        // A server that sends the first lines of a reply and then waits (a tarpit) differs
        // from a silent one, so the message says which of the two timed out.
        const missing = this.reader.incomplete() === null ? "" : "last line of the ";
        reject(new SmtpConnectionError(`no ${missing}${awaited} within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      this.waiter = {
        resolve: (reply) => {
          clearTimeout(timer);
          resolve(reply);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
    });
  }

  /**
   * Sends one command line (CRLF is added) and reads its reply. Throws a TypeError when the
   * line contains a CR or LF, which would smuggle a second command into the session.
   */
  command(line: string): Promise<WireReply> {
    if (/[\r\n]/.test(line)) {
      throw new TypeError(`invalid SMTP command ${JSON.stringify(line)}: it contains a line break`);
    }
    this.socket.write(`${line}\r\n`);
    return this.read(`reply to ${commandName(line)}`);
  }

  /** Sends raw text (the message body of `--send-test`) without reading a reply. */
  write(text: string): void {
    this.socket.write(text);
  }

  /**
   * Upgrades the connection after the server's 220 to STARTTLS. The certificate is checked
   * and the result recorded, but a failed check does not end the probe: the question is how
   * the receiver treats the sender, and many MX hosts present certificates for other names.
   */
  startTls(servername: string | null): Promise<TlsInfo> {
    const plain = this.socket;
    plain.removeAllListeners("data");
    plain.removeAllListeners("error");
    plain.removeAllListeners("close");
    return new Promise((resolve, reject) => {
      const secure = tls.connect({
        socket: plain,
        rejectUnauthorized: false,
        ...(servername === null || net.isIP(servername) !== 0 ? {} : { servername }),
      });
      const timer = setTimeout(() => {
        secure.destroy();
        reject(new SmtpConnectionError(`no TLS handshake within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      secure.once("secureConnect", () => {
        clearTimeout(timer);
        secure.removeAllListeners("error");
        this.socket = secure;
        this.attach(secure);
        const cipher = secure.getCipher() as { name?: string } | undefined;
        resolve({
          version: secure.getProtocol() ?? null,
          cipher: cipher?.name ?? null,
          authorized: secure.authorized,
          authorizationError:
            secure.authorizationError === undefined ? null : String(secure.authorizationError),
        });
      });
      secure.once("error", (error) => {
        clearTimeout(timer);
        reject(
          new SmtpConnectionError(`TLS handshake failed: ${tlsReason(error)}`, { cause: error }),
        );
      });
    });
  }

  /**
   * Returns the lines received of a reply cut off before its last line, or null. A reply is cut
   * off when `read` timed out or the server closed the connection in the middle of it.
   */
  incompleteReply(): WireReply | null {
    return this.reader.incomplete();
  }

  /** Closes the connection without waiting for the server. */
  close(): void {
    this.socket.destroy();
  }

  /** Ends the session at once: the pending and every later read reject with `reason`. */
  abort(reason: string = STOPPED): void {
    this.fail(new SmtpConnectionError(reason));
    this.socket.destroy();
  }

  private attach(socket: net.Socket): void {
    socket.on("data", (chunk: Buffer) => {
      try {
        for (const reply of this.reader.push(chunk)) this.deliver(reply);
      } catch (error) {
        this.fail(error as Error);
        socket.destroy();
      }
    });
    socket.on("error", (error) => this.fail(new SmtpConnectionError(error.message)));
    socket.on("close", () =>
      this.fail(new SmtpConnectionError("the server closed the connection")),
    );
  }

  private deliver(reply: WireReply): void {
    const waiter = this.waiter;
    this.waiter = null;
    if (waiter === null) this.replies.push(reply);
    else waiter.resolve(reply);
  }

  private fail(error: Error): void {
    if (this.failure === null) this.failure = error;
    const waiter = this.waiter;
    this.waiter = null;
    waiter?.reject(this.failure);
  }
}
