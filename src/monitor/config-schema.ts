import { Cron } from "croner";
import { z } from "zod";
import { isIpAddress, nameProblem } from "../dns/names.js";
import { parseServer } from "../dns/system.js";
import { heloProblem } from "../probe/helo.js";
import { parseMxOverride } from "../probe/mail-hosts.js";
import { mxFamilyMismatch } from "../probe/source-address.js";
import { CATALOGUE } from "../reputation/catalogue.js";

const LIST_IDS: ReadonlySet<string> = new Set(CATALOGUE.map((entry) => entry.id));

/**
 * The schema of the monitor's JSON configuration file. Checks that JSON Schema cannot express
 * (cron patterns, time zones, IP addresses) are refinements, so docs/monitor-config.schema.json
 * shows their fields as plain strings.
 */

const cron = z
  .string()
  .refine(isCronPattern, {
    message:
      'not a cron pattern: give five fields such as "*/15 * * * *" (minute hour day month weekday)',
  })
  .refine((pattern) => !isCronPattern(pattern) || firesAgain(pattern), {
    message:
      "the cron pattern never comes round (such as day 31 of February): check the day fields",
  });
const ip = z.string().refine(isIpAddress, { message: "not an IPv4 or IPv6 address" });
// Labels of letters, digits and hyphens (RFC 1123, section 2.1); underscores for service names.
const HOST_NAME = /^[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?)+$/;
const domain = z
  .string()
  .transform((value) => value.toLowerCase().replace(/\.$/, ""))
  .refine((value) => nameProblem(value) === null && HOST_NAME.test(value) && !isIpAddress(value), {
    message: "not a domain name such as example.com",
  });
const helo = z.string().superRefine((value, context) => {
  const problem = heloProblem(value);
  if (problem !== null)
    context.addIssue({ code: "custom", message: `invalid EHLO name: ${problem}` });
});
// The sending IP of a log can only be declared or learned: Postfix and Exim do not log the local
// address of an outgoing connection by default, and Gmail names the IP only in its block replies.
// Postfix logs the syslog name of an instance (`postfix-out1/smtp`), and Exim can log the
// interface address (`I=[203.0.113.5]`), so the IP of each such source can be declared.
const SOURCE_NAME = /^[A-Za-z0-9._:-]{1,64}$/;
const logSources = z
  .record(
    z.string().regex(SOURCE_NAME, {
      message:
        "not an outgoing source: give a Postfix syslog name such as postfix-out1 or an Exim interface address",
    }),
    ip,
  )
  .describe(
    'The sending IP of each outgoing source in this log, such as {"postfix-out1": "203.0.113.5"}: a Postfix syslog name (postfix-out1 of postfix-out1/smtp) or an Exim interface address (I=). Acceptances of a source\'s mail lift blocks of its IP. Needed only when no block reply names the IP of a source\'s mail.',
  );
const logSource = z
  .union([
    z.string().min(1),
    z
      .object({
        path: z.string().min(1),
        ip: ip
          .optional()
          .describe(
            "The IP that all mail in this log leaves from, such as the bind address of its Postfix instance. Acceptances in this log lift blocks of this IP only.",
          ),
        sources: logSources.optional(),
      })
      .strict()
      .superRefine((log, context) => {
        if (log.ip === undefined && log.sources === undefined) {
          context.addIssue({
            code: "custom",
            path: ["ip"],
            message:
              "missing: give ip, the IP that all mail in this log leaves from, or sources, the IP of each outgoing source",
          });
        } else if (log.ip !== undefined && log.sources !== undefined) {
          context.addIssue({
            code: "custom",
            path: ["sources"],
            message:
              "not allowed with ip: ip already names the IP of all mail in this log, so remove one of them",
          });
        }
      }),
  ])
  .transform((source) =>
    typeof source === "string"
      ? { path: source, ip: null, sources: {} }
      : { path: source.path, ip: source.ip ?? null, sources: source.sources ?? {} },
  );
const address = z.string().regex(/^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/, {
  message: "not an e-mail address such as someone@example.com",
});
const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, {
  message: "not an environment variable name",
});

