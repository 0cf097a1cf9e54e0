import {
  YAHOO_ACCEPTED,
  gmailAccepted,
  gmailReply,
  greylisted,
  outlookAccepted,
  outlookUnknownUser,
  queuedAs,
  unknownMailbox,
  yahooUnknownUser,
} from "./replies.mjs";
import { pickMx } from "./destinations.mjs";

/**
 * The life of one queued message from the queue manager on: delivery passes (one SMTP
 * transaction per destination, run as parallel processes), retries of deferred recipients on
 * Postfix's backoff, bounce notifications to the sender, expiry and removal. Processes are
 * generators run by the Scheduler: each writes the lines due now and yields the time of its
 * next line.
 */

const MINIMAL_BACKOFF_S = 300;
const MAXIMAL_BACKOFF_S = 4000;
const MAXIMAL_QUEUE_LIFETIME_US = 5 * 86400 * 1e6;

/** Returns `timeUs` plus a random delay of `minMs` to `maxMs` milliseconds. */
export function later(ctx, timeUs, minMs, maxMs) {
  return timeUs + ctx.random.int(minMs * 1000, maxMs * 1000);
}

/** Formats seconds the way Postfix prints `delay=` and `delays=` values. */
function formatDelay(seconds) {
  if (seconds >= 10) return String(Math.round(seconds));
  if (seconds >= 1) return String(Math.round(seconds * 10) / 10);
  if (seconds >= 0.01) return String(Math.round(seconds * 100) / 100);
  return "0";
}

/**
 * Creates the state of a message that entered the queue at `arrivalUs`. `notify` is where
 * bounce notifications to the sender are delivered: "lmtp" (a virtual mailbox) or "local".
 */
export function createMessage(qid, options) {
  return {
    qid,
    sender: options.sender,
    arrivalUs: options.arrivalUs,
    sizeBytes: options.sizeBytes,
    messageId: options.messageId,
    recipients: options.recipients.map((recipient) => ({
      ...recipient,
      done: false,
      deferred: false,
    })),
    compromised: options.compromised,
    notify: options.notify,
    activeGroups: 0,
    bouncedThisPass: 0,
  };
}

/** Writes the queue manager's `from=` line, which Postfix logs on every pass. */
export function logQueueActive(ctx, message, timeUs) {
  const text = `${message.qid}: from=<${message.sender}>, size=${message.sizeBytes}, nrcpt=${message.recipients.length} (queue active)`;
  ctx.log(timeUs, ctx.tags.qmgr, text);
}

/** Starts one delivery pass over the recipients that are still pending. */
export function startDeliveryPass(ctx, message, timeUs) {
  const groups = new Map();
  for (const recipient of message.recipients) {
    if (recipient.done) continue;
    const group = groups.get(recipient.destination.key);
    if (group === undefined) groups.set(recipient.destination.key, [recipient]);
    else group.push(recipient);
  }
  message.activeGroups = groups.size;
  message.passStartUs = timeUs;
  for (const group of groups.values()) {
    const start = later(ctx, timeUs, 150, 1500);
    ctx.scheduler.spawn(start, deliverGroup(ctx, message, group, start));
  }
}

function* deliverGroup(ctx, message, recipients, startUs) {
  const destination = recipients[0].destination;
  const tag = `postfix/smtp[${ctx.pids.smtp()}]`;
  const mx = pickMx(ctx.random, destination);
  const relay = `${mx.host}[${mx.ip}]`;
  const outcome = transactionOutcome(ctx, message, destination, recipients.length);
  const clientIp = mx.ip.includes(":") ? ctx.server.ipv6 : ctx.server.ipv4;
  let t = startUs;

  if (ctx.random.chance(0.9)) {
    ctx.log(t, tag, `Trusted TLS connection established to ${relay}:25: ${TLS_OUT}`);
  }
  for (const recipient of recipients) {
    t = later(ctx, t, 30, 450);
    yield t;
    const result = recipientResult(ctx, message, recipient, outcome, t, clientIp);
    writeDelivery(ctx, message, recipient, { tag, relay: `${relay}:25`, host: relay }, result, t);
  }

  message.activeGroups--;
  if (message.activeGroups === 0) yield* finishPass(ctx, message, t);
}

const TLS_OUT =
  "TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange X25519 server-signature ECDSA (P-256) server-digest SHA256";

/**
 * Decides how Gmail replies to the end of DATA of one transaction. The same reply applies to
 * every recipient of it. Other providers accept every transaction.
 */
