import dns from "node:dns";
import net from "node:net";
import { dnsFailure, type Resolver } from "./types.js";
import { wireResolver, type ServerAddress } from "./wire.js";

/** Settings shared by the system resolver and `--resolver`. */
export interface NetworkResolverOptions {
  /** Time to wait for one answer, in milliseconds. Default 2000. */
  readonly timeoutMs?: number;
  /** Further attempts after a timeout. Default 1. */
  readonly retries?: number;
}

/**
 * The servers this machine is configured with (`/etc/resolv.conf` on Unix, as Node's `dns`
 * reads it), asked through delist's own DNS client.
 */
export function systemResolver(options: NetworkResolverOptions = {}): Resolver {
  const servers = dns.getServers().map(parseServer);
  if (servers.length === 0) return unavailableResolver("no DNS server is configured");
  return wireResolver({
    ...options,
    servers,
    description: `system (${dns.getServers().join(", ")})`,
  });
}

/** A resolver for `--resolver HOST[:PORT]`. Throws a TypeError on an invalid address. */
export function serverResolver(address: string, options: NetworkResolverOptions = {}): Resolver {
  const server = parseServer(address);
  return wireResolver({ ...options, servers: [server], description: `server ${address}` });
}

/** Builds a resolver for machines without DNS servers, which fails every query as unreachable. */
export function unavailableResolver(reason: string): Resolver {
  return {
    description: `none (${reason})`,
    resolve: (name, type) => Promise.resolve(dnsFailure(name, type, "unreachable", reason)),
  };
}

/** Builds the resolver for `--offline`, which sends nothing and fails every query as `offline`. */
export function offlineResolver(): Resolver {
  const reason = "--offline: no DNS queries sent";
  return {
    description: `none (${reason})`,
    resolve: (name, type) => Promise.resolve(dnsFailure(name, type, "offline", reason)),
  };
}

/**
 * Parses `HOST`, `HOST:PORT`, `[IPv6]:PORT` or a bare IPv6 address; the port defaults to 53.
 * Throws a TypeError naming the value when the host is not an IP address.
 */
export function parseServer(address: string): ServerAddress {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(address);
  const hostPort = /^([^:]+):(\d+)$/.exec(address);
  const host = bracketed?.[1] ?? hostPort?.[1] ?? address;
  const port = Number(bracketed?.[2] ?? hostPort?.[2] ?? 53);
  if (net.isIP(host) === 0 || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new TypeError(
      `invalid DNS server "${address}": give an IP address with an optional port, such as 127.0.0.1:5353 or [::1]:53`,
    );
  }
  return { host, port };
}
