import net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { runProbe, type ProbeRequest } from "../../src/probe/index.js";
import { parseMxOverride, planMailHosts } from "../../src/probe/mail-hosts.js";
import { createReplyClassifier } from "../../src/reply/classify.js";
import { zoneDns } from "../auth/zone.js";
import { forbidRealNetwork } from "../dns/guard.js";
import { JUDGED_IP, startGmailLikeServer, type GmailLikeServer } from "./gmail-like-server.js";

forbidRealNetwork();

let server: GmailLikeServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

const EMPTY_DNS = zoneDns("$ORIGIN example.test.\n");

function request(port: number, overrides: Partial<ProbeRequest> = {}): ProbeRequest {
  return {
    recipient: "someone@gmail.com",
    sender: "postmaster@example.com",
    helo: "mail.example.com",
    mx: { host: "127.0.0.1", port },
    sourceIp: null,
    sendTest: false,
    timeoutMs: 5_000,
    ...overrides,
  };
}

async function probe(overrides: Partial<ProbeRequest> = {}) {
  const port = server?.port ?? 1;
  return runProbe(request(port, overrides), {
    dns: EMPTY_DNS,
    classifier: createReplyClassifier(),
    now: () => Date.now(),
  });
}

describe("runProbe", () => {
  it("stops before DATA when accepted", async () => {
    server = await startGmailLikeServer("accepted");
    const result = await probe();
    expect(result.status).toBe("accepted");
    expect(result.provider).toBe("gmail");
    expect(result.banner).toContain("mx.google.com ESMTP ready");
    expect(result.tls?.version).toMatch(/^TLSv1\.[23]$/);
    expect(result.tls?.authorized).toBe(false);
    expect(result.replies.map((r) => [r.stage, r.command?.split(/[ :]/)[0] ?? null])).toEqual([
      ["connect", null],
      ["helo", "EHLO"],
      ["starttls", "STARTTLS"],
      ["helo", "EHLO"],
      ["mail", "MAIL"],
      ["rcpt", "RCPT"],
      ["other", "RSET"],
      ["quit", "QUIT"],
    ]);
    expect(server.commands).toEqual(["STARTTLS", "MAIL", "RCPT"]);
    expect(result.sentData).toBe(false);
    expect(result.ip).toBe("127.0.0.1");
    expect(result.mx).toEqual({
      host: "127.0.0.1",
      address: "127.0.0.1",
      port: server.port,
      source: "override",
    });
  });

  it("reports Gmail's 4.7.28 as rate-limited", async () => {
    server = await startGmailLikeServer("rate-limited");
    const result = await probe();
    expect(result.status).toBe("rate-limited");
    const rcpt = result.replies.find((r) => r.stage === "rcpt");
    expect(rcpt?.replyCode).toBe(421);
    expect(rcpt?.enhancedStatus).toBe("4.7.28");
    expect(rcpt?.ruleId).toBe("gmail.ip-rate-limit");
    expect(rcpt?.category).toBe("reputation");
    expect(result.ip).toBe(JUDGED_IP);
    expect(result.detail).toContain("deferred the sender with 421 4.7.28 at RCPT TO");
  });

  it("reports Gmail's 5.7.1 as blocked", async () => {
    server = await startGmailLikeServer("blocked");
    const result = await probe();
    expect(result.status).toBe("blocked");
    expect(result.replies.find((r) => r.stage === "rcpt")?.ruleId).toBe("gmail.ip-low-reputation");
    expect(result.replies.at(-1)?.stage).toBe("quit");
  });

  it("takes the provider from the receiver", async () => {
    server = await startGmailLikeServer("blocked");
    const result = await probe({ recipient: "someone@example.org" });
    expect(result.status).toBe("blocked");
    expect(result.replies.find((r) => r.stage === "rcpt")?.provider).toBe("google-workspace");
    expect(result.provider).toBe("other");
    expect(result.ip).toBe(JUDGED_IP);
  });

  it("refines the provider within its company", async () => {
    server = await startGmailLikeServer("blocked");
    const result = await probe({ recipient: "someone@googlemail.com" });
    expect(result.provider).toBe("gmail");
  });

  it("reports an unknown server's policy refusal as blocked", async () => {
    server = await startGmailLikeServer("policy-refusal");
    const result = await probe({ recipient: "someone@example.org" });
    expect(result.status).toBe("blocked");
    expect(result.detail).toContain("rejected the sender with 550 5.7.1 at RCPT TO");
  });

  it("calls an unknown recipient an error", async () => {
    server = await startGmailLikeServer("no-such-user");
    const result = await probe();
    expect(result.status).toBe("error");
    expect(result.detail).toContain("not about the sender");
  });

  it("sends a test message only with sendTest", async () => {
    server = await startGmailLikeServer("accepted");
    const result = await probe({ sendTest: true, sender: "" });
    expect(result.status).toBe("accepted");
    expect(result.sentData).toBe(true);
    expect(server.commands).toContain("DATA");
    expect(server.messages[0]).toContain("Subject: delist delivery test");
    expect(result.replies.find((r) => r.command === "MAIL FROM:<>")).toBeDefined();
  });

  it("binds the source address", async () => {
    server = await startGmailLikeServer("accepted");
    const result = await probe({ sourceIp: "127.0.0.1" });
    expect(result.localAddress).toBe("127.0.0.1");
    expect(result.status).toBe("accepted");
  });

  it("names a source of the other family", async () => {
    server = await startGmailLikeServer("accepted");
    const dns = zoneDns("$ORIGIN example.test.\nmx IN A 127.0.0.1\n");
    const mx = { host: "mx.example.test", port: server.port };
    const result = await runProbe(request(server.port, { mx, sourceIp: "::1" }), {
      dns,
      classifier: createReplyClassifier(),
      now: () => Date.now(),
    });
    expect(result.status).toBe("error");
    expect(result.failedHosts).toEqual([
      {
        host: "mx.example.test",
        address: "127.0.0.1",
        port: server.port,
        error:
          "the source address ::1 is IPv6, but DNS gave mx.example.test no IPv6 address, so " +
          "no connection can be made from it: probe from an IPv4 source address or from the " +
          "default one",
      },
    ]);
    expect(result.detail).toContain("the source address ::1 is IPv6");
    expect(server.connections).toBe(0);
  });

  it("reports a refused connection as an error", async () => {
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const result = await runProbe(request(port), {
      dns: EMPTY_DNS,
      classifier: createReplyClassifier(),
      now: () => Date.now(),
    });
    expect(result.status).toBe("error");
    expect(result.detail).toContain("Could not connect to any mail host");
    expect(result.failedHosts).toHaveLength(1);
    expect(result.replies).toEqual([]);
  });

  it("reports a server that stops answering", async () => {
    const silent = net.createServer((socket) => socket.write("220 ready\r\n"));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const port = (silent.address() as net.AddressInfo).port;
    const result = await runProbe(request(port, { timeoutMs: 200 }), {
      dns: EMPTY_DNS,
      classifier: createReplyClassifier(),
      now: () => Date.now(),
    });
    silent.close();
    expect(result.status).toBe("error");
    expect(result.detail).toContain("no reply to EHLO within 200 ms");
    expect(result.banner).toBe("220 ready");
  });
});

