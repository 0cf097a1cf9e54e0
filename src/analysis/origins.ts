import type { DeliveryEvent, LinePosition, LoggedMessage } from "../logs/events.js";
import { isLoopbackIp } from "../logs/exim/loopback.js";
import type { ClassifiedReply } from "./reply-cache.js";
import type { Delivery, MessageState } from "./delivery.js";
import { DistinctCounter, hashString } from "./distinct.js";
import { addCapped } from "./replies.js";
import { detach, increment } from "./time.js";
import { lowerAscii } from "./ascii-case.js";
import { DroppedKeys } from "./dropped-keys.js";
import { dropQuieterHalf } from "./quieter-half.js";
import { SmallMap } from "../logs/small-map.js";
import { OriginHours } from "./origin-hours.js";

/**
 * The kind of submitter of outbound mail: an SMTP AUTH account, a local program, or an SMTP
 * client that relays without SMTP AUTH (a web server in Postfix's `mynetworks`, say).
 */
export type OriginKind = "account" | "local" | "client";

/** One client address an account submitted from. */
export interface ClientIpUse {
  readonly firstTime: number;
  readonly firstPosition: LinePosition;
  lastTime: number;
  messages: number;
  recipients: number;
}

/** Submissions and deliveries of one account, local program or relay client. */
export class OriginFacts {
  messages = 0;
  /** Outbound recipients (first remote attempt of each message and recipient). */
  recipients = 0;
  /** When the earliest message came (epoch ms), which `claimRelayClient` can lower. */
  firstTime: number;
  firstPosition: LinePosition;
  lastTime: number;
  /** Submissions by hour, whose first times `claimRelayClient` can lower. */
  readonly hourly = new OriginHours();
  readonly clientIps = new SmallMap<string, ClientIpUse>();
  readonly distinctRecipients = new DistinctCounter();
  /** Recipients by provider operator (`google`, `microsoft`…). */
  readonly recipientsByOperator = new SmallMap<string, number>();
  readonly senders = new SmallMap<string, number>();
  /**
   * Messages by the server that logged them (`serverOf` names), so that a finding names the host
   * to log in to and the commands of its MTA. Servers past `MAX_HOSTS` of `ServerAnalyser` are
   * not counted.
   */
  readonly messagesByHost = new SmallMap<string, number>();
  sent = 0;
  deferred = 0;
  bounced = 0;
  /**
   * Of `deferred` and `bounced`, the results that the MTA logged without trying to deliver
   * (`DeliveryEvent.withoutAttempt`), so that the attempts are the others.
   */
  resultsWithoutAttempt = 0;
  blockedAttempts = 0;
  /**
   * True when the origin was dropped to bound memory before this row was created (see
   * `MAX_ORIGINS`), so the counters start at its return and miss its earlier messages. A Bloom
   * filter decides, so a rare origin that was never dropped is marked too.
   */
  earlierMessagesDropped = false;
  /** Block-signal replies to this origin's mail, by provider operator. */
  readonly blockedByOperator = new SmallMap<string, number>();
  // Descriptive fields of local programs, from the first message.
  uid: number | null = null;
  localUser: string | null = null;
  script: string | null = null;
  workingDirectory: string | null = null;
  command: string | null = null;
  /**
   * A relay client's host name as the MTA logged it (`client=web1.example.com[192.0.2.10]`),
   * from the first message that named one. Null when every message showed the address alone
   * or Postfix's `unknown`, and for the other kinds.
   */
  clientHost: string | null = null;

  /**
   * The name as the log first spelled it. For an account, `key` is its lower-case form, so that
   * `PWNED` and `pwned` count as one account, as they do in Dovecot 2.1 and later, which
   * lower-case user names unless `auth_username_format` is emptied. Suggested commands use
   * this spelling instead, because a server that keeps the case of user names needs it.
   */
  readonly name: string;
  /** Other spellings of an account's name seen after the first, up to `MAX_SPELLINGS`. */
  readonly otherSpellings: string[] = [];

