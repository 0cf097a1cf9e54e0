import type { LogFacts } from "../../analysis/analyser.js";
import type { OriginFacts } from "../../analysis/origins.js";
import type { MtaName } from "../../logs/events.js";
import { serverSubject } from "../server-subject.js";

/** The servers that logged the messages of an account or local program. */
export interface OriginHosts {
  /** The one server that logged all of its messages, or null when several did or none is known. */
  readonly host: string | null;
  /** Its messages by server (`serverOf` names), the most first. */
  readonly messagesByHost: Record<string, number>;
  /**
   * Words that name those servers after a noun, such as " on mx2", or "" when the log shows at
   * most one server that sent mail, or when the origin used every server of the log.
   */
  readonly phrase: string;
  /**
   * The MTAs that logged mail on those servers, whose commands the fix steps give. Without a
   * known server, these are every MTA of the log.
   */
  readonly mtas: ReadonlySet<MtaName>;
}

/** The name that `serverOf` gives a server of a log without host names: `exim log PATH`. */
const HOSTLESS_SERVER = /^(?:postfix|exim|sendmail) log /;

/** Finds the servers that logged the messages of `origin`, and the MTAs that run on them. */
export function originHosts(facts: LogFacts, origin: OriginFacts): OriginHosts {
  const entries = [...origin.messagesByHost].sort((a, b) => b[1] - a[1]);
  const messagesByHost = Object.fromEntries(entries);
  const mtas = new Set<MtaName>();
  for (const [name] of entries) {
    for (const mta of facts.server.hosts.get(name)?.mtas ?? []) mtas.add(mta);
  }

  const subject = serverSubject(messagesByHost, facts.server.hosts.values());
  const [only] = entries;
  let phrase = "";
  if (subject.named) {
    const hostless = entries.length === 1 && only !== undefined && HOSTLESS_SERVER.test(only[0]);
    phrase = hostless ? ` in the ${subject.text}` : ` on ${subject.text}`;
  }
  return {
    host: entries.length === 1 && only !== undefined ? only[0] : null,
    messagesByHost,
    phrase,
    mtas: mtas.size > 0 ? mtas : facts.server.mtas,
  };
}
