import { sourceAddressProblem } from "../probe/index.js";
import type { MonitorConfig } from "./config.js";

/**
 * Returns one problem for each probe whose `sourceIp` this host cannot connect from, such as an
 * address of another host, naming the setting and the value. `delist probe --source-ip`
 * rejects the same addresses, because every probe from one would fail to connect, and the
 * monitor would then warn on each run instead of checking the receiver.
 */
export async function probeSourceIpProblems(config: MonitorConfig): Promise<string[]> {
  const problems: string[] = [];
  for (const [index, probe] of config.probes.entries()) {
    if (probe.sourceIp === undefined) continue;
    const problem = await sourceAddressProblem(probe.sourceIp);
    if (problem === null) continue;
    problems.push(
      `probes.${index}.sourceIp "${probe.sourceIp}": ${problem}. Give one of this host's ` +
        "addresses, as `ip address` lists them, or remove sourceIp to connect from the " +
        "default address",
    );
  }
  return problems;
}
