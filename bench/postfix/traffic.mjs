import { GMAIL, makeAddress, pickDestination } from "./destinations.mjs";
import { createMessage, later, logQueueActive, startDeliveryPass } from "./message.mjs";
import { formatSyslogTime } from "./writer.mjs";

/**
 * Where the mail comes from. An arrival process creates the ordinary traffic (about 6,000
 * messages an hour, following the time of day); other processes write failed SASL logins and
 * anvil statistics. In the incident, from 60 % of the output on, one SASL account submits
 * 20–50 Gmail recipients per message from many client IPs.
 */

const MEAN_GAP_US = 3600e6 / 6000;
const USERS = 400;
/** The account that the incident compromises. */
export const COMPROMISED_ACCOUNT = "user017@example.com";
const COMPROMISED_MEAN_GAP_US = 75e6;
const ATTACKER_IPS = [
  ...Array.from({ length: 18 }, (_, index) => `203.0.113.${131 + index * 6}`),
  "2001:db8:bad:1::25",
  "2001:db8:bad:7::1c",
];
const WEB_ACCOUNTS = [
  { uid: 33, account: "www-data" },
  { uid: 1001, account: "shop" },
  { uid: 1002, account: "blog" },
  { uid: 1004, account: "crm" },
  { uid: 1007, account: "forms" },
];
const TLS_IN =
  "TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange X25519 server-signature RSA-PSS (2048 bits) server-digest SHA256";
const HELOS = ["User", "ylmf-pc", "WIN-5QK2B7M0", "mail.example.net", "[203.0.113.77]"];
const LOCAL_MAILBOXES = ["info", "sales", "admin", "jobs", "contact", "billing", "webmaster"];

// Load follows the day: busiest in the afternoon (UTC), quietest around 03:00, mean 1.
function loadFactor(timeUs) {
  const hour = (timeUs / 3600e6) % 24;
  return 1 + 0.6 * Math.sin((2 * Math.PI * (hour - 9)) / 24);
}

/** Generates the ordinary traffic: 25 % inbound rejects, 10 % PHP mail, 65 % SASL submission. */
export function* arrivals(ctx, startUs) {
  let t = startUs;
  for (;;) {
    t += Math.max(1, Math.round(ctx.random.exponential(MEAN_GAP_US / loadFactor(t))));
    yield t;
    const roll = ctx.random.float();
    if (roll < 0.25) ctx.scheduler.spawn(t, inboundReject(ctx, t));
    else if (roll < 0.35) ctx.scheduler.spawn(t, pickupSubmission(ctx, t));
    else ctx.scheduler.spawn(t, saslSubmission(ctx, t, ordinarySubmission(ctx)));

    if (!ctx.incidentStarted && ctx.writer.bytes >= ctx.incidentAtBytes) {
      ctx.incidentStarted = true;
      ctx.scheduler.spawn(t, compromisedAccount(ctx, t));
    }
  }
}

function userAddress(index) {
  return `user${String(index).padStart(3, "0")}@example.com`;
}

// Each user has a home address: IPv4 in 198.51.100.0/24, one in eight IPv6.
function homeClient(index) {
  const ip = index % 8 === 0 ? `2001:db8:100::${index.toString(16)}` : `198.51.100.${index % 250}`;
  return { name: "unknown", ip };
}

function recipientsFor(ctx, count, badShare, pick) {
  return Array.from({ length: count }, () => {
    const destination = pick();
    return {
      destination,
      address: makeAddress(ctx.random, destination),
      bad: ctx.random.chance(badShare),
    };
  });
}

// One message in five has two to six recipients.
function ordinaryRecipients(ctx) {
  const count = ctx.random.chance(0.2) ? ctx.random.int(2, 6) : 1;
  return recipientsFor(ctx, count, 0.03, () => pickDestination(ctx.random));
}

function ordinarySubmission(ctx) {
  const index = ctx.random.int(1, USERS);
  return {
    sender: userAddress(index),
    client: homeClient(index),
    method: "PLAIN",
    recipients: ordinaryRecipients(ctx),
    compromised: false,
  };
}

