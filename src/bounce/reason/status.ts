/**
 * Enhanced status codes (RFC 3463 and the IANA registry of SMTP enhanced status codes) mapped
 * to bounce reasons, and the placeholder codes used when a bounce states none.
 */
import type { BounceReason } from "../types.js";

// Codes whose subject and detail alone say what failed. Codes that many receivers use for
// unrelated refusals (x.0.0, x.7.1) are left out: the reply text decides those.
const BY_STATUS: Readonly<Record<string, BounceReason>> = {
  "1.0": "userunknown",
  "1.1": "userunknown",
  "1.2": "hostunknown",
  "1.3": "userunknown",
  "1.4": "userunknown",
  "1.5": "userunknown",
  "1.6": "hasmoved",
  "1.7": "rejected",
  "1.8": "rejected",
  "1.9": "rejected",
  "1.10": "userunknown",
  "2.0": "filtered",
  "2.1": "filtered",
  "2.2": "mailboxfull",
  "2.3": "exceedlimit",
  "2.4": "systemerror",
  "3.0": "systemerror",
  "3.1": "systemfull",
  "3.2": "notaccept",
  "3.3": "systemerror",
  "3.4": "mesgtoobig",
  "3.5": "systemerror",
  "4.0": "networkerror",
  "4.2": "networkerror",
  "4.3": "systemerror",
  "4.4": "networkerror",
  "4.5": "networkerror",
  "4.6": "networkerror",
  "4.7": "expired",
  "5.1": "syntaxerror",
  "5.2": "syntaxerror",
  "5.3": "toomanyconn",
  "5.4": "syntaxerror",
  "5.5": "syntaxerror",
  "5.6": "syntaxerror",
  "6.0": "contenterror",
  "6.1": "contenterror",
  "6.2": "contenterror",
  "6.3": "contenterror",
  "6.4": "contenterror",
  "6.5": "contenterror",
  "6.6": "contenterror",
  "6.7": "contenterror",
  "6.8": "contenterror",
  "6.9": "contenterror",
  "6.10": "contenterror",
  "7.0": "securityerror",
  "7.2": "securityerror",
  "7.3": "securityerror",
  "7.4": "securityerror",
  "7.5": "securityerror",
  "7.6": "securityerror",
  "7.7": "securityerror",
  "7.8": "securityerror",
  "7.9": "securityerror",
  "7.10": "securityerror",
  "7.11": "securityerror",
  "7.12": "securityerror",
  "7.13": "suspend",
  "7.14": "securityerror",
  "7.15": "securityerror",
  "7.16": "securityerror",
  "7.17": "hasmoved",
  "7.18": "hasmoved",
  "7.19": "hasmoved",
  "7.20": "authfailure",
  "7.21": "authfailure",
  "7.22": "authfailure",
  "7.23": "authfailure",
  "7.24": "authfailure",
  "7.25": "requireptr",
  "7.26": "authfailure",
  "7.27": "notaccept",
  "7.28": "blocked",
  "7.29": "authfailure",
  "7.30": "securityerror",
  "7.509": "authfailure",
  "7.515": "authfailure",
};

/** Returns the reason that a status code alone implies, or null when the text must decide. */
export function reasonOfStatus(status: string | null): BounceReason | null {
  if (status === null) return null;
  const subjectDetail = status.slice(status.indexOf(".") + 1);
  const exact = BY_STATUS[subjectDetail];
  if (exact !== undefined) return exact;
  // Microsoft's three-digit details (5.1.351 "unknown recipient") keep the subject's meaning.
  return /^1\.\d{3}$/.test(subjectDetail) ? "userunknown" : null;
}

// Placeholder detail numbers for a bounce without a status code: `5.0.9NN` (permanent) or
// `4.0.9NN` (temporary), the pseudo codes bounce processors use, so that such results still
// sort and group by code.
const PLACEHOLDER: Readonly<Partial<Record<BounceReason, number>>> = {
  undefined: 900,
  onhold: 901,
  syntaxerror: 902,
  norelaying: 909,
  filtered: 910,
  userunknown: 911,
  hostunknown: 912,
  hasmoved: 916,
  rejected: 918,
  suspend: 921,
  mailboxfull: 922,
  exceedlimit: 923,
  systemerror: 930,
  systemfull: 931,
  notaccept: 932,
  mesgtoobig: 934,
  mailererror: 939,
  networkerror: 944,
  toomanyconn: 945,
  expired: 947,
  contenterror: 960,
  securityerror: 970,
  blocked: 971,
  policyviolation: 972,
  requireptr: 973,
  notcompliantrfc: 974,
  badreputation: 975,
  failedstarttls: 976,
  speeding: 977,
  virusdetected: 980,
  spamdetected: 980,
  authfailure: 973,
};

/** Returns the placeholder status for a reason, or null for reasons without one. */
export function placeholderStatus(reason: BounceReason, permanent: boolean): string | null {
  const detail = PLACEHOLDER[reason];
  if (detail === undefined) return null;
  return `${permanent ? 5 : 4}.0.${detail}`;
}
