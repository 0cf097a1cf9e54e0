import type { OriginFacts } from "../../analysis/origins.js";
import type { MtaName } from "../../logs/events.js";
import type { DiagnoseContext } from "../context.js";
import { BURST_FACTOR } from "../series.js";
import type { Finding } from "../types.js";
import { REFERENCES, finding, plural } from "./build.js";
import { mtaStep } from "./mta-steps.js";
import { originHosts } from "./origin-hosts.js";
import { describeOrigin } from "./origin-names.js";
import { deleteQueuedStep } from "./queue-commands.js";
import {
  MIN_BLOCKED_ATTEMPTS,
  MIN_EXCESS_PER_HOUR,
  MIN_RECIPIENTS_WHEN_BLOCKED,
  NEW_SOURCE_AFTER_MS,
  baselineOfOthers,
  blockedSentence,
  busiestHourBefore,
  sendersOf,
  volumeEvidence,
} from "./web-script.js";

/**
 * `web-script` of a relay client: an SMTP client that relays through this server without SMTP
 * AUTH, such as a web server in Postfix's `mynetworks`, sends mail that receivers block, far
 * above what relay clients usually send. This is how a web site on another host whose scripts
 * were abused shows in this server's log.
 *
 * The log names neither a script nor a user for such mail, so the block replies are required:
 * receivers rejected or deferred at least `MIN_BLOCKED_ATTEMPTS` of its attempts for spam, a
 * block list or reputation, to `MIN_RECIPIENTS_WHEN_BLOCKED` recipients or more. Its peak hour
 * must also exceed the other relay clients' usual level as a web script's must. A client whose
 * own hours at least 12 hours before its peak show that it sent that much before is a regular
 * sender, such as a newsletter server, and is left to the volume findings. A client that the
 * log shows no such earlier hours of counts, because nothing shows that its mail was ordinary.
 */
export function detectRelayClientScripts(context: DiagnoseContext): Finding[] {
  const clients = [...context.facts.origins.relayClients.values()];
  const logStart = context.facts.firstTime ?? 0;
  const results: Finding[] = [];

  for (const client of clients) {
    if (client.blockedAttempts < MIN_BLOCKED_ATTEMPTS) continue;
    if (client.recipients < MIN_RECIPIENTS_WHEN_BLOCKED) continue;
    const peak = latestPeakHour(client);
    const earlierMax = busiestHourBefore(client, peak.hour);
    const surging = earlierMax > 0 && peak.recipients >= earlierMax * BURST_FACTOR;
    if (earlierMax > 0 && !surging) continue;
    const baseline = baselineOfOthers(clients, client);
    if (
      peak.recipients < baseline * BURST_FACTOR ||
      peak.recipients - baseline < MIN_EXCESS_PER_HOUR
    ) {
      continue;
    }
    const isNew = client.firstTime >= logStart + NEW_SOURCE_AFTER_MS;
    results.push(clientFinding(context, client, baseline, peak, { isNew, surging }));
  }
  return results.sort((a, b) => messagesOf(b) - messagesOf(a));
}

/**
 * Returns the client's latest hour with the most recipients, so that a client that sent as
 * much on an earlier day has that day as its history.
 */
function latestPeakHour(client: OriginFacts): { hour: number; recipients: number } {
  let best = { hour: 0, recipients: 0 };
  for (const [hour, counts] of client.hourly) {
    const busier = counts.recipients > best.recipients;
    if (busier || (counts.recipients === best.recipients && hour > best.hour)) {
      best = { hour, recipients: counts.recipients };
    }
  }
  return best;
}

/** Signs of a relay client's burst, measured against its own history. */
interface ClientSigns {
  /** It first sent `NEW_SOURCE_AFTER_MS` or more after the log starts. */
  readonly isNew: boolean;
  /** Its peak is `BURST_FACTOR` times its busiest hour 12 hours or more before. */
  readonly surging: boolean;
}

function clientFinding(
  context: DiagnoseContext,
  client: OriginFacts,
  baseline: number,
  peak: { hour: number; recipients: number },
  signs: ClientSigns,
): Finding {
  const name = describeOrigin(client);
  const hosts = originHosts(context.facts, client);
  return finding("web-script", {
    // A client with neither sign may be a regular sender whose history the log does not reach.
    severity: signs.isNew || signs.surging ? "critical" : "warning",
    role: "cause",
    title: `A host that relays without SMTP AUTH${hosts.phrase} is sending mail that receivers block: ${name}`,
    summary:
      `From ${context.time(client.firstTime)} it relayed ${plural(client.messages, "message")} to ` +
      `${plural(client.recipients, "recipient")}, up to ${peak.recipients.toLocaleString("en-US")} an hour while relay clients usually send ${baseline}.` +
      blockedSentence(client) +
      " A web site or device on that host is the likely sender, because the log names no account for this mail.",
    evidence: {
      relayClient: relayClientName(client),
      clientIp: client.key,
      clientHost: client.clientHost,
      uid: null,
      localUser: null,
      script: null,
      scriptUid: null,
      workingDirectory: null,
      command: null,
      ...volumeEvidence(context, client, peak, baseline, hosts),
      baselineSource: "other-relay-clients",
      newInLog: signs.isNew,
      suspiciousPath: false,
      webSource: false,
      runsAsRoot: false,
    },
    samples: [context.sample(client.firstTime, client.firstPosition, `first message from ${name}`)],
    fix: clientFixes(client, hosts.mtas),
    references: [REFERENCES.gmailSenderForm],
  });
}

/** Names the client as Postfix logs it, `host[ip]`, or by its address alone. */
function relayClientName(client: OriginFacts): string {
  return client.clientHost === null ? client.key : `${client.clientHost}[${client.key}]`;
}

/**
 * The setting by which each MTA lets a client relay by its address: Postfix's `mynetworks`
 * (which `permit_mynetworks` in `smtpd_relay_restrictions` uses), the `relay_from_hosts` host
 * list of Exim's default configuration, and a `Connect:` entry with `RELAY` in Sendmail's
 * access database.
 */
const RELAY_PERMISSIONS: Readonly<Record<MtaName, string>> = {
  postfix: "remove the address from `mynetworks` and run `postfix reload`",
  exim: "remove it from the `relay_from_hosts` host list and restart Exim",
  sendmail:
    "remove its `Connect:` line with `RELAY` from /etc/mail/access and rebuild the database with `makemap hash /etc/mail/access < /etc/mail/access`",
};

function clientFixes(client: OriginFacts, mtas: ReadonlySet<MtaName>): string[] {
  const name = relayClientName(client);
  return [
    `Find what on ${name} sends this mail: contact forms and other scripts of its web sites, .php files in upload folders, and cron jobs. Update the CMS and its plugins and rotate the site's passwords.`,
    mtaStep(
      `Until ${name} is clean, stop relaying its mail without a login.`,
      RELAY_PERMISSIONS,
      mtas,
    ),
    deleteQueuedStep(sendersOf(client), mtas),
    `Let ${name} send only with SMTP AUTH on the submission port (587) under an account of its own, so that its mail has a name in the log and a sending limit can apply to it.`,
  ];
}

function messagesOf(result: Finding): number {
  return (result.evidence as { messages?: number }).messages ?? 0;
}
