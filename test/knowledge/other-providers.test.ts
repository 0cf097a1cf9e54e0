import { describe, expect, it } from "vitest";
import type { Category, FindingId } from "../../src/knowledge/categories.js";
import type { ProviderId } from "../../src/knowledge/providers.js";
import { createReplyClassifier, type ExplainHints } from "../../src/reply/classify.js";

type Case = readonly [
  text: string,
  hints: ExplainHints,
  ruleId: string,
  category: Category,
  findings: readonly FindingId[],
  provider: ProviderId | null,
];

const OUTLOOK: ExplainHints = { relayHost: "hotmail-com.olc.protection.outlook.com" };
const EXO: ExplainHints = { relayHost: "example-com.mail.protection.outlook.com" };
const YAHOO: ExplainHints = { relayHost: "mta5.am0.yahoodns.net" };
const ICLOUD: ExplainHints = { relayHost: "mx01.mail.icloud.com" };
const COMCAST: ExplainHints = { relayHost: "mx1a1.comcast.net" };
const GMX: ExplainHints = { relayHost: "mx00.emig.gmx.net" };
const MAILRU: ExplainHints = { relayHost: "mxs.mail.ru" };
const YANDEX: ExplainHints = { relayHost: "mx.yandex.ru" };
const ORANGE: ExplainHints = { relayHost: "smtp-in.orange.fr" };
const NONE: ExplainHints = {};

