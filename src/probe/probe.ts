import type { DnsContext } from "../dns/context.js";
import type { ProviderId } from "../knowledge/providers.js";
import type { ReplyClassifier } from "../reply/classify.js";
import { providerOfReceiver, sameOperator } from "../reply/provider-text.js";
import { SmtpConnection, type TlsInfo } from "./connection.js";
import { Conversation, type RecordedReply } from "./conversation.js";
import { planMailHosts, type MailHost } from "./mail-hosts.js";
import { cutRefusal, decideStatus } from "./status.js";
import { ehloName } from "./helo.js";
import { socketFamilyOf, sourceFamilyMismatch } from "./source-address.js";
import type { ProbeMx, ProbeResult } from "./types.js";

/** The recipient, envelope and connection settings of one probe. */
export interface ProbeRequest {
  readonly recipient: string;
  /** The MAIL FROM address; "" sends the null reverse-path `<>`. */
  readonly sender: string;
  /** The EHLO name. */
  readonly helo: string;
  /** `--mx`: connect here instead of the recipient domain's MX. */
  readonly mx: { readonly host: string; readonly port: number } | null;
  /** `--source-ip`: the local address to connect from. */
  readonly sourceIp: string | null;
  /** `--send-test`: go on to DATA and send a short test message. */
  readonly sendTest: boolean;
  /** Time to wait for the connection and for each reply, in milliseconds. */
  readonly timeoutMs: number;
}

/** The ports a probe uses: DNS for the MX look-up, the classifier, the clock. */
export interface ProbeContext {
  readonly dns: DnsContext;
  readonly classifier: ReplyClassifier;
  readonly now: () => number;
  /** Ends the probe early, as an `error` result, when it aborts (the monitor stopping). */
  readonly signal?: AbortSignal;
}

interface Session {
  conversation: Conversation | null;
  connection: SmtpConnection | null;
  mx: ProbeMx | null;
  banner: string | null;
  extensions: string[];
  tls: TlsInfo | null;
  decisive: RecordedReply | null;
  completed: boolean;
  failure: string | null;
  failedHosts: { host: string; address: string; port: number; error: string }[];
}

/**
 * Probes the recipient's MX: connect on port 25, EHLO, STARTTLS when offered, MAIL FROM,
 * RCPT TO, then RSET and QUIT. With `sendTest` it sends DATA and a short test message in place
 * of RSET. It never rejects: network trouble becomes an `error` result with the reason. The
 * EHLO name is sent without a trailing dot.
 */
export async function runProbe(
  requested: ProbeRequest,
  context: ProbeContext,
): Promise<ProbeResult> {
  const request = { ...requested, helo: ehloName(requested.helo) };
  const startedAt = context.now();
  const domain = request.recipient.slice(request.recipient.lastIndexOf("@") + 1).toLowerCase();
  const session: Session = {
    conversation: null,
    connection: null,
    mx: null,
    banner: null,
    extensions: [],
    tls: null,
    decisive: null,
    completed: false,
    failure: null,
    failedHosts: [],
  };
  const family = request.sourceIp === null ? null : socketFamilyOf(request.sourceIp);
  const plan = await planMailHosts(domain, context.dns, request.mx, family);
  if (!plan.ok) session.failure = `No host to probe: ${plan.reason}.`;
  else await connectFirst(plan.hosts, plan.source, request, context, session);

  if (session.connection !== null && session.conversation !== null && session.mx !== null) {
    const connection = session.connection;
    const abort = (): void => connection.abort();
    context.signal?.addEventListener("abort", abort, { once: true });
    try {
      if (context.signal?.aborted === true) abort();
      await converse(session.conversation, connection, session, request);
    } catch (error) {
      const refusal = cutRefusal(session.conversation.replies, error);
      const reason = (error as Error).message;
      if (refusal !== null) session.decisive = refusal;
      else session.failure = `The conversation with ${session.mx.host} broke off: ${reason}.`;
    } finally {
      context.signal?.removeEventListener("abort", abort);
      connection.close();
    }
  }
  return buildResult(request, context, session, startedAt);
}

async function connectFirst(
  hosts: readonly MailHost[],
  source: ProbeMx["source"],
  request: ProbeRequest,
  context: ProbeContext,
  session: Session,
): Promise<void> {
  for (const host of hosts) {
    const address = host.addresses[0];
    if (address === undefined) {
      session.failedHosts.push({
        host: host.host,
        address: "",
        port: host.port,
        error: "no address",
      });
      continue;
    }
    const mismatch =
      request.sourceIp === null ? null : sourceFamilyMismatch(request.sourceIp, host.host, address);
    if (mismatch !== null) {
      session.failedHosts.push({ host: host.host, address, port: host.port, error: mismatch });
      continue;
    }
    try {
      const connection = await SmtpConnection.connect({
        address,
        port: host.port,
        localAddress: request.sourceIp,
        timeoutMs: request.timeoutMs,
        ...(context.signal === undefined ? {} : { signal: context.signal }),
      });
      session.connection = connection;
      session.mx = { host: host.host, address, port: host.port, source };
      session.conversation = new Conversation(
        connection,
        context.classifier,
        { relayHost: host.host, recipient: request.recipient },
        context.now,
      );
      return;
    } catch (caught) {
      const error = (caught as Error).message;
      session.failedHosts.push({ host: host.host, address, port: host.port, error });
    }
  }
  const tried = session.failedHosts.map((f) => `${f.host} [${f.address}]: ${f.error}`).join("; ");
  session.failure = `Could not connect to any mail host (${tried}).`;
}