  constructor(
    readonly kind: OriginKind,
    public key: string,
    message: LoggedMessage,
    time: number,
    position: LinePosition,
  ) {
    const spelling = message.saslUsername;
    this.name =
      kind === "account" && spelling !== null && spelling !== key ? detach(spelling) : key;
    this.firstTime = time;
    this.firstPosition = { file: position.file, line: position.line };
    this.lastTime = time;
    if (kind === "local") {
      this.uid = message.uid;
      this.localUser = message.localUser === null ? null : detach(message.localUser);
      this.script = message.script === null ? null : detach(message.script);
      this.workingDirectory =
        message.workingDirectory === null ? null : detach(message.workingDirectory);
      this.command = message.command === null ? null : detach(message.command);
    }
    if (kind === "client") this.noteClientHost(message.clientHost);
  }

  /** Keeps the first real host name that a relay client's messages name. */
  noteClientHost(host: string | null): void {
    if (this.clientHost !== null || host === null || host === "" || host === "unknown") return;
    this.clientHost = detach(host);
  }

  /** Makes the row of a Unix user known by name alone the row of its `uid`, under `key`. */
  moveToUid(key: string, uid: number): void {
    this.key = key;
    this.uid = uid;
  }

  /**
   * Forgets the Unix user name when a message of this program names another one. Postfix's
   * pickup logs the envelope sender as `from=`, which is the login name only when the program
   * gave no `-f`, so one uid with `from=<orders>` and `from=<news>` shows senders, not its user.
   */
  noteLocalUser(user: string | null): void {
    if (user !== null && this.localUser !== null && user !== this.localUser) {
      this.localUser = null;
    }
  }
}

const MAX_CLIENT_IPS = 256;
/** Spellings of one account's name kept beyond the first. */
const MAX_SPELLINGS = 4;
/**
 * Accounts (or local programs) tracked at once. Past this, the half with the fewest messages
 * is dropped, so that a log with millions of one-message accounts (a dictionary attack that
 * succeeded, a relay for many tenants) stays in bounded memory while busy accounts, and a
 * compromised account that appears late, are still followed.
 */
const MAX_ORIGINS = 50_000;

/** An origin's counters for one message, looked up once per message. */
export interface OriginParts {
  readonly origin: OriginFacts | null;
  /** The row of the message's hour in `origin.hourly`, or -1 without an origin. */
  readonly originHourRow: number;
  readonly clientIp: ClientIpUse | null;
}

const NO_ORIGIN: OriginParts = { origin: null, originHourRow: -1, clientIp: null };

/**
 * Groups submissions and their outbound deliveries by account, by local program and by relay
 * client.
 */
export class OriginAnalyser {
  readonly accounts = new Map<string, OriginFacts>();
  readonly localSources = new Map<string, OriginFacts>();
  /**
   * SMTP clients that relayed outbound mail without SMTP AUTH, by IP address, such as a web
   * server that the MTA trusts by its address. See `claimRelayClient` for what counts.
   */
  readonly relayClients = new Map<string, OriginFacts>();
  /**
   * Envelope senders of messages submitted with SMTP AUTH whose account the log does not name,
   * by message count. Examples are Sendmail's `proto=ESMTPSA` without an `AUTH=server` line, and
   * Exim's `P=esmtpa` with an `A=` that names the authenticator alone.
   */
  readonly unnamedAccountSenders = new Map<string, number>();
  /**
   * Accounts and local programs dropped to bound memory (see `MAX_ORIGINS`), each counted once
   * however often it came back and was dropped again.
   */
  readonly droppedOrigins = new DroppedKeys();
  // Recipients per message that counted at a result held on this host (`addHeldResult`), so
  // that the first remote attempt of the filter's copy does not count them again. The states
  // die with their messages.
  private readonly heldRecipients = new WeakMap<MessageState, Set<number>>();
  private heldAny = false;
  /**
   * The uid of each Unix user name, from the first message that named both (Sendmail's
   * `ctladdr=root (0/0)`, Postfix's `uid=0 from=<root>`), up to `MAX_ORIGINS` names. A message
   * that names the user alone (Sendmail's `relay=root@localhost` without a `to=` line) then
   * counts in the uid's row, so that one user gets one row.
   */
  private readonly uidsByUser = new Map<string, number>();

