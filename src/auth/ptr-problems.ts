/**
 * The problems of one sending IP's reverse DNS and their fixes. The fixes depend on what the
 * forward lookups of the PTR names returned, so they are built here rather than in the text.
 */
import type ipaddr from "ipaddr.js";
import { parseIp } from "../dns/names.js";
import { registrableDomain } from "./dmarc/discover.js";
import type { DnsFailure } from "../dns/types.js";
import type { PtrResult } from "./ptr.js";
import { problem, type Problem } from "./types.js";

/** A PTR result, the failure of its query when DNS gave no usable answer, and forward data. */
export interface CheckedIp {
  readonly result: PtrResult;
  readonly failure: DnsFailure | null;
  /**
   * The A or AAAA records of each PTR name that was looked up: empty for NXDOMAIN or NODATA,
   * null when the forward query got no usable answer.
   */
  readonly forwardAddresses: ReadonlyMap<string, readonly string[] | null>;
}

/** Names like `192-0-2-25.dsl.example.net` or `dynamic-…` mark an ISP's default PTR. */
export function looksGeneric(host: string, address: ipaddr.IPv4 | ipaddr.IPv6): boolean {
  const parts = address.kind() === "ipv4" ? address.toString().split(".") : [];
  const digits =
    parts.length === 4 &&
    (host.includes(parts.join("-")) ||
      host.includes([...parts].reverse().join("-")) ||
      host.includes(parts.join(".")));
  return digits || /(^|[.-])(dynamic|dyn|dhcp|pool|dsl|cable|ppp|client|static|host\d)/.test(host);
}

/**
 * Lists the problems of one IP. A PTR query that got no usable answer is `info`, not an error,
 * because it shows nothing about the PTR record, so no `reverse-dns` finding rests on it.
 * `domains` are the checked sender domains, whose zones the admin is taken to edit.
 */
export function ptrProblems(
  entry: CheckedIp,
  helo: string | null,
  domains: readonly string[] = [],
): Problem[] {
  const { result, failure } = entry;
  if (failure?.kind === "not-in-zone") return [notInZoneProblem(result, failure)];
  if (result.error !== null) {
    return [
      problem(
        "ptr-dns-error",
        failure === null ? "error" : "info",
        `The PTR query for ${result.ip} (${result.reverseName}) failed, so its reverse DNS is ${result.error}.`,
        `Run the check again. If the query keeps failing, check that the name servers of ${result.reverseName} answer; if they do not, ask the owner of the IP (your provider) to fix its reverse zone.`,
      ),
    ];
  }
  if (result.names.length === 0) {
    return [
      problem(
        "ptr-missing",
        "error",
        `${result.ip} has no PTR record; Gmail rejects mail from IPs without reverse DNS.`,
        `Ask the owner of ${result.ip} (your hosting provider or ISP) to set its PTR to your mail server's host name.`,
      ),
    ];
  }
  const address = parseIp(result.ip);
  const ownName = serverName(helo, address);
  const problems: Problem[] = [];
  if (!result.forwardConfirmed) {
    problems.push(notConfirmedProblem(entry, ownName, editableDomains(domains, helo)));
  }
  if (result.generic) {
    problems.push(
      problem(
        "ptr-generic",
        "warning",
        `The PTR name of ${result.ip} (${result.names[0] ?? ""}) looks like an ISP's default name; receivers treat such IPs as end-user connections.`,
        ownName === null
          ? "Set the PTR to your mail server's own host name."
          : `${setPtrTo(result.ip, ownName)}, and make sure ${ownName} has ${addressRecord(result.ip)} pointing to ${result.ip}.`,
      ),
    );
  }
  if (helo !== null && result.forwardConfirmed && result.heloMatches === false) {
    problems.push(heloMismatchProblem(result, helo, ownName, address));
  }
  return problems;
}

/**
 * Returns the HELO name when it can serve as the server's PTR name: a fully qualified name
 * that does not look like an ISP's default name. Returns null otherwise, or without HELO.
 */
function serverName(helo: string | null, address: ipaddr.IPv4 | ipaddr.IPv6): string | null {
  if (helo === null) return null;
  const name = helo.toLowerCase().replace(/\.$/, "");
  if (!name.includes(".") || name.startsWith("localhost") || looksGeneric(name, address)) {
    return null;
  }
  return name;
}

/**
 * Returns the registrable domains whose zones the admin is taken to edit: those of the checked
 * domains and of the HELO name. Empty when neither is known.
 */
