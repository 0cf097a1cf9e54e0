import { join } from "node:path";
import type {
  AuthFailureEvent,
  DeliveryEvent,
  DkimSigningEvent,
  FilterCopyEvent,
  HoldKind,
  LifecycleEvent,
  LinePosition,
  LoggedMessage,
  LoginEvent,
  MtaName,
  RejectEvent,
  SessionReplyEvent,
  FatalErrorEvent,
  TlsEvent,
} from "../logs/events.js";
import type { ProviderId } from "../knowledge/providers.js";
import { isDovecotProgram } from "../logs/context/dovecot.js";
import { parseRotationName } from "../logs/reader/rotation.js";
import { sameIp } from "../reply/judged-ip.js";
import { FatalErrors } from "./fatal-kinds.js";
import { DistinctCounter } from "./distinct.js";
import { TopCounts } from "./top-counts.js";
import { addCapped } from "./replies.js";
import { RunCounter, detach, hourOf, increment } from "./time.js";
import { lowerAscii } from "./ascii-case.js";
import { LocalFailureTally } from "./bare-words.js";
import { UndeliveredTally } from "./undelivered.js";
import { UnroutableDomainTally } from "./unroutable.js";

/** An IP address that receivers named as the connecting (sending) address. */
export interface JudgedIp {
  firstTime: number;
  lastTime: number;
  count: number;
  readonly providers: Set<ProviderId>;
  /** Servers whose mail got the replies that named the IP (see `serverOf`), capped. */
  readonly servers: Set<string>;
}

/** The mail of one server whose lines were read, named as `serverOf` names it. */
export interface HostCounts {
  readonly name: string;
  /** Delivery attempts to other servers, without queue expiries. */
  remoteAttempts: number;
  /** Messages that entered the queue, without the copies that a content filter queued again. */
  messages: number;
  /** The MTAs that logged the server's messages, such as Postfix and the Sendmail submission program. */
  readonly mtas: Set<MtaName>;
}

/** A lifecycle event kept for the report. */
export interface Lifecycle {
  readonly time: number;
  readonly position: LinePosition;
  readonly action: LifecycleEvent["action"];
  readonly mta: MtaName;
  readonly version: string | null;
}

/** DKIM signing results of one domain. */
export interface DkimDomain {
  signed: number;
  unsigned: number;
  selectors: Set<string>;
}

/** An account's logins from one address. */
export interface LoginUse {
  readonly firstTime: number;
  readonly firstPosition: LinePosition;
  count: number;
}

/** The first reply of one server to a whole session, as `ServerAnalyser` keeps it. */
export interface SessionReplySample {
  readonly time: number;
  readonly position: LinePosition;
  readonly relayHost: string | null;
  readonly response: string;
}

/**
 * The code at the start of a reject reply: a reply code with an optional enhanced status code
 * ("554 5.7.1"), or an enhanced status code alone ("5.7.1"), as Postfix logs a milter's reject.
 */
const REJECT_CODE = /^(?:\d{3}(?: \d\.\d{1,3}\.\d{1,3})?|[245]\.\d{1,3}\.\d{1,3}(?![\d.]))/;

const MAX_LIFECYCLE = 100;
// Bounds the memory of `firstSessionReplies` on a log with replies from many receivers. The
// held-mail report reads only the relay host's reply, so 500 servers is an estimate with room.
const MAX_SESSION_REPLY_IPS = 500;
const MAX_IPS = 1000;
const MAX_USERS = 20_000;
const MAX_IPS_PER_USER = 64;
const MAX_SERVERS_PER_IP = 16;
/**
 * Maximum number of servers in `ServerAnalyser.hosts`. The mail of later servers still counts in
 * the verdicts, but in no server's counts.
 */
const MAX_HOSTS = 100;

