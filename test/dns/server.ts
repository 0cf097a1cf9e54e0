import dgram from "node:dgram";
import net from "node:net";
import dnsPacket from "dns-packet";

/** What the test server sends for one question. */
export interface TestReply {
  readonly rcode?: "NOERROR" | "NXDOMAIN" | "SERVFAIL" | "REFUSED";
  readonly answers?: readonly dnsPacket.Answer[];
  /** Over UDP, send an empty answer with the TC bit so the client must retry over TCP. */
  readonly truncateUdp?: boolean;
  /** Over TCP too, send an empty answer with the TC bit, so neither transport returns the records. */
  readonly truncateTcp?: boolean;
  /** Over TCP, close the connection without an answer. */
  readonly closeTcp?: boolean;
  /** Send nothing, so the client times out. */
  readonly drop?: boolean;
  /** Replaces the encoded reply before it is sent, to send a malformed one. */
  readonly rewrite?: (reply: Buffer) => Buffer;
}

export interface ReceivedQuery {
  readonly name: string;
  readonly type: string;
  readonly transport: "udp" | "tcp";
}

/** A DNS server on 127.0.0.1, UDP and TCP on one ephemeral port, answering through `handler`. */
export interface TestDnsServer {
  readonly host: "127.0.0.1";
  readonly port: number;
  readonly address: string;
  readonly queries: ReceivedQuery[];
  close(): Promise<void>;
}

export type TestHandler = (question: dnsPacket.Question, transport: "udp" | "tcp") => TestReply;

/** Starts the server; the port is picked by the system and shared by UDP and TCP. */
export async function startDnsServer(handler: TestHandler): Promise<TestDnsServer> {
  const queries: ReceivedQuery[] = [];
  const tcp = net.createServer((socket) => serveTcp(socket, handler, queries));
  await new Promise<void>((resolve) => tcp.listen(0, "127.0.0.1", resolve));
  const port = (tcp.address() as net.AddressInfo).port;
  const udp = dgram.createSocket("udp4");
  udp.on("message", (message, remote) => {
    const reply = respond(message, handler, "udp", queries);
    if (reply !== null) udp.send(reply, remote.port, remote.address);
  });
  await new Promise<void>((resolve) => udp.bind(port, "127.0.0.1", resolve));
  return {
    host: "127.0.0.1",
    port,
    address: `127.0.0.1:${port}`,
    queries,
    close: async () => {
      await new Promise<void>((resolve) => udp.close(() => resolve()));
      await new Promise<void>((resolve) => tcp.close(() => resolve()));
    },
  };
}

function serveTcp(socket: net.Socket, handler: TestHandler, queries: ReceivedQuery[]): void {
  let buffer = Buffer.alloc(0);
  socket.on("error", () => socket.destroy());
  socket.on("data", (chunk: Buffer) => {
    buffer = Buffer.concat([buffer, chunk]);
    while (buffer.length >= 2 && buffer.length >= buffer.readUInt16BE(0) + 2) {
      const length = buffer.readUInt16BE(0);
      const message = buffer.subarray(2, length + 2);
      buffer = buffer.subarray(length + 2);
      if (closesTcp(message, handler, queries)) {
        socket.end();
        return;
      }
      const reply = respond(message, handler, "tcp", queries);
      if (reply !== null) {
        const prefix = Buffer.alloc(2);
        prefix.writeUInt16BE(reply.length);
        socket.write(Buffer.concat([prefix, reply]));
      }
    }
  });
}

/** Logs the query and returns true when the handler requests closing the TCP connection. */
function closesTcp(message: Buffer, handler: TestHandler, queries: ReceivedQuery[]): boolean {
  const question = dnsPacket.decode(message).questions?.[0];
  if (question === undefined || handler(question, "tcp").closeTcp !== true) return false;
  queries.push({ name: question.name, type: question.type, transport: "tcp" });
  return true;
}

function respond(
  message: Buffer,
  handler: TestHandler,
  transport: "udp" | "tcp",
  queries: ReceivedQuery[],
): Buffer | null {
  const query = dnsPacket.decode(message);
  const question = query.questions?.[0];
  if (question === undefined) return null;
  queries.push({ name: question.name, type: question.type, transport });
  const reply = handler(question, transport);
  if (reply.drop === true) return null;
  const truncate = transport === "udp" ? reply.truncateUdp === true : reply.truncateTcp === true;
  const rcodeFlag = RCODES[reply.rcode ?? "NOERROR"];
  const encoded = dnsPacket.encode({
    type: "response",
    id: query.id ?? 0,
    flags:
      dnsPacket.RECURSION_DESIRED |
      dnsPacket.RECURSION_AVAILABLE |
      (truncate ? dnsPacket.TRUNCATED_RESPONSE : 0) |
      rcodeFlag,
    questions: [question],
    answers: truncate ? [] : [...(reply.answers ?? [])],
  });
  return reply.rewrite === undefined ? encoded : reply.rewrite(encoded);
}

const RCODES = { NOERROR: 0, SERVFAIL: 2, NXDOMAIN: 3, REFUSED: 5 } as const;

/** Answers from a fixed table of `TYPE name` keys; unknown names are NXDOMAIN. */
export function tableHandler(
  table: Readonly<Record<string, readonly dnsPacket.Answer[]>>,
): TestHandler {
  return (question) => {
    const name = question.name.toLowerCase();
    const answers = table[`${question.type} ${name}`];
    if (answers !== undefined) return { answers };
    const known = Object.keys(table).some((key) => key.split(" ")[1] === name);
    return known ? { answers: [] } : { rcode: "NXDOMAIN" };
  };
}