  /** Finds (or creates) the counters of the account or program that submitted `message`. */
  partsFor(message: LoggedMessage): OriginParts {
    const origin = this.findOrigin(message, message.firstTime, message.firstPosition);
    if (origin === null) return NO_ORIGIN;
    const originHourRow = origin.hourly.rowOf(message.firstTime);
    const clientIp =
      origin.kind === "account" && message.clientIp !== null
        ? this.clientIpUse(origin, message.clientIp, message.firstTime, message.firstPosition)
        : null;
    return { origin, originHourRow, clientIp };
  }

  /**
   * Makes the SMTP client of `state`'s message its origin at the message's first remote
   * delivery result, and counts the message for it. A message counts only once it leaves for
   * another host, so that mail from the internet to local mailboxes opens no row. Bounces,
   * local submissions and SMTP AUTH submissions (named account or not) get no relay client.
   * Neither does mail from a loopback address, such as a content filter like amavis
   * re-injecting mail, whose linked copies keep the original's client. Recipients forwarded by
   * alias or `.forward` (Postfix `orig_to`) are left to the forwarding analysis.
   * NOTE: on a server that passes inbound mail on to another host (a backup MX, a filtering
   * gateway), every sending server on the internet becomes a relay client, because the log
   * does not tell that mail from relayed outbound mail.
   */
  claimRelayClient(state: MessageState, event: DeliveryEvent): void {
    if (state.origin !== null) return;
    const message = state.message;
    const ip = message.clientIp;
    if (ip === null || message.isBounce || message.saslUsername !== null) return;
    if (isLoopbackIp(ip) || isAuthenticatedProtocol(message.service)) return;
    const original = event.originalRecipient;
    if (original !== null && lowerAscii(original) !== lowerAscii(event.recipient)) return;
    if (localSourceKey(message) !== null) return;

    const time = message.firstTime;
    const position = message.firstPosition;
    const client = this.lookUp(this.relayClients, "client", ip, message, time, position);
    if (client === null) return;
    client.noteClientHost(message.clientHost);
    if (time < client.firstTime) {
      client.firstTime = time;
      client.firstPosition = { file: position.file, line: position.line };
    }
    const row = client.hourly.rowOf(time);
    client.hourly.lowerFirstTime(row, time);
    state.origin = client;
    state.originHourRow = row;
    this.addMessage(state, time);
  }

  /** Counts a message that entered the queue. */
  addMessage(state: MessageState, time: number): void {
    const origin = state.origin;
    if (origin === null) {
      this.addUnnamedSubmission(state.message);
      return;
    }
    origin.messages += 1;
    if (time > origin.lastTime) origin.lastTime = time;
    const sender = state.message.sender;
    if (state.originHourRow >= 0) {
      origin.hourly.addMessage(state.originHourRow, sender === null ? null : hashString(sender));
    }
    if (sender !== null) addCapped(origin.senders, sender);
    if (state.host !== null) increment(origin.messagesByHost, state.host.name);
    const use = state.clientIp;
    if (use !== null) {
      use.messages += 1;
      if (time > use.lastTime) use.lastTime = time;
    }
  }

  private addUnnamedSubmission(message: LoggedMessage): void {
    const sender = message.sender;
    if (sender === null || sender === "" || !isAuthenticatedProtocol(message.service)) return;
    addCapped(this.unnamedAccountSenders, sender);
  }

