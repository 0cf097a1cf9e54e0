import { GMAIL_RATE_LIMIT, HOUR, PostfixLog, T0 } from "./postfix-fixture.js";

/**
 * Logs of one Postfix server as rsyslog on Debian writes them: mail.log with the mail lines
 * and syslog with the same lines, firewall and systemd lines mixed in.
 */
export interface CopiedLogs {
  /** Postfix lines of `host`: one message an hour from T0, each deferred by Gmail. */
  readonly mailLines: readonly string[];
  /** Kernel LOG lines of outgoing port 25 connections, one every 10 minutes. */
  readonly kernelLines: readonly string[];
  /** One systemd line an hour. */
  readonly systemdLines: readonly string[];
}

/** Lines of a Postfix message: submission, cleanup, queue, delivery and removal. */
export const LINES_PER_MESSAGE = 5;

/** Builds `hours` hours of logs of `host`, from T0. */
export function copiedLogs(hours: number, host = "mx1"): CopiedLogs {
  const postfix = new PostfixLog(host);
  postfix.submitHourly({ hours, outcome: GMAIL_RATE_LIMIT });
  const mailLines = postfix.text().trimEnd().split("\n");
  const kernelLines: string[] = [];
  for (let minute = 5; minute < hours * 60; minute += 10) {
    kernelLines.push(
      `${stamp(T0 + minute * 60_000)} ${host} kernel: [812.3] SMTP-OUT: IN= OUT=eth0 ` +
        `SRC=203.0.113.10 DST=192.0.2.26 LEN=60 PROTO=TCP SPT=${40000 + minute} DPT=25 ` +
        `WINDOW=64240 RES=0x00 SYN URGP=0 UID=33 GID=33`,
    );
  }
  const systemdLines: string[] = [];
  for (let hour = 0; hour < hours; hour++) {
    systemdLines.push(`${stamp(T0 + hour * HOUR + 30_000)} ${host} systemd[1]: Started cron.`);
  }
  return { mailLines, kernelLines, systemdLines };
}

/** Joins lines of several logs into one file's text, in time order. */
export function logText(...parts: ReadonlyArray<readonly string[]>): string {
  const lines = parts.flat().sort((a, b) => timeOf(a) - timeOf(b));
  return `${lines.join("\n")}\n`;
}

/** Returns the lines dated from `from` (inclusive) to `to` (exclusive). */
export function linesBetween(lines: readonly string[], from: number, to: number): string[] {
  return lines.filter((line) => timeOf(line) >= from && timeOf(line) < to);
}

function stamp(time: number): string {
  return new Date(time).toISOString().replace("Z", "+00:00");
}

function timeOf(line: string): number {
  return Date.parse(line.slice(0, line.indexOf(" ")));
}
