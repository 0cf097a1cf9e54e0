import type { Category, SmtpStage } from "../knowledge/categories.js";
import type { ProviderId } from "../knowledge/providers.js";
import type { TlsInfo } from "./connection.js";

/**
 * The outcome of a probe. `accepted`: the receiver took the recipient (and the test message
 * with `--send-test`). `rate-limited`: it deferred the sender with a 4xx reply. `blocked`: it
 * rejected the sender with a 5xx reply. `error`: no verdict on the sender, because the
 * connection failed, the reply was about something else (an unknown recipient, greylisting),
 * or the conversation broke off.
 */
export type ProbeStatus = "accepted" | "rate-limited" | "blocked" | "error";

/** One command of the conversation and its reply, classified as `delist explain` does. */
export interface ProbeReply {
  readonly stage: SmtpStage;
  /** The command sent, or null for the greeting. */
  readonly command: string | null;
  readonly replyCode: number;
  readonly enhancedStatus: string | null;
  /** The reply in wire form, continuation lines included. */
  readonly text: string;
  /**
   * False for a reply cut off before its last line by a time-out, a closed connection or the
   * 64 KiB reply limit. Its `text` then contains the lines that came, each a `NNN-`
   * continuation. The probe's status does not depend on its code, unless the limit cut it
   * and every line carries the same 5xx code and enhanced status (or none).
   */
  readonly complete: boolean;
  /** The reason an incomplete reply was cut off, as in `unanswered.error`, or null if complete. */
  readonly incompleteReason: string | null;
  readonly category: Category;
  readonly ruleId: string;
  readonly permanent: boolean;
  readonly summary: string;
  readonly provider: ProviderId | null;
  readonly judgedIp: string | null;
  /**
   * Milliseconds from sending the command (or connecting) to the end of the reply, or to the
   * time-out or close that cut off an incomplete reply.
   */
  readonly elapsedMs: number;
}

/** The command that got no reply when the conversation broke off. */
export interface UnansweredCommand {
  readonly stage: SmtpStage;
  readonly command: string;
  /** The reason no reply came: `no reply to RCPT TO within 3000 ms`, `the server closed the connection`. */
  readonly error: string;
}

/** The MX host a probe talked to. */
export interface ProbeMx {
  readonly host: string;
  readonly address: string;
  readonly port: number;
  /** `dns` (MX records), `implicit` (the domain's own address) or `override` (`--mx`). */
  readonly source: "dns" | "implicit" | "override";
}

/** Everything one probe saw; `delist probe --format json` prints it. */
export interface ProbeResult {
  readonly recipient: string;
  /** The MAIL FROM address; "" for the null reverse-path `<>`. */
  readonly sender: string;
  readonly helo: string;
  readonly mx: ProbeMx | null;
  /** The local address connected from. */
  readonly localAddress: string | null;
  /** The sending IP the result stands for: the one the receiver named, else the local one. */
  readonly ip: string | null;
  readonly provider: ProviderId | "other";
  readonly banner: string | null;
  readonly extensions: readonly string[];
  readonly tls: TlsInfo | null;
  readonly replies: readonly ProbeReply[];
  /** The last command sent, when the conversation broke off before its reply; else null. */
  readonly unanswered: UnansweredCommand | null;
  readonly status: ProbeStatus;
  /** One sentence on why the status is what it is. */
  readonly detail: string;
  /**
   * The steps for the reply that decided the status, as `delist explain` gives them. Empty when
   * the receiver accepted, or when the conversation ended without a deciding reply.
   */
  readonly fix: readonly string[];
  /** True when `--send-test` was requested. */
  readonly sendTest: boolean;
  /**
   * True when the test message of `--send-test` was sent, whether or not the receiver replied
   * to the end of DATA.
   */
  readonly sentData: boolean;
  readonly startedAt: number;
  readonly finishedAt: number;
  /** Hosts that could not be reached before the one that replied. */
  readonly failedHosts: ReadonlyArray<{
    readonly host: string;
    readonly address: string;
    /** The TCP port tried: 25, or the port given with `--mx HOST:PORT`. */
    readonly port: number;
    readonly error: string;
  }>;
}