/**
 * Names the server that logged a message: its syslog host name, or the MTA and the rotated file
 * set of the message for a log without host names (Exim's own main log). For example,
 * `mainlog`, `mainlog.1` and `mainlog.2.gz` in /var/log/exim4 are `exim log
 * /var/log/exim4/mainlog`. Returns null for a bounce message or a reply without a message,
 * which the log ties to no server.
 *
 * NOTE: two files of one server without host names count as two servers unless their names
 * form one rotated set, so an IP change between such files is not seen.
 */
export function serverOf(message: LoggedMessage | null): string | null {
  if (message === null || message.mta === "bounce") return null;
  if (message.host !== "") return message.host;
  return `${message.mta} log ${fileSetOf(message.firstPosition.file)}`;
}

/** Returns the path of the live file of the rotated set of `file` (`setKey` joins its parts with NUL). */
function fileSetOf(file: string): string {
  const [directory = ".", base = file] = parseRotationName(file).setKey.split("\0");
  return join(directory, base);
}

/**
 * Server-wide context: outbound TLS over time, starts and reloads, the sending IPs that
 * receivers named, DKIM signing, mailbox and SMTP AUTH logins, inbound rejects and failed logins.
 */
export class ServerAnalyser {
  /** The MTAs of the log's messages, logins, failed logins, starts and stops. */
  readonly mtas = new Set<MtaName>();
  /** Syslog host names of the server's own lines. */
  readonly hostnames = new Map<string, number>();
  /**
   * The servers whose mail the log shows, by `serverOf` name, up to `MAX_HOSTS`. A general log
   * such as syslog can hold the mail lines of other hosts, and all of them count in the verdicts.
   */
  readonly hosts = new Map<string, HostCounts>();
  // `serverOf` names of the files without host names, so that it runs once per file.
  private readonly hostlessNames = new Map<string, string>();
  /** Outbound TLS sessions per hour; complete after `finish`. */
  readonly outboundTlsByHour = new Map<number, number>();
  private readonly outboundTlsCounter = new RunCounter(this.outboundTlsByHour);
  lastOutboundTls: number | null = null;
  readonly lifecycle: Lifecycle[] = [];
  /** The MTA's fatal errors, or null when the log shows none. */
  fatalErrors: FatalErrors | null = null;
  readonly judgedIps = new Map<string, JudgedIp>();
  readonly dkim = new Map<string, DkimDomain>();
  /** Mailbox logins (Dovecot) by account, then by client address. */
  readonly logins = new Map<string, Map<string, LoginUse>>();
  /**
   * Events of Dovecot's own lines: mailbox logins and failed logins. It stays 0 when Dovecot
   * only checks an MTA's SMTP AUTH passwords (Exim's `dovecot_login`) and its own lines are in
   * another file.
   */
  dovecotEvents = 0;
  /**
   * SMTP AUTH logins that the MTA logs on a line of their own (Sendmail `AUTH=server`), by
   * account, then by client address. They show a login even when no message followed it.
   */
  readonly smtpLogins = new Map<string, Map<string, LoginUse>>();
  inboundRejects = 0;
  /** Rejects with a 4xx reply code, which the client may retry. */
  temporaryRejects = 0;
  /** Rejects with a 5xx reply code. */
  permanentRejects = 0;
  readonly rejectCodes = new Map<string, number>();
  /**
   * Rejects that a `warn_if_reject` restriction only logged (Postfix `reject_warning`). The
   * client went on, so they are not in `inboundRejects`.
   */
  rejectWarnings = 0;
  authFailures = 0;
  /** Failed logins per client address, for the first addresses seen (capped). */
  readonly authFailureIps = new Map<string, number>();
  /** All client addresses of failed logins, counted without keeping them. */
  readonly authFailureAddresses = new DistinctCounter();
  /**
   * Failed logins per account name tried, when the log names it. A table of 10,000 names (an
   * estimated 1 MB) stays exact for a typical dictionary attack and bounds a spray of random names.
   */
  readonly authFailureUsers = new TopCounts(10_000);
  /**
   * All account names of failed logins, counted without keeping them. `authFailureUsers.size`
   * is the exact count while that table is exact, and this estimate serves past it.
   */
  readonly authFailureAccounts = new DistinctCounter();
  readonly authFailuresByHour = new Map<number, number>();
  firstAuthFailure: { readonly time: number; readonly position: LinePosition } | null = null;
  lastAuthFailure: number | null = null;
  /**
   * Messages that entered the queue. A copy that a content filter queued again counts only
   * through the message it is a copy of.
   */
  messagesAccepted = 0;
  /** Recipients delivered to a mailbox on this server. */
  localDeliveries = 0;
  /** Recipient domains of local deliveries: the domains this server receives mail for. */
  readonly localDomains = new Map<string, number>();
  /**
   * Recipients handed to a content filter or another MTA on this host (a `filter` hand-off),
   * which queues a copy for the real destination.
   */
  filterHops = 0;
  /**
   * Messages handed to a content filter on this host whose re-queued copy the log does not show
   * (`FilterCopyEvent.copy` of null). Their deliveries after the filter are not counted.
   */
  missingFilterCopies = 0;
  /**
   * Delivery results that carried no mail: Postfix address-verification probes
   * (`status=deliverable`, `undeliverable`, `undeliverable-but-not-cached`) and Exim deliveries
   * suppressed by `-N` (`*>`). They are no delivery attempts, recipients or outbound messages.
   */
  addressProbes = 0;
  /**
   * Messages returned to their senders at the end of their queue lifetime whose deferrals all
   * came before the log (Postfix `status=expired` or Sendmail `DSN: Cannot send message for 5
   * days` with no deferral logged), so their recipients and providers are unknown.
   */
  expiredWithoutRecipient = 0;
  /** Messages that Postfix put on hold (`HoldEvent`), by what held them. */
  readonly putOnHold: Record<HoldKind, number> = { header: 0, body: 0, client: 0 };
  /** Messages of `putOnHold` that a later line shows released (`HoldReleasedEvent`). */
  releasedFromHold = 0;
  /** Recipients that an alias or `.forward` sent on as a new message (a `forward` hand-off). */
  localForwards = 0;
  /** Recipients thrown away on purpose (a `discard` hand-off, the Postfix `discard` transport). */
  discarded = 0;
  /**
   * Deferrals and bounces of deliveries to mailboxes and programs on this server, and of
   * hand-offs to a content filter on it.
   */
  readonly localDeliveryFailures = new LocalFailureTally();
  /**
   * Bounces that this server's own rules decided on purpose (`DeliveryEvent.withoutAttempt` of
   * `policy`), such as an Exim `:fail:` alias. They are no failed delivery and no held mail.
   */
  readonly localPolicyRejections = new UndeliveredTally();
  /**
   * Of `localDeliveryFailures`, the deferrals and bounces of outbound mail at a hand-off to a
   * content filter on this host: a filter that cannot be reached or rejects the mail. No receiver
   * saw that mail.
   */
  readonly outboundFilterFailures = new UndeliveredTally();
  /**
   * Outbound recipients that this server deferred or bounced on its own, without trying any
   * receiver (`DeliveryEvent.withoutAttempt` of `mta`), such as a broken transport.
   */
  readonly undeliveredByServer = new UndeliveredTally();
  /** Of `undeliveredByServer`, the domains of bounces for lack of a route, such as Exim's. */
  readonly unroutableDomains = new UnroutableDomainTally();
  /**
   * The first reply of each server to a whole session, by its IP, such as a relay host's
   * `535 5.7.8` to this server's login. At most `MAX_SESSION_REPLY_IPS` servers are kept.
   */
  readonly firstSessionReplies = new Map<string, SessionReplySample>();

