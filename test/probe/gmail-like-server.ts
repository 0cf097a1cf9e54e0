import { SMTPServer, type SMTPServerAddress } from "smtp-server";

/** The reply of the fake Gmail to RCPT TO at the moment. */
export type GmailPhase =
  "rate-limited" | "blocked" | "accepted" | "no-such-user" | "greylisted" | "policy-refusal";

/** The judged IP that the fake Gmail names in its refusals, as Gmail names the public IP. */
export const JUDGED_IP = "203.0.113.5";

const REPLIES: Record<Exclude<GmailPhase, "accepted">, { code: number; text: string }> = {
  "rate-limited": {
    code: 421,
    text: `4.7.28 [${JUDGED_IP} 15] Our system has detected an unusual rate of unsolicited mail originating from your IP address. To protect our users from spam, mail sent from your IP address has been temporarily rate limited. - gsmtp`,
  },
  blocked: {
    code: 550,
    text: `5.7.1 [${JUDGED_IP} 15] This message was blocked because of the very low reputation of the sending IP address. - gsmtp`,
  },
  "no-such-user": {
    code: 550,
    text: "5.1.1 The email account that you tried to reach does not exist. - gsmtp",
  },
  greylisted: { code: 451, text: "4.3.0 Temporary local problem, try again later" },
  // A server delist has no rules for, refusing the client by its own policy.
  "policy-refusal": {
    code: 550,
    text: `5.7.1 Service unavailable; client [${JUDGED_IP}] refused by local policy`,
  },
};

/** A fake Gmail MX on 127.0.0.1 and what it received. */
export interface GmailLikeServer {
  readonly port: number;
  /** Set to change the replies of the following connections. */
  phase: GmailPhase;
  /** Steps seen through the server's hooks, in order: `STARTTLS`, `MAIL`, `RCPT`, `DATA`. */
  readonly commands: string[];
  /** The EHLO or HELO name of each MAIL FROM, as the server received it. */
  readonly heloNames: string[];
  /** Message bodies received after DATA. */
  readonly messages: string[];
  readonly connections: number;
  close(): Promise<void>;
}

/**
 * Starts an SMTP server on 127.0.0.1 that replies to RCPT TO like Gmail in the current phase,
 * offers STARTTLS with smtp-server's built-in self-signed certificate, and records commands.
 */
export async function startGmailLikeServer(
  phase: GmailPhase = "accepted",
): Promise<GmailLikeServer> {
  const state = { phase, connections: 0 };
  const commands: string[] = [];
  const heloNames: string[] = [];
  const messages: string[] = [];
  const server = new SMTPServer({
    name: "mx.google.test",
    banner: "mx.google.com ESMTP ready - gsmtp",
    authOptional: true,
    disabledCommands: ["AUTH"],
    hideENHANCEDSTATUSCODES: true,
    logger: false,
    onConnect(_session, callback) {
      state.connections += 1;
      callback();
    },
    onSecure(_socket, _session, callback) {
      commands.push("STARTTLS");
      callback();
    },
    onMailFrom(_address: SMTPServerAddress, session, callback) {
      commands.push("MAIL");
      heloNames.push(session.hostNameAppearsAs);
      callback();
    },
    onRcptTo(_address: SMTPServerAddress, _session, callback) {
      commands.push("RCPT");
      if (state.phase === "accepted") {
        callback();
        return;
      }
      const reply = REPLIES[state.phase];
      callback(Object.assign(new Error(reply.text), { responseCode: reply.code }));
    },
    onData(stream, _session, callback) {
      commands.push("DATA");
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        messages.push(Buffer.concat(chunks).toString());
        callback();
      });
    },
  });
  server.on("error", () => undefined);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.server.address() as { port: number }).port;
  return {
    port,
    get phase() {
      return state.phase;
    },
    set phase(value: GmailPhase) {
      state.phase = value;
    },
    commands,
    heloNames,
    messages,
    get connections() {
      return state.connections;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
