import { HOUR, PostfixLog, SENT, T0, type Outcome } from "../helpers/postfix-fixture.js";

const DAY = 24 * HOUR;

/** Outlook.com's reply for an IP whose network range is on Microsoft's own block list. */
export const OUTLOOK_RANGE_LISTED: Outcome = {
  status: "bounced",
  dsn: "5.7.1",
  reply:
    "550 5.7.1 Unfortunately, messages from [203.0.113.10] weren't sent. Please contact your Internet service provider since part of their network is on our block list (S3150). You can also refer your provider to http://mail.live.com/mail/troubleshooting.aspx#errors. [AB1CDE2.eop.example 2024-03-07T03:00:00.000Z]",
};

/** The first message of the script: Thursday 2024-03-07 14:00 UTC, day 3 of the log. */
export const SCRIPT_START = T0 + 3 * DAY + 14 * HOUR;

/** The script sends one message every two minutes for this long. */
const SCRIPT_HOURS = 44;

/** Settings of `scriptWeekLog`. */
export interface ScriptWeekOptions {
  /**
   * Hours from the script's first message to Outlook.com's first S3150 reply; negative when
   * the listing began before the script. Default 13.
   */
  readonly listingAfterHours?: number;
  /** Whether cleanup logs the script's X-PHP-Originating-Script header. Default true. */
  readonly scriptHeader?: boolean;
}

/**
 * Builds a week of a small hosting server's Postfix log. An account sends ten messages an hour
 * in office hours (8:00 to 18:00) every day, eight to example.net, one to Gmail and one to
 * Outlook.com, and one more at 0:30 and at 23:30, so that the log covers whole days. From
 * `SCRIPT_START`, the PHP script mailer.php of user shopnet (uid 10012) sends 30 messages an
 * hour for 44 hours, to Outlook.com, Gmail and example.net in turn, which makes the daily
 * recipients 102, 102, 102, 402, 822, 402, 102.
 * Outlook.com rejects every message with S3150 from `listingAfterHours` after the script's
 * start.
 *
 * The script's busiest hours send 40 recipients against 10 before, four times the usual
 * hourly level, so only the daily volume shows a burst.
 */
export function scriptWeekLog(options: ScriptWeekOptions = {}): string {
  const { listingAfterHours = 13, scriptHeader = true } = options;
  const listedFrom = SCRIPT_START + listingAfterHours * HOUR;
  const outlook = (time: number): Outcome => (time >= listedFrom ? OUTLOOK_RANGE_LISTED : SENT);
  const log = new PostfixLog("web1");

  for (let day = 0; day < 7; day++) {
    for (let hour = 8; hour < 18; hour++) {
      for (let index = 0; index < 10; index++) {
        const time = T0 + day * DAY + hour * HOUR + index * 5 * 60_000;
        const address =
          index === 0
            ? `friend${day}x${hour}@gmail.com`
            : index === 1
              ? `partner${day}x${hour}@outlook.com`
              : `client${day}x${hour}x${index}@example.net`;
        log.submit({
          time,
          account: "alice@example.com",
          clientIp: "198.51.100.10",
          recipients: [{ address, outcome: index === 1 ? outlook(time) : SENT }],
        });
      }
    }
    for (const hour of [0, 23]) {
      log.submit({
        time: T0 + day * DAY + hour * HOUR + 30 * 60_000,
        account: "alice@example.com",
        clientIp: "198.51.100.10",
        recipients: [{ address: `night${day}x${hour}@example.net` }],
      });
    }
  }

  for (let index = 0; index < SCRIPT_HOURS * 30; index++) {
    const time = SCRIPT_START + index * 2 * 60_000 + 30_000;
    const kind = index % 3;
    const address =
      kind === 0
        ? `buyer${index}@outlook.com`
        : kind === 1
          ? `buyer${index}@gmail.com`
          : `buyer${index}@example.net`;
    log.pickup({
      time,
      uid: 10012,
      user: "shopnet",
      ...(scriptHeader ? { script: "mailer.php" } : {}),
      recipients: [{ address, outcome: kind === 0 ? outlook(time) : SENT }],
    });
  }
  return log.text();
}
