import type { ServerReport } from "../diagnose/types.js";
import { plural } from "./wrap.js";

/**
 * Returns the sentence that counts the delivery results that carried no mail (address
 * verification probes), or null when there were none. The text, Markdown and statistics
 * reports share it.
 */
export function addressProbesSentence(server: ServerReport): string | null {
  const probes = server.addressProbes;
  if (probes === 0) return null;
  return (
    `${plural(probes, "address verification probe")} carried no mail, so ` +
    `${probes === 1 ? "it is" : "they are"} not counted as delivery attempts or outbound mail. ` +
    "A receiver's refusal of a probe still counts as its reply."
  );
}