  /** Keeps the reply of `event` when it is the first one of its server. */
  addSessionReply(event: SessionReplyEvent): void {
    const ip = event.relayIp;
    if (ip === null || this.firstSessionReplies.has(ip)) return;
    if (this.firstSessionReplies.size >= MAX_SESSION_REPLY_IPS) return;
    this.firstSessionReplies.set(detach(ip), {
      time: event.time,
      position: { file: event.position.file, line: event.position.line },
      relayHost: event.relayHost === null ? null : detach(event.relayHost),
      response: detach(event.response),
    });
  }

  /**
   * Counts a missing filter copy, or takes a linked copy out of `messagesAccepted`, where its
   * own `message` event put it.
   */
  addFilterCopy(event: FilterCopyEvent): void {
    if (event.copy === null) this.missingFilterCopies += 1;
    else this.messagesAccepted -= 1;
  }

  /**
   * Returns the counts of the server that logged `message`, or null for a bounce message and
   * for a server past `MAX_HOSTS`.
   */
  hostCountsOf(message: LoggedMessage): HostCounts | null {
    if (message.mta === "bounce") return null;
    const name = message.host === "" ? this.hostlessName(message) : message.host;
    let counts = this.hosts.get(name);
    if (counts === undefined) {
      if (this.hosts.size >= MAX_HOSTS) return null;
      counts = { name: detach(name), remoteAttempts: 0, messages: 0, mtas: new Set() };
      this.hosts.set(counts.name, counts);
    }
    counts.mtas.add(message.mta);
    return counts;
  }

