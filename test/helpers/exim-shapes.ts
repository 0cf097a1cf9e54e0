/**
 * An Exim main log of 16 outbound messages and the same lines in the shapes that syslog,
 * journald and RFC 5424 collectors write. Every shape must give the same diagnosis.
 */

const GMAIL_HOST = "gmail-smtp-in.l.google.com [142.250.102.26]";
const OUTLOOK_HOST = "outlook-com.olc.protection.outlook.com [52.101.68.10]";
const YAHOO_HOST = "mta5.am0.yahoodns.net [67.195.204.72]";

const GMAIL_UNAUTHENTICATED =
  "550-5.7.26 This mail has been blocked because the sender is unauthenticated.\\n" +
  "550-5.7.26 Gmail requires all senders to authenticate with either SPF or DKIM.\\n" +
  "550 5.7.26 x1-20020a.1 - gsmtp";
const GMAIL_RATE_LIMITED =
  "421-4.7.28 [192.0.2.25      15] Our system has detected an unusual rate of\\n" +
  "421-4.7.28 unsolicited mail originating from your IP address.\\n" +
  "421 4.7.28 y2-20020a.2 - gsmtp";

type Outcome = "sent" | "bounced" | "deferred";

interface Message {
  readonly recipient: string;
  readonly host: string;
  readonly outcome: Outcome;
}

/** Outlook.com 3 sent, Yahoo 2 sent, Gmail 2 sent, 4 bounced and 5 deferred. */
const MESSAGES: readonly Message[] = [
  ...recipients("outlook.com", OUTLOOK_HOST, "sent", 3),
  ...recipients("yahoo.com", YAHOO_HOST, "sent", 2),
  ...recipients("gmail.com", GMAIL_HOST, "sent", 2),
  ...recipients("gmail.com", GMAIL_HOST, "bounced", 4),
  ...recipients("gmail.com", GMAIL_HOST, "deferred", 5),
].map((message, index) => ({ ...message, recipient: `user${index}@${message.recipient}` }));

function recipients(domain: string, host: string, outcome: Outcome, count: number): Message[] {
  return Array.from({ length: count }, () => ({ recipient: domain, host, outcome }));
}

/** One main-log line: the time in seconds after 2024-03-04 09:00:00 UTC and the text. */
export interface EximLine {
  readonly seconds: number;
  readonly text: string;
}

// Message ids of the 16-character form that Exim wrote before 4.97, one letter apart.
function messageId(index: number): string {
  return `1rhQ${String.fromCharCode(65 + index)}k-000Ab${String.fromCharCode(97 + index)}-1x`;
}

function deliveryLine(id: string, message: Message): string {
  const route = `${message.recipient} R=dnslookup T=remote_smtp`;
  if (message.outcome === "sent") return `${id} => ${route} H=${message.host} C="250 2.0.0 OK"`;
  const error = `H=${message.host}: SMTP error from remote mail server after end of data`;
  if (message.outcome === "bounced") return `${id} ** ${route} ${error}: ${GMAIL_UNAUTHENTICATED}`;
  return `${id} == ${route} defer (-46) ${error}: ${GMAIL_RATE_LIMITED}`;
}

/** Lines of the main log without their stamps, four minutes apart per message. */
export function eximMainLines(): EximLine[] {
  const lines: EximLine[] = [];
  MESSAGES.forEach((message, index) => {
    const id = messageId(index);
    const start = index * 240;
    const received = `${id} <= news@example.net U=news P=local S=${2000 + index}`;
    lines.push({ seconds: start, text: received });
    lines.push({ seconds: start + 1, text: deliveryLine(id, message) });
    if (message.outcome !== "deferred") lines.push({ seconds: start + 1, text: `${id} Completed` });
  });
  return lines;
}

const BASE_MS = Date.UTC(2024, 2, 4, 9, 0, 0);

function isoStamp(seconds: number): string {
  return new Date(BASE_MS + seconds * 1000).toISOString();
}

/** `2024-03-04 09:04:00`, as Exim writes it in UTC. */
export function eximStamp(seconds: number): string {
  return isoStamp(seconds).slice(0, 19).replace("T", " ");
}

