import net from "node:net";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  AFTER_DATA_LIMIT,
  renderProbeText,
  runProbe,
  type ProbeRequest,
  type ProbeResult,
} from "../../src/probe/index.js";
import { createReplyClassifier } from "../../src/reply/classify.js";
import { zoneDns } from "../auth/zone.js";
import { forbidRealNetwork } from "../dns/guard.js";
import { runCommand } from "../helpers/cli.js";
import { schemaValidator } from "../helpers/schema.js";
import { useTempDirs } from "../store/helpers.js";

forbidRealNetwork();

const TIMEOUT_MS = 300;
const RECIPIENT = "someone@example.com";
const PLAIN = { good: unstyled, bad: unstyled, warn: unstyled, dim: unstyled, bold: unstyled };
const validate = schemaValidator("probe.schema.json");
const tempDir = useTempDirs();

function unstyled(text: string): string {
  return text;
}

/**
 * What the test server sends for one received line: wire text (CRLF included), nothing
 * (`null`), or a close of the connection after `text`.
 */
type ServerOutput = string | null | { readonly text: string; readonly close: true };

interface ScriptedServer {
  readonly port: number;
  /** Every command line received, the message text of DATA left out. */
  readonly received: string[];
}

let server: net.Server | null = null;
afterEach(async () => {
  const running = server;
  server = null;
  if (running !== null) await new Promise((resolve) => running.close(resolve));
});

/**
 * Starts a server on 127.0.0.1 that sends `greeting`, then the output of `replyTo` for each
 * command line. After a `354` reply it reads the message up to the line "." and replies to
 * that line with `replyTo(".")`.
 */
async function startServer(
  greeting: string,
  replyTo: (line: string) => ServerOutput,
): Promise<ScriptedServer> {
  const received: string[] = [];
  const sockets = new Set<net.Socket>();
  const started = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => undefined);
    socket.write(greeting);
    let buffer = "";
    let inData = false;
    socket.on("data", (chunk: Buffer) => {
      buffer += chunk.toString("latin1");
      for (let end = buffer.indexOf("\r\n"); end >= 0; end = buffer.indexOf("\r\n")) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (inData && line !== ".") continue;
        inData = false;
        if (line !== ".") received.push(line);
        const output = replyTo(line);
        if (output === null) continue;
        if (typeof output === "string") {
          socket.write(output);
          inData = output.startsWith("354");
          continue;
        }
        socket.end(output.text);
      }
    });
  });
  started.on("close", () => sockets.forEach((socket) => socket.destroy()));
  await new Promise<void>((resolve) => started.listen(0, "127.0.0.1", resolve));
  server = started;
  return { port: (started.address() as net.AddressInfo).port, received };
}

/** Replies 250 to every command and 354 to DATA, except where `special` returns an output. */
function replyWith(
  special: (verb: string) => ServerOutput | undefined,
): (line: string) => ServerOutput {
  return (line) => {
    const verb = line === "." ? "." : (line.split(/[ :]/)[0] ?? "").toUpperCase();
    const output = special(verb);
    if (output !== undefined) return output;
    if (verb === "DATA") return "354 send the message\r\n";
    if (verb === "EHLO") return "250-mx.example.com\r\n250 PIPELINING\r\n";
    return `250 ${verb} ok\r\n`;
  };
}

const GREETING = "220 mx.example.com ESMTP\r\n";

async function probeAt(port: number, overrides: Partial<ProbeRequest> = {}): Promise<ProbeResult> {
  return runProbe(
    {
      recipient: RECIPIENT,
      sender: "postmaster@example.com",
      helo: "mail.example.com",
      mx: { host: "127.0.0.1", port },
      sourceIp: null,
      sendTest: false,
      timeoutMs: TIMEOUT_MS,
      ...overrides,
    },
    {
      dns: zoneDns("$ORIGIN example.test.\n"),
      classifier: createReplyClassifier(),
      now: () => Date.now(),
    },
  );
}

const EHLO_CUT_OFF = replyWith((verb) =>
  verb === "EHLO" ? "250-mx.example.com\r\n250-PIPELINING\r\n" : undefined,
);

