/**
 * Remote SMTP replies in the shapes that Postfix logs them: `host H[IP] said: REPLY (in reply
 * to STAGE command)`. Gmail's multi-line replies arrive flattened: Postfix joins the lines
 * with spaces and every line keeps its `NNN-X.Y.Z` prefix; Gmail puts the judged client IP in
 * brackets (`[203.0.113.10      15]`, the padding varies) and ends with a trace id and
 * `- gsmtp`. The reply wording is the providers' own, because delist has to match it.
 */

const LOWER = "abcdefghijklmnopqrstuvwxyz";
const DIGITS = "0123456789";
const HEX = "0123456789abcdef";
const UPPER_HEX = "0123456789ABCDEF";

const GMAIL_TEXTS = {
  "421 4.7.28": [
    "Gmail has detected an unusual rate of unsolicited mail originating from your IP address.",
    "To protect our users from spam, mail sent from your IP address has been temporarily rate",
    "limited. For more information, go to",
    " https://support.google.com/mail/?p=UnsolicitedRateLimitError to review our Bulk Email",
    "Senders Guidelines.",
  ],
  "550 5.7.1": [
    "Gmail has detected that this message is likely unsolicited mail. To reduce the amount of",
    "spam sent to Gmail, this message has been blocked. For more information, go to",
    " https://support.google.com/mail/?p=UnsolicitedMessageError",
  ],
  "550 5.1.1": [
    "The email account that you tried to reach does not exist. Please try double-checking the",
    "recipient's email address for typos or unnecessary spaces. For more information, go to",
    " https://support.google.com/mail/?p=NoSuchUser",
  ],
  "452 4.2.2": [
    "The recipient's inbox is out of storage space. Please direct the recipient to",
    " https://support.google.com/mail/?p=OverQuotaTemp",
  ],
};

// Each reply is stored as its wire lines joined the way Postfix joins them, without the first
// line's code prefix, so a log line costs a few concatenations.
function flatten(codeKey) {
  const [code, enhanced] = codeKey.split(" ");
  const lines = GMAIL_TEXTS[codeKey];
  const continued = lines.slice(1).map((text, index) => {
    const separator = index === lines.length - 2 ? " " : "-";
    return `${code}${separator}${enhanced} ${text}`;
  });
  return { prefix: `${code}-${enhanced} `, rest: [lines[0], ...continued].join(" ") };
}

const GMAIL_REPLIES = {
  "421 4.7.28": { ...flatten("421 4.7.28"), bracket: true },
  "550 5.7.1": { ...flatten("550 5.7.1"), bracket: true },
  "550 5.1.1": { ...flatten("550 5.1.1"), bracket: false },
  "452 4.2.2": { ...flatten("452 4.2.2"), bracket: false },
};

function gmailTrace(random) {
  return `${random.token(HEX, 13)}-${random.token(HEX, 11)}si${random.token(DIGITS, 9)}${random.token(LOWER, 2)}${random.int(1, 99)}.${random.int(1, 999)}`;
}

/**
 * Returns Gmail's flattened reply for `codeKey` ("421 4.7.28", "550 5.7.1", "550 5.1.1",
 * "452 4.2.2"). `clientIp` is the sending IP that Gmail names in its bracket.
 */
export function gmailReply(random, codeKey, clientIp) {
  const reply = GMAIL_REPLIES[codeKey];
  const trace = gmailTrace(random);
  if (!reply.bracket) return `${reply.prefix}${reply.rest} ${trace} - gsmtp`;
  const padding = " ".repeat(random.int(4, 7));
  return `${reply.prefix}[${clientIp}${padding}${random.int(1, 20)}] ${reply.rest} ${trace} - gsmtp`;
}

/** Gmail's acceptance of a message. */
export function gmailAccepted(random, timeUs) {
  return `250 2.0.0 OK  ${Math.floor(timeUs / 1e6)} ${gmailTrace(random)} - gsmtp`;
}

/** Microsoft's acceptance, with the message id and the internal host that queued it. */
export function outlookAccepted(random, messageId, sizeBytes) {
  const seconds = (random.int(100, 900) / 1000).toFixed(3);
  const rate = (sizeBytes / 1024 / Number(seconds)).toFixed(3);
  return `250 2.6.0 <${messageId}> [InternalId=${random.token(DIGITS, 13)}, Hostname=${outlookHost(random)}] ${sizeBytes + 900} bytes in ${seconds}, ${rate} KB/sec Queued mail for delivery`;
}

/** Microsoft's consumer service answer for a mailbox that does not exist. */
export function outlookUnknownUser(random, timeUs) {
  const stamp = new Date(Math.floor(timeUs / 1000)).toISOString().slice(0, 19);
  return `550 5.5.0 Requested action not taken: mailbox unavailable (S2017062302). [${outlookHost(random)} ${stamp}.000Z ${random.token(UPPER_HEX, 16)}]`;
}

function outlookHost(random) {
  return `${random.pick(["DM6", "SA1", "CH3", "BN8", "PH7"])}PR${random.int(10, 19)}MB${random.int(1000, 9999)}.namprd${String(random.int(1, 20)).padStart(2, "0")}.prod.outlook.com`;
}

/** Yahoo's acceptance. */
export const YAHOO_ACCEPTED = "250 ok dirdel";

/** Yahoo's answer for an address that does not exist; Postfix logs it with dsn=5.0.0. */
export function yahooUnknownUser(random, address, domain) {
  return `554 delivery error: dd This user doesn't have a ${domain} account (${address}) [0] - mta${random.int(1000, 9999)}.mail.gq1.yahoo.com`;
}

/** A Postfix or similar MTA accepting a message for its own queue. */
export function queuedAs(random) {
  return `250 2.0.0 Ok: queued as ${random.token(UPPER_HEX, 10)}`;
}

/** A Postfix MX refusing an unknown mailbox at RCPT TO. */
export function unknownMailbox(address) {
  return `550 5.1.1 <${address}>: Recipient address rejected: User unknown in virtual mailbox table`;
}

/** A greylisting MX deferring a first attempt. */
export function greylisted(address) {
  return `450 4.2.0 <${address}>: Recipient address rejected: Greylisted, please try again later`;
}
