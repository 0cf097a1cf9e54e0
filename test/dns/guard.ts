import dgram from "node:dgram";
import dns from "node:dns";
import net from "node:net";
import tls from "node:tls";
import { afterAll, beforeAll, vi } from "vitest";

const LOOPBACK = new Set(["127.0.0.1", "::1", "localhost"]);

/**
 * Makes any DNS query or socket aimed beyond the loopback address fail the test: Node's
 * `dns` resolvers throw, and so do UDP sends and TCP or TLS connections elsewhere. A TLS
 * connection with its own `lookup` passes, because tests use that to reach 127.0.0.1 under a
 * name. Call it at the top of a test file.
 */
export function forbidRealNetwork(): void {
  const spies: { mockRestore(): void }[] = [];
  beforeAll(() => {
    const refuse = (what: string) => () => {
      throw new Error(`test tried a real DNS query through node:dns (${what})`);
    };
    const lookup = dns.lookup;
    spies.push(
      vi.spyOn(dns, "lookup").mockImplementation(((hostname: string, ...rest: unknown[]) => {
        if (!LOOPBACK.has(hostname) && net.isIP(hostname) === 0) refuse(`lookup ${hostname}`)();
        return (lookup as (...a: unknown[]) => void)(hostname, ...rest);
      }) as typeof dns.lookup),
    );
    for (const method of ["resolve", "resolveTxt", "resolveMx", "reverse"] as const) {
      spies.push(vi.spyOn(dns, method).mockImplementation(refuse(method)));
      spies.push(vi.spyOn(dns.promises, method).mockImplementation(refuse(method)));
    }
    const send = dgram.Socket.prototype.send;
    spies.push(
      vi.spyOn(dgram.Socket.prototype, "send").mockImplementation(function (
        this: dgram.Socket,
        ...args: unknown[]
      ) {
        const host = args.find((arg) => typeof arg === "string" && net.isIP(arg) !== 0);
        if (typeof host === "string" && !LOOPBACK.has(host)) {
          throw new Error(`test tried to send UDP to ${host}`);
        }
        return (send as (...a: unknown[]) => void).apply(this, args);
      }),
    );
    const connectUdp = dgram.Socket.prototype.connect;
    spies.push(
      vi.spyOn(dgram.Socket.prototype, "connect").mockImplementation(function (
        this: dgram.Socket,
        ...args: unknown[]
      ) {
        const host = args[1];
        if (typeof host === "string" && !LOOPBACK.has(host)) {
          throw new Error(`test tried to send UDP to ${host}`);
        }
        return (connectUdp as (...a: unknown[]) => void).apply(this, args);
      }),
    );
    const connectTls = tls.connect;
    spies.push(
      vi.spyOn(tls, "connect").mockImplementation(((options: tls.ConnectionOptions) => {
        const host = options.host;
        if (host !== undefined && !LOOPBACK.has(host) && options.lookup === undefined) {
          throw new Error(`test tried a TLS connection to ${host}`);
        }
        return connectTls(options);
      }) as typeof tls.connect),
    );
    const connect = net.connect;
    spies.push(
      vi.spyOn(net, "connect").mockImplementation(((
        options: net.NetConnectOpts,
        listener?: () => void,
      ) => {
        const host = (options as net.TcpNetConnectOpts).host;
        if (host !== undefined && !LOOPBACK.has(host)) {
          throw new Error(`test tried to connect to ${host}`);
        }
        // The connect listener is passed on: clients such as nodemailer wait for it.
        return listener === undefined ? connect(options) : connect(options, listener);
      }) as typeof net.connect),
    );
  });
  afterAll(() => {
    for (const spy of spies) spy.mockRestore();
  });
}
