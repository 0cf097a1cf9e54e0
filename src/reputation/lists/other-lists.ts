import type { BlocklistEntry } from "../types.js";
import { defineList, listed, notListed, refused } from "./define.js";

/** URI blocklists (link domains) and the allow lists and reputation scores. */
export const OTHER_LISTS: readonly BlocklistEntry[] = [
  defineList({
    id: "surbl-multi",
    name: "SURBL multi",
    zone: "multi.surbl.org",
    targets: ["domain", "ipv4"],
    listType: "block",
    description:
      "Domains and IPs found in the links of unsolicited mail: check link hosts, not the " +
      "sending IP.",
    decoder: "bitmask",
    // The last octet is a sum of these bits (127.0.0.80 = malware and abuse).
    codes: [
      refused("127.0.0.1", "SURBL refused the query (volume, or a public resolver)"),
      listed("127.0.0.4", "DM: a disposable-mail domain"),
      listed("127.0.0.8", "PH: phishing"),
      listed("127.0.0.16", "MW: malware"),
      listed("127.0.0.32", "CT: a click tracker of senders without opt-in"),
      listed("127.0.0.64", "ABUSE: spam and abuse"),
      listed("127.0.0.128", "CR: a cracked or compromised site"),
    ],
    usage:
      "Free for small sites; feeds for larger users; heavy or public-resolver queries get bit 1.",
    delisting: { url: "https://surbl.org/surbl-analysis", note: null },
    relevance: "medium",
    defaultEnabled: true,
    refusesPublicResolvers: true,
    unconfirmed: ["the answer to the test entry"],
  }),
  defineList({
    id: "uribl-multi",
    name: "URIBL multi",
    zone: "multi.uribl.com",
    targets: ["domain"],
    listType: "block",
    description: "Domains found in the bodies of unsolicited mail.",
    decoder: "bitmask",
    codes: [
      refused(
        "127.0.0.1",
        "URIBL refused the query (too many queries, or a shared or public resolver)",
      ),
      listed("127.0.0.2", "black: a spam domain"),
      listed("127.0.0.4", "grey: a bulk sender, possibly a false positive"),
      listed("127.0.0.8", "red: listed by URIBL's automated list"),
    ],
    testEntries: { listed: "test.uribl.com", notListed: "invalid" },
    usage: "Free for low volume; public and ISP resolvers are usually refused.",
    delisting: { url: "https://admin.uribl.com/", note: null },
    relevance: "medium",
    defaultEnabled: true,
    refusesPublicResolvers: true,
    unconfirmed: ["the removal page"],
  }),
  defineList({
    id: "senderscore-score",
    name: "Validity Sender Score",
    zone: "score.senderscore.com",
    targets: ["ipv4"],
    listType: "score",
    description:
      "Sender Score: an IP's reputation from 0 to 100 over 30 days, from Validity's " +
      "receiver network (higher is better).",
    decoder: "score",
    codes: [listed("127.0.4.0-127.0.4.100", "Sender Score (last octet, 0 to 100)")],
    // No score (NXDOMAIN) means too little mail was seen, not a score of zero.
    testEntries: null,
    usage: "An informal interface with no documentation; anonymous use is limited.",
    delisting: {
      url: null,
      reason: "A score is no listing: improve sending; look it up at https://senderscore.org/.",
    },
    status: "uncertain",
    statusNote: "Undocumented interface; some users reported it stopped answering in 2021.",
    relevance: "low",
    defaultEnabled: true,
    refusesPublicResolvers: true,
    unconfirmed: ["the 127.0.4.N form", "whether the zone still answers"],
  }),
  defineList({
    id: "dnswl",
    name: "dnswl.org",
    zone: "list.dnswl.org",
    targets: ["ipv4", "ipv6"],
    listType: "allow",
    description: "An allow list of known legitimate mail servers by sector and trust.",
    // The decoder reads 127.0.X.Y as category X (2 to 15) and trust Y (0 to 3), and
    // 127.0.X.255 as a refusal; this table is the summary that reports show.
    decoder: "dnswl",
    codes: [
      refused("127.0.0.255", "dnswl.org refused the query (volume, or a public resolver)"),
      listed("127.0.2.0-127.0.15.3", "on the allow list (category and trust in the code)"),
    ],
    usage: "Free for low volume; public resolvers get 127.0.0.255.",
    delisting: {
      url: null,
      reason: "An allow list: request a listing at https://www.dnswl.org/ instead.",
    },
    relevance: "none",
    refusesPublicResolvers: true,
  }),
  defineList({
    id: "mailspike-wl",
    name: "Mailspike allow list",
    zone: "wl.mailspike.net",
    targets: ["ipv4"],
    listType: "allow",
    description: "Graded good reputation of sending IPs.",
    codes: [
      notListed("127.0.0.16", "neutral reputation"),
      listed("127.0.0.17", "average reputation (H2)"),
      listed("127.0.0.18", "good reputation (H3)"),
      listed("127.0.0.19", "very good reputation (H4)"),
      listed("127.0.0.20", "excellent reputation (H5)"),
    ],
    testEntries: null,
    usage: "Free for low volume.",
    delisting: { url: null, reason: "An allow list: there is nothing to remove." },
    relevance: "none",
    unconfirmed: ["the meaning of 127.0.0.16"],
  }),
  defineList({
    id: "validity-certified",
    name: "Validity Certification",
    zone: "sa-trusted.bondedsender.org",
    otherZones: ["sa-accredit.habeas.com"],
    targets: ["ipv4"],
    listType: "allow",
    description: "Validity's certified senders (sa-accredit.habeas.com lists the Safe senders).",
    codes: [
      refused("127.255.255.255", "Validity refused the query"),
      listed("127.0.0.2-127.0.0.254", "a certified sender"),
    ],
    testEntries: null,
    usage: "Restricted like the RPBL.",
    delisting: { url: null, reason: "An allow list: there is nothing to remove." },
    status: "restricted",
    statusNote: "Validity answers many non-subscribers with 127.255.255.255.",
    relevance: "none",
    refusesPublicResolvers: true,
  }),
];
