import type {
  AuthFailureEvent,
  LifecycleEvent,
  LogEvent,
  RejectEvent,
  TlsEvent,
} from "../events.js";
import { positionOf, type LogRecord } from "../record.js";
import { parseRelay, readFields, withoutAngles, type Fields } from "./fields.js";
import { queueSpaceEvent } from "./queue-space.js";

/**
 * Sendmail lines about SMTP sessions and the daemon rather than one message: rejects, AUTH
 * failures, STARTTLS results, daemon starts and stops, and a queue disk short of free space.
 * They come with or without a queue id.
 */

/** Result of reading a session line: the event to emit, `ignored`, or null when unknown. */
export type SessionLine = LogEvent | "ignored" | null;

// Lines that carry nothing delist uses: connections without a transaction, VRFY and EXPN
// probes, milter chatter, queue bookkeeping, alias rebuilds, AUTH towards a smarthost and
// system errors (`SYSERR`), whose effect shows on the `to=` lines.
const IGNORED_TEXT = [
  "AUTH=client",
  "SYSERR",
  "connect from ",
  "lost input channel",
  "did not issue MAIL/EXPN/VRFY/ETRN",
  "possible SMTP attack",
  "[rejected]",
  "Milter",
  "milter",
  "SMTP outgoing connect on",
  "done; delay=",
  "alias database",
  "aliases, longest",
  "clone ",
  "sender notify:",
  "Authentication-Warning",
  "timeout waiting for input",
  "collect: ",
  "discarded",
];

const RULESET_STAGES: Record<string, string> = {
  check_relay: "CONNECT",
  check_mail: "MAIL",
  check_rcpt: "RCPT",
  check_data: "DATA",
  check_eoh: "DATA",
  check_eom: "DATA",
};

/** Reads a session line from `start` (after the queue id, if any). */
export function readSessionLine(record: LogRecord, start: number): SessionLine {
  const text = record.message;
  if (text.startsWith("ruleset=", start) || text.includes(", reject=", start)) {
    const fields = readFields(text, start);
    if (fields?.has("reject") === true) return rejectEvent(record, fields);
  }
  if (text.startsWith("AUTH failure", start)) return authFailureEvent(record, start);
  if (text.startsWith("STARTTLS=", start)) return tlsEvent(record, start);
  if (text.startsWith("rejecting commands from ", start)) return preGreetingReject(record, start);

  const lifecycle = lifecycleEvent(record, start);
  if (lifecycle !== null) return lifecycle;
  // Before the ignored texts, because they include `SYSERR`.
  const queueSpace = queueSpaceEvent(record, start);
  if (queueSpace !== null) return queueSpace;
  for (const ignored of IGNORED_TEXT) {
    if (text.includes(ignored, start)) return "ignored";
  }
  return null;
}

// `ruleset=check_rcpt, arg1=<x@example.com>, relay=host [ip], reject=550 5.1.1 <x>... User unknown`
function rejectEvent(record: LogRecord, fields: Fields): RejectEvent {
  const ruleset = fields.get("ruleset") ?? "";
  const stage = RULESET_STAGES[ruleset] ?? null;
  const argument = fields.get("arg1");
  const relay = parseRelay(fields.get("relay") ?? "");
  return {
    type: "reject",
    time: record.time,
    position: positionOf(record),
    clientIp: relay.ip,
    clientHost: relay.host,
    stage,
    response: fields.get("reject") ?? "",
    sender: stage === "MAIL" && argument !== undefined ? withoutAngles(argument) : null,
    recipient: stage === "RCPT" && argument !== undefined ? withoutAngles(argument) : null,
  };
}

// `rejecting commands from host [ip] due to pre-greeting traffic after 0 seconds`
function preGreetingReject(record: LogRecord, start: number): RejectEvent {
  const text = record.message;
  const hostStart = start + "rejecting commands from ".length;
  const due = text.indexOf(" due to ", hostStart);
  const relay = parseRelay(text.slice(hostStart, due < 0 ? text.length : due).trim());
  return {
    type: "reject",
    time: record.time,
    position: positionOf(record),
    clientIp: relay.ip,
    clientHost: relay.host,
    stage: "CONNECT",
    response: text.slice(start),
    sender: null,
    recipient: null,
  };
}

/**
 * `AUTH failure (LOGIN): authentication failure (-13) SASL(-13): …, user=alice, relay=host
 * [ip] (may be forged)`. Some lines name `relay=` twice; the last one is taken.
 */
function authFailureEvent(record: LogRecord, start: number): AuthFailureEvent {
  const text = record.message;
  const relayAt = text.lastIndexOf("relay=");
  const relay = relayAt < start ? null : parseRelay(text.slice(relayAt + 6));
  const userAt = text.lastIndexOf(", user=");
  let username: string | null = null;
  if (userAt >= start) {
    const end = text.indexOf(",", userAt + 7);
    username = text.slice(userAt + 7, end < 0 ? text.length : end);
  }
  return {
    type: "auth-failure",
    time: record.time,
    position: positionOf(record),
    clientIp: relay?.ip ?? null,
    username,
    program: record.program,
    mta: "sendmail",
  };
}

// `STARTTLS=client, relay=mx.example.net., version=TLSv1.3, verify=OK, cipher=…, bits=256/256`
function tlsEvent(record: LogRecord, start: number): SessionLine {
  const fields = readFields(record.message, start);
  const role = fields?.get("STARTTLS");
  if (fields === null || (role !== "client" && role !== "server")) return "ignored";
  const relay = parseRelay(fields.get("relay") ?? "");
  const event: TlsEvent = {
    type: "tls",
    time: record.time,
    position: positionOf(record),
    direction: role === "client" ? "outbound" : "inbound",
    peerHost: relay.host,
    peerIp: relay.ip,
    protocol: fields.get("version") ?? null,
  };
  return event;
}

// `starting daemon (8.15.2): SMTP+queueing@00:15:00`, `restarting /usr/sbin/sendmail due to
// signal`, `stopping daemon, reason=signal`.
function lifecycleEvent(record: LogRecord, start: number): LifecycleEvent | null {
  const text = record.message;
  let action: LifecycleEvent["action"];
  let version: string | null = null;
  if (text.startsWith("starting daemon (", start)) {
    action = "start";
    const open = start + "starting daemon (".length;
    const close = text.indexOf(")", open);
    version = close > open ? text.slice(open, close) : null;
  } else if (text.startsWith("restarting ", start)) {
    action = "reload";
  } else if (text.startsWith("stopping daemon", start)) {
    action = "stop";
  } else {
    return null;
  }
  return {
    type: "lifecycle",
    time: record.time,
    position: positionOf(record),
    host: record.host,
    program: record.program,
    action,
    mta: "sendmail",
    version,
  };
}
