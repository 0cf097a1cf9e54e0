import { domainToASCII } from "node:url";
import { hostNameProblem, isIpAddress, nameProblem } from "../dns/names.js";
import { canonicalIp } from "../store/types.js";
import { UsageError } from "./io.js";

/**
 * Lower-cases domains, converts internationalised ones to ASCII, and rejects the rest that is
 * not a domain name. The error names the value as typed, not its converted form.
 */
export function validDomains(domains: readonly string[], option: string): string[] {
  const cleaned = domains.map((typed) => {
    const converted = asciiName(typed.toLowerCase().replace(/\.$/, ""));
    const problem = converted.problem ?? hostNameProblem(converted.name);
    if (problem !== null || !converted.name.includes(".") || isIpAddress(converted.name)) {
      throw new UsageError(
        `invalid ${option} "${typed}": ${problem ?? "give a domain name such as example.com"} (IP addresses go after --ip)`,
      );
    }
    return converted.name;
  });
  return [...new Set(cleaned)];
}

/** A name in the ASCII form that DNS uses, or why one of its labels cannot be converted. */
interface AsciiName {
  readonly name: string;
  readonly problem: string | null;
}

/**
 * Converts an internationalised domain name (`exämple.com`) label by label to the ASCII form
 * that DNS uses (`xn--exmple-cua.com`, RFC 5891). Labels are split at the full stops UTS #46
 * treats as dots. A Unicode label with an ASCII character no host name may contain, a label that
 * cannot be converted, and an `xn--` label that is not valid Punycode give a problem that
 * quotes the label as typed. Other checks are left to `hostNameProblem`.
 */
function asciiName(name: string): AsciiName {
  const labels: string[] = [];
  for (const label of name.split(/[.\u3002\uff0e\uff61]/)) {
    const converted = asciiLabel(label);
    if (typeof converted !== "string") return { name, problem: converted.problem };
    labels.push(converted);
  }
  return { name: labels.join("."), problem: null };
}

function asciiLabel(label: string): string | { problem: string } {
  if (/^[\x20-\x7e]*$/.test(label)) {
    // domainToASCII returns "" for an xn-- label whose Punycode does not decode.
    if (/^xn--/i.test(label) && domainToASCII(label) === "")
      return { problem: `the label "${label}" starts with xn-- but is not valid Punycode` };
    return label;
  }
  const forbidden = [...label.replace(/[a-z0-9_-]/gi, "")].find((char) => char < "\u0080");
  if (forbidden !== undefined) {
    const shown = /\s/.test(forbidden) ? "a space" : `"${forbidden}"`;
    return { problem: `the label "${label}" contains ${shown}, which no host name may contain` };
  }
  const ascii = domainToASCII(label);
  if (ascii === "" || ascii.includes("."))
    return { problem: `the label "${label}" cannot be converted to its ASCII (xn--) form` };
  return ascii;
}

/**
 * Rejects anything in `--ip` that is not an IPv4 or IPv6 address, and returns each address
 * once in its canonical spelling: IPv6 in the RFC 5952 form, an IPv4-mapped IPv6 address as
 * IPv4. SPF and the PTR lookup treat a mapped address as IPv4, so the report names it that way.
 */
export function validIps(ips: readonly string[]): string[] {
  return [...new Set(ips.map(validIp))];
}

/** Rejects one `--ip` value that is not an IP address, and returns it spelt as in `validIps`. */
export function validIp(ip: string): string {
  if (!isIpAddress(ip)) throw new UsageError(`invalid --ip "${ip}": give an IPv4 or IPv6 address`);
  return canonicalIp(ip);
}

/**
 * Rejects a `--selector` that cannot start the DNS name `SELECTOR._domainkey.DOMAIN`. A
 * selector is one or more labels of letters, digits and hyphens (RFC 6376, section 3.1).
 * Underscores are let through, because DNS allows them in any label (RFC 2181, section 11). A
 * label that starts with "-" is an option typed in the wrong place, and the error calls it one.
 */
export function validSelectors(selectors: readonly string[]): string[] {
  for (const selector of selectors) {
    const problem = selectorProblem(selector);
    if (problem !== null) {
      throw new UsageError(
        `invalid --selector "${selector}": ${problem}; a DKIM selector is a DNS name such as ` +
          "default or s1",
      );
    }
  }
  return [...new Set(selectors)];
}

function selectorProblem(selector: string): string | null {
  const limits = nameProblem(selector);
  if (limits !== null) return limits;
  for (const label of selector.split(".")) {
    if (label === "") return "the name has an empty label";
    if (label.startsWith("-")) return `the label "${label}" starts with -, like an option`;
    const character = /[^a-z0-9_-]/i.exec(label)?.[0];
    if (character !== undefined) {
      const shown = /\s/.test(character) ? "a space" : `"${character}"`;
      return `the label "${label}" contains ${shown}, which a selector may not contain`;
    }
  }
  return null;
}
