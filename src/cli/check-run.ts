import {
  applyMessageCheck,
  checkSenders,
  renderCheckText,
  type SenderCheckReport,
} from "../auth/index.js";
import { selectorsInMessage } from "../auth/dkim/selectors.js";
import { checkMessage, type MessageCheck } from "../auth/message.js";
import type { SelectorSource } from "../auth/dkim/check.js";
import type { DnsContext } from "../dns/context.js";
import { painter, statusStyle } from "../report/colour.js";
import { CHECK_DNS_RULES, type CheckOptions } from "./check.js";
import { readMessage } from "./check-message-input.js";
import { setUpDns } from "./dns-options.js";
import { dnsExitStatus, tallyLookups } from "./dns-outcome.js";
import { colourEnabled, parseFormat, UsageError, type CliIo } from "./io.js";
import { validDomains, validIps, validSelectors } from "./sender-options.js";
import { VERSION } from "./version.js";

/** Version of the JSON output of `delist check`; docs/check.schema.json describes it. */
export const CHECK_SCHEMA_VERSION = 1;

/** Runs `delist check` and returns the exit status. */
export async function runCheck(
  domains: string[],
  options: CheckOptions,
  io: CliIo,
): Promise<number> {
  const format = parseFormat(options.format, ["text", "json"]);
  const input = { domains: validDomains(domains, "domain"), ips: validIps(options.ip ?? []) };
  const givenSelectors = validSelectors(options.selector ?? []);
  checkStdinReaders(options);
  const setup = await setUpDns(options, io, CHECK_DNS_RULES);
  const { fetcher, orgDomainMethod, offline } = setup;
  const { dns, tally } = tallyLookups(setup.dns);
  const message = options.message === undefined ? null : await readMessage(options.message, io);
  const selectors = selectorSources(input.domains, givenSelectors, message);
  const dnsReport = await checkSenders(
    { domains: input.domains, ips: input.ips, helo: options.helo ?? null, selectors },
    { dns, fetcher, orgDomainMethod },
  );
  const messageCheck =
    message === null
      ? null
      : await checkMessage(
          message,
          input.domains[0] ?? "",
          input.ips,
          options.helo ?? null,
          dns,
          orgDomainMethod,
        );
  // A sample message shows whether the signer and the published key match, so its result
  // decides the DKIM rows, which the DNS check alone can judge only by the key's presence.
  const report = messageCheck === null ? dnsReport : applyMessageCheck(dnsReport, messageCheck);
  const stats = dns.stats();
  await dns.close();

  if (format === "json") {
    io.stdout.write(
      `${JSON.stringify(toJson(report, input, dns, messageCheck, options, offline), null, 2)}\n`,
    );
  } else {
    const style = statusStyle(painter(colourEnabled(io)));
    io.stdout.write(
      renderCheckText(
        report,
        {
          resolver: dns.description,
          queries: stats.queries,
          cacheHits: stats.cacheHits,
          offline: stats.queries === 0 && dns.offline(),
        },
        style,
      ),
    );
    if (messageCheck !== null) io.stdout.write(messageText(messageCheck));
  }
  const failed =
    report.verdict === "fail" ||
    report.verdict === "not-checked" ||
    hasUncheckedSection(report) ||
    (messageCheck !== null && messageCheck.dmarc?.result !== "pass");
  return dnsExitStatus(tally(), failed, options, io);
}

/**
 * Throws a UsageError when both `--zone -` and `--message -` are given, before either reads.
 * Standard input can be read only once, so the second option would read nothing.
 */
function checkStdinReaders(options: CheckOptions): void {
  if (options.zone?.includes("-") === true && options.message === "-") {
    throw new UsageError(
      "--zone - and --message - both read standard input, which can be read only once: " +
        "save the zone or the message to a file and give its path",
    );
  }
}

/**
 * True when any check was not done. The report's verdict passes over checks that were not
 * done when others were, so the exit status looks at each section.
 */
function hasUncheckedSection(report: SenderCheckReport): boolean {
  const sections = report.domains.flatMap((d) => [
    d.spf,
    d.dkimSummary,
    d.dmarc,
    d.mx,
    d.mtaSts,
    d.tlsRpt,
    d.bimi,
  ]);
  return [...sections, report.reverseDns].some((section) => section.verdict === "not-checked");
}

function selectorSources(
  domains: readonly string[],
  given: readonly string[],
  message: Buffer | null,
): Record<string, SelectorSource[]> {
  const found = message === null ? [] : selectorsInMessage(message.toString("latin1"));
  return Object.fromEntries(
    domains.map((domain) => {
      const sources: SelectorSource[] = given.map((selector) => ({ selector, source: "given" }));
      for (const signature of found.filter((s) => s.domain === domain)) {
        if (!sources.some((s) => s.selector === signature.selector))
          sources.push({ selector: signature.selector, source: "found" });
      }
      return [domain, sources];
    }),
  );
}

function toJson(
  report: SenderCheckReport,
  input: { domains: string[]; ips: string[] },
  dns: DnsContext,
  messageCheck: MessageCheck | null,
  options: CheckOptions,
  offline: boolean,
): object {
  const [first] = report.domains;
  return {
    schemaVersion: CHECK_SCHEMA_VERSION,
    tool: { name: "delist", version: VERSION },
    generatedAt: new Date().toISOString(),
    input: {
      domains: input.domains,
      ips: input.ips,
      helo: options.helo ?? null,
      resolver: dns.description,
      offline,
    },
    ...(first === undefined ? {} : first),
    verdict: report.verdict,
    domains: report.domains,
    ptr: report.ptr,
    reverseDns: report.reverseDns,
    message: messageCheck,
    messageDomain: report.messageDomain ?? null,
    findings: report.findings,
    readiness: report.readiness,
    dns: { ...dns.stats(), unreachable: dns.unreachable() },
  };
}

/** Renders the sample message's verdict in a few lines. */
function messageText(check: MessageCheck): string {
  const lines = ["", "Sample message"];
  lines.push(
    `  From: ${check.fromDomain ?? check.fromError ?? "?"}; envelope: ${check.envelopeDomain}`,
  );
  if (check.signatures.length === 0) lines.push("  DKIM: no signature");
  for (const s of check.signatures) {
    const comment = s.comment === null ? "" : ` (${s.comment})`;
    lines.push(`  DKIM d=${s.domain} s=${s.selector ?? "?"}: ${s.result}${comment}`);
  }
  if (check.spf !== null) lines.push(`  SPF from ${check.spf.ip}: ${check.spf.result}`);
  if (check.dmarc !== null) lines.push(`  DMARC: ${check.dmarc.result} (${check.dmarc.reason})`);
  return `${lines.map((line) => (line.length > 80 ? `${line.slice(0, 77)}...` : line)).join("\n")}\n`;
}