  private hostlessName(message: LoggedMessage): string {
    const file = message.firstPosition.file;
    let name = this.hostlessNames.get(file);
    if (name === undefined) {
      name = serverOf(message) ?? "";
      this.hostlessNames.set(detach(file), name);
    }
    return name;
  }

  addTls(event: TlsEvent): void {
    if (event.direction !== "outbound") return;
    this.outboundTlsCounter.add(hourOf(event.time));
    if (this.lastOutboundTls === null || event.time > this.lastOutboundTls) {
      this.lastOutboundTls = event.time;
    }
  }

  /** Completes the counts kept by runs; call it after the last event. */
  finish(): void {
    this.outboundTlsCounter.flush();
  }

  addLifecycle(event: LifecycleEvent): void {
    this.mtas.add(event.mta);
    this.fatalErrors?.addLifecycle(event);
    if (this.lifecycle.length >= MAX_LIFECYCLE) return;
    this.lifecycle.push({
      time: event.time,
      position: { ...event.position },
      action: event.action,
      mta: event.mta,
      version: event.version === null ? null : detach(event.version),
    });
  }

  addFatalError(event: FatalErrorEvent): void {
    this.mtas.add(event.mta);
    this.fatalErrors ??= new FatalErrors();
    this.fatalErrors.add(event);
  }

  /**
   * Counts an IP that a reply names as the sender's. `remoteIp` is the address of the receiving
   * host that the MTA connected or tried to connect to, as the log names it. That address
   * belongs to the receiver, so a reply that seems to name it is not counted. `server` names
   * the server whose mail got the reply (see `serverOf`), or is null when unknown.
   */
  addJudgedIp(
    ip: string,
    time: number,
    provider: ProviderId,
    remoteIp: string | null,
    server: string | null = null,
  ): void {
    if (remoteIp !== null && sameIp(ip, remoteIp)) return;
    const known = this.judgedIps.get(ip);
    if (known !== undefined) {
      known.count += 1;
      known.firstTime = Math.min(known.firstTime, time);
      known.lastTime = Math.max(known.lastTime, time);
      known.providers.add(provider);
      const isNewServer = server !== null && !known.servers.has(server);
      if (isNewServer && known.servers.size < MAX_SERVERS_PER_IP) known.servers.add(detach(server));
      return;
    }
    if (this.judgedIps.size >= MAX_IPS) return;
    this.judgedIps.set(detach(ip), {
      firstTime: time,
      lastTime: time,
      count: 1,
      providers: new Set([provider]),
      servers: new Set(server === null ? [] : [detach(server)]),
    });
  }

