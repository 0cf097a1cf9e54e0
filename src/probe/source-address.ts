import { createSocket } from "node:dgram";
import { isIPv6 } from "node:net";
import { isIpAddress } from "../dns/names.js";

/** The address family of a socket that connects from or to an IP. */
export type SocketFamily = "IPv4" | "IPv6";

/**
 * Returns the socket family of `ip`. An IPv4-mapped IPv6 address (`::ffff:192.0.2.1`) is IPv6,
 * because a socket binds or connects to it as one.
 */
export function socketFamilyOf(ip: string): SocketFamily {
  return isIPv6(ip) ? "IPv6" : "IPv4";
}

/**
 * Returns the families of `sourceIp` and of the mail host `mxHost` when the mail host is an
 * address of the other family, else null. It returns null for a host name, because its addresses
 * are known only after the DNS look-up. Both `delist probe` and the monitor run it at start.
 */
export function mxFamilyMismatch(
  sourceIp: string,
  mxHost: string,
): { source: SocketFamily; mx: SocketFamily } | null {
  if (!isIpAddress(sourceIp) || !isIpAddress(mxHost)) return null;
  const source = socketFamilyOf(sourceIp);
  const mx = socketFamilyOf(mxHost);
  return source === mx ? null : { source, mx };
}

/**
 * Returns why no connection from `sourceIp` can reach `address`, the address of the mail host
 * `host` (a name, or the address itself), or null when both are of one family. Connecting
 * from an address of the other family fails with "bind EINVAL", which does not say why.
 */
export function sourceFamilyMismatch(
  sourceIp: string,
  host: string,
  address: string,
): string | null {
  const source = socketFamilyOf(sourceIp);
  const target = socketFamilyOf(address);
  if (source === target) return null;
  const receiver = isIpAddress(host)
    ? `the mail host ${host} is ${target}`
    : `DNS gave ${host} no ${source} address`;
  return (
    `the source address ${sourceIp} is ${source}, but ${receiver}, so no connection can be ` +
    `made from it: probe from an ${target} source address or from the default one`
  );
}

/**
 * Checks that `ip` can be the local address of a connection: binds a UDP socket to it on a
 * port that the system chooses, then closes it, and sends nothing. Linux checks the address of
 * a UDP bind as it checks that of the probe's TCP bind, so an address that `ip_nonlocal_bind`
 * or a local route makes usable passes too. Returns the problem in words, or null when the
 * address can be used.
 */
export function sourceAddressProblem(ip: string): Promise<string | null> {
  return new Promise((resolve) => {
    const socket = createSocket(isIPv6(ip) ? "udp6" : "udp4");
    socket.once("error", (error: NodeJS.ErrnoException) => {
      socket.close();
      resolve(
        error.code === "EADDRNOTAVAIL"
          ? "it is not an address of this host"
          : `this host cannot connect from it (${error.code ?? error.message})`,
      );
    });
    socket.bind({ address: ip, port: 0, exclusive: true }, () => {
      socket.close();
      resolve(null);
    });
  });
}