/** Walks the SMTP conversation; sets `decisive` to the reply that stopped it, if any. */
async function converse(
  talk: Conversation,
  connection: SmtpConnection,
  session: Session,
  request: ProbeRequest,
): Promise<void> {
  const greeting = await talk.greeting();
  session.banner = greeting.reply.text;
  if (greeting.reply.replyCode !== 220) return stop(session, greeting);

  let ehlo = await talk.send("helo", `EHLO ${request.helo}`);
  if (ehlo.reply.replyCode >= 400) ehlo = await talk.send("helo", `HELO ${request.helo}`);
  if (ehlo.reply.replyCode >= 400) return stop(session, ehlo);
  session.extensions = extensionsOf(ehlo.reply.text);

  if (session.extensions.includes("STARTTLS")) {
    const starttls = await talk.send("starttls", "STARTTLS");
    if (starttls.reply.replyCode === 220) {
      session.tls = await connection.startTls(session.mx?.host ?? null);
      const again = await talk.send("helo", `EHLO ${request.helo}`);
      if (again.reply.replyCode >= 400) return stop(session, again);
    }
  }

  const mail = await talk.send("mail", `MAIL FROM:<${request.sender}>`);
  if (mail.reply.replyCode >= 400) return politeStop(talk, session, mail);
  const rcpt = await talk.send("rcpt", `RCPT TO:<${request.recipient}>`);
  if (rcpt.reply.replyCode >= 400) return politeStop(talk, session, rcpt);

  if (request.sendTest) {
    const data = await talk.send("data", "DATA");
    if (data.reply.replyCode !== 354) return politeStop(talk, session, data);
    const end = await talk.sendMessage(testMessage(request));
    if (end.reply.replyCode >= 400) return politeStop(talk, session, end);
  } else {
    await talk.send("other", "RSET");
  }
  session.completed = true;
  await quit(talk);
}

function stop(session: Session, reply: RecordedReply): void {
  session.decisive = reply;
}

async function politeStop(
  talk: Conversation,
  session: Session,
  reply: RecordedReply,
): Promise<void> {
  session.decisive = reply;
  // A 421 means the server is closing the connection; anything else gets a proper goodbye.
  if (reply.reply.replyCode === 421) return;
  const reset = await talk.send("other", "RSET").then(
    () => true,
    () => false,
  );
  // After RSET got no complete reply, a late reply line would be read as the reply to QUIT.
  if (reset) await quit(talk);
}

async function quit(talk: Conversation): Promise<void> {
  await talk.send("quit", "QUIT").catch(() => undefined);
}

/** Returns the EHLO keywords after the first line, upper-cased (`STARTTLS`, `SIZE`…). */
function extensionsOf(text: string): string[] {
  return text
    .split("\n")
    .slice(1)
    .map((line) => line.slice(4).split(" ")[0]?.toUpperCase() ?? "")
    .filter((keyword) => keyword !== "");
}

function testMessage(request: ProbeRequest): string {
  const from = request.sender === "" ? `postmaster@${request.helo}` : request.sender;
  const id = `${Date.now().toString(36)}.${Math.random().toString(36).slice(2)}@${request.helo}`;
  return [
    `From: <${from}>`,
    `To: <${request.recipient}>`,
    "Subject: delist delivery test",
    `Date: ${new Date().toUTCString().replace("GMT", "+0000")}`,
    `Message-ID: <${id}>`,
    "",
    "This is a delivery test sent by delist probe --send-test. It needs no answer.",
    ".",
    "",
  ].join("\r\n");
}

function buildResult(
  request: ProbeRequest,
  context: ProbeContext,
  session: Session,
  startedAt: number,
): ProbeResult {
  const replies = session.conversation?.replies ?? [];
  const decision = decideStatus(session.decisive, session.completed, session.failure);
  const judgedIp = namedIp(replies);
  const localAddress = session.connection?.localAddress ?? null;
  return {
    recipient: request.recipient,
    sender: request.sender,
    helo: request.helo,
    mx: session.mx,
    localAddress,
    ip: judgedIp ?? request.sourceIp ?? localAddress,
    provider: providerOf(replies, session.mx?.host ?? null, request.recipient),
    banner: session.banner,
    extensions: session.extensions,
    tls: session.tls,
    replies: replies.map((r) => r.reply),
    unanswered: session.conversation?.unanswered ?? null,
    status: decision.status,
    detail: decision.detail,
    fix: decision.fix,
    sendTest: request.sendTest,
    sentData: session.conversation?.messageSent ?? false,
    startedAt,
    finishedAt: context.now(),
    failedHosts: session.failedHosts,
  };
}

/**
 * Returns the IP the receiver named: the one in a refusal (Gmail's `[192.0.2.1 15]`) first,
 * because that is the IP the block is about, else one in another reply (Gmail's EHLO reply
 * ends "at your service, [192.0.2.1]"), else null.
 */
function namedIp(replies: readonly RecordedReply[]): string | null {
  const refusal = replies.find((r) => r.reply.replyCode >= 400 && r.reply.judgedIp !== null);
  if (refusal !== undefined) return refusal.reply.judgedIp;
  return replies.find((r) => r.reply.judgedIp !== null)?.reply.judgedIp ?? null;
}

/**
 * Returns the provider of the probed MX host or the recipient's domain. A reply may refine it
 * within the same company (Gmail or Google Workspace), but any server can copy another
 * provider's reply text, so the text alone never sets the provider.
 */
function providerOf(
  replies: readonly RecordedReply[],
  host: string | null,
  recipient: string,
): ProviderId | "other" {
  const receiver = providerOfReceiver(host, recipient);
  if (receiver === null) return "other";
  const refined = replies.find(
    (r) => r.reply.provider !== null && sameOperator(receiver, r.reply.provider),
  );
  return refined?.reply.provider ?? receiver;
}
