/**
 * True for addresses of this host: 127.0.0.0/8 and ::1, also in IPv4-mapped form. Mail
 * handed to them (a content filter, the local MTA) has not left the server.
 */
export function isLoopbackIp(ip: string): boolean {
  return ip.startsWith("127.") || ip === "::1" || ip.startsWith("::ffff:127.");
}