describe("probe reply cut off by the time-out", () => {
  it("keeps the EHLO lines received", async () => {
    const { port } = await startServer(GREETING, EHLO_CUT_OFF);
    const result = await probeAt(port);

    expect(result.status).toBe("error");
    expect(result.detail).toContain(`no last line of the reply to EHLO within ${TIMEOUT_MS} ms`);
    expect(result.extensions).toEqual([]);
    expect(result.tls).toBeNull();
    const last = result.replies.at(-1);
    expect(last?.stage).toBe("helo");
    expect(last?.command).toBe("EHLO mail.example.com");
    expect(last?.replyCode).toBe(250);
    expect(last?.complete).toBe(false);
    expect(last?.text).toBe("250-mx.example.com\n250-PIPELINING");
    expect(result.replies[0]?.complete).toBe(true);
    expect(result.unanswered?.error).toBe(
      `no last line of the reply to EHLO within ${TIMEOUT_MS} ms`,
    );
  });

  it("shows the EHLO lines in the transcript", async () => {
    const { port } = await startServer(GREETING, EHLO_CUT_OFF);
    const text = renderProbeText(await probeAt(port), null, PLAIN);

    expect(text).toContain(
      [
        "  > EHLO mail.example.com",
        "  < 250-mx.example.com",
        "  < 250-PIPELINING",
        `    (incomplete reply: no last line of the reply to EHLO within ${TIMEOUT_MS} ms)`,
      ].join("\n"),
    );
    // The command is listed once, with its lines, and not again as an unanswered command.
    expect(text.split("> EHLO").length).toBe(2);
    expect(text).toContain("TLS:        unknown (no complete reply to EHLO)");
  });

  it("keeps a cut-off greeting", async () => {
    const { port } = await startServer(
      "220-mx.example.com hello\r\n",
      replyWith(() => undefined),
    );
    const result = await probeAt(port);

    expect(result.status).toBe("error");
    expect(result.detail).toContain(`no last line of the greeting within ${TIMEOUT_MS} ms`);
    expect(result.banner).toBeNull();
    expect(result.unanswered).toBeNull();
    expect(result.replies).toHaveLength(1);
    expect(result.replies[0]?.stage).toBe("connect");
    expect(result.replies[0]?.complete).toBe(false);
    expect(result.replies[0]?.text).toBe("220-mx.example.com hello");

    const text = renderProbeText(result, null, PLAIN);
    expect(text).toContain(
      "  < 220-mx.example.com hello\n" +
        `    (incomplete reply: no last line of the greeting within ${TIMEOUT_MS} ms)`,
    );
    expect(text).toContain("TLS:        unknown (no complete reply to EHLO)");
  });

  it("keeps a cut-off end-of-DATA reply", async () => {
    const { port } = await startServer(
      GREETING,
      replyWith((verb) => (verb === "." ? "250-2.0.0 queued part\r\n" : undefined)),
    );
    const result = await probeAt(port, { sendTest: true });

    expect(result.status).toBe("error");
    expect(result.sentData).toBe(true);
    const last = result.replies.at(-1);
    expect(last?.stage).toBe("end-of-data");
    expect(last?.complete).toBe(false);
    expect(last?.text).toBe("250-2.0.0 queued part");

    const text = renderProbeText(result, null, PLAIN);
    expect(text).toContain("  > <message>\n  < 250-2.0.0 queued part\n    (incomplete reply:");
    expect(text).not.toContain("use --send-test");
    expect(text).toContain("--send-test sent a test message");
  });

  it("keeps lines before a close", async () => {
    const { port } = await startServer(
      GREETING,
      replyWith((verb) =>
        verb === "RCPT" ? { text: "550-5.7.1 first line\r\n", close: true } : undefined,
      ),
    );
    const result = await probeAt(port);

    expect(result.status).toBe("error");
    const last = result.replies.at(-1);
    expect(last?.stage).toBe("rcpt");
    expect(last?.replyCode).toBe(550);
    expect(last?.complete).toBe(false);
    expect(result.unanswered?.error).toBe("the server closed the connection");
    expect(renderProbeText(result, null, PLAIN)).toContain(
      "  < 550-5.7.1 first line\n    (incomplete reply: the server closed the connection)",
    );
  });

  it("sends no QUIT after a cut-off RSET", async () => {
    const scripted = await startServer(
      GREETING,
      replyWith((verb) => {
        if (verb === "RCPT") return "550 5.7.1 rejected for policy reasons\r\n";
        if (verb === "RSET") return "250-2.0.0 reset part\r\n";
        return undefined;
      }),
    );
    const result = await probeAt(scripted.port);

    expect(result.status).toBe("blocked");
    expect(result.replies.at(-1)?.command).toBe("RSET");
    expect(result.replies.at(-1)?.complete).toBe(false);
    expect(scripted.received.at(-1)).toBe("RSET");
  });
});

