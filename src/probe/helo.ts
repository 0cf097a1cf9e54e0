import { isIpAddress } from "../dns/names.js";

// Labels of letters, digits, hyphens and underscores that neither start nor end with a hyphen.
// RFC 5321 (section 4.1.2) allows no underscore, but some hosts carry one in their name and
// receivers take it, so it is allowed here.
const HOST_NAME =
  /^[A-Za-z0-9_](?:[A-Za-z0-9_-]*[A-Za-z0-9_])?(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]*[A-Za-z0-9_])?)*\.?$/;

/**
 * Checks an EHLO name: a host name, or an address literal such as `[192.0.2.1]` or
 * `[IPv6:2001:db8::1]` (RFC 5321, sections 4.1.1.1 and 4.1.3). Returns the problem in words,
 * or null when the name can be sent. A name with a space or line break is rejected, because it
 * would end the EHLO command and start another one.
 */
export function heloProblem(name: string): string | null {
  if (name === "") return "the name is empty";
  if (name.length > 253) return "the name is longer than 253 characters";
  const literal = /^\[(?:IPv6:)?([^\]]+)\]$/i.exec(name);
  if (literal !== null) {
    return isIpAddress(literal[1] ?? "") ? null : "the address literal holds no IP address";
  }
  if (HOST_NAME.test(name)) return null;
  return "it is neither a host name (letters, digits, hyphens and dots) nor an address literal such as [192.0.2.1]";
}

/**
 * Returns true for a fully qualified host name (two labels or more) or an address literal.
 * RFC 5321 (section 4.1.1.1) requires one of these in EHLO, and some receivers reject a bare
 * name such as `mail`, so a probe sent with one may be rejected for its own EHLO.
 */
export function isFullyQualifiedHelo(name: string): boolean {
  if (/^\[.*\]$/.test(name)) return true;
  return name.replace(/\.$/, "").includes(".");
}

/**
 * Returns the EHLO name to send: a host name without its trailing dot, because the Domain
 * syntax of RFC 5321 (section 4.1.2) has none. Address literals are returned unchanged.
 */
export function ehloName(name: string): string {
  return name.startsWith("[") ? name : name.replace(/\.$/, "");
}

// Names that only mean "this machine" and that no receiver can look up: the defaults of an
// unconfigured host such as `localhost.localdomain`, and the reserved `.local` and `.invalid`.
const LOCAL_NAME = /(?:^|\.)(?:localhost|localdomain|local|invalid)$/i;

/**
 * Checks an EHLO name that `heloProblem` accepts for what receivers may reject: a bare name,
 * a name for this machine only, or an underscore. Returns the problem as the rest of a
 * sentence that starts with the name, or null when the name is fine.
 */
export function heloWarning(name: string): string | null {
  if (!isFullyQualifiedHelo(name)) return "is not fully qualified";
  if (name.startsWith("[")) return null;
  if (LOCAL_NAME.test(ehloName(name))) {
    return "is a name for this machine only, which no receiver can look up";
  }
  if (name.includes("_")) {
    return "contains an underscore, which RFC 5321 does not allow in a host name";
  }
  return null;
}
