import { randomBytes } from "node:crypto";
import dgram from "node:dgram";
import { afterEach, describe, expect, it, vi } from "vitest";
import { answerOf } from "./answer.js";
import { createDnsContext } from "../../src/dns/context.js";
import { reverseName } from "../../src/dns/names.js";
import { joinTxt } from "../../src/dns/types.js";
import { serverResolver } from "../../src/dns/system.js";
import { forbidRealNetwork } from "./guard.js";
import { startDnsServer, tableHandler, type TestDnsServer, type TestHandler } from "./server.js";

forbidRealNetwork();

let server: TestDnsServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

async function resolverFor(handler: TestHandler, timeoutMs = 200) {
  server = await startDnsServer(handler);
  return serverResolver(server.address, { timeoutMs, retries: 1 });
}

describe("wire resolver", () => {
  it("returns A records with their TTL", async () => {
    const resolver = await resolverFor(
      tableHandler({
        "A mail.example.com": [
          { type: "A", name: "mail.example.com", ttl: 300, data: "192.0.2.1" },
        ],
      }),
    );
    const result = await resolver.resolve("mail.example.com", "A");
    expect(answerOf(result).records).toEqual(["192.0.2.1"]);
    expect(answerOf(result).ttlSeconds).toBe(300);
  });

  it("tells NXDOMAIN from NODATA", async () => {
    const resolver = await resolverFor(
      tableHandler({ "A example.com": [{ type: "A", name: "example.com", data: "192.0.2.1" }] }),
    );
    const missing = await resolver.resolve("nothing.example.com", "A");
    const noData = await resolver.resolve("example.com", "MX");
    expect(missing.ok ? "answer" : missing.kind).toBe("nxdomain");
    expect(noData.ok ? "answer" : noData.kind).toBe("nodata");
  });

  it("reports SERVFAIL and REFUSED", async () => {
    const resolver = await resolverFor((question) => ({
      rcode: question.name.startsWith("broken") ? "SERVFAIL" : "REFUSED",
    }));
    const failed = await resolver.resolve("broken.example.com", "TXT");
    const refused = await resolver.resolve("other.example.com", "TXT");
    expect(failed.ok ? "answer" : failed.kind).toBe("servfail");
    expect(refused.ok ? "answer" : refused.kind).toBe("refused");
  });

  it("retries once after SERVFAIL", async () => {
    let calls = 0;
    const resolver = await resolverFor((question) => {
      calls++;
      if (calls === 1) return { rcode: "SERVFAIL" };
      return { answers: [{ type: "A", name: question.name, data: "192.0.2.3" }] };
    });
    const result = await resolver.resolve("flaky.example.com", "A");
    expect(answerOf(result).records).toEqual(["192.0.2.3"]);
    expect(calls).toBe(2);
  });

  it("reports a closed port as unreachable at once", async () => {
    const closed = await startDnsServer(() => ({ drop: true }));
    const address = closed.address;
    await closed.close();
    const started = Date.now();
    const result = await serverResolver(address, { timeoutMs: 2000 }).resolve("example.com", "A");
    expect(result.ok ? "answer" : result.kind).toBe("unreachable");
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it("reports a failed connect as unreachable, as on a host without a route", async () => {
    // A host without a network route fails the UDP connect with ENETUNREACH. Node passes that
    // error to the connect callback instead of emitting it; the spy does the same here.
    const connect = vi.spyOn(dgram.Socket.prototype, "connect").mockImplementation(function (
      this: dgram.Socket,
      ...args: unknown[]
    ) {
      const callback = args.find((arg) => typeof arg === "function") as
        ((error?: Error) => void) | undefined;
      const error = Object.assign(new Error("connect ENETUNREACH 127.0.0.1:53"), {
        code: "ENETUNREACH",
      });
      process.nextTick(() => callback?.(error));
    });
    try {
      const resolver = serverResolver("127.0.0.1:53", { timeoutMs: 2000 });
      const started = Date.now();
      const result = await resolver.resolve("example.com", "A");
      expect(result.ok ? "answer" : result.kind).toBe("unreachable");
      expect(result.ok ? "" : result.detail).toContain("ENETUNREACH");
      expect(Date.now() - started).toBeLessThan(1000);
    } finally {
      connect.mockRestore();
    }
  });

  it("times out and retries once", async () => {
    const resolver = await resolverFor(() => ({ drop: true }), 100);
    const started = Date.now();
    const result = await resolver.resolve("slow.example.com", "A");
    expect(result.ok ? "answer" : result.kind).toBe("timeout");
    expect(server?.queries).toHaveLength(2);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it("reports malformed UDP answers at once", async () => {
    const rewrites: Record<string, (reply: Buffer) => Buffer> = {
      random: (reply) => Buffer.concat([reply.subarray(0, 3), randomBytes(197)]),
      header: (reply) => Buffer.concat([reply.subarray(0, 12), Buffer.from([0x03, 0x61])]),
      count: (reply) => {
        const copy = Buffer.from(reply);
        copy.writeUInt16BE(65535, 6);
        return copy;
      },
    };
    for (const [shape, rewrite] of Object.entries(rewrites)) {
      const resolver = await resolverFor(() => ({ rewrite }), 1000);
      const started = Date.now();
      const result = await resolver.resolve("example.com", "TXT");
      await server?.close();
      server = null;
      expect(result.ok ? "answer" : result.kind, shape).toBe("malformed");
      expect(result.ok ? "" : result.detail, shape).toMatch(
        /unreadable answer of \d+ bytes over UDP/,
      );
      expect(Date.now() - started, shape).toBeLessThan(900);
    }
  });

  it("ignores a malformed answer with another id", async () => {
    const rewrite = (reply: Buffer): Buffer => {
      const copy = Buffer.concat([reply.subarray(0, 12), Buffer.from([0x03])]);
      copy.writeUInt16BE((reply.readUInt16BE(0) + 1) % 65536, 0);
      return copy;
    };
    const resolver = await resolverFor(() => ({ rewrite }), 100);
    const result = await resolver.resolve("example.com", "TXT");
    expect(result.ok ? "answer" : result.kind).toBe("timeout");
  });

  it("names a malformed TCP retry", async () => {
    const resolver = await resolverFor(
      (_question, transport) =>
        transport === "udp"
          ? { truncateUdp: true }
          : { rewrite: (reply) => Buffer.concat([reply.subarray(0, 12), Buffer.from([0x03])]) },
      1000,
    );
    const result = await resolver.resolve("example.com", "TXT");
    expect(result.ok ? "answer" : result.kind).toBe("truncated");
    expect(result.ok ? "" : result.detail).toContain("unreadable answer of 13 bytes over TCP");
  });

  it("keeps the 255-byte strings of a long TXT record", async () => {
    const key = "p=" + "A".repeat(400);
    const resolver = await resolverFor(
      tableHandler({
        "TXT s1._domainkey.example.com": [
          {
            type: "TXT",
            name: "s1._domainkey.example.com",
            data: ["v=DKIM1; k=rsa; " + key.slice(0, 239), key.slice(239)],
          },
        ],
      }),
    );
    const result = await resolver.resolve("s1._domainkey.example.com", "TXT");
    const strings = result.ok ? (result.records[0] ?? []) : [];
    expect(strings).toHaveLength(2);
    expect(strings[0]).toHaveLength(255);
    expect(joinTxt(strings)).toBe(`v=DKIM1; k=rsa; ${key}`);
  });

  it("retries a truncated UDP answer over TCP", async () => {
    const resolver = await resolverFor((question) => ({
      truncateUdp: true,
      answers: [{ type: "TXT", name: question.name, data: "v=spf1 -all" }],
    }));
    const result = await resolver.resolve("example.com", "TXT");
    expect(answerOf(result).records).toEqual([["v=spf1 -all"]]);
    expect(server?.queries.map((query) => query.transport)).toEqual(["udp", "tcp"]);
  });

  it("reports a truncated answer whose TCP retry is closed", async () => {
    const resolver = await resolverFor(() => ({ truncateUdp: true, closeTcp: true }));
    const result = await resolver.resolve("example.com", "TXT");
    expect(result.ok ? "answer" : result.kind).toBe("truncated");
    expect(result.ok ? "" : result.detail).toMatch(/truncated.*TCP.*closed/);
    expect(result.ok ? null : result.tcpAnswered).toBe(false);
    expect(server?.queries.map((query) => query.transport)).toEqual(["udp", "tcp"]);
  });

  it("reports an answer truncated over TCP too", async () => {
    const resolver = await resolverFor(() => ({ truncateUdp: true, truncateTcp: true }));
    const result = await resolver.resolve("example.com", "TXT");
    expect(result.ok ? "answer" : result.kind).toBe("truncated");
    expect(result.ok ? "" : result.detail).toMatch(/truncated over both UDP and TCP/);
    expect(result.ok ? null : result.tcpAnswered).toBe(true);
  });

  it("reports a truncated answer whose TCP retry times out", async () => {
    const resolver = await resolverFor((_question, transport) =>
      transport === "udp" ? { truncateUdp: true } : { drop: true },
    );
    const result = await resolver.resolve("example.com", "TXT");
    expect(result.ok ? "answer" : result.kind).toBe("truncated");
    expect(result.ok ? "" : result.detail).toMatch(/retry over TCP got no answer within 200 ms/);
  });

  it("follows a CNAME chain inside one answer", async () => {
    const resolver = await resolverFor(
      tableHandler({
        "A www.example.com": [
          { type: "CNAME", name: "www.example.com", data: "web.example.com" },
          { type: "CNAME", name: "web.example.com", data: "host.example.net" },
          { type: "A", name: "host.example.net", data: "192.0.2.7" },
        ],
      }),
    );
    const result = await resolver.resolve("www.example.com", "A");
    expect(answerOf(result).records).toEqual(["192.0.2.7"]);
    expect(answerOf(result).cnameChain).toEqual(["web.example.com", "host.example.net"]);
  });

  it("asks again for a CNAME target the server did not follow", async () => {
    const resolver = await resolverFor(
      tableHandler({
        "A alias.example.com": [
          { type: "CNAME", name: "alias.example.com", data: "real.example.com" },
        ],
        "A real.example.com": [{ type: "A", name: "real.example.com", data: "192.0.2.8" }],
      }),
    );
    const result = await resolver.resolve("alias.example.com", "A");
    expect(answerOf(result).records).toEqual(["192.0.2.8"]);
    expect(server?.queries.map((query) => query.name)).toEqual([
      "alias.example.com",
      "real.example.com",
    ]);
  });

  it("stops at a CNAME loop", async () => {
    const resolver = await resolverFor(
      tableHandler({
        "A one.example.com": [{ type: "CNAME", name: "one.example.com", data: "two.example.com" }],
        "A two.example.com": [{ type: "CNAME", name: "two.example.com", data: "one.example.com" }],
      }),
    );
    const result = await resolver.resolve("one.example.com", "A");
    expect(result.ok ? "answer" : result.kind).toBe("servfail");
    expect(result.ok ? "" : result.detail).toMatch(/loop/);
  });

  it("answers PTR for an IPv6 reverse name", async () => {
    const name = reverseName("2001:db8::25");
    const resolver = await resolverFor(
      tableHandler({ [`PTR ${name}`]: [{ type: "PTR", name, data: "mail6.example.com" }] }),
    );
    const result = await resolver.resolve(name, "PTR");
    expect(name).toBe("5.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa");
    expect(answerOf(result).records).toEqual(["mail6.example.com"]);
  });

  it("gives up quickly once the server is silent", async () => {
    const resolver = await resolverFor(() => ({ drop: true }), 100);
    const dns = createDnsContext({ resolver });
    const started = Date.now();
    const results = [];
    for (const name of ["a.example.com", "b.example.com", "c.example.com", "d.example.com"]) {
      results.push(await dns.lookup(name, "TXT"));
    }
    expect(results.map((result) => (result.ok ? "answer" : result.kind))).toEqual([
      "timeout",
      "timeout",
      "timeout",
      "timeout",
    ]);
    // Two different names timed out, so the last two were not sent.
    expect(server?.queries.map((q) => q.name)).toEqual([
      "a.example.com",
      "a.example.com",
      "b.example.com",
      "b.example.com",
    ]);
    expect(dns.stats()).toMatchObject({ queries: 2, skipped: 2 });
    expect(dns.unreachable()).toBe(true);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
