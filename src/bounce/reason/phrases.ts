/**
 * Wordings of bounce texts and the reason each one reports, checked in order against the
 * diagnostic text (lower-cased, white space collapsed). Earlier entries are the more specific:
 * an authentication failure or a full mailbox often also says "rejected" or "denied".
 * The strings are the short reply fragments that receivers and MTAs send.
 */
import type { BounceReason } from "../types.js";

/** One reason and the wordings that report it. */
export interface ReasonPhrases {
  readonly reason: BounceReason;
  readonly patterns: readonly RegExp[];
}

export const REASON_PHRASES: readonly ReasonPhrases[] = [
  // Google Groups quotes its advice on SPF and DKIM after this verdict.
  { reason: "spamdetected", patterns: [/rejected due to spam classification/] },
  {
    reason: "authfailure",
    patterns: [
      /\bdmarc (?:policy|verification|check|fail)/,
      /does not pass dmarc/,
      /rejected (?:per|due to|by) dmarc/,
      /\bdmarc\b.*\breject/,
      /\bspf (?:check|validation|record|fail|hard ?fail|policy)|\bspf\b.*\bfail/,
      /sender policy framework/,
      /\bdkim\b(?!-signature).*\b(?:fail|invalid|not valid)/,
      /authentication checks? failed/,
      /unauthenticated email/,
      /not authenticated with (?:dkim|spf)/,
      /sender (?:is not|not) authorized by/,
      /is not allowed to send (?:mail )?from/,
      /domain (?:owner|authentication) .*(?:policy|fail)/,
      /due to domain owner policy/,
      /failed (?:the )?(?:spf|dkim|dmarc)/,
    ],
  },
  {
    reason: "requireptr",
    patterns: [
      /reverse dns (?:validation|lookup|entry|required|record)|mismatches client ip|missing reverse dns|fix reverse dns/,
      /\bptr record|no ptr\b|\bptr (?:lookup|missing|required)/,
      /(?:invalid|no|bad|missing) (?:rdns|reverse dns|reverse lookup)/,
      /\brdns\b.*(?:fail|required|invalid|missing)/,
      /does not have (?:a )?(?:valid )?(?:reverse|ptr)/,
      /cannot find your hostname|can't resolve your (?:host|ip)|unresolvable (?:relay )?host ?name/,
      /client host rejected: cannot find your (?:reverse )?hostname/,
      /unverifi?(?:y|ie)able sending ips?/,
      /reverse (?:dns|lookup) (?:for|of) .*fail/,
      /without a valid sender domain/,
      /ip name lookup failed/,
      /please (?:set|configure) (?:up )?(?:a )?(?:ptr|reverse dns)/,
    ],
  },
  {
    reason: "failedstarttls",
    patterns: [
      /(?:does not|doesn't) support (?:start)?tls|starttls (?:is )?required|must issue a starttls|tls (?:is )?required|requires? (?:a )?(?:secure|encrypted|tls) connection|starttls failed|tls negotiation failed/,
    ],
  },
  {
    reason: "virusdetected",
    patterns: [
      /\bvirus\b|\bmalware\b|infected|\btrojan\b|\bworm\b|dangerous (?:content|attachment)/,
    ],
  },
  {
    reason: "badreputation",
    patterns: [
      /(?:low|poor|bad) reputation/,
      /our system has detected an unusual rate of unsolicited mail originating from your ip/,
      /ip (?:address )?reputation/,
      /temporarily deferred due to unexpected volume or user complaints/,
      /sender reputation/,
    ],
  },
  {
    reason: "spamdetected",
    patterns: [
      /spam (?:detected|content|message|filter|score|scoring|signature|rejected|blocked)/,
      // Mimecast names the signature that matched, such as MCSpamSignature.sa.2.2.
      /\bmcspamsignature\b/,
      /(?:detected|identified|marked|classified|looks like|considered|classified as|judged as|determined to be|suspected|seems to be|appears to be|rejected as|flagged as|detected as) (?:likely )?(?:as )?(?:to be )?(?:a |an )?(?:bulk )?(?:spam|unsolicited|junk)/,
      /message (?:is|was|has been) (?:considered|identified as|classified as|determined to be )?\s*(?:spam|junk)\b/,
      /\bspam\b.*\b(?:rejected|refused|detected|identified|classified|blocked)/,
      /(?:likely|possibly|probably) (?:to be )?(?:spam|unsolicited)/,
      /content (?:rejected|filter|policy).*spam|scored as spam|spam classification|\breject, id=.*\bspam\b|\bspamassassin\b|high spam|bulk mail/,
      /\[cs01\]|mail rejete\. mail rejected\. ofr_506|\bofr_506\b/,
      /message filtered\. please see the faqs section on spam/,
      /our system has detected that this message is/,
      /message content rejected|rejected by content filter|content filter rejected/,
      /unsolicited (?:bulk )?(?:e-?mail|mail|message)|\bubce?\b/,
      /blocked by spam|spam policy|spamhaus dbl/,
    ],
  },
  {
    reason: "speeding",
    patterns: [
      /receiving mail at a rate that prevents additional messages/,
      /has sent to too many recipients/,
      /receiving mail (?:too quickly|at a rate)/,
      /rate (?:limit|limited|of incoming)|too many (?:messages|emails|mails) (?:in|per|from|sent)|sending (?:rate|too fast)|exceeded (?:the )?(?:rate|sending) limit/,
    ],
  },
  {
    reason: "toomanyconn",
    patterns: [
      /too many (?:connections|concurrent|simultaneous|sessions|recipients)|frequency limited|connection (?:rate|limit)|too many smtp sessions/,
    ],
  },
  {
    reason: "mailboxfull",
    patterns: [
      /mailbox (?:is )?full|mail ?box (?:is )?full|mailbox (?:size )?(?:limit )?exceeded|mailbox (?:has )?exceeded/,
      /over (?:the )?(?:disk |storage |mailbox )?quota|quota (?:exceeded|violation|full)|exceed(?:s|ed)? (?:the |his |her |their )?(?:disk |storage |mailbox )?quota/,
      /(?:disk|storage|mailbox) (?:quota|space) (?:exceeded|full|is full)|insufficient (?:disk |storage )?space|not enough (?:disk|storage) space|no space left/,
      /user(?:'s)? (?:mailbox|storage) (?:is )?(?:full|over)|recipient(?:'s)? mailbox (?:is )?full|(?:account|inbox) is full/,
      /is over (?:its|the) (?:storage|quota)|has exceeded (?:its|the|his|her) (?:storage|quota|allotted)/,
      /mailbox would exceed|mailfolder is full|mailbox exceeds allowed size|messages in recipient's mailbox exceeded/,
      /too much mail|out of (?:disk|storage) space|storage quota/,
      /mail quota exceeded|quota exceed/,
    ],
  },
  {
    reason: "mesgtoobig",
    patterns: [
      /message (?:is )?too (?:big|large)|message size exceeds|mail size limit exceeded|line limit exceeded|size (?:limit )?exceeded|exceeds (?:the )?(?:maximum )?(?:message )?size|message (?:length|size) (?:exceeds|is over)|too big for system|maximum (?:message )?size/,
    ],
  },
  {
    reason: "exceedlimit",
    patterns: [
      /exceeds administrative limit|message length exceeds|exceeded (?:the )?(?:administrative|recipient) limit/,
    ],
  },
  {
    reason: "hasmoved",
    patterns: [
      /has moved|no longer (?:on|at) (?:this )?server|address (?:has )?changed|moved permanently|recipient no longer on server/,
    ],
  },
  {
    reason: "suspend",
    patterns: [
      /(?:account|mailbox|user|address) (?:has been |is |was )?(?:disabled|suspended|deactivated|inactive|locked|frozen|expired|blocked due to inactivity)/,
      /(?:disabled|suspended|inactive|locked|frozen|deactivated) (?:account|mailbox|user|address)/,
      /account (?:is )?(?:temporarily )?(?:unavailable|on hold)|mailbox (?:is )?(?:temporarily )?(?:disabled|unavailable due to)/,
      /sorry your message to .* cannot be delivered\. this account has been disabled or discontinued/,
      /this account has been disabled|account is locked|mailbox is frozen|is not accepting mail at this time|mailbox not active/,
      /account that you tried to reach is disabled|inbox .* is no longer in use|compte du destinataire est bloque|recipient account is blocked/,
    ],
  },
  // Cox ends some refusals with AUP#CDRBL after "sender rejected". Sisimai's Rhost::Cox reads
  // that code as a block of the client IP, and delist follows it.
  { reason: "blocked", patterns: [/\baup#cdrbl\b/] },
  {
    reason: "rejected",
    patterns: [
      /sender (?:address )?(?:rejected|denied|refused|not allowed|blocked|verify failed)|(?:invalid|bad|unknown|unroutable) sender|sender (?:domain )?(?:must|does not|is not|not) (?:exist|resolve|valid)/,
      /domain of sender address .* does not (?:exist|resolve)|sender domain .* (?:not|does not)|mail from .* rejected|return path|from (?:address|domain) (?:is )?(?:invalid|rejected)|envelope sender/,
      /purported responsible address|all recipient addresses rejected/,
      /(?:sending to\/from|sending from|sender) an? address that has been (?:black|block)listed/,
      /(?:sender|from) (?:address|domain) (?:is )?(?:not|invalid)|domain is invalid|rejected sender|you are not allowed to send|your address is not/,
    ],
  },
  {
    reason: "userunknown",
    patterns: [
      /user unknown|unknown user|unknown (?:local )?(?:recipient|mailbox|address)|(?:recipient|user|mailbox|address) (?:is )?unknown/,
      /no such (?:user|mailbox|recipient|address|account|local user|person)|please check if (?:the )?address is correct|address couldn't be found|recipient email address is possibly incorrect|invalid recipient|adresse destinataire invalide|no mailbox here by that name/,
      /(?:user|mailbox|recipient|address|account) (?:does not|doesn't|did not) exist|does not exist here|user not exist/,
      /(?:user|mailbox|recipient|address|account) (?:not|was not|wasn't) found|not found in (?:the )?(?:directory|table|ldap)/,
      /invalid (?:recipient|mailbox|user|address)|recipient (?:address )?(?:is )?invalid|bad destination mailbox/,
      /(?:user|recipient|mailbox) (?:is )?not (?:listed|known|local|valid|registered)|not listed in (?:domino|public name & address book)/,
      /unknown or illegal (?:user|alias)|illegal user|no such user here|not a valid (?:user|mailbox|recipient)/,
      /recipient not found|recipient name is not recognized|not our customer/,
      /mailbox unavailable|mailbox not available|user not found|email account that you tried to reach does not exist/,
      /no account by that name|there is no one at this address|unknown address error|invalid final delivery userid/,
      /is not a known user|user doesn't have a .* account|addressee unknown|this user doesn't have/,
    ],
  },
  {
    reason: "notaccept",
    patterns: [
      /does not accept (?:any )?mail|doesn't receive e-?mail|does not receive e-?mail|no mx found|not accepting (?:any )?mail|accepts no mail|null mx|indicated no smtp service|no mx (?:record|host)|couldn't find a mail exchanger|cannot find a mail exchanger|mail (?:exchanger|server) (?:not found|does not accept)|system not accepting network messages|does not receive mail|no mail (?:server|service)/,
    ],
  },
  {
    reason: "networkerror",
    patterns: [
      /dns (?:error|failure|query failed|lookup failed|problem)|host not found, try again|host name lookup failure|temporary (?:dns|name) (?:failure|error)/,
    ],
  },
  {
    reason: "hostunknown",
    patterns: [
      /host (?:or domain name )?not found|unrouteable address|unroutable address|invalid domain|illegal host\/domain|domain is not reachable|domain may not exist|\.[a-z0-9-]+\.[a-z]{2,} does not exist|domain (?:name )?not found|unknown (?:host|domain)|no such domain|domain (?:does not|doesn't) exist|host unknown|unrouteable mail domain|name or service not known|couldn't find any host named|nxdomain|no dns record|domain is not (?:valid|found)|hostname not found|recipient domain .* not found|domain .* does not exist|mail for .* loops back/,
    ],
  },
  {
    reason: "norelaying",
    patterns: [
      /insecure mail relay|relay(?:ing)? (?:access )?(?:denied|not permitted|not allowed|prohibited|rejected)|not (?:permitted|allowed) to relay|unable to relay|we do not relay|no relaying|relay not permitted|cannot relay|not a gateway|relaying (?:is )?not|relay access|email address is not verified|not configured to relay/,
    ],
  },
  {
    reason: "notcompliantrfc",
    patterns: [
      /not (?:rfc ?5322|rfc ?2822|rfc) compliant|rfc ?5322|rfc ?2822|duplicate header|multiple addresses in from|multiple (?:from|to|subject|date|message-id) headers|header (?:line )?(?:is )?(?:malformed|invalid)|invalid header|malformed (?:message|header)|not compliant with|headers (?:are|were) not compliant/,
    ],
  },
  {
    reason: "policyviolation",
    patterns: [
      /policy (?:violation|reasons|rejection|rejected)|violat(?:es|ion of|ed) (?:our |the )?(?:policy|policies)|local policy|denied by policy|host network not allowed|header error|content presents a potential|prohibited by (?:administrative )?policy|against (?:our|the) (?:policy|policies)|message not allowed|not accepted for policy|content policy|policy restrictions|administrative prohibition|message refused by policy/,
    ],
  },
  {
    reason: "blocked",
    patterns: [
      /\bblock(?:ed|list|listed)\b|\bblack ?list(?:ed)?\b|\bdeny ?list(?:ed)?\b|\bdnsbl\b|\brbl\b|spamhaus|spamcop|barracuda ?central|sorbs/,
      /(?:your|the sending|the client|connecting|sender) ip (?:address )?(?:is |has been )?(?:not allowed|rejected|denied|banned|listed)|not (?:accept|allow)(?:ing|ed)? (?:mail|connections|messages) from/,
      /(?:ip|host|client) (?:address )?(?:is |has been )?(?:blocked|banned|rejected|refused)|rejected because .* (?:listed|blocked)/,
      /messages from .* (?:weren't|were not) sent|mail from .* (?:is|was) (?:refused|rejected|blocked)|too many unwanted messages|dynamic ip|dial-?up|residential|unusual rate of unsolicited/,
      /refused to talk to me|\bopen relay\b|deferred: connection refused|service refuse\b|\bip=\S+ - a problem occurred|service permits .* unverifyable|please use the smtp server of your isp|\[c14\]|poor ip|is not allowed to connect/,
      /rejected due to (?:bad|poor|low) reputation|\[tss0\d\]|\[ts0\d\]|temporarily deferred|has been temporarily rate limited/,
    ],
  },
  {
    reason: "filtered",
    patterns: [
      /filtered|content filter|recipient(?:'s)? preferences|rejected by (?:the )?(?:recipient|domain|user)(?:'s)? (?:filter|rule)|refused by (?:recipient|user)|does not accept mail from|not accept(?:ing)? mail from you|recipient (?:has )?(?:blocked|rejected)|domain filter|address filter|rejected by (?:recipient|user)/,
    ],
  },
  {
    reason: "securityerror",
    patterns: [
      /unauthenticated senders?|smtp authentication|authentication (?:required|failed|unsuccessful)|auth(?:entication)? (?:is )?required|must (?:be )?authenticat|not authenticated|security (?:policy|error)|insecure|encryption required|certificate|sasl|submission|login required|requires authentication/,
    ],
  },
  {
    reason: "systemfull",
    patterns: [
      /system (?:is )?full|(?:disk|file ?system) full|insufficient system (?:storage|resources)|out of (?:memory|resources)/,
    ],
  },
  { reason: "systemerror", patterns: [/unable to contact ldap|ldap (?:error|server)/] },
  {
    reason: "expired",
    patterns: [
      /retry timeout exceeded|retry time (?:not reached|exceeded)|been in the queue too long|delivery failed \d+ attempts|could not be delivered within|not (?:been )?delivered within|message expired|delivery time expired|giving up|too long in (?:the )?queue|queue too long|have been failing for a long time|delivery (?:attempts|period) (?:has )?expired|maximum time|time limit exceeded|message timeout|undeliverable for too long|expired|timed out|host not reachable|did not accept our requests to connect|unable to deliver (?:this )?message after/,
    ],
  },
  {
    reason: "networkerror",
    patterns: [
      /lost connection|connection (?:reset|closed|dropped|timed out|lost)|network (?:error|unreachable)|no route to host|unable to connect|could not connect|couldn't connect|failed to connect|wasn't able to establish an smtp connection|routing loop|hop count exceeded|too many hops|mail loop|loops back to myself|socket error/,
    ],
  },
  {
    reason: "systemerror",
    patterns: [
      /system error|internal (?:server |system )?error|server error|temporary (?:error|local problem)|local error|server is busy|service (?:temporarily |currently )?unavailable|system (?:is )?(?:busy|unavailable)|configuration error|misconfigured|unable to contact ldap|ldap (?:error|server)|transaction failed|duplicated message-id|resources? (?:temporarily )?unavailable/,
    ],
  },
  {
    reason: "mailererror",
    patterns: [
      /mailer error|command (?:output|died|failed)|pipe to \||procmail|exit (?:code|status)|x-unix|delivery to (?:a )?(?:pipe|program|file) failed|couldn't create|permission denied/,
    ],
  },
  {
    reason: "contenterror",
    patterns: [
      /content error|media error|invalid (?:content|mime|character|charset)|(?:mime|content) (?:type|encoding) (?:not|is not)|8bit|8-bit|binary content/,
    ],
  },
  {
    reason: "syntaxerror",
    patterns: [
      /syntax error|improper sequence|command (?:not recognized|unrecognized|not implemented)|parameter not implemented|bad sequence of commands|malformed address|(?:invalid|bad) (?:command|parameter|argument)|unrecognized command/,
    ],
  },
  { reason: "onhold", patterns: [/\bon hold\b/] },
];

/**
 * Wordings so general that they decide only when neither a specific wording, delist's reply
 * rule nor the status code does: "recipient address rejected" is how Postfix introduces
 * every recipient check, whatever the check found.
 */
export const WEAK_REASON_PHRASES: readonly ReasonPhrases[] = [
  {
    reason: "userunknown",
    patterns: [
      /recipient address rejected|address rejected|recipient rejected|rcpt to not accepted/,
    ],
  },
  { reason: "blocked", patterns: [/access denied|not accepting connections/] },
  { reason: "policyviolation", patterns: [/protocol violation/] },
];

/** A list of reasons with the wordings of each joined into one pattern. */
export type PhraseTable = readonly { readonly reason: BounceReason; readonly pattern: RegExp }[];

/** Joins the wordings of each reason into one pattern, which tests a text in one pass. */
export function phraseTable(phrases: readonly ReasonPhrases[]): PhraseTable {
  return phrases.map((entry) => ({
    reason: entry.reason,
    pattern: new RegExp(entry.patterns.map((pattern) => `(?:${pattern.source})`).join("|")),
  }));
}

/** `REASON_PHRASES` as a table. */
export const REASON_TABLE: PhraseTable = phraseTable(REASON_PHRASES);
/** `WEAK_REASON_PHRASES` as a table. */
export const WEAK_REASON_TABLE: PhraseTable = phraseTable(WEAK_REASON_PHRASES);

/** Returns the text as the wordings are written: lower-cased, white space collapsed. */
export function phraseText(text: string): string {
  return text.toLowerCase().replace(/\s+/g, " ");
}

/**
 * Returns the first reason of `table` whose wording `text` contains, or null. The text
 * must come from `phraseText`.
 */
export function reasonOfText(text: string, table: PhraseTable = REASON_TABLE): BounceReason | null {
  if (text === "") return null;
  for (const entry of table) if (entry.pattern.test(text)) return entry.reason;
  return null;
}