function classicStamp(seconds: number): string {
  const time = isoStamp(seconds).slice(11, 19);
  return `Mar  4 ${time}`;
}

/** Writers of one line in a shape. Each takes the time and the main-log line with its stamp. */
const SHAPES = {
  mainlog: (_seconds: number, line: string) => line,
  "classic syslog": (seconds: number, line: string) =>
    `${classicStamp(seconds)} mx1 exim[3000]: ${line}`,
  "RFC 3339 syslog": (seconds: number, line: string) =>
    `${isoStamp(seconds).replace("Z", "000+00:00")} mx1 exim[3000]: ${line}`,
  "journalctl -o short": (seconds: number, line: string) =>
    `${classicStamp(seconds).replace("  ", " 0")} mx1 exim[3000]: ${line}`,
  "journalctl -o short-iso": (seconds: number, line: string) =>
    `${isoStamp(seconds).slice(0, 19)}+0000 mx1 exim4[3000]: ${line}`,
  "RFC 5424": (seconds: number, line: string) =>
    `<22>1 ${isoStamp(seconds)} mx1 exim 3000 - - ${line}`,
  "journalctl -o json": (seconds: number, line: string) =>
    JSON.stringify({
      __REALTIME_TIMESTAMP: String((BASE_MS + seconds * 1000) * 1000),
      _HOSTNAME: "mx1",
      SYSLOG_IDENTIFIER: "exim",
      SYSLOG_PID: "3000",
      MESSAGE: line,
    }),
} as const;

/** Name of a shape that `eximLogIn` writes. */
export type EximShape = keyof typeof SHAPES;

/** The shapes of `eximLogIn`, the plain main log first. */
export const EXIM_SHAPES = Object.keys(SHAPES) as EximShape[];

/**
 * Writes `lines` in `shape`, one per line with a final newline. Every shape keeps Exim's own
 * stamp at the start of the message, as Exim's default `syslog_timestamp = true` sends it.
 */
export function eximLogIn(shape: EximShape, lines: readonly EximLine[]): string {
  const write = SHAPES[shape];
  const text = lines.map(({ seconds, text }) => write(seconds, `${eximStamp(seconds)} ${text}`));
  return `${text.join("\n")}\n`;
}

/** Two inbound rejects that Exim writes to its main log and, with headers, to its reject log. */
export const EXIM_REJECTS: readonly EximLine[] = [
  {
    seconds: 600,
    text: "H=(spam1.example) [198.51.100.7] F=<a@spam.example> rejected RCPT <nobody@example.net>: Unknown user",
  },
  {
    seconds: 2400,
    text: "1rhZzz-000Abz-1x H=(spam2.example) [198.51.100.20] F=<b@spam.example> rejected after DATA: Your message scored 14.2 spam points",
  },
];

/**
 * Writes the reject log of `EXIM_REJECTS`. The first reject is at RCPT time, so it has no
 * headers. After the DATA reject come 3 envelope lines and 6 header lines, folded ones included.
 */
export function eximRejectLog(): string {
  const [rcpt, data] = EXIM_REJECTS.map(({ seconds, text }) => `${eximStamp(seconds)} ${text}`);
  const headers = [
    "Envelope-from: <b@spam.example>",
    "Envelope-to: <info@example.net>",
    "    <sales@example.net>",
    "P Received: from [198.51.100.20] (helo=spam2.example)",
    "\tby mx1.example.net with esmtp (Exim 4.96)",
    "\tid 1rhZzz-000Abz-1x; Mon, 04 Mar 2024 09:40:00 +0000",
    "  Subject: Offer",
    "F From: <b@spam.example>",
    "T To: info@example.net",
  ];
  return `${[rcpt, data, ...headers].join("\n")}\n`;
}

/** An Exim panic line, which Exim usually writes to its main log and to its panic log. */
export const EXIM_PANIC: EximLine = {
  seconds: 3000,
  text: 'failed to expand "${lookup{$domain}lsearch{/etc/exim4/dkim_domains}}": failed to open /etc/exim4/dkim_domains for linear search: No such file or directory',
};