  addDkim(event: DkimSigningEvent): void {
    if (event.domain === null) return;
    const domain = lowerAscii(event.domain);
    let facts = this.dkim.get(domain);
    if (facts === undefined) {
      if (this.dkim.size >= MAX_IPS) return;
      facts = { signed: 0, unsigned: 0, selectors: new Set() };
      this.dkim.set(detach(domain), facts);
    }
    if (event.signed) facts.signed += 1;
    else facts.unsigned += 1;
    if (event.selector !== null && facts.selectors.size < 16)
      facts.selectors.add(detach(event.selector));
  }

  /**
   * Counts a login in `smtpLogins` for SMTP AUTH, else in `logins`. Only Dovecot's parser logs
   * mailbox logins, so only those count as Dovecot's lines.
   */
  addLogin(event: LoginEvent): void {
    if (event.mta !== null) this.mtas.add(event.mta);
    if (event.protocol !== "smtp") this.dovecotEvents += 1;
    if (event.clientIp === null) return;
    const logins = event.protocol === "smtp" ? this.smtpLogins : this.logins;
    const user = lowerAscii(event.username);
    let uses = logins.get(user);
    if (uses === undefined) {
      if (logins.size >= MAX_USERS) return;
      uses = new Map();
      logins.set(detach(user), uses);
    }
    const use = uses.get(event.clientIp);
    if (use !== undefined) use.count += 1;
    else if (uses.size < MAX_IPS_PER_USER) {
      uses.set(detach(event.clientIp), {
        firstTime: event.time,
        firstPosition: { ...event.position },
        count: 1,
      });
    }
  }

  addReject(event: RejectEvent): void {
    if (event.warningOnly === true) {
      this.rejectWarnings += 1;
      return;
    }
    this.inboundRejects += 1;
    const code = event.replyCode ?? REJECT_CODE.exec(event.response)?.[0] ?? "?";
    addCapped(this.rejectCodes, code);
    // The first digit gives the class of a reply code and of an enhanced status code alike.
    if (code.startsWith("4")) this.temporaryRejects += 1;
    else if (code.startsWith("5")) this.permanentRejects += 1;
  }

  addAuthFailure(event: AuthFailureEvent): void {
    this.authFailures += 1;
    if (event.mta !== null) this.mtas.add(event.mta);
    if (isDovecotProgram(event.program)) this.dovecotEvents += 1;
    if (event.clientIp !== null) {
      addCapped(this.authFailureIps, event.clientIp);
      this.authFailureAddresses.add(event.clientIp);
    }
    if (event.username !== null) {
      const account = lowerAscii(event.username);
      this.authFailureUsers.add(account);
      this.authFailureAccounts.add(account);
    }
    increment(this.authFailuresByHour, hourOf(event.time));
    if (this.firstAuthFailure === null || event.time < this.firstAuthFailure.time) {
      this.firstAuthFailure = { time: event.time, position: { ...event.position } };
    }
    if (this.lastAuthFailure === null || event.time > this.lastAuthFailure) {
      this.lastAuthFailure = event.time;
    }
  }

  /**
   * Counts a successful attempt that stayed on this server: as a local delivery when it reached
   * a mailbox, else by the kind of its hand-off.
   */
  addLocalSent(event: DeliveryEvent): void {
    switch (event.handoff) {
      case "filter":
        this.filterHops += 1;
        return;
      case "forward":
        this.localForwards += 1;
        return;
      case "discard":
        this.discarded += 1;
        return;
    }
    this.localDeliveries += 1;
    const recipient = event.recipient;
    const at = recipient.lastIndexOf("@");
    if (at >= 0) addCapped(this.localDomains, lowerAscii(recipient.slice(at + 1)));
  }
}
