import type { EventSink, LoggedMessage } from "../events.js";
import { positionOf, type LogRecord } from "../record.js";
import { detach } from "./fields.js";
import { DEFAULT_INSTANCE } from "./queues.js";

/**
 * Maximum pairs of syslog host and name that `InstanceEvidence` keeps, about 100 bytes each.
 * Past it, further names count as unproven, as before any line showed them.
 */
export const MAX_EVIDENCE_NAMES = 1000;

/**
 * Tells a second Postfix instance from a master.cf service with `-o syslog_name=NAME`, with what
 * the lines of each host show, and emits a `postfix-instance` event for each finding (see
 * `PostfixInstanceEvent`). The default instance `postfix` counts as an instance without
 * evidence.
 */
export class InstanceEvidence {
  // Names proven to be instances, by host.
  private readonly instances = new Map<string, Set<string>>();
  // Names reported as aliases, by host.
  private readonly aliases = new Map<string, Set<string>>();
  private size = 0;
  // The host and name of the latest `noteInstance`, because the lines of one queue manager or
  // systemd unit come in runs. The strings are the caller's, so equal ones are often the same
  // object and compare without reading characters.
  private lastHost = "";
  private lastName = "";

  constructor(private readonly sink: EventSink) {}

  /** Notes a line of `name`'s own master, postfix-script, `postfix` command or queue manager. */
  noteInstance(record: LogRecord, name: string): void {
    if (record.host === this.lastHost && name === this.lastName) return;
    this.lastHost = record.host;
    this.lastName = name;
    if (!this.add(this.instances, record.host, name)) return;
    this.sink({
      type: "postfix-instance",
      time: record.time,
      position: positionOf(record),
      host: detach(record.host),
      name,
      kind: "instance",
      owner: null,
    });
  }

  /** Returns true when `name` is the default instance or has shown an instance on `host`. */
  isInstance(host: string, name: string): boolean {
    return name === DEFAULT_INSTANCE || this.instances.get(host)?.has(name) === true;
  }

  /**
   * Notes that a line of the instance `owner`, at log `time`, continued `message`, which a
   * receiving line (smtpd's `client=`, pickup's `uid=`) of the unproven name `alias` started.
   */
  noteAlias(message: LoggedMessage, alias: string, owner: string, time: number): void {
    if (!this.add(this.aliases, message.host, alias)) return;
    this.sink({
      type: "postfix-instance",
      time,
      position: message.firstPosition,
      host: message.host,
      name: alias,
      kind: "alias",
      owner,
    });
  }

  // Adds `name` to the set of `host` and returns true when it was not there yet and fits.
  private add(names: Map<string, Set<string>>, host: string, name: string): boolean {
    let set = names.get(host);
    if (set?.has(name) === true || this.size >= MAX_EVIDENCE_NAMES) return false;
    if (set === undefined) {
      set = new Set();
      names.set(detach(host), set);
    }
    set.add(detach(name));
    this.size += 1;
    return true;
  }
}
