#!/usr/bin/env node
// Writes the example Postfix logs that `npm start` diagnoses: three days of a small office
// mail server (mail.example.com, 203.0.113.10) in a rotated set, mail.log.2.gz (oldest),
// mail.log.1 and mail.log. On the evening of the second day the password of
// sales@example.com is used from five new addresses to send spam, mostly to Gmail; Gmail
// defers with 421-4.7.28 and later rejects with 550-5.7.1, and Yahoo defers with [TSS04].
//
// The output is fixed by the seed, so the committed files can be regenerated:
//   node examples/generate.mjs examples/postfix
// Only documentation names and addresses appear, apart from the providers' real MX names.
import { mkdirSync, writeFileSync } from "node:fs";
import process from "node:process";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

const OUTPUT = process.argv[2] ?? "examples/postfix";
const START = Date.UTC(2024, 2, 4, 0, 0, 0); // Monday 4 March 2024, 00:00 UTC
const DAY = 86_400_000;
const SERVER_IP = "203.0.113.10";
const HOST = "mail";

// mulberry32: a small seeded generator, so the same seed gives the same files.
let seed = 20240304;
function random() {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = (items) => items[Math.floor(random() * items.length)];
const between = (low, high) => low + Math.floor(random() * (high - low + 1));

const USERS = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "sales", "office"];
const USER_IPS = Object.fromEntries(USERS.map((user, i) => [user, `198.51.100.${20 + i}`]));
const ATTACKER_IPS = ["203.0.113.151", "203.0.113.162", "203.0.113.173", "203.0.113.184", "203.0.113.195"];
const DESTINATIONS = [
  { domain: "gmail.com", mx: "gmail-smtp-in.l.google.com", ip: "192.0.2.27", weight: 5 },
  { domain: "outlook.com", mx: "outlook-com.olc.protection.outlook.com", ip: "192.0.2.41", weight: 2 },
  { domain: "yahoo.com", mx: "mta5.am0.yahoodns.net", ip: "192.0.2.61", weight: 1 },
  { domain: "partner.example.net", mx: "mx.partner.example.net", ip: "198.51.100.80", weight: 2 },
];

const lines = [];
let pidCounter = 4000;
let queueCounter = 0x1a2b3c;

function stamp(time) {
  const date = new Date(time);
  const month = date.toLocaleString("en-US", { month: "short", timeZone: "UTC" });
  const day = String(date.getUTCDate()).padStart(2, " ");
  return `${month} ${day} ${date.toISOString().slice(11, 19)}`;
}

function log(time, program, text) {
  lines.push({ time, text: `${stamp(time)} ${HOST} ${program}: ${text}` });
}

function queueId() {
  queueCounter += between(17, 4000);
  return queueCounter.toString(16).toUpperCase().padStart(10, "0");
}

function destination() {
  const total = DESTINATIONS.reduce((sum, d) => sum + d.weight, 0);
  let roll = random() * total;
  for (const candidate of DESTINATIONS) {
    roll -= candidate.weight;
    if (roll < 0) return candidate;
  }
  return DESTINATIONS[0];
}

function gmailTransaction() {
  return `${between(1000, 9999)}a${between(100, 999)}si${between(1000000, 9999999)}.${between(10, 999)} - gsmtp`;
}

const GMAIL_421 =
  "421-4.7.28 [203.0.113.10      15] Gmail has detected an unusual rate of unsolicited mail originating 421-4.7.28 from your IP address. To protect our users from spam, mail sent from 421-4.7.28 your IP address has been temporarily rate limited. For more information, 421-4.7.28 go to 421-4.7.28  https://support.google.com/mail/?p=UnsolicitedRateLimitError to review 421 4.7.28 our Bulk Email Senders Guidelines.";
const GMAIL_550 =
  "550-5.7.1 [203.0.113.10      12] Gmail has detected that this message is likely 550-5.7.1 unsolicited mail. To reduce the amount of spam sent to Gmail, this message 550-5.7.1 has been blocked. For more information, go to 550 5.7.1  https://support.google.com/mail/?p=UnsolicitedMessageError";
