import type { ReplyRule } from "../rule.js";
import { CONNECTION_RULES } from "./connection.js";

/**
 * Fallbacks for replies that no provider rule explains: first wording that means the same at
 * any receiver (a named public blocklist, "User unknown", STARTTLS required), then the enhanced
 * status code by class, subject and detail (RFC 3463 and the IANA registry), then the reply
 * code alone (RFC 5321).
 */

const RFC3463 = "https://www.rfc-editor.org/rfc/rfc3463";
const IANA_CODES = "https://www.iana.org/assignments/smtp-enhanced-status-codes";
const RFC5321 = "https://www.rfc-editor.org/rfc/rfc5321";

const RETRY_FIX = "Nothing to change if it is rare; the queue retries.";
const REMOVE_FIX = "Remove the address from your lists.";
const FIND_SOURCE_FIX =
  "Find what sent unwanted mail from this IP (a compromised account, a web script, forwarded spam or a bought list) and stop it.";
const BLOCKLISTS_FIX = "Check the IP on the public blocklists (delist blocklists <ip>).";

/**
 * Lowering the recipients per delivery to that destination fixes a per-transaction limit.
 * Postfix: `smtp_destination_recipient_limit` (default 50) applies to every destination, so a
 * transport of its own keeps the lower limit off other mail. Exim: `max_rcpt` of the smtp
 * transport. Sendmail: `SMTP_MAILER_MAXRCPTS` in the .mc file sets the `m=` field of the smtp
 * mailers.
 */
const RECIPIENT_LIMIT_FIX = [
  "Send fewer recipients per message to this destination. Sending more slowly does not help, because each message still has as many recipients.",
  "Postfix: give the destination a transport of its own (in transport_maps, example.net slowrcpt:, and a slowrcpt line in master.cf copied from smtp), then set slowrcpt_destination_recipient_limit below the receiver's limit in main.cf. Lowering smtp_destination_recipient_limit instead applies to every destination.",
  "Exim: set max_rcpt on the smtp transport that serves this destination. Sendmail: define SMTP_MAILER_MAXRCPTS in the .mc file, then rebuild sendmail.cf.",
];