function transactionOutcome(ctx, message, destination, recipientCount) {
  if (destination.provider !== "gmail") return "accept";
  const gmail = ctx.gmail;
  if (message.compromised) {
    gmail.compromisedAttempts += recipientCount;
    if (gmail.phase === "normal" && gmail.compromisedAttempts >= gmail.rateLimitAfter) {
      gmail.phase = "rate-limited";
    }
  }
  if (gmail.phase === "rate-limited" && ctx.writer.bytes >= gmail.blockAtBytes) {
    gmail.phase = "blocked";
  }

  const roll = ctx.random.float();
  if (gmail.phase === "rate-limited") {
    return roll < (message.compromised ? 0.85 : 0.6) ? "421" : "accept";
  }
  if (gmail.phase === "blocked") {
    const blockShare = message.compromised ? 0.65 : 0.05;
    if (roll < blockShare) return "550";
    return roll < blockShare + (message.compromised ? 0.33 : 0.6) ? "421" : "accept";
  }
  return "accept";
}

function result(status, dsn, reply, stage) {
  return { status, dsn, reply, stage };
}

function recipientResult(ctx, message, recipient, outcome, timeUs, clientIp) {
  const random = ctx.random;
  const { provider, domain } = recipient.destination;
  if (provider === "gmail") {
    if (recipient.bad) {
      return result("bounced", "5.1.1", gmailReply(random, "550 5.1.1", clientIp), "RCPT TO");
    }
    if (outcome === "421") {
      return result(
        "deferred",
        "4.7.28",
        gmailReply(random, "421 4.7.28", clientIp),
        "end of DATA",
      );
    }
    if (outcome === "550") {
      return result("bounced", "5.7.1", gmailReply(random, "550 5.7.1", clientIp), "end of DATA");
    }
    if (ctx.gmail.phase === "normal" && !recipient.deferred && random.chance(0.003)) {
      return result("deferred", "4.2.2", gmailReply(random, "452 4.2.2", clientIp), "RCPT TO");
    }
    return result("sent", "2.0.0", gmailAccepted(random, timeUs), null);
  }
  if (provider === "outlook") {
    if (recipient.bad) {
      return result("bounced", "5.5.0", outlookUnknownUser(random, timeUs), "RCPT TO");
    }
    return result(
      "sent",
      "2.6.0",
      outlookAccepted(random, message.messageId, message.sizeBytes),
      null,
    );
  }
  if (provider === "yahoo") {
    if (recipient.bad) {
      const reply = yahooUnknownUser(random, recipient.address, domain);
      return result("bounced", "5.0.0", reply, "end of DATA");
    }
    return result("sent", "2.0.0", YAHOO_ACCEPTED, null);
  }
  if (recipient.bad) {
    return result("bounced", "5.1.1", unknownMailbox(recipient.address), "RCPT TO");
  }
  if (provider === "other" && !recipient.deferred && random.chance(0.03)) {
    return result("deferred", "4.2.0", greylisted(recipient.address), "RCPT TO");
  }
  const accepted =
    provider === "google-workspace" ? gmailAccepted(random, timeUs) : queuedAs(random);
  return result("sent", "2.0.0", accepted, null);
}

function writeDelivery(ctx, message, recipient, relay, outcome, timeUs) {
  const delaySeconds = (timeUs - message.arrivalUs) / 1e6;
  const beforeQueue = (message.passStartUs - message.arrivalUs) / 1e6;
  const setup = ctx.random.int(5, 50) / 100;
  const transfer = Math.max(0, delaySeconds - beforeQueue - 0.01 - setup);
  const delays = `${formatDelay(beforeQueue)}/0.01/${formatDelay(setup)}/${formatDelay(transfer)}`;
  const detail =
    outcome.stage === null
      ? outcome.reply
      : `host ${relay.host} said: ${outcome.reply} (in reply to ${outcome.stage} command)`;
  const text = `${message.qid}: to=<${recipient.address}>, relay=${relay.relay}, delay=${formatDelay(delaySeconds)}, delays=${delays}, dsn=${outcome.dsn}, status=${outcome.status} (${detail})`;
  if (!ctx.log(timeUs, relay.tag, text)) return;

  const firstDeferral = outcome.status === "deferred" && !recipient.deferred;
  ctx.truth.delivery(recipient.destination.provider, outcome.status, firstDeferral);
  if (outcome.dsn === "4.7.28") ctx.truth.gmailBlock("421", timeUs, ctx.writer.lines);
  if (outcome.dsn === "5.7.1") ctx.truth.gmailBlock("550", timeUs, ctx.writer.lines);

  if (outcome.status === "deferred") recipient.deferred = true;
  if (outcome.status !== "deferred") recipient.done = true;
  if (outcome.status === "bounced") message.bouncedThisPass++;
}

