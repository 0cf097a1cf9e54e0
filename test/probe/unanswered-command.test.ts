import net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { renderProbeText, runProbe, type ProbeResult } from "../../src/probe/index.js";
import { createReplyClassifier } from "../../src/reply/classify.js";
import { zoneDns } from "../auth/zone.js";
import { forbidRealNetwork } from "../dns/guard.js";

forbidRealNetwork();

const TIMEOUT_MS = 300;
const RECIPIENT = "someone@gmail.com";
const PLAIN = { good: unstyled, bad: unstyled, warn: unstyled, dim: unstyled, bold: unstyled };

function unstyled(text: string): string {
  return text;
}

/** What the test server does when a command arrives. */
type Behaviour = "reply" | "silent" | "close";

let server: net.Server | null = null;
afterEach(async () => {
  const running = server;
  server = null;
  if (running !== null) await new Promise((resolve) => running.close(resolve));
});

/**
 * Starts an SMTP-like server on 127.0.0.1 that greets (unless `greet` is false) and replies
 * 250 to every command, except those whose verb `behaviourOf` maps to silence or a close.
 */
async function startServer(
  behaviourOf: (verb: string) => Behaviour,
  greet = true,
): Promise<number> {
  const sockets = new Set<net.Socket>();
  const started = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => undefined);
    if (greet) socket.write("220 mx.example.test ESMTP\r\n");
    let buffer = "";
    socket.on("data", (chunk: Buffer) => {
      buffer += chunk.toString("latin1");
      for (let end = buffer.indexOf("\r\n"); end >= 0; end = buffer.indexOf("\r\n")) {
        const verb = (buffer.slice(0, end).split(/[ :]/)[0] ?? "").toUpperCase();
        buffer = buffer.slice(end + 2);
        const behaviour = behaviourOf(verb);
        if (behaviour === "close") socket.destroy();
        if (behaviour === "reply") socket.write(`250 ${verb} OK\r\n`);
      }
    });
  });
  started.on("close", () => sockets.forEach((socket) => socket.destroy()));
  await new Promise<void>((resolve) => started.listen(0, "127.0.0.1", resolve));
  server = started;
  return (started.address() as net.AddressInfo).port;
}

async function probeAt(port: number): Promise<ProbeResult> {
  return runProbe(
    {
      recipient: RECIPIENT,
      sender: "postmaster@example.com",
      helo: "mail.example.com",
      mx: { host: "127.0.0.1", port },
      sourceIp: null,
      sendTest: false,
      timeoutMs: TIMEOUT_MS,
    },
    {
      dns: zoneDns("$ORIGIN example.test.\n"),
      classifier: createReplyClassifier(),
      now: () => Date.now(),
    },
  );
}

describe("probe unanswered command", () => {
  it("names RCPT TO on a timeout", async () => {
    const port = await startServer((verb) => (verb === "RCPT" ? "silent" : "reply"));
    const result = await probeAt(port);

    expect(result.status).toBe("error");
    expect(result.detail).toContain(`no reply to RCPT TO within ${TIMEOUT_MS} ms`);
    expect(result.unanswered).toEqual({
      stage: "rcpt",
      command: `RCPT TO:<${RECIPIENT}>`,
      error: `no reply to RCPT TO within ${TIMEOUT_MS} ms`,
    });
  });

  it("shows the command in the transcript", async () => {
    const port = await startServer((verb) => (verb === "RCPT" ? "silent" : "reply"));
    const lines = renderProbeText(await probeAt(port), null, PLAIN).split("\n");
    const sent = lines.indexOf(`  > RCPT TO:<${RECIPIENT}>`);

    expect(sent).toBeGreaterThan(lines.indexOf("  < 250 MAIL OK"));
    expect(lines[sent + 1]).toBe(`    (no reply to RCPT TO within ${TIMEOUT_MS} ms)`);
  });

  it("names MAIL FROM on a closed connection", async () => {
    const port = await startServer((verb) => (verb === "MAIL" ? "close" : "reply"));
    const result = await probeAt(port);

    expect(result.unanswered?.command).toBe("MAIL FROM:<postmaster@example.com>");
    expect(result.unanswered?.error).toBe("the server closed the connection");
    expect(renderProbeText(result, null, PLAIN)).toContain(
      "  > MAIL FROM:<postmaster@example.com>\n    (the server closed the connection)",
    );
  });

  it("names a missing greeting", async () => {
    const port = await startServer(() => "reply", false);
    const result = await probeAt(port);

    expect(result.detail).toContain(`no greeting within ${TIMEOUT_MS} ms`);
    expect(result.unanswered).toBeNull();
    expect(renderProbeText(result, null, PLAIN)).not.toContain("Conversation:");
  });

  it("finished probe has none", async () => {
    const port = await startServer(() => "reply");
    const result = await probeAt(port);

    expect(result.status).toBe("accepted");
    expect(result.unanswered).toBeNull();
    expect(renderProbeText(result, null, PLAIN)).not.toContain("(no reply");
  });
});
