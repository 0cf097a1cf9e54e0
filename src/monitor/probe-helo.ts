import { heloProblem, isFullyQualifiedHelo } from "../probe/helo.js";
import type { MonitorConfig, ProbeConfig } from "./config.js";
import type { Logger } from "./logger.js";

/**
 * Returns the EHLO name that `probe` sends: its own `helo`, else the top-level `helo`, else
 * this machine's `hostName`. `probeHeloProblem` rejects a configuration in which the host name
 * would be used but is not a fully qualified name.
 */
export function probeHelo(probe: ProbeConfig, config: MonitorConfig, hostName: string): string {
  return probe.helo ?? config.helo ?? hostName;
}

/**
 * Returns the configuration problem of probes without a `helo` of their own or a top-level
 * one when `hostName` is not a fully qualified name, else null. `delist probe` rejects the
 * same host name, because a receiver that rejects a bare EHLO name would reject the probe for
 * its name, which the mail server does not send, and the monitor would open a false incident.
 */
export function probeHeloProblem(config: MonitorConfig, hostName: string): string | null {
  if (config.helo !== undefined) return null;
  if (heloProblem(hostName) === null && isFullyQualifiedHelo(hostName)) return null;
  const indexes = config.probes.flatMap((probe, index) =>
    probe.helo === undefined ? [index] : [],
  );
  if (indexes.length === 0) return null;
  const settings = indexes.map((index) => `probes.${index}.helo`).join(", ");
  return (
    `helo: missing, so ${settings} would default to this machine's host name ` +
    `"${hostName}", which is not a fully qualified name to send in EHLO, and some receivers ` +
    "reject such a name. Set helo to the name your mail server sends, such as mail.example.com"
  );
}

/**
 * Warns once per probe whose configured EHLO name is not fully qualified, naming the setting,
 * as `delist probe --helo` does, because a refusal may then be about the name.
 */
export function warnBareProbeHelos(config: MonitorConfig, logger: Logger): void {
  config.probes.forEach((probe, index) => {
    const name = probe.helo ?? config.helo;
    if (name === undefined || isFullyQualifiedHelo(name)) return;
    const setting = probe.helo === undefined ? "helo" : `probes.${index}.helo`;
    logger.warn(
      { setting, helo: name, target: probe.to },
      `the EHLO name "${name}" of ${setting} is not fully qualified, and some receivers ` +
        "reject such a name, so a block that this probe sees may be about the name rather " +
        "than the sender; set it to the name your mail server sends, such as mail.example.com",
    );
  });
}
