import { randomInt } from "node:crypto";
import dgram from "node:dgram";
import net from "node:net";
import dnsPacket from "dns-packet";
import { interpretResponse } from "./wire-answer.js";
import { dnsFailure, type DnsResult, type RecordType, type Resolver } from "./types.js";

/** A DNS server to send queries to. */
export interface ServerAddress {
  readonly host: string;
  readonly port: number;
}

/** Settings of the UDP/TCP client. */
export interface WireResolverOptions {
  readonly servers: readonly ServerAddress[];
  /** Time to wait for one answer, in milliseconds. Default 2000. */
  readonly timeoutMs?: number;
  /** Further attempts after a timeout or SERVFAIL, each to the next server. Default 1. */
  readonly retries?: number;
  /** Text for traces; defaults to the server list. */
  readonly description?: string;
}

type Outcome =
  | { readonly kind: "response"; readonly packet: dnsPacket.DecodedPacket }
  | { readonly kind: "timeout" }
  | { readonly kind: "error"; readonly detail: string }
  /** A reply to this query (same id, QR bit set) that dns-packet could not decode. */
  | { readonly kind: "malformed"; readonly detail: string }
  | {
      readonly kind: "truncated";
      readonly detail: string;
      readonly tcpTimedOut: boolean;
      /** True when the TCP retry got an answer, truncated again. */
      readonly tcpAnswered: boolean;
    };

const MAX_CNAME_HOPS = 8;

/**
 * A stub resolver that talks DNS itself over UDP, and over TCP when a UDP answer is truncated
 * (RFC 1035, section 4.2). Node's `dns` module hides TTLs of TXT and MX records and the
 * truncation flag, which the cache and the traces need, so delist speaks the protocol.
 */
export function wireResolver(options: WireResolverOptions): Resolver {
  const timeoutMs = options.timeoutMs ?? 2000;
  const attempts = (options.retries ?? 1) + 1;
  const servers = options.servers;
  if (servers.length === 0) throw new RangeError("wireResolver needs at least one server");

  async function exchange(name: string, type: RecordType): Promise<Outcome> {
    let last: Outcome = { kind: "timeout" };
    for (let attempt = 0; attempt < attempts; attempt++) {
      const server = servers[attempt % servers.length] as ServerAddress;
      last = await queryUdp(server, name, type, timeoutMs);
      if (last.kind === "response" && truncated(last.packet)) {
        last = await retryOverTcp(server, name, type, timeoutMs);
      }
      // A TCP retry that timed out is tried again like a UDP timeout.
      if (last.kind === "truncated" && last.tcpTimedOut) continue;
      if (last.kind !== "timeout" && (last.kind !== "response" || !serverFailure(last.packet))) {
        return last;
      }
    }
    return last;
  }

  async function resolve<T extends RecordType>(name: string, type: T): Promise<DnsResult<T>> {
    const chain: string[] = [];
    let current = name;
    for (let hop = 0; hop <= MAX_CNAME_HOPS; hop++) {
      const outcome = await exchange(current, type);
      if (outcome.kind === "timeout") {
        return dnsFailure(name, type, "timeout", `no answer within ${timeoutMs} ms`);
      }
      if (outcome.kind === "error") return dnsFailure(name, type, "unreachable", outcome.detail);
      if (outcome.kind === "malformed") return dnsFailure(name, type, "malformed", outcome.detail);
      if (outcome.kind === "truncated") {
        const failure = { kind: "truncated", name, type, detail: outcome.detail } as const;
        return { ok: false, ...failure, tcpAnswered: outcome.tcpAnswered };
      }
      const step = interpretResponse(outcome.packet, name, current, type, chain);
      if (step.next === null) return step.result;
      if (chain.includes(step.next) || step.next === name) {
        return dnsFailure(name, type, "servfail", `CNAME loop at ${step.next}`);
      }
      chain.push(...step.chain);
      current = step.next;
    }
    return dnsFailure(name, type, "servfail", `CNAME chain longer than ${MAX_CNAME_HOPS}`);
  }

  return {
    description: options.description ?? servers.map((s) => `${s.host}:${s.port}`).join(", "),
    resolve,
  };
}

/**
 * Sends the query again over TCP after a truncated UDP answer. A truncated UDP answer shows
 * that the server answers but its records did not fit, so a failed TCP retry is a
 * `truncated` outcome, not a network error or a timeout of the server.
 */
async function retryOverTcp(
  server: ServerAddress,
  name: string,
  type: RecordType,
  timeoutMs: number,
): Promise<Outcome> {
  const outcome = await queryTcp(server, name, type, timeoutMs);
  const prefix = "the UDP answer was truncated and the retry over TCP";
  switch (outcome.kind) {
    case "response":
      if (!truncated(outcome.packet)) return outcome;
      return truncation("the answer was truncated over both UDP and TCP", false, true);
    case "timeout":
      return truncation(`${prefix} got no answer within ${timeoutMs} ms`, true);
    case "error":
    case "malformed":
      return truncation(`${prefix} failed (${outcome.detail.replace(/^TCP: /, "")})`, false);
    case "truncated":
      return outcome;
  }
}

