import type { DnsContext } from "../dns/context.js";
import { isIpAddress } from "../dns/names.js";
import { isVoidFailure, type DnsFailure } from "../dns/types.js";
import {
  notCheckedText,
  dnsProblem,
  isUnanswered,
  problem,
  verdictOf,
  type CheckResult,
  type Problem,
} from "./types.js";

/** One MX host and the addresses it resolves to. */
export interface MxHost {
  readonly priority: number;
  readonly exchange: string;
  readonly addresses: readonly string[];
  /** True when the MX name is an alias, which RFC 2181 (section 10.3) forbids. */
  readonly alias: boolean;
}

/** An MX host with the failure of its address query, when that failure is `not-in-zone`. */
interface ResolvedHost {
  readonly host: MxHost;
  readonly outsideZones: DnsFailure | null;
}

export type MxCheck = CheckResult<{
  readonly domain: string;
  readonly hosts: readonly MxHost[];
  readonly nullMx: boolean;
}>;

/**
 * Checks the MX records of a sending domain: bounces and replies go there, and receivers such
 * as Yahoo defer mail whose envelope domain does not resolve.
 */
export async function checkMx(domain: string, dns: DnsContext): Promise<MxCheck> {
  const answer = await dns.lookup(domain, "MX");
  const empty = { domain, hosts: [], nullMx: false };
  if (!answer.ok) {
    if (isUnanswered(answer))
      return {
        verdict: "not-checked",
        explanation: notCheckedText(answer),
        evidence: empty,
        problems: [],
      };
    if (!isVoidFailure(answer.kind)) return finish(empty, [dnsProblem("mx-dns-error", answer)]);
    return finish(empty, await noMx(domain, dns));
  }
  const records = [...answer.records].sort((a, b) => a.priority - b.priority);
  if (records.length === 1 && (records[0]?.exchange === "" || records[0]?.exchange === ".")) {
    return finish({ ...empty, nullMx: true }, [
      problem(
        "mx-null",
        "error",
        `${domain} publishes a null MX (RFC 7505): it accepts no mail, so bounces to it are lost and receivers may reject its mail.`,
        "Publish MX records for a server that accepts mail for the domain.",
      ),
    ]);
  }
  const resolved = await Promise.all(
    records.map((record) => resolveHost(record.priority, record.exchange, dns)),
  );
  const hosts = resolved.map((entry) => entry.host);
  const problems = resolved.flatMap(hostProblems);
  const unchecked = resolved.filter(isUncheckedHost).flatMap((entry) => entry.outsideZones ?? []);
  const result = finish({ ...empty, hosts }, problems);
  const [firstUnchecked] = unchecked;
  // As for SPF includes, a host the zone files cannot show leaves the check not checked
  // unless something else fails it.
  if (firstUnchecked === undefined || result.verdict === "fail") return result;
  return { ...result, verdict: "not-checked", explanation: notCheckedText(firstUnchecked) };
}

/** True for an MX host without addresses whose address queries fell outside the zone files. */
function isUncheckedHost({ host, outsideZones }: ResolvedHost): boolean {
  return !isIpAddress(host.exchange) && outsideZones !== null && host.addresses.length === 0;
}

function hostProblems({ host, outsideZones }: ResolvedHost): Problem[] {
  const problems: Problem[] = [];
  if (isIpAddress(host.exchange)) {
    problems.push(
      problem(
        "mx-ip-literal",
        "error",
        `The MX ${host.exchange} is an IP address; MX records must name a host.`,
        "Point the MX at a host name with A or AAAA records.",
      ),
    );
  } else if (outsideZones !== null && host.addresses.length === 0) {
    problems.push(notInZoneProblem(host.exchange, outsideZones));
  } else if (host.addresses.length === 0) {
    problems.push(
      problem(
        "mx-no-address",
        "error",
        `The MX host ${host.exchange} has no A or AAAA record.`,
        `Add an address record for ${host.exchange} or remove the MX.`,
      ),
    );
  }
  if (host.alias) {
    problems.push(
      problem(
        "mx-cname",
        "warning",
        `The MX host ${host.exchange} is a CNAME; RFC 2181 requires the MX to name the host itself.`,
        "Point the MX at the canonical name.",
      ),
    );
  }
  return problems;
}

/**
 * Builds the warning for an MX host outside the zone files given with `--zone`. The files
 * cannot show whether it has address records, so it is not checked.
 */
function notInZoneProblem(exchange: string, failure: DnsFailure): Problem {
  return problem(
    "mx-not-in-zone",
    "warning",
    `The MX host ${exchange} was not checked, because ${failure.detail}.`,
    `To check its A and AAAA records, add the zone of ${exchange} to the --zone files, or run without --zone.`,
  );
}

async function noMx(domain: string, dns: DnsContext): Promise<Problem[]> {
  const a = await dns.lookup(domain, "A");
  const aaaa = await dns.lookup(domain, "AAAA");
  if (a.ok || aaaa.ok) {
    return [
      problem(
        "mx-missing",
        "warning",
        `${domain} has no MX record; mail to it goes to its A or AAAA address.`,
        "Publish an MX record for the server that receives your bounces.",
      ),
    ];
  }
  return [
    problem(
      "mx-domain-unresolvable",
      "error",
      `${domain} has neither MX nor address records; receivers such as Yahoo defer mail whose envelope domain does not resolve.`,
      `Publish an MX or A record for ${domain}, so that receivers can verify it as the envelope sender domain.`,
    ),
  ];
}

async function resolveHost(
  priority: number,
  exchange: string,
  dns: DnsContext,
): Promise<ResolvedHost> {
  const addresses: string[] = [];
  let alias = false;
  let outsideZones: DnsFailure | null = null;
  for (const type of ["A", "AAAA"] as const) {
    const answer = await dns.lookup(exchange, type);
    if (!answer.ok) {
      if (answer.kind === "not-in-zone") outsideZones = answer;
      continue;
    }
    addresses.push(...answer.records);
    if (answer.cnameChain.length > 0) alias = true;
  }
  return { host: { priority, exchange, addresses, alias }, outsideZones };
}

function finish(evidence: MxCheck["evidence"], problems: Problem[]): MxCheck {
  const hosts = evidence.hosts.map((host) => host.exchange);
  return {
    verdict: verdictOf(problems),
    explanation:
      hosts.length > 0
        ? `Mail for ${evidence.domain} goes to ${hosts.join(", ")}.`
        : `${evidence.domain} has no usable MX.`,
    evidence,
    problems,
  };
}