// Our own anonymised texts for the provider rows of the reply reference (Microsoft, Yahoo,
// Apple, Comcast, United Internet, Mail.ru, Yandex, Orange, MailChannels).
const CASES: readonly Case[] = [
  [
    "550 5.7.1 Unfortunately, messages from [203.0.113.5] weren't sent. Please contact your Internet service provider since part of their network is on our block list (S3140).",
    OUTLOOK,
    "outlook.ip-blocklist",
    "reputation",
    ["ip-blocklisted"],
    "outlook",
  ],
  [
    "550 5.7.1 Unfortunately, messages from [203.0.113.5] weren't sent. Part of their network is on our block list (S3150).",
    OUTLOOK,
    "outlook.range-blocklist",
    "reputation",
    ["ip-blocklisted"],
    "outlook",
  ],
  [
    "550 5.7.1 Unfortunately, messages from 203.0.113.5 weren't sent (AS3140).",
    OUTLOOK,
    "outlook.ip-blocklist",
    "reputation",
    ["ip-blocklisted"],
    "outlook",
  ],
  [
    "550 5.7.1 Unfortunately, messages from 203.0.113.5 weren't sent (AS3150).",
    OUTLOOK,
    "outlook.range-blocklist",
    "reputation",
    ["ip-blocklisted"],
    "outlook",
  ],
  [
    "451 4.7.650 The mail server [203.0.113.8] has been temporarily rate limited due to IP reputation. (S775)",
    OUTLOOK,
    "outlook.ip-reputation-rate-limit",
    "reputation",
    ["rate-limited"],
    "outlook",
  ],
  [
    "451 4.7.651 The mail server [203.0.113.8] has been temporarily rate limited due to IP reputation. (S843)",
    OUTLOOK,
    "outlook.ip-reputation-rate-limit",
    "reputation",
    ["rate-limited"],
    "outlook",
  ],
  [
    "550 5.7.1 Service unavailable, Client host [203.0.113.5] blocked using Spamhaus. (AS3130)",
    OUTLOOK,
    "outlook.spamhaus",
    "blocklist",
    ["ip-blocklisted"],
    "outlook",
  ],
  [
    "550 5.7.1 Service unavailable, MailFrom domain is listed in Spamhaus. (S8002)",
    OUTLOOK,
    "outlook.domain-spamhaus",
    "blocklist",
    ["ip-blocklisted"],
    "outlook",
  ],
  [
    "550 5.7.515 Access denied, sending domain EXAMPLE.COM doesn't meet the required authentication level. Spf= Fail , Dkim= Pass , DMARC= Pass",
    OUTLOOK,
    "outlook.required-authentication",
    "authentication",
    ["authentication"],
    "outlook",
  ],
  [
    "550 5.5.0 Requested action not taken: mailbox unavailable (S2017).",
    OUTLOOK,
    "outlook.mailbox-unavailable",
    "recipient",
    ["unknown-recipients"],
    "outlook",
  ],
  [
    "421 RP-001 (COL004-MC1F43) Unfortunately, some messages from 203.0.113.5 weren't sent.",
    OUTLOOK,
    "outlook.reputation-rate-limit",
    "reputation",
    ["rate-limited"],
    "outlook",
  ],
  [
    "550 SC-001 (BAY004-MC1F6) Unfortunately, messages from 203.0.113.5 weren't sent.",
    OUTLOOK,
    "outlook.policy-rejection",
    "reputation",
    ["ip-blocklisted", "spam-content"],
    "outlook",
  ],
  [
    "550 SC-001 (DB5EUR03FT001) Unfortunately, messages from 203.0.113.5 weren't sent. Please contact your Internet service provider. You can tell them that Hotmail does not relay dynamically-assigned IP ranges.",
    OUTLOOK,
    "outlook.policy-dynamic-range",
    "reputation",
    ["ip-blocklisted"],
    "outlook",
  ],
  [
    "550 SC-004 (BAY004-MC1F6) Unfortunately, messages from 203.0.113.5 weren't sent.",
    OUTLOOK,
    "outlook.sender-policy",
    "reputation",
    ["ip-blocklisted"],
    "outlook",
  ],
  [
    "550 DY-001 (SNT004-MC1F5) Unfortunately, messages from 203.0.113.5 weren't sent.",
    OUTLOOK,
    "outlook.dynamic-ip",
    "reputation",
    ["ip-blocklisted"],
    "outlook",
  ],
  [
    "550 OU-001 (SNT004-MC11F3) Unfortunately, messages from 203.0.113.9 weren't sent.",
    OUTLOOK,
    "outlook.spamhaus-policy",
    "blocklist",
    ["ip-blocklisted"],
    "outlook",
  ],
  [
    "550 OU-002 (SNT004-MC11F3) Unfortunately, messages from 203.0.113.9 weren't sent.",
    OUTLOOK,
    "outlook.reputation-policy",
    "reputation",
    [],
    "outlook",
  ],
  [
    "550 5.7.0 (COL0-MC6-F31) Your message on behalf of (example.com) could not be delivered due to domain owner policy restrictions.",
    OUTLOOK,
    "outlook.dmarc-legacy",
    "authentication",
    ["authentication"],
    "outlook",
  ],
  [
    "452 4.3.2 Service not active. ATTR17",
    OUTLOOK,
    "outlook.server-problem",
    "transient",
    [],
    "outlook",
  ],
  [
    "554 5.2.122 The recipient has exceeded their limit for the number of messages they can receive per hour.",
    OUTLOOK,
    "outlook.recipient-rate",
    "rate-limit",
    [],
    "outlook",
  ],
  [
    "550 5.7.606 Access denied, banned sending IP [203.0.113.10]. To request removal from this list please visit https://sender.office.com/ (AS16012609)",
    EXO,
    "exchange-online.banned-ip",
    "reputation",
    ["ip-blocklisted"],
    "exchange-online",
  ],
  [
    "550 5.7.649 Access denied, banned sending IP [203.0.113.10].",
    EXO,
    "exchange-online.banned-ip",
    "reputation",
    ["ip-blocklisted"],
    "exchange-online",
  ],
  [
    "451 4.7.500 Access denied, please try again later.",
    EXO,
    "exchange-online.ip-restricted",
    "reputation",
    ["rate-limited"],
    "exchange-online",
  ],
  [
    "550 5.7.511 Access denied, banned sender.",
    EXO,
    "exchange-online.banned-sender",
    "reputation",
    ["ip-blocklisted"],
    "exchange-online",
  ],
  [
    "550 5.7.513 Service unavailable, Client host [203.0.113.5] blocked by example.com using Customer Block list (AS16012607)",
    EXO,
    "exchange-online.recipient-blocklist",
    "recipient-policy",
    ["ip-blocklisted"],
    "exchange-online",
  ],
  [
    "550 5.7.509 Access denied, sending domain example.com does not pass DMARC verification and has a DMARC policy of reject.",
    EXO,
    "exchange-online.dmarc-reject",
    "authentication",
    ["authentication"],
    "exchange-online",
  ],
  [
    "550 5.7.512 Access denied, message must be RFC 5322 section 3.6.2 compliant.",
    EXO,
    "exchange-online.from-invalid",
    "message-format",
    [],
    "exchange-online",
  ],
  [
    "550 5.7.506 Access Denied, Bad HELO.",
    EXO,
    "exchange-online.helo-impersonation",
    "protocol",
    [],
    "exchange-online",
  ],
  [
    "550 5.7.507 Access denied, blocked by recipient organization.",
    EXO,
    "exchange-online.recipient-rejected",
    "recipient-policy",
    [],
    "exchange-online",
  ],
  [
    "550 5.7.508 Access denied, IPv6 range over limits.",
    EXO,
    "exchange-online.ipv6-limit",
    "reputation",
    ["rate-limited"],
    "exchange-online",
  ],
  [
    "550 5.7.25 Access denied, the sending IPv6 address must have a reverse DNS record.",
    EXO,
    "exchange-online.ipv6-ptr",
    "reverse-dns",
    ["reverse-dns"],
    "exchange-online",
  ],
  [
    "450 4.7.26 Access denied, a message sent over IPv6 must pass either SPF or DKIM validation.",
    EXO,
    "exchange-online.ipv6-authentication",
    "authentication",
    ["authentication"],
    "exchange-online",
  ],
  [
    "550 5.7.23 The message was rejected because of Sender Policy Framework violation.",
    EXO,
    "exchange-online.spf-violation",
    "authentication",
    ["authentication"],
    "exchange-online",
  ],
  [
    "550 5.7.1 Unable to relay recipient in non-accepted domain.",
    EXO,
    "exchange-online.not-authorized",
    "recipient-policy",
    [],
    "exchange-online",
  ],
  [
    "550 5.4.1 Recipient address rejected: Access denied. For more information see https://aka.ms/EXOSmtpErrors [AM0PR01MB0001.eurprd01.prod.outlook.com]",
    EXO,
    "exchange-online.unknown-recipient",
    "recipient",
    ["unknown-recipients"],
    "exchange-online",
  ],
  [
    "550 5.4.1 Recipient address rejected: Access denied. For more information see https://aka.ms/EXOSmtpErrors [AM0PR01MB0001.eurprd01.prod.outlook.com]",
    NONE,
    "exchange-online.unknown-recipient",
    "recipient",
    ["unknown-recipients"],
    "exchange-online",
  ],
  [
    "550 5.7.705 Access denied, tenant has exceeded threshold.",
    EXO,
    "exchange-online.outbound-restriction",
    "sender-account",
    [],
    "exchange-online",
  ],
  [
    "421 4.7.0 [TSS04] Messages from 203.0.113.25 temporarily deferred due to unexpected volume or user complaints - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes",
    YAHOO,
    "yahoo.deferred-complaints",
    "reputation",
    ["rate-limited"],
    "yahoo",
  ],
  [
    "421 4.7.0 [TSS05] Messages from 203.0.113.25 temporarily deferred.",
    YAHOO,
    "yahoo.deferred-complaints",
    "reputation",
    ["rate-limited"],
    "yahoo",
  ],
  [
    "421 [IPTS04] Messages from 203.0.113.25 temporarily deferred.",
    YAHOO,
    "yahoo.deferred-complaints",
    "reputation",
    ["rate-limited"],
    "yahoo",
  ],
  [
    "553 5.7.2 [TSS09] All messages from 203.0.113.13 will be permanently deferred; Retrying will NOT succeed.",
    YAHOO,
    "yahoo.ip-blocked",
    "reputation",
    ["ip-blocklisted"],
    "yahoo",
  ],
  [
    "553 5.7.1 [BL21] Connections will not be accepted from 203.0.113.13, because the ip is in Spamhaus's list.",
    YAHOO,
    "yahoo.spamhaus",
    "blocklist",
    ["ip-blocklisted"],
    "yahoo",
  ],
  [
    "553 Mail from 203.0.113.13 not allowed - 5.7.1 [BL23] Connections not accepted from IP addresses on Spamhaus XBL",
    YAHOO,
    "yahoo.spamhaus-xbl",
    "blocklist",
    ["ip-blocklisted"],
    "yahoo",
  ],
  [
    "421 4.7.0 [TS03] All messages from 203.0.113.13 will be permanently deferred; Retrying will NOT succeed.",
    YAHOO,
    "yahoo.ip-blocked",
    "reputation",
    ["ip-blocklisted"],
    "yahoo",
  ],
  [
    "421 4.7.0 [TS01] Messages from 203.0.113.13 temporarily deferred due to user complaints",
    YAHOO,
    "yahoo.deferred-complaints",
    "reputation",
    ["rate-limited"],
    "yahoo",
  ],
  [
    "421 4.7.0 [TS04] Messages from 203.0.113.13 temporarily deferred",
    YAHOO,
    "yahoo.token-family",
    "reputation",
    [],
    "yahoo",
  ],
  [
    "553 5.7.1 [TSS07] Connections will not be accepted from 203.0.113.13.",
    YAHOO,
    "yahoo.spamhaus",
    "blocklist",
    ["ip-blocklisted"],
    "yahoo",
  ],
  [
    "550 5.7.9 This mail has been blocked because the sender is unauthenticated. Yahoo requires all senders to authenticate with either SPF or DKIM.",
    YAHOO,
    "yahoo.unauthenticated",
    "authentication",
    ["authentication"],
    "yahoo",
  ],
  [
    "554 5.7.9 Message not accepted for policy reasons.",
    YAHOO,
    "yahoo.policy-reasons",
    "authentication",
    ["authentication"],
    "yahoo",
  ],
  [
    "554 Message not allowed - [PH01] Email not accepted for policy reasons.",
    YAHOO,
    "yahoo.phishing-content",
    "content",
    ["spam-content"],
    "yahoo",
  ],
  [
    "554 Message not allowed - Headers are not RFC compliant[291]",
    YAHOO,
    "yahoo.headers-not-compliant",
    "message-format",
    [],
    "yahoo",
  ],
  ["554 Message not allowed - [299]", YAHOO, "yahoo.message-not-allowed", "content", [], "yahoo"],
  [
    "451 Message temporarily deferred due to unresolvable RFC.5321 from domain",
    YAHOO,
    "yahoo.unresolvable-sender-domain",
    "authentication",
    ["authentication"],
    "yahoo",
  ],
  [
    "451 Resources temporarily unavailable. Please try again later [#4.16.1].",
    YAHOO,
    "yahoo.resources-unavailable",
    "transient",
    [],
    "yahoo",
  ],
  [
    "421 Max message per connection reached, closing transmission channel",
    YAHOO,
    "yahoo.messages-per-connection",
    "rate-limit",
    [],
    "yahoo",
  ],
  [
    "450 User is receiving mail too quickly",
    YAHOO,
    "yahoo.recipient-rate",
    "rate-limit",
    [],
    "yahoo",
  ],
  [
    "554 delivery error: dd This user doesn't have a yahoo.com account (user1@yahoo.com) [0] - mta1234.mail.gq1.yahoo.com",
    YAHOO,
    "yahoo.no-account",
    "recipient",
    ["unknown-recipients"],
    "yahoo",
  ],
  [
    "554 delivery error: dd Sorry your message to user1@aol.com cannot be delivered. This mailbox is disabled (554.30).",
    YAHOO,
    "yahoo.no-account",
    "recipient",
    ["unknown-recipients"],
    "yahoo",
  ],
  [
    "552 1 Requested mail action aborted, mailbox not found",
    YAHOO,
    "yahoo.mailbox-not-found",
    "recipient",
    ["unknown-recipients"],
    "yahoo",
  ],
  [
    "554 5.7.1 [CS01] Message rejected due to local policy. Please visit https://support.apple.com/en-us/HT204137",
    ICLOUD,
    "icloud.local-policy",
    "content",
    ["spam-content"],
    "icloud",
  ],
  [
    "554 5.7.1 [HM07] Message rejected due to local policy.",
    ICLOUD,
    "icloud.local-policy",
    "content",
    ["spam-content"],
    "icloud",
  ],
  [
    "554 5.7.1 [HME1] Message rejected due to local policy.",
    ICLOUD,
    "icloud.unauthenticated",
    "authentication",
    ["authentication"],
    "icloud",
  ],
  [
    "550 5.7.1 Your message was rejected due to example.com's DMARC policy.",
    ICLOUD,
    "icloud.dmarc-reject",
    "authentication",
    ["authentication"],
    "icloud",
  ],
  [
    "554 5.7.0 Blocked - see https://support.proofpoint.com/dnsbl-lookup.cgi?ip=203.0.113.5",
    ICLOUD,
    "icloud.proofpoint",
    "blocklist",
    ["ip-blocklisted"],
    "icloud",
  ],
  [
    "550 5.7.1 Mail from IP 203.0.113.5 was rejected due to listing in Spamhaus SBL.",
    ICLOUD,
    "icloud.spamhaus",
    "blocklist",
    ["ip-blocklisted"],
    "icloud",
  ],
  [
    "421 4.7.1 Messages to user1@icloud.com deferred due to excessive volume. Try again later.",
    ICLOUD,
    "icloud.excessive-volume",
    "rate-limit",
    ["rate-limited"],
    "icloud",
  ],
  [
    "451 4.7.1 Service unavailable - try again later",
    ICLOUD,
    "icloud.service-unavailable",
    "transient",
    [],
    "icloud",
  ],
  [
    "450 4.7.1 <mail.example.com>: Helo command rejected: Host not found",
    ICLOUD,
    "icloud.helo-unresolvable",
    "reverse-dns",
    ["reverse-dns"],
    "icloud",
  ],
  [
    "450 4.1.8 <sender@example.com>: Sender address rejected: Domain not found",
    ICLOUD,
    "icloud.sender-domain-not-found",
    "authentication",
    ["authentication"],
    "icloud",
  ],
  [
    "550 5.1.1 <user1@icloud.com>: user does not exist",
    ICLOUD,
    "icloud.unknown-user",
    "recipient",
    ["unknown-recipients"],
    "icloud",
  ],
  [
    "552 5.2.2 <user1@icloud.com>: user is over quota",
    ICLOUD,
    "icloud.over-quota",
    "recipient",
    [],
    "icloud",
  ],
  [
    "554 resimta-po-10v.sys.comcast.net comcast 203.0.113.32 Comcast requires that all mail servers must have a PTR record with a valid Reverse DNS entry.",
    COMCAST,
    "comcast.ptr-required",
    "reverse-dns",
    ["reverse-dns"],
    "comcast",
  ],
  [
    "554 resimta-h1p-1.sys.comcast.net comcast 203.0.113.5 found on one or more DNSBLs, see https://postmaster.comcast.net/smtp-error-codes.php#BL000000",
    COMCAST,
    "comcast.spam-block",
    "reputation",
    ["ip-blocklisted"],
    "comcast",
  ],
  [
    "554 comcast 203.0.113.5 Comcast block for spam. Please see https://postmaster.comcast.net/smtp-error-codes.php#BL000010",
    COMCAST,
    "comcast.public-blocklist",
    "blocklist",
    ["ip-blocklisted"],
    "comcast",
  ],
  [
    "554 comcast 203.0.113.5 Comcast block. See https://postmaster.comcast.net/smtp-error-codes.php#ES000001",
    COMCAST,
    "comcast.dynamic-space",
    "reputation",
    ["ip-blocklisted"],
    "comcast",
  ],
  [
    "550 5.2.0 comcast Message rejected due to DMARC. https://postmaster.comcast.net/smtp-error-codes.php#DM000001",
    COMCAST,
    "comcast.dmarc",
    "authentication",
    ["authentication"],
    "comcast",
  ],
  [
    "421 resimta-po-10v.sys.comcast.net comcast [Too many sessions opened]",
    COMCAST,
    "comcast.too-many-sessions",
    "rate-limit",
    ["rate-limited"],
    "comcast",
  ],
  [
    "421 resimta-po-10v.sys.comcast.net comcast [Reverse DNS failure : Try again later]",
    COMCAST,
    "comcast.rdns-failure",
    "reverse-dns",
    ["reverse-dns"],
    "comcast",
  ],
  [
    "452 4.1.1 <user1@comcast.net> too many recent messages; Try again later",
    COMCAST,
    "comcast.recipient-rate",
    "rate-limit",
    [],
    "comcast",
  ],
  [
    "550 5.1.1 <user1@comcast.net> Not our Customer",
    COMCAST,
    "comcast.unknown-recipient",
    "recipient",
    ["unknown-recipients"],
    "comcast",
  ],
  [
    "554-gmx.net (mxgmx104) Nemesis ESMTP Service not available\n554-No SMTP service\n554-Bad DNS PTR resource record.\n554 For explanation visit https://postmaster.gmx.net/en/case?c=r0201&i=ip&v=203.0.113.32",
    GMX,
    "gmx.bad-ptr",
    "reverse-dns",
    ["reverse-dns"],
    "gmx",
  ],
  [
    "554-web.de (mxweb010) Nemesis ESMTP Service not available\n554 For explanation visit https://web.de/email/senderguidelines?ip=203.0.113.15&c=rdns",
    GMX,
    "gmx.bad-ptr-case",
    "reverse-dns",
    ["reverse-dns"],
    "gmx",
  ],
  [
    "554-gmx.net (mxgmx104) Nemesis ESMTP Service not available\n554-No SMTP service\n554-IP address is block listed.\n554 For explanation visit https://postmaster.gmx.net/en/case?c=bl",
    GMX,
    "gmx.ip-blocklisted",
    "reputation",
    ["ip-blocklisted"],
    "gmx",
  ],
  [
    "554 For explanation visit https://postmaster.gmx.net/en/case?c=bip&i=ip&v=203.0.113.5",
    GMX,
    "gmx.ip-blocklisted-case",
    "reputation",
    ["ip-blocklisted"],
    "gmx",
  ],
  [
    "554-Reject due to SPF policy.\n554 For explanation visit https://postmaster.gmx.net/en/case?c=spf",
    GMX,
    "gmx.spf-policy",
    "authentication",
    ["authentication"],
    "gmx",
  ],
  [
    "554-Reject due to policy restrictions.\n554 For explanation visit https://postmaster.gmx.net/en/case?c=hi",
    GMX,
    "gmx.policy-restrictions",
    "reputation",
    [],
    "gmx",
  ],
  [
    "554-Invalid DNS MX or A/AAAA resource record.",
    GMX,
    "gmx.sender-dns",
    "authentication",
    ["authentication"],
    "gmx",
  ],
  [
    "550 Requested action not taken: mailbox unavailable",
    GMX,
    "gmx.mailbox-unavailable",
    "recipient",
    ["unknown-recipients"],
    "gmx",
  ],
  [
    "550 spam message rejected. Please visit http://help.mail.ru/notspam-support/id?c=abc or report details to abuse@corp.mail.ru. Error code: 1A2B. ID: 3C4D.",
    MAILRU,
    "mailru.spam",
    "content",
    ["spam-content"],
    "mailru",
  ],
  [
    "550 5.7.1 This message was not accepted due to domain owner DMARC policy (RFC 7489) https://help.mail.ru/mail/dmarc",
    MAILRU,
    "mailru.dmarc",
    "authentication",
    ["authentication"],
    "mailru",
  ],
  [
    "550 Message was not accepted -- invalid mailbox. Local mailbox user1@mail.ru is unavailable: account is disabled",
    MAILRU,
    "mailru.invalid-mailbox",
    "recipient",
    ["unknown-recipients"],
    "mailru",
  ],
  [
    "550 message sending for this account is disabled",
    MAILRU,
    "mailru.sending-disabled",
    "sender-account",
    [],
    "mailru",
  ],
  [
    "554 5.7.1 [2] Message rejected under suspicion of SPAM; https://ya.cc/1IrBc 1631900360-abcDEF",
    YANDEX,
    "yandex.suspected-spam",
    "content",
    ["spam-content"],
    "yandex",
  ],
  [
    "554 5.7.1 Blocked by spam statistics - see https://ya.cc/abc",
    YANDEX,
    "yandex.spam-statistics",
    "reputation",
    ["spam-content"],
    "yandex",
  ],
  [
    "550 5.7.1 Policy rejection on the target address",
    YANDEX,
    "yandex.policy-rejection",
    "recipient-policy",
    [],
    "yandex",
  ],
  [
    "550 5.7.1 No such user!",
    YANDEX,
    "yandex.no-such-user",
    "recipient",
    ["unknown-recipients"],
    "yandex",
  ],
  [
    "450 4.2.1 The recipient has exceeded message rate limit. Try again later.",
    YANDEX,
    "yandex.recipient-rate",
    "rate-limit",
    [],
    "yandex",
  ],
  [
    "451 4.7.1 Sorry, the service is currently unavailable. Please come back later.",
    YANDEX,
    "yandex.unavailable",
    "transient",
    [],
    "yandex",
  ],
  [
    "552 5.2.2 Mailbox size limit exceeded",
    YANDEX,
    "yandex.mailbox-full",
    "recipient",
    [],
    "yandex",
  ],
  [
    "550 mwinf5c14 ME Adresse IP source bloquee pour incident de spam. Client host blocked for spamming issues. OFR006_102 Ref http://csi.cloudmark.com/reset-request/?ip=203.0.113.5 [102]",
    ORANGE,
    "orange.cloudmark-block",
    "blocklist",
    ["ip-blocklisted"],
    "orange",
  ],
  [
    "550 5.1.0 mwinf5c14 ME Adresse d expediteur invalide. Invalid Sender. OFR004_405 [405]",
    ORANGE,
    "orange.invalid-sender",
    "message-format",
    [],
    "orange",
  ],
  [
    "550 5.1.1 Adresse d au moins un destinataire invalide. Invalid recipient. OFR_416 [416]",
    ORANGE,
    "orange.invalid-recipient",
    "recipient",
    ["unknown-recipients"],
    "orange",
  ],
  [
    "552 5.1.1 Boite du destinataire pleine. Recipient overquota. OFR_417 [417]",
    ORANGE,
    "orange.mailbox-full",
    "recipient",
    [],
    "orange",
  ],
  [
    "550 5.7.1 [CSR] Our system has detected an unusual amount of unsolicited email originating from your address. Contact your service provider for support.",
    { relayHost: "gmail-smtp-in.l.google.com" },
    "mailchannels.sender-blocked",
    "sender-account",
    [],
    "mailchannels",
  ],
  [
    "550 5.7.1 [CS] Message blocked",
    { relayHost: "hotmail-com.olc.protection.outlook.com" },
    "mailchannels.message-blocked",
    "content",
    ["spam-content"],
    "mailchannels",
  ],
  [
    "530 5.7.0 Must issue a STARTTLS command first",
    { relayHost: "mx.example.net" },
    "generic.starttls-required",
    "tls",
    ["tls-required"],
    null,
  ],
  [
    "554 5.7.1 Service unavailable; Client host [203.0.113.5] blocked using zen.spamhaus.org",
    NONE,
    "generic.named-blocklist",
    "blocklist",
    ["ip-blocklisted"],
    null,
  ],
  [
    "550 5.7.1 Rejected because 203.0.113.5 is listed by Barracuda Reputation",
    NONE,
    "generic.named-blocklist",
    "blocklist",
    ["ip-blocklisted"],
    null,
  ],
  [
    "450 4.2.0 <user1@example.net>: Recipient address rejected: Greylisted, see https://postgrey.example.org/help/example.net.html",
    NONE,
    "generic.greylisted",
    "transient",
    [],
    null,
  ],
  [
    "550 5.1.1 <user1@example.net>: Recipient address rejected: User unknown in virtual mailbox table",
    NONE,
    "generic.user-unknown",
    "recipient",
    ["unknown-recipients"],
    null,
  ],
  [
    "550 5.1.1 mailbox gone",
    NONE,
    "generic.bad-mailbox",
    "recipient",
    ["unknown-recipients"],
    null,
  ],
  ["452 4.3.1 Insufficient system resources", NONE, "generic.mail-system", "transient", [], null],
  [
    "521 5.3.2 System not accepting network messages",
    NONE,
    "generic.mail-system-permanent",
    "unknown",
    [],
    null,
  ],
  ["451 4.4.1 No answer from host", NONE, "generic.network", "transient", [], null],
  [
    "550 5.4.1 Mail for this domain is not accepted here",
    NONE,
    "generic.routing-refused",
    "recipient",
    [],
    null,
  ],
  [
    "554 4.4.7 Message expired: unable to deliver in 840 minutes",
    NONE,
    "generic.delivery-expired",
    "unknown",
    [],
    null,
  ],
  ["550 5.7.1 Access denied", NONE, "generic.policy", "unknown", [], null],
  ["451 4.7.1 Try again later", NONE, "generic.policy", "unknown", [], null],
  [
    "550 5.7.25 Reverse DNS validation failed",
    NONE,
    "generic.ptr",
    "reverse-dns",
    ["reverse-dns"],
    null,
  ],
  [
    "550 5.7.1 Connections not accepted from servers without a valid sender domain. Fix reverse DNS for 192.0.2.1",
    NONE,
    "generic.sender-domain-and-ptr",
    "authentication",
    ["authentication", "reverse-dns"],
    null,
  ],
  [
    "550 5.7.23 SPF validation failed",
    NONE,
    "generic.spf-dkim",
    "authentication",
    ["authentication"],
    null,
  ],
  ["550 5.7.20 Message rejected", NONE, "generic.dkim", "authentication", ["authentication"], null],
  [
    "550 Administrative prohibition",
    NONE,
    "generic.receiver-access-list",
    "recipient-policy",
    [],
    null,
  ],
  ["250 2.0.0 Ok: queued as 4Xyz", NONE, "generic.success-status", "unknown", [], null],
  ["something went wrong", NONE, "generic.unknown", "unknown", [], null],
];

