import type { LogEvent } from "../logs/events.js";
import { listNames } from "./findings/build.js";

/** Maximum hosts followed in one file. The events of further hosts count as of no host. */
const MAX_HOSTS = 100;

/** Maximum hosts named in a note; the others are counted. */
const NAMES_PER_NOTE = 3;

/** The latest time of one host's events in line order, against which its own steps back are found. */
interface HostClock {
  maxTime: number;
  steps: number;
}

/**
 * Clocks of the syslog hosts of one file. A central log merges the lines of several hosts.
 * When their clocks differ, or their lines arrive out of order, the time of the file goes back
 * where a line of one host follows a later line of another, though no clock stepped.
 */
export class HostClocks {
  private readonly clocks = new Map<string, HostClock>();
  // The host of the event with the file's latest time, or null when it had none.
  private latestHost: string | null = null;
  // The file's steps back at an event of a known host whose own clock went forward.
  private crossHostSteps = 0;
  private lastHost: string | null = null;
  private lastClock: HostClock | undefined;

  /** The host of the event with the file's latest time, or null when it had none. */
  get hostOfLatest(): string | null {
    return this.latestHost;
  }

  /**
   * Records an event of `host` (null when unknown) in line order at `time`. `fileStep` is true
   * when the file's time went back at it by more than `maxBackwardMs`.
   */
  observe(host: string | null, time: number, fileStep: boolean, maxBackwardMs: number): void {
    const clock = host === null ? undefined : this.clockOf(host);
    if (clock === undefined) return;
    const ownStep = time < clock.maxTime - maxBackwardMs;
    if (ownStep) {
      clock.steps += 1;
      clock.maxTime = time;
    } else if (time > clock.maxTime) {
      clock.maxTime = time;
    }
    if (fileStep && !ownStep) this.crossHostSteps += 1;
  }

  /** Records that the event of `host` (null when unknown) set the file's latest time. */
  setLatest(host: string | null): void {
    this.latestHost = host;
  }

  /**
   * Returns the hosts of the file when two or more hosts logged in it and each host's own
   * clock only went forward. Every one of the file's `fileSteps` steps back must also have come
   * where a line of one host followed a later line of another. Otherwise returns null.
   */
  steadyHosts(fileSteps: number): string[] | null {
    if (this.clocks.size < 2 || fileSteps === 0 || this.crossHostSteps < fileSteps) return null;
    for (const clock of this.clocks.values()) {
      if (clock.steps > 0) return null;
    }
    return [...this.clocks.keys()];
  }

  // Most events follow one of the same host, so the last host's clock is kept.
  private clockOf(host: string): HostClock | undefined {
    if (host === this.lastHost) return this.lastClock;
    let clock = this.clocks.get(host);
    if (clock === undefined && this.clocks.size < MAX_HOSTS) {
      clock = { maxTime: -Infinity, steps: 0 };
      this.clocks.set(host, clock);
    }
    this.lastHost = host;
    this.lastClock = clock;
    return clock;
  }
}

/** Returns the syslog host of an event's line, or null when the event does not carry it. */
export function eventHost(event: LogEvent): string | null {
  let host: string;
  switch (event.type) {
    case "lifecycle":
    case "fatal-error":
      host = event.host;
      break;
    case "delivery":
    case "message":
    case "frozen":
    case "filter-copy":
      host = event.message.host;
      break;
    case "session-reply":
      host = event.message?.host ?? "";
      break;
    default:
      return null;
  }
  return host === "" ? null : host;
}

/** Lists up to `NAMES_PER_NOTE` hosts and counts the others. */
export function hostList(hosts: readonly string[]): string {
  if (hosts.length <= NAMES_PER_NOTE) return listNames(hosts);
  const more = hosts.length - NAMES_PER_NOTE;
  return listNames([...hosts.slice(0, NAMES_PER_NOTE), `${more} more`]);
}
