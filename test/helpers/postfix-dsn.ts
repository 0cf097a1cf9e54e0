import { message } from "../bounce/fixtures.js";

/** The fields of a one-recipient Postfix DSN that mail.example.com sends to news@example.com. */
export interface PostfixDsn {
  readonly subject: string;
  readonly date: string;
  /** Whether the per-message fields include `X-Postfix-Sender: rfc822; news@example.com`. */
  readonly postfixSender: boolean;
  readonly recipient: string;
  readonly action: string;
  readonly status: string;
  /** The host name of the `Remote-MTA` field, or null to leave the field out. */
  readonly remoteMta: string | null;
  /** The value of the `Diagnostic-Code` field, with its type (`smtp; 550 …`). */
  readonly diagnostic: string;
}

/** Builds a multipart/report delivery status notification (RFC 3464) in Postfix's layout. */
export function postfixDsn(dsn: PostfixDsn): string {
  return message(
    "From: MAILER-DAEMON@mail.example.com (Mail Delivery System)",
    "To: news@example.com",
    `Subject: ${dsn.subject}`,
    `Date: ${dsn.date}`,
    "MIME-Version: 1.0",
    'Content-Type: multipart/report; report-type=delivery-status; boundary="B1"',
    "",
    "--B1",
    "Content-Type: text/plain; charset=us-ascii",
    "",
    "This is the mail system at host mail.example.com.",
    "",
    "--B1",
    "Content-Type: message/delivery-status",
    "",
    "Reporting-MTA: dns; mail.example.com",
    ...(dsn.postfixSender ? ["X-Postfix-Sender: rfc822; news@example.com"] : []),
    "",
    `Final-Recipient: rfc822; ${dsn.recipient}`,
    `Action: ${dsn.action}`,
    `Status: ${dsn.status}`,
    ...(dsn.remoteMta === null ? [] : [`Remote-MTA: dns; ${dsn.remoteMta}`]),
    `Diagnostic-Code: ${dsn.diagnostic}`,
    "",
    "--B1--",
  );
}
