import { HOUR, PostfixLog, SENT, T0, type Outcome } from "./postfix-fixture.js";

/**
 * Builds a Postfix log of a day of mail delivered to `domain`, one message an hour, then
 * twelve messages to it over six hours that all get `outcome`. When `extra` is given, each of
 * them also goes to Gmail and gets `extra`.
 */
export function blockedLog(domain: string, outcome: Outcome, extra?: Outcome): string {
  const log = new PostfixLog();
  for (let index = 0; index < 24; index++) {
    log.submit({
      time: T0 + index * HOUR,
      account: "alice@example.com",
      clientIp: "198.51.100.10",
      recipients: [{ address: `friend${index}@${domain}`, outcome: SENT }],
    });
  }
  for (let index = 0; index < 12; index++) {
    log.submit({
      time: T0 + 24 * HOUR + index * 30 * 60_000,
      account: "alice@example.com",
      clientIp: "198.51.100.10",
      recipients: [
        { address: `reader${index}@${domain}`, outcome },
        ...(extra === undefined ? [] : [{ address: `other${index}@gmail.com`, outcome: extra }]),
      ],
    });
  }
  return log.text();
}

/** Gmail's block for the sending domain's reputation, which names no cause. */
export const GMAIL_DOMAIN_REPUTATION: Outcome = {
  status: "bounced",
  dsn: "5.7.1",
  reply:
    "550-5.7.1 [203.0.113.10] Our system has detected that this message is likely 550-5.7.1 suspicious due to the very low reputation of the sending domain. 550 5.7.1 g7si8 - gsmtp",
};