  /** Counts a remote delivery of a message whose origin is known. */
  addDelivery(delivery: Delivery, classified: ClassifiedReply | null): void {
    const { event, state } = delivery;
    const origin = state.origin;
    if (origin === null) return;
    if (event.status === "sent") origin.sent += 1;
    else if (event.status === "deferred") origin.deferred += 1;
    else if (event.status === "bounced") origin.bounced += 1;
    if (classified?.blockSignal === true) {
      origin.blockedAttempts += 1;
      increment(origin.blockedByOperator, delivery.operator);
    }
    this.addRecipient(delivery, origin);
  }

  /**
   * Counts the recipient of a message that a local submission program handed to an MTA on this
   * host, when the log links no copy of that MTA to the message. It counts as sent because that
   * MTA accepted it. What that MTA did next is in lines that are not linked to this origin.
   */
  addHandedOver(delivery: Delivery): void {
    const origin = delivery.state.origin;
    if (origin === null) return;
    origin.sent += 1;
    this.addRecipient(delivery, origin);
  }

  private addRecipient(delivery: Delivery, origin: OriginFacts): void {
    const { event, state } = delivery;
    if (!event.firstAttempt) return;
    if (this.heldAny && this.heldRecipients.get(state)?.has(delivery.recipientHash) === true) {
      return;
    }

    origin.recipients += 1;
    origin.distinctRecipients.addHash(delivery.recipientHash);
    increment(origin.recipientsByOperator, delivery.operator);
    if (state.originHourRow >= 0) origin.hourly.addRecipient(state.originHourRow);
    if (state.clientIp !== null) state.clientIp.recipients += 1;
  }

  /**
   * Counts a deferral or bounce of a message whose origin is known that the MTA decided without
   * trying to deliver. Its recipient counts as one of the origin's recipients.
   */
  addResultWithoutAttempt(delivery: Delivery): void {
    const origin = delivery.state.origin;
    if (origin === null) return;
    origin.resultsWithoutAttempt += 1;
    this.addDelivery(delivery, null);
  }

  /**
   * Counts a deferral or bounce of outbound mail that this host held before any receiver saw
   * it, such as at a content filter that cannot be reached or rejects the mail. It counts as a
   * result without an attempt. Its recipient counts once, however many retries or attempts of
   * the filter's copy follow.
   */
  addHeldResult(delivery: Delivery): void {
    const { state, event } = delivery;
    if (state.origin === null) return;
    this.addResultWithoutAttempt(delivery);
    if (!event.firstAttempt) return;
    let recipients = this.heldRecipients.get(state);
    if (recipients === undefined) {
      recipients = new Set();
      this.heldRecipients.set(state, recipients);
    }
    recipients.add(delivery.recipientHash);
    this.heldAny = true;
  }

  // Returns the counters of one client address, created with zero counts on first use.
  private clientIpUse(
    origin: OriginFacts,
    clientIp: string,
    time: number,
    position: LinePosition,
  ): ClientIpUse | null {
    const use = origin.clientIps.get(clientIp);
    if (use !== undefined) return use;
    if (origin.clientIps.size >= MAX_CLIENT_IPS) return null;
    const created: ClientIpUse = {
      firstTime: time,
      firstPosition: { file: position.file, line: position.line },
      lastTime: time,
      messages: 0,
      recipients: 0,
    };
    origin.clientIps.set(detach(clientIp), created);
    return created;
  }

  private findOrigin(
    message: LoggedMessage,
    time: number,
    position: LinePosition,
  ): OriginFacts | null {
    if (message.isBounce) return null;
    const spelling = message.saslUsername;
    if (spelling !== null && spelling !== "") {
      const account = this.lookUp(
        this.accounts,
        "account",
        lowerAscii(spelling),
        message,
        time,
        position,
      );
      if (account !== null && spelling !== account.name) addSpelling(account, spelling);
      return account;
    }
    const localKey = this.localKeyOf(message);
    if (localKey === null) return null;
    return this.lookUp(this.localSources, "local", localKey, message, time, position);
  }

