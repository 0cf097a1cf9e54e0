import { detach } from "./fields.js";
import { DEFAULT_INSTANCE } from "./queues.js";

/**
 * Postfix syslog tags. The tag is `<syslog_name>/<service>`: `postfix/smtp`,
 * `postfix/submission/smtpd` (a master.cf `-o syslog_name=postfix/submission`),
 * `postfix-out/smtp` or `postfix-mta2/qmgr` (multi-instance). The service is the last path
 * component; the rest tells the instance or port apart.
 */

/** What the parser does with the lines of one Postfix service. */
export type ServiceKind =
  | "smtpd"
  | "postscreen"
  | "delivery"
  | "qmgr"
  | "cleanup"
  | "submission"
  | "pickup"
  | "bounce"
  | "postsuper"
  | "master"
  | "script"
  | "noise"
  | "other";

/** A Postfix syslog tag taken apart. */
export interface PostfixProgram {
  /** The whole tag: `postfix/smtp`, `postfix-out/master`. */
  readonly tag: string;
  /** The daemon: `smtpd`, `smtp`, `qmgr`. */
  readonly service: string;
  /** The tag without a leading `postfix/`: `smtpd`, `submission/smtpd`, `postfix-out/smtp`. */
  readonly label: string;
  /** The tag without its service: `postfix`, `postfix/submission`, `postfix-out`. */
  readonly syslogName: string;
  /** The Postfix instance, the tag's first path component (see `postfixInstanceOf`). */
  readonly instance: string;
  readonly kind: ServiceKind;
  /**
   * True for the tags of master, postfix-script, the `postfix` command and the queue manager
   * of an instance other than the default. A master.cf `-o syslog_name` renames one service's
   * lines only, so these tags show a Postfix instance of their own (see `InstanceEvidence`).
   */
  readonly showsInstance: boolean;
}

// Delivery agents write `QID: to=<…>, relay=…, status=…` lines.
const DELIVERY_AGENTS = ["smtp", "lmtp", "local", "virtual", "pipe", "error", "retry", "discard"];

// Services of the stock master.cf that run another daemon and may log under their own name.
// `relay` runs the smtp client for relay_transport. Its lines are tagged `postfix/relay[pid]`
// when the tag carries the service name and not the daemon's.
const DAEMON_OF_SERVICE = new Map([["relay", "smtp"]]);

// Services whose lines carry nothing delist uses: statistics, caches, helpers, admin tools.
const NOISE_SERVICES = [
  "anvil",
  "scache",
  "verify",
  "tlsproxy",
  "tlsmgr",
  "dnsblog",
  "proxymap",
  "trivial-rewrite",
  "postmap",
  "postalias",
  "postqueue",
  "postlog",
  "postconf",
  "showq",
  "flush",
  "spawn",
  "policyd-spf",
  "postlogd",
  "postmulti",
  "postkick",
  "postlock",
  "postcat",
];

const KINDS = new Map<string, ServiceKind>([
  ["smtpd", "smtpd"],
  // qmqpd receives mail over QMQP and logs `QID: client=…` as smtpd does.
  ["qmqpd", "smtpd"],
  ["postscreen", "postscreen"],
  ["qmgr", "qmgr"],
  ["nqmgr", "qmgr"],
  ["oqmgr", "qmgr"],
  ["cleanup", "cleanup"],
  // The commands that submit local mail: sendmail hands the message to postdrop, which writes
  // it to the maildrop queue. Only their lines on a failed queue file write give events.
  ["sendmail", "submission"],
  ["postdrop", "submission"],
  ["pickup", "pickup"],
  ["bounce", "bounce"],
  ["defer", "bounce"],
  ["trace", "bounce"],
  ["postsuper", "postsuper"],
  ["master", "master"],
  // The `postfix` command, which runs postfix-script, logs under its own name: `postfix[pid]:
  // fatal: open /etc/postfix/main.cf: No such file or directory` when a start fails.
  ["postfix", "script"],
  ["postfix-script", "script"],
  ...DELIVERY_AGENTS.map((name) => [name, "delivery"] as const),
  ...NOISE_SERVICES.map((name) => [name, "noise"] as const),
]);

/**
 * Returns the Postfix instance of a syslog tag, its first path component. A second instance
 * logs under its own `syslog_name` (`postfix-out`), and master.cf's `-o syslog_name=` adds
 * components after it. So `postfix-out/smtp` and `postfix-out/submission/smtpd` are of the
 * instance `postfix-out`, and `postfix/smtp` and the bare `postfix` are of `postfix`.
 */
export function postfixInstanceOf(program: string): string {
  const slash = program.indexOf("/");
  return slash < 0 ? program : program.slice(0, slash);
}

/** Upper bound on remembered tags, so a log full of odd tags cannot grow the cache. */
const MAX_CACHED = 64;

/**
 * True for syslog tags that Postfix writes: `postfix/…`, `postfix-<instance>/…`, the bare
 * `postfix` of the `postfix` command, and a bare `postdrop`. No other MTA has a postdrop, so its
 * lines are read here and not listed among other programs' lines.
 */
export function isPostfixProgram(program: string): boolean {
  if (program === "postdrop") return true;
  if (!program.startsWith("postfix")) return false;
  if (program.length === 7) return true;
  const next = program.charCodeAt(7);
  return next === 47 || (next === 45 && program.indexOf("/", 8) > 8);
}

/**
 * Splits a Postfix tag into service, label and kind. A tag that ends in a service of
 * `DAEMON_OF_SERVICE` (`postfix/relay`) is read as that service's daemon, with the whole tag
 * as its syslog name, so it matches the tag `postfix/relay/smtp`.
 */
export function describeProgram(program: string): PostfixProgram {
  const slash = program.lastIndexOf("/");
  const lastComponent = detach(program.slice(slash + 1));
  const label = detach(program.startsWith("postfix/") ? program.slice(8) : program);
  const daemon = DAEMON_OF_SERVICE.get(lastComponent);
  const service = daemon ?? lastComponent;
  const syslogName = detach(daemon === undefined && slash > 0 ? program.slice(0, slash) : program);
  const instance = detach(postfixInstanceOf(program));
  const kind = KINDS.get(service) ?? "other";
  const showsInstance =
    instance !== DEFAULT_INSTANCE && (kind === "master" || kind === "script" || kind === "qmgr");
  return { tag: detach(program), service, label, syslogName, instance, kind, showsInstance };
}

/**
 * Remembers the description of each tag seen, because a log uses only a handful. The
 * framer hands out one string object per tag (its token cache), and that object is the key,
 * so a look-up uses the hash V8 keeps on the string and ends at an identical key without
 * comparing characters. A scan over the tags seen so far compared the characters of every
 * tag of the same length. The keys are kept as given: a key of 13 or more characters keeps
 * its log line alive, but `MAX_CACHED` bounds that to a few kilobytes.
 */
export class ProgramCache {
  private readonly descriptions = new Map<string, PostfixProgram>();
  // Lines of one daemon often come in runs (a TLS line, then its delivery), so the last
  // tag is compared first, and the same string object compares without reading characters.
  private lastProgram = "";
  private lastDescription: PostfixProgram | undefined = undefined;

  describe(program: string): PostfixProgram {
    if (program === this.lastProgram && this.lastDescription !== undefined) {
      return this.lastDescription;
    }
    let described = this.descriptions.get(program);
    if (described === undefined) {
      described = describeProgram(program);
      if (this.descriptions.size >= MAX_CACHED) this.descriptions.clear();
      this.descriptions.set(program, described);
    }
    this.lastProgram = program;
    this.lastDescription = described;
    return described;
  }
}
