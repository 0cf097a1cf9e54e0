import { GMAIL_RATE_LIMIT, HOUR, PostfixLog, T0 } from "./postfix-fixture.js";

/**
 * The client addresses of the burst, none of which the account used before it. They lie in
 * four networks, as a stolen password's addresses do.
 */
const NEW_CLIENT_IPS = ["203.0.113.50", "198.51.100.51", "192.0.2.52", "2001:db8:53::1"];

/**
 * Builds a Postfix log of three hours of five office accounts, then 480 Gmail recipients in
 * three hours, all rate-limited, from four new client addresses in four networks. The burst's
 * messages are submitted as each of `spellings` in turn (one account name, spelled in one or
 * more ways). Unless `dovecot` is false, the log also contains a Dovecot IMAP login of an office
 * account, so the compromised-account finding reports the burst's account with `doveadm kick`.
 */
export function compromisedLog(
  spellings: string | readonly string[],
  { dovecot = true }: { readonly dovecot?: boolean } = {},
): string {
  const names = typeof spellings === "string" ? [spellings] : spellings;
  const log = new PostfixLog();
  if (dovecot) log.dovecotLogin(T0, "user0@example.com", "198.51.100.10");
  for (let hour = 0; hour < 3; hour++) {
    for (let index = 0; index < 5; index++) {
      log.submit({
        time: T0 + hour * HOUR + index * 300_000,
        account: `user${index}@example.com`,
        clientIp: `198.51.100.${10 + index}`,
        recipients: [{ address: `contact${hour}-${index}@example.net` }],
      });
    }
  }
  let message = 0;
  [90, 240, 150].forEach((total, hour) => {
    for (let sent = 0; sent < total; sent += 30) {
      log.submit({
        time: T0 + hour * HOUR + 60_000 + sent * 1000,
        account: names[message % names.length] ?? "",
        clientIp: NEW_CLIENT_IPS[message % NEW_CLIENT_IPS.length] ?? "203.0.113.1",
        recipients: Array.from({ length: 30 }, (_, i) => ({
          address: `target${hour}-${sent + i}@gmail.com`,
          outcome: GMAIL_RATE_LIMIT,
        })),
      });
      message += 1;
    }
  });
  return log.text();
}