function* finishPass(ctx, message, timeUs) {
  let t = timeUs;
  if (message.bouncedThisPass > 0) {
    message.bouncedThisPass = 0;
    t = later(ctx, t, 20, 300);
    yield t;
    notifySender(ctx, message, t);
  }
  if (message.recipients.every((recipient) => recipient.done)) {
    t = later(ctx, t, 5, 400);
    yield t;
    removeMessage(ctx, message, t);
    return;
  }
  const ageSeconds = (t - message.arrivalUs) / 1e6;
  const backoff = Math.min(MAXIMAL_BACKOFF_S, Math.max(MINIMAL_BACKOFF_S, ageSeconds));
  const next = t + Math.round((backoff + ctx.random.int(0, 60)) * 1e6);
  const process =
    next - message.arrivalUs > MAXIMAL_QUEUE_LIFETIME_US
      ? expire(ctx, message, next)
      : retryPass(ctx, message, next);
  ctx.scheduler.spawn(next, process);
}

// A deferred message re-enters the active queue: qmgr logs its `from=` line again.
function* retryPass(ctx, message, timeUs) {
  logQueueActive(ctx, message, timeUs);
  const start = later(ctx, timeUs, 10, 200);
  yield start;
  startDeliveryPass(ctx, message, start);
}

function* expire(ctx, message, timeUs) {
  const text = `${message.qid}: from=<${message.sender}>, status=expired, returned to sender`;
  if (ctx.log(timeUs, ctx.tags.qmgr, text)) ctx.truth.messages.expired++;
  for (const recipient of message.recipients) recipient.done = true;
  let t = later(ctx, timeUs, 20, 300);
  yield t;
  notifySender(ctx, message, t);
  t = later(ctx, t, 5, 400);
  yield t;
  removeMessage(ctx, message, t);
}

function removeMessage(ctx, message, timeUs) {
  ctx.log(timeUs, ctx.tags.qmgr, `${message.qid}: removed`);
  ctx.queueIds.release(message.qid);
}

// Postfix sends no notification about a failed notification (null sender).
function notifySender(ctx, message, timeUs) {
  if (message.sender === "") return;
  const qid = ctx.queueIds.allocate(timeUs);
  const text = `${message.qid}: sender non-delivery notification: ${qid}`;
  if (!ctx.log(timeUs, `postfix/bounce[${ctx.pids.bounce()}]`, text)) return;
  ctx.truth.messages.bounceNotifications++;
  const start = later(ctx, timeUs, 1, 50);
  ctx.scheduler.spawn(start, deliverNotification(ctx, message, qid, start));
}

function* deliverNotification(ctx, original, qid, timeUs) {
  const stamp = new Date(Math.floor(timeUs / 1000)).toISOString().replace(/\D/g, "").slice(0, 14);
  const messageId = `${stamp}.${original.qid}@${ctx.server.fqdn}`;
  ctx.log(timeUs, `postfix/cleanup[${ctx.pids.cleanup()}]`, `${qid}: message-id=<${messageId}>`);
  let t = later(ctx, timeUs, 10, 100);
  yield t;
  const size = ctx.random.int(2500, 6000);
  ctx.log(t, ctx.tags.qmgr, `${qid}: from=<>, size=${size}, nrcpt=1 (queue active)`);
  t = later(ctx, t, 10, 80);
  yield t;
  if (ctx.log(t, ...localDelivery(ctx, original, qid))) ctx.truth.local.sent++;
  t = later(ctx, t, 1, 50);
  yield t;
  ctx.log(t, ctx.tags.qmgr, `${qid}: removed`);
  ctx.queueIds.release(qid);
}

function localDelivery(ctx, original, qid) {
  const to = original.sender;
  if (original.notify === "local") {
    return [
      `postfix/local[${ctx.pids.local()}]`,
      `${qid}: to=<${to}>, relay=local, delay=0.06, delays=0.04/0.01/0/0.01, dsn=2.0.0, status=sent (delivered to mailbox)`,
    ];
  }
  const id = ctx.random.token("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz0123456789", 12);
  return [
    `postfix/lmtp[${ctx.pids.lmtp()}]`,
    `${qid}: to=<${to}>, relay=${ctx.server.fqdn}[private/dovecot-lmtp], delay=0.07, delays=0.04/0.01/0.01/0.01, dsn=2.0.0, status=sent (250 2.0.0 <${to}> ${id} Saved)`,
  ];
}