/**
 * Returns a reply of 3,000 `CODE-STATUS` lines of 29 bytes (87,000 bytes, past the 64 KiB
 * limit) and a last line. `statusOf` gives each line's enhanced status.
 */
function hugeReply(code: number, statusOf: (index: number) => string): string {
  const lines = Array.from(
    { length: 3_000 },
    (_, index) => `${code}-${statusOf(index)} policy line ${String(index).padStart(5, "0")}\r\n`,
  );
  return `${lines.join("")}${code} ${statusOf(0)} blocked using a local list\r\n`;
}

/** Replies to RCPT TO with `reply`, and to every other command as `replyWith` does. */
function rcptReply(reply: string): (line: string) => ServerOutput {
  return replyWith((verb) => (verb === "RCPT" ? reply : undefined));
}

describe("probe reply cut at 64 KiB", () => {
  it("reports a 550 RCPT rejection", async () => {
    const { port } = await startServer(GREETING, rcptReply(hugeReply(550, () => "5.7.1")));
    const result = await probeAt(port);

    expect(result.status).toBe("blocked");
    expect(result.detail).toContain("The receiver rejected the sender with 550 5.7.1 at RCPT TO");
    expect(result.detail).toContain("so the reply was cut at 64 KiB");
    expect(result.detail).toMatch(/The [\d,]+ lines read carry 550 5\.7\.1\.$/);
    expect(result.detail).not.toContain("broke off");
    const last = result.replies.at(-1);
    expect(last?.stage).toBe("rcpt");
    expect(last?.replyCode).toBe(550);
    expect(last?.enhancedStatus).toBe("5.7.1");
    expect(last?.complete).toBe(false);
    expect(last?.incompleteReason).toContain("more than 65536 bytes");
    expect(Buffer.byteLength(last?.text ?? "")).toBeLessThanOrEqual(64 * 1024);
  });

  it("prints the limit in the transcript", async () => {
    const { port } = await startServer(GREETING, rcptReply(hugeReply(550, () => "5.7.1")));
    const text = renderProbeText(await probeAt(port), null, PLAIN).replace(/\s+/g, " ");

    expect(text).toContain("blocked");
    expect(text).toContain(
      "(incomplete reply: the server sent more than 65536 bytes without ending a reply, so " +
        "the reply was cut at 64 KiB)",
    );
  });

  it("keeps mixed statuses an error", async () => {
    const statusOf = (index: number): string => (index % 2 === 0 ? "5.7.1" : "5.1.1");
    const { port } = await startServer(GREETING, rcptReply(hugeReply(550, statusOf)));
    const result = await probeAt(port);

    expect(result.status).toBe("error");
    expect(result.detail).toContain("broke off");
    expect(result.detail).toContain("the reply was cut at 64 KiB");
    expect(result.replies.at(-1)?.complete).toBe(false);
  });

  it("keeps a 450 reply an error", async () => {
    const { port } = await startServer(GREETING, rcptReply(hugeReply(450, () => "4.7.1")));
    const result = await probeAt(port);

    expect(result.status).toBe("error");
    expect(result.detail).toContain("broke off");
  });

  it("keeps a recipient rejection no block", async () => {
    const { port } = await startServer(GREETING, rcptReply(hugeReply(550, () => "5.1.1")));
    const result = await probeAt(port);

    expect(result.status).toBe("error");
    expect(result.detail).toContain("The receiver answered 550 5.1.1 at RCPT TO");
    expect(result.detail).toContain("which is not about the sender");
    expect(result.detail).toContain("so the reply was cut at 64 KiB");
  });

  it("sends nothing after the cut", async () => {
    const scripted = await startServer(GREETING, rcptReply(hugeReply(550, () => "5.7.1")));
    await probeAt(scripted.port);

    expect(scripted.received.at(-1)).toBe(`RCPT TO:<${RECIPIENT}>`);
  });
});