function truncation(detail: string, tcpTimedOut: boolean, tcpAnswered = false): Outcome {
  return { kind: "truncated", detail, tcpTimedOut, tcpAnswered };
}

/** SERVFAIL is often passing trouble of one server, so it is retried like a timeout. */
function serverFailure(packet: dnsPacket.DecodedPacket): boolean {
  return (packet as { rcode?: string }).rcode === "SERVFAIL";
}

function truncated(packet: dnsPacket.DecodedPacket): boolean {
  return ((packet.flags ?? 0) & dnsPacket.TRUNCATED_RESPONSE) !== 0;
}

function queryPacket(id: number, name: string, type: RecordType): dnsPacket.Packet {
  return {
    type: "query",
    id,
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ type, name, class: "IN" }],
  };
}

function matches(packet: dnsPacket.DecodedPacket, id: number, name: string): boolean {
  const question = packet.questions?.[0];
  return (
    packet.id === id &&
    packet.type === "response" &&
    (question === undefined || question.name.toLowerCase() === name.toLowerCase())
  );
}

function queryUdp(
  server: ServerAddress,
  name: string,
  type: RecordType,
  timeoutMs: number,
): Promise<Outcome> {
  const id = randomInt(0, 65536);
  const socket = dgram.createSocket(net.isIPv6(server.host) ? "udp6" : "udp4");
  return new Promise<Outcome>((resolve) => {
    const finish = (outcome: Outcome): void => {
      clearTimeout(timer);
      socket.close();
      resolve(outcome);
    };
    const timer = setTimeout(() => finish({ kind: "timeout" }), timeoutMs);
    socket.on("error", (error) => finish({ kind: "error", detail: error.message }));
    socket.on("message", (message) => {
      const packet = decode(message);
      if (packet !== null && matches(packet, id, name)) finish({ kind: "response", packet });
      else if (packet === null && isReplyTo(message, id)) finish(malformed(message, "UDP"));
    });
    // A connected socket reports ICMP "port unreachable" as ECONNREFUSED at once. A failed
    // connect (no route to the server: ENETUNREACH on a host without a network) is passed to
    // the callback, not emitted as an error, and a send on the unconnected socket would throw.
    const onConnect = (error?: Error): void => {
      if (error !== undefined) {
        finish({ kind: "error", detail: error.message });
        return;
      }
      try {
        socket.send(dnsPacket.encode(queryPacket(id, name, type)));
      } catch (sendError) {
        finish({ kind: "error", detail: errorMessage(sendError) });
      }
    };
    socket.connect(server.port, server.host, onConnect as () => void);
  });
}

function queryTcp(
  server: ServerAddress,
  name: string,
  type: RecordType,
  timeoutMs: number,
): Promise<Outcome> {
  const id = randomInt(0, 65536);
  const socket = net.connect({ host: server.host, port: server.port });
  let received = Buffer.alloc(0);
  return new Promise<Outcome>((resolve) => {
    const finish = (outcome: Outcome): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    const timer = setTimeout(() => finish({ kind: "timeout" }), timeoutMs);
    socket.on("error", (error) => finish({ kind: "error", detail: `TCP: ${error.message}` }));
    socket.on("connect", () => socket.write(dnsPacket.streamEncode(queryPacket(id, name, type))));
    socket.on("data", (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (received.length < 2 || received.length < received.readUInt16BE(0) + 2) return;
      const packet = decode(received.subarray(2, received.readUInt16BE(0) + 2));
      const length = received.readUInt16BE(0);
      if (packet !== null && matches(packet, id, name)) finish({ kind: "response", packet });
      else if (packet === null) finish(malformed(received.subarray(2, length + 2), "TCP"));
      else finish({ kind: "error", detail: "TCP: the server sent an answer to another query" });
    });
    socket.on("end", () => finish({ kind: "error", detail: "TCP: the server closed early" }));
  });
}

/**
 * True when the header of an undecodable UDP datagram carries the query's id and the QR
 * (response) bit. A datagram with another id is ignored as an answer to something else or a
 * spoofing attempt, and the query keeps waiting for its answer.
 */
function isReplyTo(message: Buffer, id: number): boolean {
  return message.length >= 3 && message.readUInt16BE(0) === id && (message[2] ?? 0) >= 0x80;
}

function malformed(message: Buffer, transport: "UDP" | "TCP"): Outcome {
  return {
    kind: "malformed",
    detail: `the server sent an unreadable answer of ${message.length} bytes over ${transport}`,
  };
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function decode(message: Buffer): dnsPacket.DecodedPacket | null {
  try {
    return dnsPacket.decode(message);
  } catch {
    return null;
  }
}
