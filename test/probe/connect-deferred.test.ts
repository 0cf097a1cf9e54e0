import net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { renderProbeText, runProbe, type ProbeResult } from "../../src/probe/index.js";
import { createReplyClassifier } from "../../src/reply/classify.js";
import { zoneDns } from "../auth/zone.js";
import { forbidRealNetwork } from "../dns/guard.js";

forbidRealNetwork();

const PLAIN = { good: unstyled, bad: unstyled, warn: unstyled, dim: unstyled, bold: unstyled };

function unstyled(text: string): string {
  return text;
}

let server: net.Server | null = null;
afterEach(async () => {
  const running = server;
  server = null;
  if (running !== null) await new Promise((resolve) => running.close(resolve));
});

/** Starts a server on 127.0.0.1 that sends `greeting` and closes the connection. */
async function startGreeting(greeting: string): Promise<number> {
  const started = net.createServer((socket) => {
    socket.on("error", () => undefined);
    socket.end(`${greeting}\r\n`);
  });
  await new Promise<void>((resolve) => started.listen(0, "127.0.0.1", resolve));
  server = started;
  return (started.address() as net.AddressInfo).port;
}

async function probeGreeting(greeting: string): Promise<ProbeResult> {
  const port = await startGreeting(greeting);
  return runProbe(
    {
      recipient: "someone@example.com",
      sender: "postmaster@example.com",
      helo: "mail.example.com",
      mx: { host: "127.0.0.1", port },
      sourceIp: null,
      sendTest: false,
      timeoutMs: 2_000,
    },
    {
      dns: zoneDns("$ORIGIN example.test.\n"),
      classifier: createReplyClassifier(),
      now: () => Date.now(),
    },
  );
}

describe("probe of a 421 greeting", () => {
  it("reports deferred at connect", async () => {
    const result = await probeGreeting(
      "421 4.7.0 mx.example.com Service not available, try again later",
    );

    expect(result.status).toBe("error");
    expect(result.detail).toContain(
      'The receiver deferred at connect with 421 4.7.0: "mx.example.com Service not available, try again later".',
    );
    expect(result.detail).toContain("overloaded or in maintenance");
    expect(result.detail).toContain("Probe again in an hour or more.");
    expect(result.detail).not.toContain("policy reason it does not name");
    expect(result.fix[0]).toContain("the queue retries");
    expect(result.replies[0]?.ruleId).toBe("generic.connect-deferred");
  });

  it("prints no policy refusal", async () => {
    const result = await probeGreeting(
      "421 4.7.0 mx.example.com Service not available, try again later",
    );
    const text = renderProbeText(result, null, PLAIN);

    expect(text).toContain("generic.connect-deferred:");
    expect(text).not.toContain("security or policy reason");
  });

  it("keeps a policy reason a deferral of the sender", async () => {
    const result = await probeGreeting(
      "421 4.7.0 mx.example.com Connection refused by local policy",
    );

    expect(result.status).toBe("rate-limited");
    expect(result.replies[0]?.ruleId).toBe("generic.policy");
  });

  it("quotes no text of a bare 421", async () => {
    const result = await probeGreeting("421");

    expect(result.status).toBe("error");
    expect(result.detail).toContain("The receiver deferred at connect with 421 and no text.");
    expect(result.detail).not.toContain('""');
  });

  it("cuts a long receiver text", async () => {
    const result = await probeGreeting(`421 4.7.0 mx.example.com busy ${"z".repeat(1_000)}`);

    expect(result.status).toBe("error");
    expect(result.detail).toContain(`"mx.example.com busy ${"z".repeat(180)}…"`);
    expect(result.detail).not.toContain("z".repeat(181));
  });
});