function messageId(ctx, timeUs, domain) {
  const stamp = new Date(Math.floor(timeUs / 1000)).toISOString().replace(/\D/g, "").slice(0, 14);
  return `${stamp}.${ctx.random.token("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz0123456789", 8)}@${domain}`;
}

/** Submits a message on the submission port after SASL authentication. */
function* saslSubmission(ctx, startUs, submission) {
  const tag = `postfix/submission/smtpd[${ctx.pids.smtpd()}]`;
  const peer = `${submission.client.name}[${submission.client.ip}]`;
  let t = startUs;
  ctx.log(t, tag, `connect from ${peer}`);
  t = later(ctx, t, 80, 500);
  yield t;
  ctx.log(t, tag, `Anonymous TLS connection established from ${peer}: ${TLS_IN}`);
  t = later(ctx, t, 100, 900);
  yield t;

  const qid = ctx.queueIds.allocate(t);
  const message = createMessage(qid, {
    sender: submission.sender,
    arrivalUs: t,
    sizeBytes: ctx.random.int(1800, 90000),
    messageId: messageId(ctx, t, "example.com"),
    recipients: submission.recipients,
    compromised: submission.compromised,
    notify: "lmtp",
  });
  const client = `${qid}: client=${peer}, sasl_method=${submission.method}, sasl_username=${submission.sender}`;
  if (ctx.log(t, tag, client)) countSubmission(ctx, submission, t);
  yield* queueAndDeliver(ctx, message, t);

  const rcpt = submission.recipients.length;
  const counters = `ehlo=2 starttls=1 auth=1 mail=1 rcpt=${rcpt} data=1 quit=1 commands=${rcpt + 7}`;
  ctx.log(message.disconnectUs, tag, `disconnect from ${peer} ${counters}`);
}

function countSubmission(ctx, submission, timeUs) {
  if (!submission.compromised) {
    ctx.truth.messages.sasl++;
    return;
  }
  ctx.truth.messages.compromised++;
  const recipients = submission.recipients.length;
  ctx.truth.compromisedSubmission(
    submission.sender,
    submission.client.ip,
    recipients,
    timeUs,
    ctx.writer.lines,
  );
}

// cleanup, then qmgr; the first delivery pass starts as its own processes. The caller
// writes its disconnect line at `message.disconnectUs`, after this returns.
function* queueAndDeliver(ctx, message, timeUs) {
  let t = later(ctx, timeUs, 20, 300);
  yield t;
  ctx.log(
    t,
    `postfix/cleanup[${ctx.pids.cleanup()}]`,
    `${message.qid}: message-id=<${message.messageId}>`,
  );
  t = later(ctx, t, 20, 300);
  yield t;
  logQueueActive(ctx, message, t);
  startDeliveryPass(ctx, message, t);
  t = later(ctx, t, 5, 120);
  yield t;
  message.disconnectUs = t;
}

/** PHP `mail()` through sendmail, postdrop and pickup, as a web account. */
function* pickupSubmission(ctx, startUs) {
  const web = ctx.random.pick(WEB_ACCOUNTS);
  const qid = ctx.queueIds.allocate(startUs);
  const message = createMessage(qid, {
    sender: `${web.account}@${ctx.server.fqdn}`,
    arrivalUs: startUs,
    sizeBytes: ctx.random.int(900, 12000),
    messageId: messageId(ctx, startUs, ctx.server.fqdn),
    recipients: ordinaryRecipients(ctx),
    compromised: false,
    notify: "local",
  });
  const text = `${qid}: uid=${web.uid} from=<${web.account}>`;
  if (ctx.log(startUs, `postfix/pickup[${ctx.pids.pickup}]`, text)) ctx.truth.messages.pickup++;
  yield* queueAndDeliver(ctx, message, startUs);
}

