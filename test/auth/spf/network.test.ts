import type dnsPacket from "dns-packet";
import { afterEach, describe, expect, it } from "vitest";
import { evaluateSpf } from "../../../src/auth/spf/evaluate.js";
import { createDnsContext } from "../../../src/dns/context.js";
import { reverseName } from "../../../src/dns/names.js";
import { serverResolver } from "../../../src/dns/system.js";
import { forbidRealNetwork } from "../../dns/guard.js";
import {
  startDnsServer,
  tableHandler,
  type TestDnsServer,
  type TestHandler,
} from "../../dns/server.js";

forbidRealNetwork();

let server: TestDnsServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

// Answered queries return at once; the wait only matters on a loaded machine, where 150 ms
// was once too short. The test of a dropped query gives its own short wait.
async function evaluate(handler: TestHandler, ip: string, timeoutMs = 2000) {
  server = await startDnsServer(handler);
  const dns = createDnsContext({
    resolver: serverResolver(server.address, { timeoutMs, retries: 0 }),
  });
  return evaluateSpf({ ip, sender: "postmaster@example.com", helo: "mail.example.com" }, dns);
}

const txt = (name: string, data: string | string[]): dnsPacket.Answer => ({
  type: "TXT",
  name,
  data,
});

describe("SPF over DNS", () => {
  it("joins a record split into 255-byte strings", async () => {
    const ranges = Array.from({ length: 40 }, (_, i) => `ip4:198.51.100.${i}`).join(" ");
    const record = `v=spf1 ${ranges} ip4:192.0.2.77 -all`;
    const strings = record.match(/.{1,255}/g) ?? [];
    const outcome = await evaluate(
      tableHandler({ "TXT example.com": [txt("example.com", strings)] }),
      "192.0.2.77",
    );
    expect(strings.length).toBeGreaterThan(1);
    expect(outcome.result).toBe("pass");
  });

  it("ignores unrelated TXT records, even with a newline", async () => {
    const outcome = await evaluate(
      tableHandler({
        "TXT example.com": [
          txt("example.com", "verification=line one\nline two"),
          txt("example.com", "v=spf1 ip4:192.0.2.1 -all"),
        ],
      }),
      "192.0.2.1",
    );
    expect(outcome.result).toBe("pass");
  });

  it("returns temperror on SERVFAIL", async () => {
    const outcome = await evaluate(() => ({ rcode: "SERVFAIL" }), "192.0.2.1");
    expect(outcome.result).toBe("temperror");
    expect(outcome.reason).toMatch(/SERVFAIL/);
  });

  it("returns temperror on a timeout", async () => {
    const outcome = await evaluate(() => ({ drop: true }), "192.0.2.1", 80);
    expect(outcome.result).toBe("temperror");
  });

  it("reads a truncated answer over TCP", async () => {
    const outcome = await evaluate(
      (question) =>
        question.type === "TXT"
          ? { truncateUdp: true, answers: [txt(question.name, "v=spf1 ip4:192.0.2.1 -all")] }
          : { answers: [] },
      "192.0.2.1",
    );
    expect(outcome.result).toBe("pass");
    expect(server?.queries.map((q) => q.transport)).toEqual(["udp", "tcp"]);
  });

  it("follows a CNAME chain for a:", async () => {
    const outcome = await evaluate(
      tableHandler({
        "TXT example.com": [txt("example.com", "v=spf1 a:out.example.com -all")],
        "A out.example.com": [
          { type: "CNAME", name: "out.example.com", data: "relay.example.net" },
          { type: "CNAME", name: "relay.example.net", data: "host.example.net" },
          { type: "A", name: "host.example.net", data: "192.0.2.44" },
        ],
      }),
      "192.0.2.44",
    );
    expect(outcome.result).toBe("pass");
  });

  it("stops an include loop with permerror", async () => {
    const outcome = await evaluate(
      tableHandler({
        "TXT example.com": [txt("example.com", "v=spf1 include:loop.example.com -all")],
        "TXT loop.example.com": [txt("loop.example.com", "v=spf1 include:example.com -all")],
      }),
      "192.0.2.1",
    );
    expect(outcome.result).toBe("permerror");
  });

  it("validates an IPv6 client with ptr", async () => {
    const ip = "2001:db8::25";
    const outcome = await evaluate(
      tableHandler({
        "TXT example.com": [txt("example.com", "v=spf1 ptr -all")],
        [`PTR ${reverseName(ip)}`]: [
          { type: "PTR", name: reverseName(ip), data: "mail.example.com" },
        ],
        "AAAA mail.example.com": [{ type: "AAAA", name: "mail.example.com", data: ip }],
      }),
      ip,
    );
    expect(outcome.result).toBe("pass");
  });
});
