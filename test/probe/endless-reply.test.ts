import net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import {
  probeTarget,
  recordProbe,
  renderProbeText,
  runProbe,
  type ProbeReply,
  type ProbeResult,
} from "../../src/probe/index.js";
import { columns } from "../../src/report/wrap.js";
import { createReplyClassifier } from "../../src/reply/classify.js";
import { HistoryStore } from "../../src/store/index.js";
import { zoneDns } from "../auth/zone.js";
import { forbidRealNetwork } from "../dns/guard.js";

forbidRealNetwork();

/** Long enough that a probe without the reply limit would fail the test by timing out. */
const TIMEOUT_MS = 4_000;
const LINE = "220-mx.example.com endless continuation line of the greeting\r\n";
/** 20 lines of 62 bytes: 1,240 bytes a chunk, so the limit falls inside the 53rd chunk. */
const LINES_PER_CHUNK = 20;
/** The server stops after 400 chunks (496,000 bytes), or 2 s at one chunk per 5 ms. */
const MAX_CHUNKS = 400;
const CHUNK_INTERVAL_MS = 5;
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

/**
 * Starts a server on 127.0.0.1 that greets with continuation lines (`line`, CRLF included) in
 * small chunks and never ends the greeting. Returns its port and a counter of the chunks
 * written.
 */
async function startEndlessGreeting(line = LINE): Promise<{ port: number; chunks: () => number }> {
  let written = 0;
  const sockets = new Set<net.Socket>();
  const started = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => undefined);
    const timer = setInterval(() => {
      if (written >= MAX_CHUNKS || socket.destroyed) {
        clearInterval(timer);
        return;
      }
      written += 1;
      socket.write(line.repeat(LINES_PER_CHUNK));
    }, CHUNK_INTERVAL_MS);
    socket.on("close", () => {
      clearInterval(timer);
      sockets.delete(socket);
    });
  });
  started.on("close", () => sockets.forEach((socket) => socket.destroy()));
  await new Promise<void>((resolve) => started.listen(0, "127.0.0.1", resolve));
  server = started;
  return { port: (started.address() as net.AddressInfo).port, chunks: () => written };
}