function editableDomains(domains: readonly string[], helo: string | null): Set<string> {
  const names = helo === null ? domains : [...domains, helo.replace(/\.$/, "")];
  return new Set(names.flatMap((name) => registrableDomain(name) ?? []));
}

/**
 * True when `name` lies outside every domain of `editable`, such as an ISP's
 * static-10.isp.example.net for a server of example.com. False when `editable` is empty,
 * because nothing then shows whose zone the name is in.
 */
function outsideEditable(name: string, editable: ReadonlySet<string>): boolean {
  if (editable.size === 0) return false;
  const domain = registrableDomain(name.replace(/\.$/, ""));
  return domain === null || !editable.has(domain);
}

function addressRecord(ip: string): string {
  return ip.includes(":") ? "an AAAA record" : "an A record";
}

function setPtrTo(ip: string, name: string): string {
  return `Ask the owner of ${ip} (your hosting provider or ISP) to set its PTR to ${name}, the HELO name`;
}

/**
 * Builds the error for PTR names that do not resolve back to the IP. A second address record
 * on a name that already points elsewhere is rarely right, so the fix adds a record only to a
 * name without one, and only when that name lies in a zone of `editable`. A PTR name in
 * another domain, usually the ISP's, is not the admin's to change, so the fix then requests
 * a new PTR from the owner of the IP. Several PTR names get the advice to keep one, because a
 * receiver may check any of them.
 */
function notConfirmedProblem(
  { result, forwardAddresses }: CheckedIp,
  ownName: string | null,
  editable: ReadonlySet<string>,
): Problem {
  const { ip, names } = result;
  const record = addressRecord(ip);
  const elsewhere = names.flatMap((name) => {
    const addresses = forwardAddresses.get(name) ?? [];
    return addresses.length > 0 ? [`${name} points to ${addresses.join(", ")}`] : [];
  });
  const message =
    `The PTR name of ${ip} (${names.join(", ")}) does not resolve back to ${ip}` +
    (elsewhere.length > 0 ? `; ${elsewhere.join("; ")}.` : ".");
  const target = ownName ?? "the mail server's own host name";
  let fix: string;
  if (names.length > 1) {
    fix = `Keep one PTR record for ${ip}, pointing to ${target}, and make sure that name has ${record} pointing to ${ip}.`;
  } else if (elsewhere.length > 0 || outsideEditable(names[0] ?? "", editable)) {
    fix =
      ownName === null
        ? `Ask the owner of ${ip} (your hosting provider or ISP) to set its PTR to the mail server's own host name, the one with ${record} pointing to ${ip}.`
        : `${setPtrTo(ip, ownName)}, and make sure ${ownName} has ${record} pointing to ${ip}.`;
  } else {
    fix = `Add ${record} for ${names[0] ?? "the PTR name"} pointing to ${ip}.`;
  }
  return problem("ptr-not-confirmed", "error", message, fix);
}

/**
 * Builds the warning for a HELO name that is not a confirmed PTR name. A confirmed name that
 * looks like an ISP's default name is never offered as the HELO name, because receivers and
 * lists of dynamic ranges penalise such HELO names too.
 */
function heloMismatchProblem(
  result: PtrResult,
  helo: string,
  ownName: string | null,
  address: ipaddr.IPv4 | ipaddr.IPv6,
): Problem {
  const message = `The HELO name ${helo} is not the PTR name of ${result.ip} (${result.confirmedNames.join(", ")}).`;
  const proper = result.confirmedNames.find((name) => !looksGeneric(name, address));
  if (proper !== undefined) {
    return problem(
      "helo-mismatch",
      "warning",
      message,
      `Send "${proper}" as the HELO name (Postfix smtp_helo_name, Exim helo_data).`,
    );
  }
  const fix =
    ownName === null
      ? `Set the PTR of ${result.ip} to the mail server's own host name, and send that name as the HELO name (Postfix smtp_helo_name, Exim helo_data).`
      : `Keep ${ownName} as the HELO name and set the PTR of ${result.ip} to it, because the current PTR name looks like an ISP's default name.`;
  return problem("helo-mismatch", "warning", message, fix);
}

/**
 * Builds the warning for an IP whose reverse name is outside the zone files given with
 * `--zone`. The files cannot show its PTR, so the fix names the files, not name servers.
 */
function notInZoneProblem(result: PtrResult, failure: DnsFailure): Problem {
  return problem(
    "ptr-not-in-zone",
    "warning",
    `The PTR of ${result.ip} was not checked, because ${failure.detail}.`,
    `To check it, add the reverse zone that contains ${result.reverseName} to the --zone files, or run without --zone.`,
  );
}