/** Rejects an inbound client at RCPT TO for an unknown local mailbox or a listed client IP. */
function* inboundReject(ctx, startUs) {
  const random = ctx.random;
  const tag = `postfix/smtpd[${ctx.pids.smtpd()}]`;
  const ip = `203.0.113.${random.int(130, 254)}`;
  const peer = random.chance(0.6)
    ? `unknown[${ip}]`
    : `host-${random.int(10, 9999)}.dsl.isp${random.int(1, 9)}.example[${ip}]`;
  ctx.lastInboundIp = ip;
  let t = startUs;
  ctx.log(t, tag, `connect from ${peer}`);
  t = later(ctx, t, 200, 1500);
  yield t;

  const to = `${random.pick(LOCAL_MAILBOXES)}@example.com`;
  const from = `${random.pick(["promo", "news", "info", "deals"])}${random.int(1, 999)}@bulk${random.int(1, 99)}.example.org`;
  const unknownUser = random.chance(0.5);
  const reason = unknownUser
    ? `550 5.1.1 <${to}>: Recipient address rejected: User unknown in virtual mailbox table`
    : `554 5.7.1 Service unavailable; Client host [${ip}] blocked using dnsbl.example.org`;
  const text = `NOQUEUE: reject: RCPT from ${peer}: ${reason}; from=<${from}> to=<${to}> proto=ESMTP helo=<${random.pick(HELOS)}>`;
  if (ctx.log(t, tag, text)) ctx.truth.inboundRejects[unknownUser ? "unknownUser" : "dnsbl"]++;
  t = later(ctx, t, 10, 400);
  yield t;
  ctx.log(t, tag, `disconnect from ${peer} ehlo=1 mail=1 rcpt=0/1 quit=1 commands=3/4`);
}

/** Password guessing on the submission port, about once a minute. */
export function* authFailures(ctx, startUs) {
  let t = startUs;
  for (;;) {
    t += Math.round(ctx.random.exponential(60e6));
    yield t;
    ctx.scheduler.spawn(t, failedLogin(ctx, t));
  }
}

function* failedLogin(ctx, startUs) {
  const tag = `postfix/submission/smtpd[${ctx.pids.smtpd()}]`;
  const peer = `unknown[203.0.113.${ctx.random.int(2, 126)}]`;
  let t = startUs;
  ctx.log(t, tag, `connect from ${peer}`);
  t = later(ctx, t, 500, 3000);
  yield t;
  const warning = `warning: ${peer}: SASL LOGIN authentication failed: UGFzc3dvcmQ6`;
  if (ctx.log(t, tag, warning)) ctx.truth.authFailures++;
  t = later(ctx, t, 5, 200);
  yield t;
  ctx.log(t, tag, `lost connection after AUTH from ${peer}`);
  ctx.log(t, tag, `disconnect from ${peer} ehlo=1 auth=0/1 commands=1/2`);
}

/** anvil's statistics, every 10 minutes. */
export function* anvilStatistics(ctx, startUs) {
  const tag = `postfix/anvil[${ctx.pids.anvil}]`;
  let t = startUs;
  for (;;) {
    t += 600e6;
    yield t;
    const at = formatSyslogTime(later(ctx, t - 600e6, 0, 590000));
    const client = `smtp:${ctx.lastInboundIp}`;
    ctx.log(
      t,
      tag,
      `statistics: max connection rate ${ctx.random.int(1, 4)}/60s for (${client}) at ${at}`,
    );
    ctx.log(
      t,
      tag,
      `statistics: max connection count ${ctx.random.int(1, 3)} for (${client}) at ${at}`,
    );
    ctx.log(t, tag, `statistics: max cache size ${ctx.random.int(1, 12)} at ${at}`);
  }
}

/** Runs the incident: the compromised account submits to 20–50 Gmail recipients per message. */
function* compromisedAccount(ctx, startUs) {
  let t = startUs;
  for (;;) {
    const count = ctx.random.int(20, 50);
    ctx.scheduler.spawn(
      t,
      saslSubmission(ctx, t, {
        sender: COMPROMISED_ACCOUNT,
        client: { name: "unknown", ip: ctx.random.pick(ATTACKER_IPS) },
        method: "LOGIN",
        recipients: recipientsFor(ctx, count, 0.06, () => GMAIL),
        compromised: true,
      }),
    );
    t += Math.round(ctx.random.exponential(COMPROMISED_MEAN_GAP_US));
    yield t;
  }
}
