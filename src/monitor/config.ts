import { readFile } from "node:fs/promises";
import { Cron } from "croner";
import { z } from "zod";
import { isIpAddress, nameProblem } from "../dns/names.js";
import { parseMxOverride } from "../probe/mail-hosts.js";

/** A configuration file that cannot be read or is not valid; the message lists every problem. */
export class MonitorConfigError extends Error {
  override readonly name = "MonitorConfigError";
}

const cron = z.string().refine(isCronPattern, {
  message:
    'not a cron pattern: give five fields such as "*/15 * * * *" (minute hour day month weekday)',
});
const ip = z.string().refine(isIpAddress, { message: "not an IPv4 or IPv6 address" });
const domain = z
  .string()
  .transform((value) => value.toLowerCase().replace(/\.$/, ""))
  .refine((value) => nameProblem(value) === null && value.includes(".") && !isIpAddress(value), {
    message: "not a domain name such as example.com",
  });
const address = z.string().regex(/^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/, {
  message: "not an e-mail address such as someone@example.com",
});
const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, {
  message: "not an environment variable name",
});

const probeSchema = z
  .object({
    to: address,
    from: z.union([address, z.literal("")]).default(""),
    helo: z.string().min(1).optional(),
    mx: z
      .string()
      .refine((value) => canParse(() => parseMxOverride(value)), {
        message: "not HOST, HOST:PORT or [IPv6]:PORT",
      })
      .optional(),
    sourceIp: ip.optional(),
    timeoutMs: z.number().int().min(100).max(600_000).default(30_000),
    minIntervalMinutes: z.number().int().min(1).max(10_080).default(60),
  })
  .strict();

const schema = z
  .object({
    ips: z.array(ip).default([]),
    domains: z.array(domain).default([]),
    helo: z.string().min(1).optional(),
    logs: z.array(z.string().min(1)).default([]),
    logsFromStart: z.boolean().default(false),
    timeZone: z
      .string()
      .refine(isTimeZone, { message: "not a time zone name such as UTC or Europe/Berlin" })
      .default("UTC"),
    probes: z.array(probeSchema).default([]),
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
      }),
    dns: z
      .object({
        resolver: z.string().min(1).optional(),
        timeoutMs: z.number().int().min(1).max(60_000).default(2_000),
      })
      .strict()
      .default({ timeoutMs: 2_000 }),
    blocklists: z
      .object({
        lists: z.array(z.string().min(1)).optional(),
        spamhausDqsKeyEnv: envName.optional(),
      })
      .strict()
      .default({}),
    alerts: z
      .object({
        webhook: z
          .object({
            url: z.url({ protocol: /^https?$/, message: "not an http or https URL" }),
            headers: z.record(z.string(), z.string()).default({}),
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
            passwordEnv: envName.optional(),
            from: address,
            to: z.array(address).min(1),
          })
          .strict()
          .optional(),
      })
      .strict()
      .default({}),
  })
  .strict()
  .refine(
    (config) =>
      config.ips.length + config.domains.length + config.probes.length + config.logs.length > 0,
    {
      message: "nothing to watch: give at least one of ips, domains, probes or logs",
    },
  );

/** The validated monitor configuration, defaults filled in. */
export type MonitorConfig = z.output<typeof schema>;

/** One probe of the configuration. */
export type ProbeConfig = MonitorConfig["probes"][number];

/** The jobs the monitor schedules. */
export const JOB_KINDS = ["blocklists", "dns", "probes", "logs"] as const;
export type JobKind = (typeof JOB_KINDS)[number];

/**
 * Validates a parsed configuration object. Throws a MonitorConfigError that names the file and
 * lists every problem with its path, such as `probes.0.to: not an e-mail address`.
 */
export function parseMonitorConfig(value: unknown, source: string): MonitorConfig {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const path = issue.path.length === 0 ? "(top level)" : issue.path.join(".");
    const missing = issue.code === "invalid_type" && issue.message.endsWith("received undefined");
    return `  ${path}: ${missing ? `missing (expected ${issue.expected})` : issue.message}`;
  });
  throw new MonitorConfigError(`invalid monitor configuration ${source}:\n${problems.join("\n")}`);
}

/** Reads and validates a JSON configuration file. */
export async function loadMonitorConfig(path: string): Promise<MonitorConfig> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new MonitorConfigError(`cannot read the monitor configuration ${path}: ${code}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new MonitorConfigError(
      `invalid monitor configuration ${path}: not valid JSON (${(error as Error).message})`,
    );
  }
  return parseMonitorConfig(value, path);
}

function isCronPattern(pattern: string): boolean {
  if (pattern.trim().split(/\s+/).length !== 5) return false;
  return canParse(() => new Cron(pattern, { paused: true }));
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
