import type { OriginFacts } from "../../analysis/origins.js";

/** Names an account or local program the way an admin would search for it in the log. */
export function describeOrigin(origin: OriginFacts): string {
  if (origin.kind === "account") return `SASL account ${origin.key}`;
  const parts: string[] = [];
  if (origin.script !== null) parts.push(`script ${origin.script}`);
  if (origin.workingDirectory !== null) parts.push(`in ${origin.workingDirectory}`);
  if (origin.localUser !== null) parts.push(`user ${origin.localUser}`);
  if (origin.uid !== null) parts.push(`uid ${origin.uid}`);
  return parts.length > 0 ? `local ${parts.join(", ")}` : `local ${origin.key}`;
}