const YAHOO_421 =
  "421 4.7.0 [TSS04] Messages from 203.0.113.10 temporarily deferred due to unexpected volume or user complaints - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes";

/** Returns how Gmail and Yahoo treat an attempt at `time`, given when the spam started. */
function remoteReply(dest, time, spamStart, spam) {
  const sinceSpam = time - spamStart;
  if (dest.domain === "gmail.com" && sinceSpam > 40 * 60_000) {
    if (spam && sinceSpam > 3 * 3_600_000 && random() < 0.7) return { kind: "bounced", text: GMAIL_550, dsn: "5.7.1" };
    if (random() < 0.85) return { kind: "deferred", text: GMAIL_421, dsn: "4.7.28" };
  }
  if (dest.domain === "yahoo.com" && sinceSpam > 60 * 60_000 && sinceSpam < 12 * 3_600_000 && random() < 0.6) {
    return { kind: "deferred", text: YAHOO_421, dsn: "4.7.0" };
  }
  return { kind: "sent" };
}

function deliver(time, id, recipient, dest, spamStart, spam) {
  let attempt = time + between(1, 4) * 1000;
  for (let retry = 0; retry < 6; retry++) {
    const reply = remoteReply(dest, attempt, spamStart, spam);
    const pid = between(20000, 29999);
    const delay = ((attempt - time) / 1000).toFixed(1);
    const head = `${id}: to=<${recipient}>, relay=${dest.mx}[${dest.ip}]:25, delay=${delay}, delays=0.1/0.01/0.3/0.4`;
    if (reply.kind === "sent") {
      const text = dest.domain === "gmail.com" ? `250 2.0.0 OK  ${Math.floor(attempt / 1000)} ${gmailTransaction()}` : "250 2.0.0 Ok: queued";
      log(attempt, `postfix/smtp[${pid}]`, `${head}, dsn=2.0.0, status=sent (${text})`);
      return attempt;
    }
    const replyText = reply.text.endsWith("Guidelines.") || reply.text.includes("MessageError") ? `${reply.text} ${gmailTransaction()}` : reply.text;
    const stage = reply.dsn === "4.7.0" ? "MAIL FROM" : "end of DATA";
    log(attempt, `postfix/smtp[${pid}]`, `${head}, dsn=${reply.dsn}, status=${reply.kind} (host ${dest.mx}[${dest.ip}] said: ${replyText} (in reply to ${stage} command))`);
    if (reply.kind === "bounced") return attempt;
    attempt += 300_000 * 2 ** retry;
  }
  return attempt;
}

function submission(time, user, clientIp, recipients, spamStart, spam) {
  const id = queueId();
  const pid = pidCounter++;
  const service = `postfix/submission/smtpd[${pid}]`;
  log(time, service, `connect from unknown[${clientIp}]`);
  log(time, service, `${id}: client=unknown[${clientIp}], sasl_method=PLAIN, sasl_username=${user}@example.com`);
  log(time, `postfix/cleanup[${pid + 1}]`, `${id}: message-id=<${time.toString(36)}.${id}@example.com>`);
  log(time, "postfix/qmgr[812]", `${id}: from=<${user}@example.com>, size=${between(2000, 40000)}, nrcpt=${recipients.length} (queue active)`);
  log(time, service, `disconnect from unknown[${clientIp}] ehlo=1 auth=1 mail=1 rcpt=${recipients.length} data=1 quit=1 commands=${5 + recipients.length}`);
  let done = time;
  for (const [recipient, dest] of recipients) {
    done = Math.max(done, deliver(time, id, recipient, dest, spamStart, spam));
  }
  log(done + 1000, "postfix/qmgr[812]", `${id}: removed`);
}

