import type { BlocklistEntry, ReturnCode } from "../types.js";
import { defineList, listed, refused } from "./define.js";

const CHECK_SPAMHAUS = "https://check.spamhaus.org/";

/** Error codes that every Spamhaus zone returns instead of a listing: never a reason to reject mail. */
export const SPAMHAUS_ERRORS: readonly ReturnCode[] = [
  refused(
    "127.255.255.252",
    "Spamhaus error: the zone name is misspelt, so the query reached no Spamhaus list",
  ),
  refused(
    "127.255.255.254",
    "Spamhaus refused the query: it came through a public or open resolver, or one without " +
      "attributable reverse DNS",
  ),
  refused(
    "127.255.255.255",
    "Spamhaus refused the query: this resolver sent more queries than free use allows",
  ),
];

const SBL = listed("127.0.0.2", "SBL: a verified spam source or spam operation");
const CSS = listed("127.0.0.3", "CSS: an automatically detected low-reputation sender");
const XBL = listed("127.0.0.4", "XBL: an exploited host (bot, proxy or malware)");
const XBL_UNUSED = listed("127.0.0.5-127.0.0.7", "XBL (codes documented as unused)");
const DROP = listed("127.0.0.9", "DROP: a hijacked or criminal netblock (comes with SBL)");
const PBL_ISP = listed(
  "127.0.0.10",
  "PBL (set by the ISP): an end-user range that should not send to MX servers directly",
);
const PBL_SPAMHAUS = listed(
  "127.0.0.11",
  "PBL (set by Spamhaus): an end-user range that should not send to MX servers directly",
);
const BCL = listed("127.0.0.30", "BCL: a botnet controller");

const IP_USAGE =
  "Free only for low-volume, non-commercial use through your own resolver with attributable " +
  "reverse DNS; otherwise a Data Query Service key (free or paid) is needed.";

const SPAMHAUS_IP_DELISTING = {
  url: CHECK_SPAMHAUS,
  note:
    "SBL: your ISP or hosting provider asks for removal; XBL: clean the host, then remove it " +
    "yourself; PBL: self-service removal for a real mail server.",
};

function spamhausIpList(
  id: string,
  label: string,
  description: string,
  codes: readonly ReturnCode[],
  extra: Partial<BlocklistEntry> = {},
): BlocklistEntry {
  return defineList({
    id,
    name: `Spamhaus ${label.toUpperCase()}`,
    zone: `${label}.spamhaus.org`,
    dqsLabel: label,
    targets: ["ipv4", "ipv6"],
    listType: "block",
    description,
    codes: [...codes, ...SPAMHAUS_ERRORS],
    usage: IP_USAGE,
    delisting: SPAMHAUS_IP_DELISTING,
    relevance: "high",
    refusesPublicResolvers: true,
    ...extra,
  });
}

/** The Spamhaus IP and domain lists. */
export const SPAMHAUS_LISTS: readonly BlocklistEntry[] = [
  spamhausIpList(
    "spamhaus-zen",
    "zen",
    "SBL, CSS, XBL and PBL in one query: the most widely used IP blocklist.",
    [SBL, CSS, XBL, XBL_UNUSED, DROP, PBL_ISP, PBL_SPAMHAUS, BCL],
    {
      name: "Spamhaus ZEN",
      defaultEnabled: true,
      unconfirmed: ["whether the public zone returns 127.0.0.30 (BCL) or only the DQS zone"],
    },
  ),
  spamhausIpList("spamhaus-sbl", "sbl", "The SBL alone, with CSS and DROP.", [SBL, CSS, DROP, BCL]),
  spamhausIpList("spamhaus-xbl", "xbl", "The XBL alone: exploited hosts.", [XBL, XBL_UNUSED]),
  spamhausIpList("spamhaus-pbl", "pbl", "The PBL alone: end-user ranges (a policy list).", [
    PBL_ISP,
    PBL_SPAMHAUS,
  ]),
  spamhausIpList("spamhaus-sbl-xbl", "sbl-xbl", "SBL and XBL without the PBL.", [
    SBL,
    CSS,
    XBL,
    DROP,
  ]),
  spamhausIpList(
    "spamhaus-authbl",
    "authbl",
    "Bots seen attacking SMTP AUTH: for checking authenticated submissions, not MX traffic.",
    [listed("127.0.0.20", "AuthBL: a host seen abusing SMTP authentication")],
    { keyRequired: "spamhaus-dqs", relevance: "low", usage: "Data Query Service key required." },
  ),
  defineList({
    id: "spamhaus-dbl",
    name: "Spamhaus DBL",
    zone: "dbl.spamhaus.org",
    dqsLabel: "dbl",
    targets: ["domain"],
    listType: "block",
    description: "Domains of spam, phishing, malware and botnet control, and abused domains.",
    codes: [
      listed("127.0.1.2", "a spam domain"),
      listed("127.0.1.4", "a phishing domain"),
      listed("127.0.1.5", "a malware domain"),
      listed("127.0.1.6", "a botnet controller domain"),
      listed("127.0.1.102", "a legitimate domain abused for spam"),
      listed("127.0.1.103", "an abused redirector or URL shortener"),
      listed("127.0.1.104", "a legitimate domain abused for phishing"),
      listed("127.0.1.105", "a legitimate domain abused for malware"),
      listed("127.0.1.106", "a legitimate domain abused to host botnet control"),
      refused("127.0.1.255", "Spamhaus error: an IP address was sent to the domain list"),
      ...SPAMHAUS_ERRORS,
    ],
    // NOTE: dbltest.com is the test entry Spamhaus documents for the DBL; it has not been
    // confirmed against the zone from this project.
    testEntries: { listed: "dbltest.com", notListed: "invalid" },
    usage: IP_USAGE,
    delisting: { url: CHECK_SPAMHAUS, note: null },
    relevance: "high",
    defaultEnabled: true,
    refusesPublicResolvers: true,
    unconfirmed: ["the dbltest.com test entry"],
  }),
  defineList({
    id: "spamhaus-zrd",
    name: "Spamhaus ZRD",
    zone: "zrd.spamhaus.org",
    dqsLabel: "zrd",
    keyRequired: "spamhaus-dqs",
    targets: ["domain"],
    listType: "block",
    description: "Zero Reputation Domains: domains first seen in the last 24 hours.",
    codes: [
      listed("127.0.2.2-127.0.2.24", "a domain first seen less than 24 hours ago"),
      ...SPAMHAUS_ERRORS,
    ],
    usage: "Data Query Service key required.",
    delisting: { url: null, reason: "Entries expire by themselves 24 hours after first sight." },
    relevance: "medium",
    defaultEnabled: true,
    refusesPublicResolvers: true,
  }),
];
