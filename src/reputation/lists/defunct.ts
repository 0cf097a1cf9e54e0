import type { BlocklistEntry } from "../types.js";
import { defineList, listed } from "./define.js";

const NONE = { url: null, reason: "The list is switched off." } as const;

/**
 * Lists that are switched off. They stay in the catalogue so that a run naming one of them
 * reports it instead of querying it, because a lapsed list domain may answer "listed" for
 * every address.
 */
export const DEFUNCT_LISTS: readonly BlocklistEntry[] = [
  defineList({
    id: "sorbs",
    name: "SORBS",
    zone: "dnsbl.sorbs.net",
    otherZones: [
      "sorbs.net",
      "spam.dnsbl.sorbs.net",
      "smtp.dnsbl.sorbs.net",
      "dul.dnsbl.sorbs.net",
      "rhsbl.sorbs.net",
    ],
    targets: ["ipv4"],
    listType: "block",
    description: "Open proxies and relays, spam sources and dynamic ranges (historic).",
    codes: [listed("127.0.0.2-127.0.0.10", "historic SORBS codes")],
    usage: "None: switched off.",
    delisting: NONE,
    status: "defunct",
    statusNote: "Proofpoint switched SORBS off on 2024-06-05; any answer now is meaningless.",
    relevance: "none",
  }),
  defineList({
    id: "nixspam",
    name: "NiX Spam (iX, manitu)",
    zone: "ix.dnsbl.manitu.net",
    targets: ["ipv4"],
    listType: "block",
    description: "Spam trap IPs with a 12-hour expiry (historic).",
    codes: [listed("127.0.0.2", "historic listing")],
    usage: "None: switched off.",
    delisting: NONE,
    status: "defunct",
    statusNote: "Empty since 2025-01-16.",
    relevance: "none",
  }),
  defineList({
    id: "spamcannibal",
    name: "SpamCannibal",
    zone: "bl.spamcannibal.org",
    targets: ["ipv4"],
    listType: "block",
    description: "Historic list whose domain lapsed in 2018.",
    codes: [listed("127.0.0.2", "historic listing")],
    usage: "None: the domain lapsed.",
    delisting: NONE,
    status: "defunct",
    statusNote: "The domain lapsed in 2018 and a parking wildcard then listed every address.",
    relevance: "none",
  }),
  defineList({
    id: "spamhaus-swl-dwl",
    name: "Spamhaus SWL and DWL",
    zone: "swl.spamhaus.org",
    otherZones: ["dwl.spamhaus.org"],
    targets: ["ipv4", "ipv6", "domain"],
    listType: "allow",
    description: "Spamhaus's former allow lists of IPs and DKIM domains.",
    codes: [listed("127.0.2.2-127.0.2.103", "historic allow-list codes")],
    usage: "None: withdrawn.",
    delisting: NONE,
    status: "defunct",
    statusNote: "Withdrawn by Spamhaus (DWL support ended 2018-12-12).",
    relevance: "none",
  }),
  ...[
    ["njabl", "dnsbl.njabl.org"],
    ["dsbl", "list.dsbl.org"],
    ["blitzed-opm", "opm.blitzed.org"],
    ["ahbl", "dnsbl.ahbl.org"],
    ["rfc-ignorant", "ipwhois.rfc-ignorant.org"],
    ["easynet-dynablock", "dynablock.easynet.nl"],
  ].map(([id = "", zone = ""]) =>
    defineList({
      id,
      name: zone,
      zone,
      targets: ["ipv4"],
      listType: "block",
      description: "A long-retired list still found in old checker configs.",
      codes: [listed("127.0.0.2", "historic listing")],
      usage: "None: retired.",
      delisting: NONE,
      status: "defunct",
      statusNote: "Retired years ago; some retired lists answer 'listed' for every address.",
      relevance: "none",
    }),
  ),
];
