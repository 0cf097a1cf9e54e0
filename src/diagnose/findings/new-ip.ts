import { HOUR_MS } from "../../analysis/time.js";
import type { DiagnoseContext } from "../context.js";
import type { Finding } from "../types.js";
import { REFERENCES, finding } from "./build.js";
import { steepRampSinceStart } from "./steep-ramp.js";
import { lastAcceptedDay, warmUpStep } from "./warm-up-pace.js";
import { dailyRamp } from "./volume-spike.js";

/**
 * `new-ip`: the log begins with the MTA starting and outbound volume then ramps up day by day:
 * a server or IP without a sending history. An MTA restart alone is common (reboots, log
 * rotation after upgrades), so the ramp is required: the slow ramp of `dailyRamp`, or the short,
 * steep ramp of `steepRampSinceStart` that a log ending with the block on day 2 or 3 shows. Logs cannot prove that an IP is new, and
 * the finding lists what points to it.
 */
export function detectNewIp(context: DiagnoseContext): Finding | null {
  const logStart = context.facts.firstTime;
  if (logStart === null) return null;
  const start = context.facts.server.lifecycle.find(
    (event) => event.action === "start" && event.time <= logStart + HOUR_MS,
  );
  if (start === undefined) return null;
  const ramp = dailyRamp(context) ?? steepRampSinceStart(context, start.time);
  if (ramp === null) return null;
  const throttled = [...context.facts.providers.values()].filter((facts) =>
    [...facts.rules.values()].some((t) => t.reply.findings.includes("rate-limited")),
  );

  const ips = [...context.facts.server.judgedIps].sort((a, b) => b[1].count - a[1].count);
  const ip = ips[0]?.[0] ?? null;
  return finding("new-ip", {
    severity: "warning",
    role: "cause",
    title: `This looks like a new server or IP${ip === null ? "" : ` (${ip})`} without a sending reputation`,
    summary:
      `The log starts with the MTA starting up at ${context.time(start.time)}, and outbound ` +
      `volume grows fast day by day${throttled.length > 0 ? " while receivers throttle it" : ""}.`,
    evidence: {
      ip,
      ips: ips.slice(0, 5).map(([address]) => address),
      firstSeen: context.time(start.time),
      mtaStart: {
        time: context.time(start.time),
        file: start.position.file,
        line: start.position.line,
        mta: start.mta,
      },
      dailyRamp: ramp,
      throttledBy: throttled.map((facts) => facts.provider),
    },
    samples: [context.sample(start.time, start.position, `${start.mta} started`)],
    fix: [
      warmUpStep(
        "Warm the IP up",
        "start with a few hundred messages a day to each big provider",
        lastAcceptedDay(context),
      ),
      "Send first to the most engaged recipients; pause at the first 4.7.28 or 4.7.650 deferrals instead of retrying harder.",
      "Make sure PTR, SPF, DKIM and DMARC are in place before sending (`delist check`).",
      "Register the IP in Microsoft SNDS and the domain in Gmail Postmaster Tools to watch the reputation grow.",
    ],
    references: [REFERENCES.gmailGuidelines, REFERENCES.gmailPostmaster],
  });
}
