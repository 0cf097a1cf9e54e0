import { domainToASCII } from "node:url";
import { hostNameProblem, isIpAddress } from "../dns/names.js";
import { UsageError } from "./io.js";

/** Lower-cases domains, converts internationalised ones to ASCII, and rejects the rest that is not a domain name. */
export function validDomains(domains: readonly string[], option: string): string[] {
  const cleaned = domains.map((d) => asciiName(d.toLowerCase().replace(/\.$/, "")));
  for (const domain of cleaned) {
    const problem = hostNameProblem(domain);
    if (problem !== null || !domain.includes(".") || isIpAddress(domain)) {
      throw new UsageError(
        `invalid ${option} "${domain}": ${problem ?? "give a domain name such as example.com"} (IP addresses go after --ip)`,
      );
    }
  }
  return [...new Set(cleaned)];
}

/**
 * Returns an internationalised domain name (`exämple.com`) in the ASCII form that DNS holds
 * (`xn--exmple-cua.com`, RFC 5891). A name that cannot be converted, or one in printable ASCII, comes
 * back as it was, so that the syntax check names its problem.
 */
function asciiName(name: string): string {
  if (/^[\x20-\x7e]*$/.test(name)) return name;
  const ascii = domainToASCII(name);
  return ascii === "" ? name : ascii;
}

/** Rejects anything in `--ip` that is not an IPv4 or IPv6 address. */
export function validIps(ips: readonly string[]): string[] {
  for (const ip of ips) {
    if (!isIpAddress(ip))
      throw new UsageError(`invalid --ip "${ip}": give an IPv4 or IPv6 address`);
  }
  return [...new Set(ips)];
}

/**
 * Rejects an empty `--selector` and one with a label that starts with "-". A selector is the
 * start of the DNS name `SELECTOR._domainkey.DOMAIN`, whose labels cannot start with a hyphen,
 * so such a value is an option typed in the wrong place.
 */
export function validSelectors(selectors: readonly string[]): string[] {
  for (const selector of selectors) {
    if (selector === "" || selector.split(".").some((label) => label.startsWith("-"))) {
      throw new UsageError(
        `invalid --selector "${selector}": a DKIM selector is a DNS name such as default or ` +
          "s1, and its labels cannot start with -",
      );
    }
  }
  return [...new Set(selectors)];
}
