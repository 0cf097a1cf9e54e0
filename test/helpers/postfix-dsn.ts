import { message } from "../bounce/fixtures.js";

/** The fields of a one-recipient Postfix DSN that mail.example.com sends to news@example.com. */
export interface PostfixDsn {
  readonly subject: string;
  readonly date: string;
  /** Whether the per-message fields include `X-Postfix-Sender: rfc822; news@example.com`. */
  readonly postfixSender: boolean;
  readonly recipient: string;
  readonly action: "failed" | "delivered";
  readonly status: string;
  /** The host name of the `Remote-MTA` field. */
  readonly remoteMta: string;
  /** The SMTP reply of the `Diagnostic-Code` field. */
  readonly reply: string;
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
    `Remote-MTA: dns; ${dsn.remoteMta}`,
    `Diagnostic-Code: smtp; ${dsn.reply}`,
    "",
    "--B1--",
  );
}
