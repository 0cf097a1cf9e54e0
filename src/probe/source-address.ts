import { createSocket } from "node:dgram";
import { isIPv6 } from "node:net";

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