const probeSchema = z
  .object({
    to: address.describe(
      "The recipient address to probe: a mailbox of your own at the provider, such as YOUR-OWN-MAILBOX@gmail.com.",
    ),
    from: z
      .union([address, z.literal("")])
      .default("")
      .describe("The MAIL FROM address; empty for the null sender <>."),
    helo: helo
      .optional()
      .describe(
        "The EHLO name of this probe; default: the top-level helo, else this machine's host name if it is fully qualified.",
      ),
    mx: z
      .string()
      .refine((value) => canParse(() => parseMxOverride(value)), {
        message: "not HOST, HOST:PORT or [IPv6]:PORT",
      })
      .optional()
      .describe("Connect here instead of the recipient domain's MX."),
    sourceIp: ip
      .optional()
      .describe(
        "The local address to connect from. The monitor checks at start that it is an address of this host and, when mx is an address, of the same family (IPv4 or IPv6). Default: the system's choice.",
      ),
    timeoutMs: z.number().int().min(100).max(600_000).default(30_000),
    minIntervalMinutes: z
      .number()
      .int()
      .min(60)
      .max(10_080)
      .default(60)
      .describe("Minimum minutes between two probes of the same target; at least 60."),
  })
  .strict()
  .superRefine((probe, context) => {
    const problem = sourceFamilyProblem(probe.sourceIp, probe.mx);
    if (problem !== null)
      context.addIssue({ code: "custom", path: ["sourceIp"], message: problem });
  });

/**
 * Returns why a probe from `sourceIp` cannot reach `mx` when `mx` is an address of the other
 * family, or null. The start check that this host can bind `sourceIp` passes such an address,
 * and then every probe would fail to connect. An `mx` that is a name is resolved by the probe,
 * whose error names the same mismatch.
 */
function sourceFamilyProblem(sourceIp: string | undefined, mx: string | undefined): string | null {
  if (sourceIp === undefined || mx === undefined) return null;
  if (!canParse(() => parseMxOverride(mx))) return null;
  const mismatch = mxFamilyMismatch(sourceIp, parseMxOverride(mx).host);
  if (mismatch === null) return null;
  return (
    `an ${mismatch.source} address, but mx "${mx}" is an ${mismatch.mx} address, so no probe ` +
    `from it can reach the MX: give an ${mismatch.mx} sourceIp of this host, or remove ` +
    "sourceIp to connect from the default address"
  );
}