function inbound(time) {
  const id = queueId();
  const pid = pidCounter++;
  const sender = pick(DESTINATIONS);
  const client = sender.domain === "gmail.com" ? `mail-${between(10, 99)}.google.com` : `mx.${sender.domain}`;
  const user = pick(USERS);
  log(time, `postfix/smtpd[${pid}]`, `connect from ${client}[${sender.ip}]`);
  log(time, `postfix/smtpd[${pid}]`, `${id}: client=${client}[${sender.ip}]`);
  log(time, `postfix/cleanup[${pid + 1}]`, `${id}: message-id=<${id}.${between(100, 999)}@${sender.domain}>`);
  log(time, "postfix/qmgr[812]", `${id}: from=<news${between(1, 99)}@${sender.domain}>, size=${between(3000, 90000)}, nrcpt=1 (queue active)`);
  log(time, `postfix/smtpd[${pid}]`, `disconnect from ${client}[${sender.ip}] ehlo=1 mail=1 rcpt=1 data=1 quit=1 commands=5`);
  log(time + 1000, `postfix/lmtp[${pid + 2}]`, `${id}: to=<${user}@example.com>, relay=mail.example.com[private/dovecot-lmtp], delay=0.2, delays=0.1/0/0/0.1, dsn=2.0.0, status=sent (250 2.0.0 <${user}@example.com> Saved)`);
  log(time + 1000, "postfix/qmgr[812]", `${id}: removed`);
}

function noise(time) {
  const pid = pidCounter++;
  const ip = `203.0.113.${between(200, 250)}`;
  if (random() < 0.5) {
    log(time, `postfix/smtpd[${pid}]`, `NOQUEUE: reject: RCPT from unknown[${ip}]: 550 5.1.1 <info${between(1, 9)}@example.com>: Recipient address rejected: User unknown in virtual mailbox table; from=<spam@example.org> to=<info${between(1, 9)}@example.com> proto=ESMTP helo=<example.org>`);
  } else {
    log(time, `postfix/submission/smtpd[${pid}]`, `warning: unknown[${ip}]: SASL LOGIN authentication failed: UGFzc3dvcmQ6`);
  }
}

function recipientsFor(count, gmailShare) {
  const list = [];
  for (let i = 0; i < count; i++) {
    const dest = random() < gmailShare ? DESTINATIONS[0] : destination();
    list.push([`${pick(["ana", "ben", "chen", "dana", "eli", "fay"])}${between(100, 99999)}@${dest.domain}`, dest]);
  }
  return list;
}

const spamStart = START + DAY + 20 * 3_600_000 + 17 * 60_000; // day 2, 20:17
log(START + 5000, "postfix/master[811]", "daemon started -- version 3.7.11, configuration /etc/postfix");
for (let minute = 0; minute < 3 * 24 * 60; minute += 1) {
  const time = START + minute * 60_000 + between(0, 59) * 1000;
  const hour = new Date(time).getUTCHours();
  const office = hour >= 7 && hour <= 18;
  if (random() < (office ? 0.12 : 0.02)) {
    const user = pick(USERS);
    submission(time, user, USER_IPS[user], recipientsFor(between(1, 3), 0.3), spamStart, false);
  }
  if (random() < (office ? 0.15 : 0.05)) inbound(time);
  if (random() < 0.04) noise(time);
}
for (let i = 0; i < 30; i++) {
  const time = spamStart + i * between(6, 11) * 60_000;
  const ip = ATTACKER_IPS[i % ATTACKER_IPS.length];
  if (i < ATTACKER_IPS.length) {
    log(time - 60_000, "dovecot", `imap-login: Login: user=<sales@example.com>, method=PLAIN, rip=${ip}, lip=${SERVER_IP}, mpid=${between(3000, 9000)}, TLS, session=<x${i}>`);
  }
  submission(time, "sales", ip, recipientsFor(between(25, 45), 0.8), spamStart, true);
}

lines.sort((a, b) => a.time - b.time);
mkdirSync(OUTPUT, { recursive: true });
const byDay = [[], [], []];
for (const line of lines) byDay[Math.min(2, Math.floor((line.time - START) / DAY))].push(line.text);
const text = (day) => `${byDay[day].join("\n")}\n`;
writeFileSync(join(OUTPUT, "mail.log.2.gz"), gzipSync(text(0), { level: 9 }));
writeFileSync(join(OUTPUT, "mail.log.1"), text(1));
writeFileSync(join(OUTPUT, "mail.log"), text(2));
process.stdout.write(`wrote ${lines.length} lines to ${OUTPUT}\n`);