describe("provider and generic rules", () => {
  const classifier = createReplyClassifier();

  it.each(CASES)("%s", (text, hints, ruleId, category, findings, provider) => {
    const reply = classifier.explain(text, hints);
    expect(reply.ruleId).toBe(ruleId);
    expect(reply.category).toBe(category);
    expect([...reply.findings].sort()).toEqual([...findings].sort());
    expect(reply.provider).toBe(provider);
  });

  it("recognises distinctive wording without hints", () => {
    expect(
      classifier.explain("421 4.7.0 [TSS04] Messages from 203.0.113.5 temporarily deferred")
        .provider,
    ).toBe("yahoo");
    expect(
      classifier.explain("550 5.7.1 messages from [203.0.113.5] weren't sent (S3150)").provider,
    ).toBe("outlook");
    expect(
      classifier.explain("554 5.7.1 [CS01] Message rejected due to local policy.").provider,
    ).toBe("icloud");
  });

  it("keeps Yahoo's permanent deferral permanent", () => {
    expect(
      classifier.explain(
        "553 5.7.2 [TSS06] All messages from 203.0.113.5 will be permanently deferred",
        YAHOO,
      ).permanent,
    ).toBe(true);
  });

  it("keeps Yahoo's older TS03 deferral permanent despite its 421", () => {
    const reply = classifier.explain(
      "421 4.7.0 [TS03] All messages from 203.0.113.5 will be permanently deferred; Retrying will NOT succeed.",
    );
    expect(reply.providerToken).toBe("TS03");
    expect(reply.provider).toBe("yahoo");
    expect(reply.permanent).toBe(true);
  });

  it("names only the list of the Yahoo token", () => {
    const bl21 = classifier.explain(
      "553 5.7.1 [BL21] Connections will not be accepted from 203.0.113.13, because the ip is in Spamhaus's list.",
      YAHOO,
    );
    expect(bl21.summary).not.toMatch(/BL23|XBL/);
    const bl23 = classifier.explain(
      "553 Mail from 203.0.113.13 not allowed - 5.7.1 [BL23] Connections not accepted from IP addresses on Spamhaus XBL",
      YAHOO,
    );
    expect(bl23.summary).toMatch(/XBL/);
  });

  it("calls no permanent reply transient", () => {
    for (const text of [
      "550 5.4.1 Recipient address rejected: Access denied [AM0PR01MB0001.eurprd01.prod.outlook.com]",
      "550 5.4.1 Mail for this domain is not accepted here",
      "554 5.3.0 Internal system error",
      "554 4.4.7 Message expired",
    ]) {
      const reply = classifier.explain(text);
      expect(reply.permanent).toBe(true);
      expect(reply.category).not.toBe("transient");
    }
  });

  it("needs the provider for wording that other servers use too", () => {
    const reply = classifier.explain("550 5.5.0 Requested action not taken: mailbox unavailable");
    expect(reply.ruleId).toBe("generic.mailbox-unavailable");
    expect(reply.provider).toBeNull();
  });
});

