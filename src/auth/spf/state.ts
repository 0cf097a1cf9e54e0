import type ipaddr from "ipaddr.js";
import type { DnsContext } from "../../dns/context.js";

/** The seven results of RFC 7208, section 2.6. */
export type SpfResult =
  "none" | "neutral" | "pass" | "fail" | "softfail" | "temperror" | "permerror";

export const SPF_RESULTS: readonly SpfResult[] = [
  "none",
  "neutral",
  "pass",
  "fail",
  "softfail",
  "temperror",
  "permerror",
];

/** The identity and connection one SPF check is about. */
export interface SpfRequest {
  /** The connecting client's IP address. */
  readonly ip: string;
  /** MAIL FROM address; empty for the null sender, which checks `postmaster@` the HELO name. */
  readonly sender: string;
  /** HELO/EHLO name. */
  readonly helo: string;
  /** Receiving host for the `%{r}` macro. Default `unknown`. */
  readonly receiver?: string;
}

/** Limits of RFC 7208, section 4.6.4; tests and `--strict` runs may change them. */
export interface SpfLimits {
  /** Mechanisms and modifiers that query DNS. Default 10. */
  readonly lookups: number;
  /** Lookups that return NXDOMAIN or no records. Default 2. */
  readonly voidLookups: number;
  /** MX hosts per `mx` mechanism, and PTR names checked per `ptr`. Default 10. */
  readonly names: number;
}

export const DEFAULT_SPF_LIMITS: SpfLimits = { lookups: 10, voidLookups: 2, names: 10 };

/** The running counts and fixed inputs of one evaluation. */
export interface EvaluationState {
  readonly dns: DnsContext;
  readonly limits: SpfLimits;
  readonly ip: ipaddr.IPv4 | ipaddr.IPv6;
  readonly request: SpfRequest;
  readonly senderLocal: string;
  readonly senderDomain: string;
  lookups: number;
  voidLookups: number;
  /** Domains whose records were evaluated, for the trace. */
  readonly visited: string[];
  /** Domains whose `check_host()` is still running, outermost first, to detect a loop. */
  readonly chain: string[];
}

/** Ends an evaluation early with temperror or permerror; caught by `evaluateSpf`. */
export class SpfAbort extends Error {
  override readonly name = "SpfAbort";
  constructor(
    readonly result: "temperror" | "permerror",
    message: string,
  ) {
    super(message);
  }
}