describe("probe TLS line", () => {
  it("reads unknown on a silent EHLO", async () => {
    const { port } = await startServer(
      GREETING,
      replyWith((verb) => (verb === "EHLO" ? null : undefined)),
    );
    const result = await probeAt(port);

    expect(result.replies.every((reply) => reply.complete)).toBe(true);
    expect(result.unanswered?.error).toBe(`no reply to EHLO within ${TIMEOUT_MS} ms`);
    expect(renderProbeText(result, null, PLAIN)).toContain(
      "TLS:        unknown (no complete reply to EHLO)",
    );
  });

  it("reads not offered after a full EHLO", async () => {
    const { port } = await startServer(
      GREETING,
      replyWith(() => undefined),
    );
    const result = await probeAt(port);

    expect(result.status).toBe("accepted");
    expect(renderProbeText(result, null, PLAIN)).toContain("TLS:        not offered");
  });
});

describe("probe closing note", () => {
  it("advises --send-test without it", async () => {
    const { port } = await startServer(
      GREETING,
      replyWith(() => undefined),
    );
    const text = renderProbeText(await probeAt(port), null, PLAIN);

    expect(text.replace(/\s+/g, " ")).toContain(AFTER_DATA_LIMIT);
  });

  it("drops the advice after the message", async () => {
    const { port } = await startServer(
      GREETING,
      replyWith(() => undefined),
    );
    const result = await probeAt(port, { sendTest: true });

    expect(result.status).toBe("accepted");
    expect(result.sentData).toBe(true);
    const text = renderProbeText(result, null, PLAIN);
    expect(text).not.toContain("use --send-test");
    expect(text).toContain("--send-test sent a test message");
  });

  it("drops the advice when DATA was not reached", async () => {
    const { port } = await startServer(
      GREETING,
      replyWith((verb) =>
        verb === "RCPT" ? "550 5.7.1 rejected for policy reasons\r\n" : undefined,
      ),
    );
    const result = await probeAt(port, { sendTest: true });

    expect(result.status).toBe("blocked");
    expect(result.sentData).toBe(false);
    const text = renderProbeText(result, null, PLAIN).replace(/\s+/g, " ");
    expect(text).not.toContain("use --send-test");
    expect(text).toContain("before the test message of --send-test was sent");
  });
});

describe("delist probe JSON with a cut-off reply", () => {
  it("matches the schema", async () => {
    const { port } = await startServer(GREETING, EHLO_CUT_OFF);
    const db = join(tempDir(), "history.sqlite");
    const run = await runCommand([
      "probe",
      "--to",
      RECIPIENT,
      "--helo",
      "mail.example.com",
      "--mx",
      `127.0.0.1:${port}`,
      "--offline",
      "--smtp-timeout-ms",
      String(TIMEOUT_MS),
      "--db",
      db,
      "--format",
      "json",
    ]);
    const json = JSON.parse(run.stdout) as {
      tls: unknown;
      replies: Array<{ stage: string; text: string; complete: boolean }>;
    };

    expect(run.code).toBe(1);
    expect(validate(json)).toEqual([]);
    expect(json.tls).toBeNull();
    expect(json.replies.at(-1)).toMatchObject({
      stage: "helo",
      text: "250-mx.example.com\n250-PIPELINING",
      complete: false,
    });
  });

  it("fits the limitation to --send-test", async () => {
    const { port } = await startServer(
      GREETING,
      replyWith(() => undefined),
    );
    const db = join(tempDir(), "history.sqlite");
    const run = await runCommand([
      "probe",
      "--to",
      RECIPIENT,
      "--from",
      "test@example.com",
      "--helo",
      "mail.example.com",
      "--mx",
      `127.0.0.1:${port}`,
      "--offline",
      "--send-test",
      "--smtp-timeout-ms",
      String(TIMEOUT_MS),
      "--db",
      db,
      "--format",
      "json",
    ]);
    const json = JSON.parse(run.stdout) as { limitation: string; sentData: boolean };

    expect(json.sentData).toBe(true);
    expect(json.limitation).not.toContain("use --send-test");
  });
});