describe("generic security or policy rule", () => {
  const classifier = createReplyClassifier();
  const GMAIL: ExplainHints = { relayHost: "gmail-smtp-in.l.google.com", recipient: "a@gmail.com" };

  it("explains a new Gmail 5.7.1 wording as a refusal of the sender", () => {
    const reply = classifier.explain(
      "550-5.7.1 Gmail has blocked this message because the sending IP has been associated with abusive traffic.",
      GMAIL,
    );
    expect(reply.ruleId).toBe("generic.policy");
    expect(reply.provider).toBe("gmail");
    expect(reply.category).toBe("unknown");
    expect(reply.permanent).toBe(true);
    expect(reply.summary).toMatch(/refused mail from this sender/);
    expect(reply.summary).toMatch(/does not name/);
  });

  it("explains Sendmail's stat=Service unavailable with dsn=5.7.1", () => {
    const reply = classifier.explain("Service unavailable", { ...GMAIL, dsn: "5.7.1" });
    expect(reply.ruleId).toBe("generic.policy");
    expect(reply.enhancedStatus).toBe("5.7.1");
    expect(reply.provider).toBe("gmail");
  });

  it("does not blame the recipient organisation", () => {
    const reply = classifier.explain("550 5.7.0 Local policy violation");
    expect(reply.ruleId).toBe("generic.policy");
    expect(reply.category).not.toBe("recipient-policy");
    expect(reply.category).not.toBe("reputation");
  });
});