  // The `localSourceKey` of a message, with a user name alone replaced by its known uid.
  private localKeyOf(message: LoggedMessage): string | null {
    const user = message.localUser;
    if (user !== null && message.script === null && message.workingDirectory === null) {
      if (message.uid !== null) {
        this.noteUid(user, message.uid);
      } else {
        const uid = this.uidsByUser.get(user);
        if (uid !== undefined) return `uid ${uid}`;
      }
    }
    return localSourceKey(message);
  }

  /**
   * Remembers the uid of `user`. A row that messages naming the user alone opened before
   * becomes the uid's row, unless the uid has a row of its own already.
   * NOTE: in that last case the two rows stay apart, because their counters are not merged.
   */
  private noteUid(user: string, uid: number): void {
    if (this.uidsByUser.has(user) || this.uidsByUser.size >= MAX_ORIGINS) return;
    this.uidsByUser.set(detach(user), uid);

    const named = this.localSources.get(`user ${user}`);
    const uidKey = `uid ${uid}`;
    if (named === undefined || this.localSources.has(uidKey)) return;
    this.localSources.delete(named.key);
    named.moveToUid(uidKey, uid);
    this.localSources.set(uidKey, named);
  }

  // Removes the half of the origins with the fewest messages, the oldest first among equals.
  private dropQuietest(origins: Map<string, OriginFacts>, kind: OriginKind): void {
    dropQuieterHalf(
      origins,
      (a, b) => a.messages - b.messages || a.lastTime - b.lastTime,
      (key) => this.droppedOrigins.add(`${kind} ${key}`),
    );
  }

  private lookUp(
    origins: Map<string, OriginFacts>,
    kind: OriginKind,
    key: string,
    message: LoggedMessage,
    time: number,
    position: LinePosition,
  ): OriginFacts | null {
    const existing = origins.get(key);
    if (existing !== undefined) {
      if (kind === "local") existing.noteLocalUser(message.localUser);
      return existing;
    }
    if (origins.size >= MAX_ORIGINS) this.dropQuietest(origins, kind);
    const created = new OriginFacts(kind, detach(key), message, time, position);
    created.earlierMessagesDropped = this.droppedOrigins.mayContain(`${kind} ${key}`);
    origins.set(created.key, created);
    return created;
  }
}

function addSpelling(account: OriginFacts, spelling: string): void {
  const spellings = account.otherSpellings;
  if (spellings.length < MAX_SPELLINGS && !spellings.includes(spelling)) {
    spellings.push(detach(spelling));
  }
}

/**
 * Protocol names of a submission with SMTP AUTH, in Sendmail's `proto=` and Exim's `P=`. RFC 3848
 * defines ESMTPA, ESMTPSA, LMTPA and LMTPSA, RFC 6531 adds UTF8SMTPA and UTF8SMTPSA, and Exim
 * writes `utf8esmtpsa`. The trailing A means authenticated.
 */
const AUTHENTICATED_PROTOCOL = /^(?:utf8)?(?:e?smtp|lmtp)s?a$/i;

/** True when `service` names a protocol with SMTP AUTH, such as `esmtpsa`. */
export function isAuthenticatedProtocol(service: string | null): boolean {
  return service !== null && AUTHENTICATED_PROTOCOL.test(service);
}

/**
 * Returns the most specific name of the local program behind a message: the PHP script
 * when the MTA logged one, else the working directory of the submitting process, else the
 * Unix user or uid. Returns null for mail that did not come from a local program.
 */
export function localSourceKey(message: LoggedMessage): string | null {
  if (message.script !== null) return `script ${message.script}`;
  if (message.workingDirectory !== null) {
    return `cwd ${message.localUser ?? "?"} ${message.workingDirectory}`;
  }
  if (message.uid !== null) return `uid ${message.uid}`;
  if (message.localUser !== null) return `user ${message.localUser}`;
  return null;
}