/** The zod schema of the configuration file; docs/monitor-config.schema.json is made from it. */
export const MONITOR_CONFIG_SCHEMA = z
  .object({
    ips: z
      .array(ip)
      .default([])
      .describe(
        "Sending IPs to look up on blocklists and check for PTR. With one IPv4 and one IPv6 " +
          "address, a log's deliveries count for the address of their relay's family.",
      ),
    domains: z
      .array(domain)
      .default([])
      .describe(
        "Sending domains to look up on domain blocklists and check for SPF, DKIM, DMARC and MX.",
      ),
    helo: helo
      .optional()
      .describe(
        "The HELO name the server sends, compared with its PTR, and the EHLO name of probes without their own. Without it, probes send this machine's host name, and the monitor rejects the configuration at start when that name is not fully qualified.",
      ),
    logs: z
      .array(logSource)
      .default([])
      .describe(
        "Mail logs to follow; relative paths start from the working directory. A log is a path, {path, ip} when all its mail leaves from one IP, or {path, sources} when its outgoing sources leave from different IPs.",
      ),
    retentionDays: z
      .number()
      .int()
      .min(1)
      .max(3_650)
      .default(90)
      .describe(
        "Days to keep the details of each check: findings, blocklist and DNS results, probes. State changes, incidents, removal requests and alerts are kept whatever their age.",
      ),
    logsFromStart: z
      .boolean()
      .default(false)
      .describe("Read a log from its start the first time, instead of only the lines added later."),
    timeZone: z
      .string()
      .refine(isTimeZone, { message: "not a time zone name such as UTC or Europe/Berlin" })
      .default("UTC")
      .describe("Zone of the cron schedules and of log timestamps without an offset."),
    probes: z.array(probeSchema).default([]).describe("SMTP probes of receivers' MX hosts."),
    schedules: z
      .object({
        blocklists: cron.default("7 */6 * * *"),
        dns: cron.default("17 * * * *"),
        probes: cron.default("37 */2 * * *"),
        logs: cron.default("* * * * *"),
      })
      .strict()
      .default({
        blocklists: "7 */6 * * *",
        dns: "17 * * * *",
        probes: "37 */2 * * *",
        logs: "* * * * *",
      })
      .describe("Cron patterns (minute hour day month weekday) of each job."),
    dns: z
      .object({
        resolver: z
          .string()
          .refine((value) => canParse(() => parseServer(value)), {
            message: "not an IP address with an optional port, such as 127.0.0.1:5353 or [::1]:53",
          })
          .optional()
          .describe("HOST[:PORT] of the DNS server to ask; default: the system's."),
        timeoutMs: z.number().int().min(1).max(60_000).default(2_000),
      })
      .strict()
      .default({ timeoutMs: 2_000 }),
    blocklists: z
      .object({
        lists: z
          .array(
            z.string().refine((id) => id === "all" || LIST_IDS.has(id), {
              message: `not a blocklist id: use all or one of ${[...LIST_IDS].join(", ")}`,
            }),
          )
          .min(1, {
            message:
              "empty: name at least one blocklist id, or remove lists to ask the default lists",
          })
          .optional()
          .describe(
            "Ids of the lists to ask (see delist blocklists --help), at least one; default: the default lists. An empty array is rejected.",
          ),
        spamhausDqsKeyEnv: envName
          .optional()
          .describe("The environment variable that holds a Spamhaus Data Query Service key."),
      })
      .strict()
      .default({}),
    alerts: z
      .object({
        webhook: z
          .object({
            url: z.url({ protocol: /^https?$/, message: "not an http or https URL" }),
            headers: z
              .record(
                z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, {
                  message: "not an HTTP header name (letters, digits and -, no spaces)",
                }),
                z.string().regex(/^[^\r\n\0]*$/, {
                  message: "an HTTP header value cannot contain a line break",
                }),
              )
              .default({})
              .describe("Extra request headers, such as Authorization; never logged."),
            timeoutMs: z.number().int().min(100).max(120_000).default(10_000),
          })
          .strict()
          .optional(),
        email: z
          .object({
            host: z.string().min(1),
            port: z.number().int().min(1).max(65_535).default(587),
            secure: z.boolean().default(false),
            user: z.string().min(1).optional(),
            passwordEnv: envName
              .optional()
              .describe("The environment variable that holds the SMTP password."),
            from: address,
            to: z.array(address).min(1),
            timeoutMs: z
              .number()
              .int()
              .min(1_000)
              .max(600_000)
              .default(30_000)
              .describe("Time to wait for the connection, the greeting and each reply."),
          })
          .strict()
          .optional(),
        flapWindowMinutes: z
          .number()
          .int()
          .min(0)
          .max(1_440)
          .default(30)
          .describe(
            "Minutes after an alert of a key during which a further change of that key is held back. When the window ends, the latest state is sent only if it differs from the state of the last alert sent, so a block that lifts and comes back within the window pages once. The history records every change. 0 sends every change at once.",
          ),
      })
      .strict()
      .default({ flapWindowMinutes: 30 }),
  })
  .strict()
  .refine(
    (config) =>
      config.ips.length + config.domains.length + config.probes.length + config.logs.length > 0,
    {
      message: "nothing to watch: add an entry to ips, domains, probes or logs",
    },
  );

function isCronPattern(pattern: string): boolean {
  if (pattern.trim().split(/\s+/).length !== 5) return false;
  return canParse(() => new Cron(pattern, { paused: true }));
}

function firesAgain(pattern: string): boolean {
  return new Cron(pattern, { paused: true }).nextRun() !== null;
}

function isTimeZone(name: string): boolean {
  return canParse(() => new Intl.DateTimeFormat("en-US", { timeZone: name }));
}

function canParse(parse: () => unknown): boolean {
  try {
    parse();
    return true;
  } catch {
    return false;
  }
}