function probeAt(port: number): Promise<ProbeResult> {
  return runProbe(
    {
      recipient: "someone@example.com",
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

describe("probe of an endless greeting", () => {
  it("stops the greeting at 64 KiB", async () => {
    const { port, chunks } = await startEndlessGreeting();
    const result = await probeAt(port);

    expect(result.status).toBe("error");
    expect(result.detail).toContain("the server sent more than 65536 bytes without ending a reply");
    expect(result.replies).toHaveLength(1);
    const greeting = result.replies[0];
    expect(greeting?.complete).toBe(false);
    expect(greeting?.stage).toBe("connect");
    expect(Buffer.byteLength(greeting?.text ?? "")).toBeLessThanOrEqual(64 * 1024);
    expect(chunks()).toBeLessThan(MAX_CHUNKS);
  });

  it("stores at most 2 KiB of the greeting", async () => {
    const { port } = await startEndlessGreeting();
    const result = await probeAt(port);
    const store = HistoryStore.open(":memory:");
    const target = probeTarget("someone@example.com", null, { host: "127.0.0.1", port });
    recordProbe(store, result, { target, forced: false, channels: [] });
    const stored = store.probes.lastOfTarget(target);
    store.close();

    const greeting = (stored?.result as { replies: { text: string; textBytes?: number }[] })
      .replies[0];
    expect(Buffer.byteLength(greeting?.text ?? "")).toBeLessThanOrEqual(2048);
    expect(greeting?.textBytes).toBe(Buffer.byteLength(result.replies[0]?.text ?? ""));
    expect(JSON.stringify(stored?.result).length).toBeLessThan(8 * 1024);
    expect(stored?.detail).toBe(result.detail);
    expect(stored?.status).toBe("error");
  });

  it("prints a shortened transcript", async () => {
    const { port } = await startEndlessGreeting();
    const text = renderProbeText(await probeAt(port), null, PLAIN);
    const lines = text.split("\n");

    expect(text).toMatch(
      /more lines of this reply left out;\s+--format json shows the whole\s+reply/,
    );
    expect(lines.filter((line) => line.startsWith("  < 220-mx.example.com"))).toHaveLength(30);
    expect(lines.filter((line) => columns(line) > 80)).toEqual([]);
  });

  it("names the limit below the greeting", async () => {
    const { port } = await startEndlessGreeting();
    const text = renderProbeText(await probeAt(port), null, PLAIN).replace(/\s+/g, " ");

    expect(text).toContain(
      "broke off: the server sent more than 65536 bytes without ending a reply, so the reply " +
        "was cut at 64 KiB.",
    );
    expect(text).toContain(
      "(incomplete reply: the server sent more than 65536 bytes without ending a reply, so " +
        "the reply was cut at 64 KiB)",
    );
    expect(text).not.toContain("its last line never came");
  });

  it("reports a 554 greeting as blocked", async () => {
    const line = "554-5.7.1 mx.example.com no mail accepted from this address\r\n";
    const { port } = await startEndlessGreeting(line);
    const result = await probeAt(port);

    expect(result.status).toBe("blocked");
    expect(result.detail).toContain(
      "The receiver rejected the sender with 554 5.7.1 at connection greeting",
    );
    expect(result.detail).toContain("so the reply was cut at 64 KiB");
    expect(result.replies).toHaveLength(1);
    expect(result.replies[0]?.complete).toBe(false);
  });
});

/** Builds a probe result whose greeting is cut off after `lines` wire lines of `line`. */
function resultWithGreeting(line: string, lines: number): ProbeResult {
  const greeting: ProbeReply = {
    stage: "connect",
    command: null,
    replyCode: 220,
    enhancedStatus: null,
    text: Array.from({ length: lines }, () => `220-${line}`).join("\n"),
    complete: false,
    incompleteReason: "no last line of the greeting within 3000 ms",
    category: "unknown",
    ruleId: "generic.accepted",
    permanent: false,
    summary: "The receiver accepted the command.",
    provider: null,
    judgedIp: null,
    elapsedMs: 10,
  };
  return {
    recipient: "someone@example.com",
    sender: "postmaster@example.com",
    helo: "mail.example.com",
    mx: { host: "127.0.0.1", address: "127.0.0.1", port: 2525, source: "override" },
    localAddress: "127.0.0.1",
    ip: null,
    provider: "other",
    banner: null,
    extensions: [],
    tls: null,
    replies: [greeting],
    unanswered: null,
    status: "error",
    detail: "The conversation with 127.0.0.1 broke off.",
    fix: [],
    sendTest: false,
    sentData: false,
    startedAt: 0,
    finishedAt: 10,
    failedHosts: [],
  };
}

describe("probe text of a long reply", () => {
  it("renders 300,000 reply lines", () => {
    const text = renderProbeText(resultWithGreeting("mx.example.com line", 300_000), null, PLAIN);

    expect(text).toContain("(299,970 more lines of this reply left out;");
    expect(text.split("\n").length).toBeLessThan(100);
  });

  it("cuts a line longer than 512 characters", () => {
    const long = `mx.example.com ${"#".repeat(2_000)}`;
    const text = renderProbeText(resultWithGreeting(long, 2), null, PLAIN);

    // The wire line "220-mx.example.com ###…" keeps its first 512 characters: 19 and 493 #.
    expect(text.match(/#/g)).toHaveLength(2 * 493);
    expect(text.match(/…/g)).toHaveLength(2);
    expect(text).toContain("(2 lines cut at 512 characters;");
    expect(text.split("\n").filter((line) => columns(line) > 80)).toEqual([]);
  });
});
