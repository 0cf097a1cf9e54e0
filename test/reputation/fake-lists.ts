import type dnsPacket from "dns-packet";
import { createDnsContext, type DnsContext } from "../../src/dns/context.js";
import { wireResolver } from "../../src/dns/wire.js";
import type { TestDnsServer, TestHandler, TestReply } from "../dns/server.js";

/**
 * How a fake list zone behaves. `normal` follows RFC 5782: its listed names answer their
 * codes, 127.0.0.2 and TEST are listed, everything else is NXDOMAIN. The others reproduce
 * the failure modes that make checkers report false listings or false clean results.
 */
export type ZoneBehaviour =
  | { readonly kind: "normal"; readonly listed?: Readonly<Record<string, readonly string[]>> }
  | { readonly kind: "error-code"; readonly code: string }
  | { readonly kind: "timeout" }
  | { readonly kind: "servfail" }
  | { readonly kind: "refused-rcode" }
  | { readonly kind: "wildcard"; readonly code: string }
  | { readonly kind: "empty" }
  | {
      readonly kind: "truncated";
      readonly listed?: Readonly<Record<string, readonly string[]>>;
    };

/** An A record answer for `name`. */
function a(name: string, addresses: readonly string[]): TestReply {
  const answers: dnsPacket.Answer[] = addresses.map((data) => ({
    type: "A",
    name,
    ttl: 300,
    data,
  }));
  return { answers };
}

const TEST_POINTS: Readonly<Record<string, readonly string[]>> = {
  "2.0.0.127": ["127.0.0.2"],
  test: ["127.0.0.2"],
  "dbltest.com": ["127.0.1.2"],
  "test.uribl.com": ["127.0.0.14"],
};

/**
 * Answers DNSBL queries for the given zones. `rewriteNxdomain` makes every NXDOMAIN an
 * address outside 127.0.0.0/8, as ISP resolvers with "search assist" pages do.
 */
export function fakeListsHandler(
  zones: Readonly<Record<string, ZoneBehaviour>>,
  rewriteNxdomain = false,
): TestHandler {
  const names = Object.keys(zones).sort((x, y) => y.length - x.length);
  return (question, transport) => {
    const name = question.name.toLowerCase();
    const zone = names.find((candidate) => name.endsWith(`.${candidate}`));
    const behaviour = zone === undefined ? undefined : zones[zone];
    const nxdomain: TestReply = rewriteNxdomain
      ? a(name, ["198.51.100.53"])
      : { rcode: "NXDOMAIN" };
    if (zone === undefined || behaviour === undefined || question.type !== "A") return nxdomain;
    const prefix = name.slice(0, -(zone.length + 1));
    switch (behaviour.kind) {
      case "error-code":
        return a(name, [behaviour.code]);
      case "timeout":
        return { drop: true };
      case "servfail":
        return { rcode: "SERVFAIL" };
      case "refused-rcode":
        return { rcode: "REFUSED" };
      case "wildcard":
        return a(name, [behaviour.code]);
      case "empty":
        return nxdomain;
      case "truncated":
      case "normal": {
        const codes = behaviour.listed?.[prefix] ?? TEST_POINTS[prefix];
        if (codes === undefined) return nxdomain;
        if (behaviour.kind === "truncated" && transport === "udp") return { truncateUdp: true };
        return a(name, codes);
      }
    }
  };
}

/** A DNS context that asks the test server, with short timeouts to keep the suite fast. */
export function serverContext(server: TestDnsServer, timeoutMs = 300): DnsContext {
  return createDnsContext({
    resolver: wireResolver({
      servers: [{ host: server.host, port: server.port }],
      timeoutMs,
      retries: 0,
    }),
    timeoutMs: timeoutMs * 3,
  });
}