const byWording: readonly ReplyRule[] = [
  {
    id: "generic.starttls-required",
    provider: null,
    category: "tls",
    text: /Must issue a STARTTLS command first|(?:STARTTLS|TLS|encryption) (?:is )?required/i,
    summary: "The receiving server requires TLS, and this connection did not use it.",
    fix: [
      "Turn on STARTTLS for outbound mail (Postfix: smtp_tls_security_level = may; Exim: hosts_try_tls = * on the smtp transport; Sendmail: no Try_TLS: entry with NO in the access db) and check that the handshake succeeds.",
    ],
    reference: "https://www.rfc-editor.org/rfc/rfc3207",
    findings: ["tls-required"],
  },
  // Spamhaus returns an error code in 127.255.255.0/24 to a query from a public or open
  // resolver, or from one over its query limit. The codes are .252 for a typing error in the
  // zone name, .254 for a public or open resolver and .255 for excessive queries. A receiver
  // that takes any answer for a listing then rejects every sender, and Postfix writes the error
  // beside the list name. The IP is not listed, so no delisting can help, and only the
  // receiver can fix its setup.
  {
    id: "generic.dnsbl-query-refused",
    provider: null,
    category: "recipient-policy",
    text: /\bError: (?:open|public) resolver|\bError: (?:excessive|too many) (?:number of )?queries|\bError: typing error|spamhaus\.org\/returnc\/|\b127\.255\.255\.25[2-5]\b/i,
    summary:
      "The blocklist refused the receiver's own DNS query, because it came through a public or open resolver or exceeded the list's query limit, and the receiver took that error for a listing. The sending IP is not listed.",
    fix: [
      "The receiver's DNSBL setup is broken; tell their postmaster, because only they can fix it (query the list through their own resolver, or treat its error codes as no listing).",
      "Do not request delisting: the list does not name the sending IP.",
    ],
    reference: null,
    findings: [],
  },
  {
    id: "generic.local-blocklist",
    provider: null,
    category: "reputation",
    text: /\b(?:our|local|own|internal) (?:local |own )?(?:block ?list|black ?list|DNSBL|RBL)\b/i,
    summary:
      "The receiver refuses the IP because the receiver's own block list names it, not a public list.",
    fix: [
      "Ask that receiver's postmaster why their list names the IP and to remove it; no public list holds the listing.",
    ],
    reference: null,
    findings: ["ip-blocklisted"],
  },
  {
    id: "generic.named-blocklist",
    provider: null,
    category: "blocklist",
    text: /spamhaus|spamcop|barracuda|proofpoint|sorbs\.net|cloudmark|uceprotect|blocked using|listed (?:at|in|on|by) (?:the )?[\w.-]+\.(?:org|net|com)\b/i,
    summary: "The receiver refuses the IP because a public blocklist names it.",
    fix: [
      "Look the IP up at the list named in the reply, fix the cause it gives, and request delisting there.",
    ],
    reference: null,
    findings: ["ip-blocklisted"],
  },
  {
    id: "generic.unnamed-blocklist",
    provider: null,
    category: "reputation",
    text: /\bIP(?: address)? (?:\S+ )?(?:is )?(?:black|block) ?listed\b/i,
    summary:
      "The receiver refuses the IP because a block list names it, and the reply does not say which list.",
    fix: [
      "Check the IP on the public blocklists (delist blocklists <ip>); if none lists it, ask the receiver's postmaster which list they use.",
    ],
    reference: null,
    findings: ["ip-blocklisted"],
  },
  {
    id: "generic.greylisted",
    provider: null,
    category: "transient",
    text: /gr[ae]y ?list/i,
    summary:
      "The receiver greylists: it defers the first attempt from an unknown sender and accepts a later retry.",
    fix: ["Nothing to change; the queue retries."],
    reference: null,
    findings: [],
  },
  {
    id: "generic.user-unknown",
    provider: null,
    category: "recipient",
    text: /\b(?:user|mailbox|recipient|account|address)\b[^.;]{0,30}\b(?:unknown|does not exist|doesn't exist|not exist)|\bno such (?:user|mailbox|recipient|account)|\bunknown (?:user|recipient|mailbox)/i,
    summary: "The recipient address does not exist at the receiving server.",
    fix: [REMOVE_FIX, "Many such replies point to an old or bought list."],
    reference: null,
    findings: ["unknown-recipients"],
  },
  // A relay host or mail service that limits how much one account may send. Before
  // mailbox-full, whose "quota exceeded" would claim it for the recipient.
  {
    id: "generic.sending-quota",
    provider: null,
    category: "sender-account",
    text: /\bsending (?:quota|limit)\b|quota (?:exceeded|reached) for (?:this|your) account/i,
    summary:
      "The server limits how much this sending account may send, and the account reached the limit.",
    fix: [
      "Find which account or script sent so much, and stop it if the mail was not wanted.",
      "Ask the relay host's operator to raise the limit, or spread the mail over more time.",
    ],
    reference: null,
    findings: [],
  },
  // Exim's own reason when its smtp transport must log in (`hosts_require_auth`) and cannot.
  {
    id: "generic.client-login-failed",
    provider: null,
    category: "sender-account",
    text: /authentication required but authentication attempt\(s\) failed/i,
    summary: "This server could not log in to the relay host with SMTP AUTH, so it keeps the mail.",
    fix: [
      "Check the user name and password that this server uses for the relay host (Postfix: smtp_sasl_password_maps; Exim: /etc/exim4/passwd.client; Sendmail: AuthInfo entries in /etc/mail/authinfo), and that they still work there.",
    ],
    reference: null,
    findings: [],
  },
  {
    id: "generic.mailbox-full",
    provider: null,
    category: "recipient",
    text: /mailbox (?:is )?full|over ?quota|quota exceeded|insufficient (?:system )?storage/i,
    summary: "The recipient's mailbox is full.",
    fix: ["Nothing to change on the sending side."],
    reference: null,
    findings: [],
  },
  {
    id: "generic.mailbox-unavailable",
    provider: null,
    category: "recipient",
    codes: [550],
    text: /mailbox unavailable/i,
    summary:
      "The recipient mailbox is unavailable; at most receivers this means it does not exist.",
    fix: [REMOVE_FIX],
    reference: RFC5321,
    findings: ["unknown-recipients"],
  },
  // Exim's wording when its router finds no route for the address, which at a receiver means
  // that the recipient's domain or address is unknown there.
  {
    id: "generic.unrouteable-address",
    provider: null,
    category: "recipient",
    text: /\bUnroutea?ble address\b/i,
    summary:
      "The receiver cannot route the recipient address: the address or its domain is unknown there.",
    fix: ["Check the address for typos; remove it from your lists if it stays refused."],
    reference: null,
    findings: ["unknown-recipients"],
  },
  // Postfix's reject_unknown_helo_hostname: the HELO name has no A, AAAA or MX record.
  {
    id: "generic.helo-host-not-found",
    provider: null,
    category: "reverse-dns",
    text: /\bHelo command rejected: Host not found\b/i,
    summary: "The receiver refuses the HELO name because it has no A, AAAA or MX record in DNS.",
    fix: [
      "Set the HELO name (Postfix smtp_helo_name, Exim helo_data) to a fully qualified name that resolves, best the PTR name of the sending IP.",
    ],
    reference: null,
    findings: ["reverse-dns"],
  },
  // Postfix's reject_non_fqdn_helo_hostname: the HELO name is a bare word such as localhost.
  {
    id: "generic.helo-not-fqdn",
    provider: null,
    category: "reverse-dns",
    text: /\bHelo command rejected: need fully[- ]qualified hostname\b/i,
    summary: "The receiver refuses the HELO name because it is not a fully qualified domain name.",
    fix: [
      "Set the HELO name (Postfix smtp_helo_name, Exim helo_data) to a fully qualified name that resolves, best the PTR name of the sending IP.",
    ],
    reference: null,
    findings: ["reverse-dns"],
  },
  // Postfix's check_client_access with REJECT gives "Client host rejected: Access denied", and
  // Exim's ACLs give "Administrative prohibition". Both come from a table the receiver keeps.
  {
    id: "generic.receiver-access-list",
    provider: null,
    category: "recipient-policy",
    text: /\bClient host rejected: Access denied\b|\bAdministrative prohibition\b/i,
    summary:
      "The receiver's own access list rejects this client. The reply names no public blocklist.",
    fix: [
      "Ask that receiver's postmaster why their access list refuses the sending IP or domain, and to allow it.",
    ],
    reference: null,
    findings: [],
  },
  // Exchange Online's submission server rejects a From address that the logged-in account may
  // not use, so the recipient plays no part.
  {
    id: "generic.send-as-denied",
    provider: null,
    category: "sender-account",
    text: /\bSendAsDenied\b|\bnot allowed to send as\b/i,
    summary: "The sending account lacks the send-as right for the From address.",
    fix: [
      "Send from the account's own address, or have the mailbox administrator grant this account the send-as right for the From address.",
    ],
    reference: null,
    findings: [],
  },
  // A receiver's own policy message can name both conditions in one reply, such as
  // "Connections not accepted from servers without a valid sender domain … Fix reverse DNS for
  // 192.0.2.1". The sender domain comes first, because the reply names it first and a PTR
  // record does not fix it.
  {
    id: "generic.sender-domain-and-ptr",
    provider: null,
    category: "authentication",
    text: /^(?=.*\b(?:valid|invalid|unknown|unresolvable|unroutea?ble) sender domain\b)(?=.*(?:\bPTR\b|reverse DNS|\brDNS\b))/i,
    summary:
      "The receiver requires an envelope sender (MAIL FROM) domain that resolves in DNS and a PTR record for the sending IP, and the reply names both.",
    fix: [
      "Send with an envelope sender (MAIL FROM) whose domain has an MX or A record, or publish one for the domain.",
      "Set a PTR record for the sending IP at the IP owner, naming a host that resolves back to it.",
    ],
    reference: null,
    findings: ["authentication", "reverse-dns"],
  },
  {
    id: "generic.ptr",
    provider: null,
    category: "reverse-dns",
    text: /\bPTR\b|reverse DNS|\brDNS\b|reverse (?:lookup|hostname)|cannot find your hostname/i,
    summary:
      "The receiver refuses the IP because its reverse DNS (PTR) is missing or does not match.",
    fix: [
      "Set a PTR record for the sending IP at the IP owner, naming a host that resolves back to it.",
    ],
    reference: null,
    findings: ["reverse-dns"],
  },
  {
    id: "generic.dmarc",
    provider: null,
    category: "authentication",
    text: /\bDMARC\b/,
    summary: "The message failed the From domain's DMARC policy.",
    fix: ["Make SPF or DKIM pass aligned with the From domain."],
    reference: "https://www.rfc-editor.org/rfc/rfc7489",
    findings: ["authentication"],
  },
  // Before the SPF and DKIM wording: "Unauthenticated relaying not allowed" is about SMTP AUTH.
  {
    id: "generic.relay-denied",
    provider: null,
    category: "sender-account",
    text: /relay(?:ing)? (?:access )?denied|not permitted to relay|unable to relay|relay(?:ing)? not (?:permitted|allowed)/i,
    summary:
      "The server refused to relay: it is not the recipient's server, or it wants SMTP AUTH first.",
    fix: [
      "When the server is your smarthost, log in to it with SMTP AUTH and valid credentials; otherwise deliver to the recipient's MX. SPF and DKIM do not change this reply.",
    ],
    reference: null,
    findings: [],
  },
  {
    id: "generic.spf-dkim",
    provider: null,
    category: "authentication",
    text: /\b(?:SPF|DKIM|Sender Policy Framework)\b[^.]{0,60}\b(?:fail|not pass|did not pass|invalid|violation)|unauthenticated|\bdoes not designate \S+ as permitted sender/i,
    summary: "The message failed an SPF or DKIM check.",
    fix: ["Make SPF pass for the envelope domain from this IP and sign with DKIM."],
    reference: null,
    findings: ["authentication"],
  },
  // Filters that name no provider write their verdict in prose ("classified as spam") or as a
  // key=value field ("| reason=spam | score=9.1 |", "reason=spam_score"). The value is `spam`
  // or `spam_WORD`, so that "reason=spamtrap", "reason=spam-trap" or "reason=spam_trap" is not
  // read as a verdict on the content.
  {
    id: "generic.spam-verdict",
    provider: null,
    category: "content",
    text: /(?:rejected|identified|classified|categori[sz]ed|recogni[sz]ed|considered|detected|flagged|judged|treated) as spam|(?:appears|seems) to be spam|\bspam detected\b|looks like spam|suspected spam|spam score|message (?:is|was) spam|spam message rejected|rejected due to spam|\bspam content\b|scored [\d.]+ spam points|\breason ?[=:] ?["']?spam(?:_(?!traps?(?![a-z]))[a-z]+)*(?![\w-])/i,
    summary: "The receiver's filter judged this message to be spam.",
    fix: ["Review the content and links; check that SPF, DKIM and DMARC pass."],
    reference: null,
    findings: ["spam-content"],
  },
  {
    id: "generic.virus",
    provider: null,
    category: "content",
    text: /\b(?:contains?|infected with) (?:a |an )?(?:virus|malware)|\b(?:virus|malware) (?:found|detected)\b/i,
    summary: "The receiver's scanner found a virus or other malware in this message.",
    fix: [
      "Scan the attachment and the machine that sent it; when nobody meant to send it, look for a compromised account or script.",
    ],
    reference: null,
    findings: [],
  },
  // Before the plain rate limit, whose category `rate-limit` is for limits unrelated to
  // reputation. Swisscom writes "554 5.2.0 sc123: IP reputation ratelimit in effect", whose
  // 5.2.0 alone would read as a mailbox problem.
  {
    id: "generic.reputation-rate-limit",
    provider: null,
    category: "reputation",
    text: /\breputation\b[^.;]{0,40}\b(?:rate ?limit|throttl|limit(?:ed|s)?\b)|\b(?:rate ?limit(?:ed|ing)?|throttl\w*)\b[^.;]{0,60}\breputation\b/i,
    summary:
      "The receiver limits how much mail it takes from this IP because of the IP's reputation.",
    fix: [
      FIND_SOURCE_FIX,
      "Send more slowly to this receiver. The queue retries a 4xx reply, but a 5xx reply bounced the message, so send it again later at the lower rate.",
      BLOCKLISTS_FIX,
    ],
    reference: null,
    findings: ["rate-limited"],
  },
  {
    id: "generic.reputation",
    provider: null,
    category: "reputation",
    text: /\b(?:IP|sender|sending|domain|network)(?: address)?(?:'s)? reputation\b|\b(?:poor|low|bad|negative) reputation\b|\breputation (?:is )?too low\b/i,
    summary:
      "The receiver refuses or limits mail from this IP or domain because of its reputation, and the reply names no list.",
    fix: [
      FIND_SOURCE_FIX,
      BLOCKLISTS_FIX,
      "If the reputation stays bad after the cause is fixed, ask the receiver's postmaster what it is based on.",
    ],
    reference: null,
    // The reply names no cause, so findings of abuse or volume in the log explain it through
    // the `reputation` category.
    findings: [],
  },
  // A limit on recipients per transaction is no rate limit: sending more slowly sends the same
  // number of RCPT commands per message, so the receiver defers the recipients over its limit
  // again. The category `rate-limit` covers per-recipient and per-connection limits that are
  // unrelated to reputation, and no finding applies, so these replies are no block signal.
  {
    id: "generic.recipient-limit",
    provider: null,
    category: "rate-limit",
    text: /too many recipients|recipient limit (?:exceeded|reached)|maximum (?:number of )?recipients (?:exceeded|reached)/i,
    summary:
      "The receiver accepts only a limited number of recipients in one message (transaction), and this message had more.",
    fix: RECIPIENT_LIMIT_FIX,
    reference: RFC5321,
    findings: [],
  },
  {
    id: "generic.rate-limit",
    provider: null,
    category: "rate-limit",
    text: /too many (?:connections|messages|recipients|sessions|concurrent)|rate limit|rate overlimit|throttl|receiving (?:e?mail )?(?:too quickly|at a rate)/i,
    summary: "The receiver limits how fast or how much this client may send.",
    fix: ["Send more slowly to this receiver and let the queue retry."],
    reference: null,
    findings: [],
  },
  // RFC 5321 (section 4.2.3) lists 421 as "Service not available, closing transmission
  // channel". A server sends it in place of its 220 greeting mostly when it is overloaded or
  // being maintained. The rule stands before the rules by code, so that such a greeting with
  // 4.7.0 (undefined security status) does not read as a policy refusal. Its text must name
  // no policy or reputation reason, and the wording rules above take the reasons they know.
  {
    id: "generic.connect-deferred",
    provider: null,
    category: "transient",
    codes: [421],
    enhanced: ["4.0.0", "4.3.x", "4.4.x", "4.7.0"],
    stages: ["connect"],
    text: /^(?![\s\S]*\b(?:polic(?:y|ies)|reputation|spam|abuse|block(?:ed|ing)?|black ?list(?:ed)?|ban(?:ned)?|denied|prohibit(?:ed)?|refused?|reject(?:ed)?|not (?:allowed|authori[sz]ed|permitted|welcome))\b)/i,
    summary:
      "The receiver deferred the connection at its greeting and named no reason. A 421 greeting usually means the server is overloaded or in maintenance, so it is no judgement of the sender.",
    fix: [
      "Nothing to change if it passes: the queue retries, and the receiver takes the mail once it accepts connections again.",
      "If every connection is deferred for hours, check the receiver's status page or ask its postmaster, and check the sending IP on the public blocklists (delist blocklists <ip>).",
    ],
    reference: RFC5321,
    findings: [],
  },
];

/** Rules for one enhanced code pattern; `x` matches any value of that part. */
function byCode(
  id: string,
  enhanced: readonly string[],
  category: ReplyRule["category"],
  summary: string,
  fix: readonly string[],
  findings: ReplyRule["findings"] = [],
): ReplyRule {
  return { id, provider: null, category, enhanced, summary, fix, reference: IANA_CODES, findings };
}

// Specific details first, then subjects, then classes: the first match wins.
const byEnhancedCode: readonly ReplyRule[] = [
  byCode(
    "generic.bad-mailbox",
    ["5.1.1"],
    "recipient",
    "The recipient mailbox does not exist.",
    [REMOVE_FIX],
    ["unknown-recipients"],
  ),
  byCode(
    "generic.bad-mailbox-temporary",
    ["4.1.1"],
    "recipient",
    "The receiver could not accept the recipient address for now.",
    [RETRY_FIX],
  ),
  byCode(
    "generic.bad-destination-system",
    ["x.1.2"],
    "recipient",
    "The recipient domain does not exist or accepts no mail.",
    ["Check the address for typos."],
  ),
  byCode(
    "generic.mailbox-moved",
    ["x.1.6"],
    "recipient",
    "The recipient has moved and left no forwarding address.",
    [REMOVE_FIX],
    ["unknown-recipients"],
  ),
  byCode(
    "generic.bad-sender-address",
    ["x.1.7"],
    "message-format",
    "The sender (MAIL FROM) address is not valid.",
    ["Check the envelope sender your mailer sets."],
  ),
  byCode(
    "generic.bad-sender-domain",
    ["x.1.8"],
    "authentication",
    "The sender's domain does not resolve.",
    ["Make the envelope sender domain resolve in DNS (MX or A record)."],
  ),
  byCode(
    "generic.addressing",
    ["x.1.x"],
    "recipient",
    "The receiver refused an address of the message.",
    ["Check the recipient and sender addresses."],
  ),
  byCode(
    "generic.mailbox-disabled",
    ["5.2.1"],
    "recipient",
    "The recipient mailbox is disabled.",
    [REMOVE_FIX],
    ["unknown-recipients"],
  ),
  byCode("generic.mailbox-full-code", ["x.2.2"], "recipient", "The recipient's mailbox is full.", [
    "Nothing to change on the sending side.",
  ]),
  byCode(
    "generic.message-too-long",
    ["x.2.3", "x.3.4"],
    "message-format",
    "The message is larger than the receiver accepts.",
    ["Send large files as links."],
  ),
  byCode(
    "generic.mailbox",
    ["x.2.x"],
    "recipient",
    "The recipient's mailbox cannot take the message.",
    ["Check the address; retry later for a temporary reply."],
  ),
  byCode(
    "generic.mail-system",
    ["4.3.x"],
    "transient",
    "The receiving mail system has a problem.",
    [RETRY_FIX],
  ),
  // A permanent mail-system status is not transient: the receiver will not take the message in
  // its present state, and the reply alone does not say why.
  byCode(
    "generic.mail-system-permanent",
    ["5.3.x"],
    "unknown",
    "The receiving mail system refused the message for good because of its own state: it accepts no mail, is misconfigured, or lacks a feature the message needs.",
    ["Read the reply text; if it names nothing you can change, ask the recipient's postmaster."],
  ),
  byCode(
    "generic.no-route",
    ["5.4.4"],
    "recipient",
    "The recipient domain cannot be routed to (no usable MX or address).",
    ["Check the recipient domain's MX records."],
  ),
  byCode("generic.routing-loop", ["x.4.6"], "message-format", "The message is in a routing loop.", [
    "Find the forwarding rules that send the message in a circle.",
  ]),
  byCode(
    "generic.delivery-expired",
    ["x.4.7"],
    "unknown",
    "The message stayed undelivered longer than the queue allows; the replies before this one say why.",
    ["Look up the earlier deferrals of this message in the log: their cause is the one to fix."],
  ),
  byCode(
    "generic.network",
    ["4.4.x"],
    "transient",
    "A network or routing problem between the servers.",
    [RETRY_FIX],
  ),
  // A permanent network or routing status is no passing fault. The recipient's domain has no
  // mail servers that can be found or reached, its mail loops, or a receiver refuses to route
  // mail for the address (Exchange Online's 5.4.1), so the category is `recipient`.
  byCode(
    "generic.routing-refused",
    ["5.4.x"],
    "recipient",
    "The message cannot be routed to the recipient: the domain's mail servers cannot be found or reached, the mail loops, or the receiver does not accept mail for that address.",
    [
      "Check the recipient address and the MX records of its domain; retrying the same message will not help.",
    ],
  ),
  byCode(
    "generic.too-many-recipients",
    ["x.5.3"],
    "rate-limit",
    "The transaction had more recipients than the receiver accepts at once.",
    RECIPIENT_LIMIT_FIX,
  ),
  byCode(
    "generic.protocol",
    ["x.5.x"],
    "protocol",
    "The client broke the SMTP protocol: a bad command, syntax or sequence.",
    ["Fix or update the SMTP client."],
  ),
  byCode(
    "generic.content-conversion",
    ["x.6.x"],
    "message-format",
    "The receiver could not handle the message's content or encoding.",
    ["Check MIME structure, encodings and line endings."],
  ),
  byCode(
    "generic.encryption-required",
    ["x.7.10", "x.7.11", "x.7.30"],
    "tls",
    "The receiver requires encryption (TLS) for this mail.",
    ["Turn on STARTTLS for outbound mail."],
    ["tls-required"],
  ),
  byCode(
    "generic.auth-credentials",
    ["x.7.8", "x.7.9", "x.7.12", "x.7.13", "x.7.14"],
    "sender-account",
    "SMTP AUTH failed: wrong credentials, a weak mechanism or a disabled account.",
    ["Check the account and the credentials the client uses."],
  ),
  byCode(
    "generic.dkim",
    ["x.7.20", "x.7.21", "x.7.22"],
    "authentication",
    "No valid (author-aligned) DKIM signature was found.",
    ["Sign with DKIM d= the From domain."],
    ["authentication"],
  ),
  byCode(
    "generic.spf",
    ["x.7.23", "x.7.24"],
    "authentication",
    "SPF validation failed or returned an error.",
    ["Authorise the sending IP in the SPF record of the envelope domain."],
    ["authentication"],
  ),
  byCode(
    "generic.reverse-dns",
    ["x.7.25"],
    "reverse-dns",
    "Reverse DNS validation of the sending IP failed.",
    ["Set a PTR record for the sending IP, naming a host that resolves back to it."],
    ["reverse-dns"],
  ),
  byCode(
    "generic.authentication",
    ["x.7.26", "x.7.27", "x.7.29"],
    "authentication",
    "Several authentication checks failed (SPF, DKIM, DMARC or ARC), or the sender domain has a null MX.",
    ["Make SPF and DKIM pass for the sending domain."],
    ["authentication"],
  ),
  // X.7.28 is "mail flood detected" in the IANA registry (IANA_CODES). Gmail sends 4.7.28 for
  // its rate limit on unsolicited mail, and smaller receivers send it for their own flood
  // limits, so the code alone names Gmail's case without claiming the provider. A flood limit
  // judges the sender, so the category makes such replies count as blocks at every receiver.
  byCode(
    "generic.mail-flood",
    ["x.7.28"],
    "reputation",
    "The receiver limits mail from this sender as a mail flood (X.7.28), which at Gmail is its rate limit on unsolicited mail.",
    [
      "If Gmail sent it (gmail-smtp-in.l.google.com, or gsmtp at the end of the reply), it is Gmail's rate limit: find and stop the source of unwanted mail, then slow down delivery to Gmail.",
      "At another receiver, send to it more slowly and ask its postmaster for its limits.",
    ],
    ["rate-limited"],
  ),
  byCode(
    "generic.security-conversion",
    ["x.7.3", "x.7.4", "x.7.5", "x.7.6"],
    "tls",
    "A security feature the message needs is not supported or failed.",
    ["Check the TLS and security settings of the client."],
  ),
  byCode(
    "generic.integrity",
    ["x.7.7"],
    "message-format",
    "The message failed an integrity check.",
    ["Check that nothing rewrites the message in transit."],
  ),
  // The fallback for subject 7, security or policy status (RFC 3463 X.7.XXX). x.7.1 means
  // "delivery not authorized": a filter of the receiver refused this sender, and the status
  // does not say which. At Gmail, Outlook.com or Yahoo, the documented x.7.1 replies to
  // incoming mail are mostly the provider's own judgement of the IP, the domain, the content
  // or the authentication. At a smaller receiver it can be the recipient organisation's rule. The code alone proves
  // neither `reputation` nor `recipient-policy`, so the category is `unknown`. The id and the
  // category stay as they are, because the diagnosis counts generic x.7.x replies from a
  // named provider as refusals of the sender.
  byCode(
    "generic.policy",
    ["x.7.x"],
    "unknown",
    "The receiver refused mail from this sender for a security or policy reason it does not name.",
    [
      "Read the reply text for the reason; providers change their wording, so a new text can hide a known block.",
      "At Gmail, Outlook.com or Yahoo, check the sending IP and domain: public blocklists, Postmaster Tools or SNDS, and that SPF, DKIM and DMARC pass.",
      "At a smaller receiver, ask its postmaster which rule refused the mail.",
    ],
  ),
  byCode(
    "generic.temporary",
    ["4.x.x"],
    "transient",
    "A temporary failure the reply does not explain.",
    [RETRY_FIX],
  ),
  byCode(
    "generic.permanent",
    ["5.x.x"],
    "unknown",
    "A permanent failure the reply does not explain.",
    ["Read the reply text; ask the recipient's postmaster if it names nothing."],
  ),
  byCode("generic.success-status", ["2.x.x"], "unknown", "The receiver accepted the command.", [
    "Nothing to do.",
  ]),
];

/** Fallbacks on the reply code alone (RFC 5321 section 4.2), for replies without an enhanced code. */
const byReplyCode: readonly ReplyRule[] = [
  {
    id: "generic.accepted",
    provider: null,
    category: "unknown",
    codes: [211, 214, 220, 221, 235, 250, 251, 252, 334, 354],
    summary: "The receiver accepted the command.",
    fix: ["Nothing to do."],
    reference: RFC5321,
    findings: [],
  },
  {
    id: "generic.service-unavailable",
    provider: null,
    category: "transient",
    codes: [421],
    summary: "The receiver closed the connection for now.",
    fix: [RETRY_FIX],
    reference: RFC5321,
    findings: [],
  },
  {
    id: "generic.temporary-reply",
    provider: null,
    category: "transient",
    codes: [450, 451, 452, 453, 454, 455, 458, 459],
    summary: "A temporary failure the reply does not explain.",
    fix: [RETRY_FIX],
    reference: RFC5321,
    findings: [],
  },
  {
    id: "generic.syntax-reply",
    provider: null,
    category: "protocol",
    codes: [500, 501, 502, 503, 504, 555],
    summary: "The receiver did not understand a command.",
    fix: ["Fix or update the SMTP client."],
    reference: RFC5321,
    findings: [],
  },
  {
    id: "generic.authentication-reply",
    provider: null,
    category: "sender-account",
    codes: [530, 534, 535, 538],
    summary: "The server wants SMTP AUTH, or refused the credentials.",
    fix: ["Check the account and the credentials the client uses."],
    reference: RFC5321,
    findings: [],
  },
  {
    id: "generic.rejected-reply",
    provider: null,
    category: "unknown",
    codes: [550, 551, 552, 553, 554, 556],
    summary: "The receiver refused the mail and the reply does not say why in words delist knows.",
    fix: ["Read the reply text; ask the recipient's postmaster if it names nothing."],
    reference: RFC5321,
    findings: [],
  },
];

/**
 * Generic rules in matching order; `generic.unknown` ends every search. The connection
 * failures come first, because their texts are the sending MTA's own and no reply wording
 * should take them.
 */
export const GENERIC_RULES: readonly ReplyRule[] = [
  ...CONNECTION_RULES,
  ...byWording,
  ...byEnhancedCode,
  ...byReplyCode,
  {
    id: "generic.unknown",
    provider: null,
    category: "unknown",
    summary: "delist does not recognise this reply.",
    fix: ["Read the reply text; search the provider's postmaster pages for its wording."],
    reference: RFC3463,
    findings: [],
  },
];