describe("planMailHosts", () => {
  const dns = zoneDns(
    [
      "$ORIGIN example.test.",
      "@ 300 IN MX 20 mx2",
      "@ 300 IN MX 10 mx1",
      "mx1 300 IN A 192.0.2.10",
      "mx2 300 IN A 192.0.2.20",
      "nomx 300 IN A 192.0.2.30",
      "nullmx 300 IN MX 0 .",
    ].join("\n"),
  );

  it("orders MX hosts by priority", async () => {
    const plan = await planMailHosts("example.test", dns, null);
    expect(plan.ok).toBe(true);
    expect(plan.ok ? plan.hosts.map((h) => [h.host, h.addresses[0], h.port]) : []).toEqual([
      ["mx1.example.test", "192.0.2.10", 25],
      ["mx2.example.test", "192.0.2.20", 25],
    ]);
  });

  it("uses the implicit MX", async () => {
    const plan = await planMailHosts("nomx.example.test", dns, null);
    expect(plan.ok).toBe(true);
    expect(plan.ok ? plan.source : null).toBe("implicit");
  });

  it("prefers the source address family", async () => {
    const dualStack = zoneDns(
      ["$ORIGIN example.test.", "mx 300 IN A 192.0.2.10", "mx 300 IN AAAA 2001:db8::10"].join("\n"),
    );
    const override = { host: "mx.example.test", port: 25 };
    const addresses = async (family: "IPv4" | "IPv6" | null) => {
      const plan = await planMailHosts("example.test", dualStack, override, family);
      return plan.ok ? plan.hosts.map((host) => host.addresses) : [];
    };
    expect(await addresses(null)).toEqual([["192.0.2.10"]]);
    expect(await addresses("IPv4")).toEqual([["192.0.2.10"]]);
    expect(await addresses("IPv6")).toEqual([["2001:db8::10"]]);
  });

  it("refuses a null MX", async () => {
    const plan = await planMailHosts("nullmx.example.test", dns, null);
    expect(plan.ok).toBe(false);
    expect(plan.ok ? "" : plan.reason).toContain("null MX");
  });
});

describe("parseMxOverride", () => {
  it("reads host and port forms", () => {
    expect(parseMxOverride("127.0.0.1:2525")).toEqual({ host: "127.0.0.1", port: 2525 });
    expect(parseMxOverride("mx.example.test")).toEqual({ host: "mx.example.test", port: 25 });
    expect(parseMxOverride("[::1]:2525")).toEqual({ host: "::1", port: 2525 });
    expect(parseMxOverride("::1")).toEqual({ host: "::1", port: 25 });
  });

  it("rejects a bad port", () => {
    expect(() => parseMxOverride("127.0.0.1:99999")).toThrow(/invalid --mx/);
  });
});
