import { describe, expect, test } from "vitest";
import type { Diagnosis } from "../../src/diagnose/types.js";
import { OFFLINE_DIAGNOSE, runCommand } from "../helpers/cli.js";
import { temporaryFiles } from "../helpers/temporary-files.js";

const temporary = temporaryFiles();

const HOUR_MS = 60 * 60 * 1000;
const START = Date.UTC(2025, 3, 7);

/** How far the clock of mx2 is behind the clock of mx1. */
const SKEW_MS = 2 * HOUR_MS;

/** A log line with the time that its host's clock shows at the real time `realMs`. */
interface HostLine {
  readonly realMs: number;
  readonly text: string;
}

function hostLine(host: "mx1" | "mx2", realMs: number, program: string, message: string): HostLine {
  const clockMs = host === "mx2" ? realMs - SKEW_MS : realMs;
  const stamp = new Date(clockMs).toISOString().replace("Z", "+00:00");
  return { realMs, text: `${stamp} ${host} postfix/${program}: ${message}` };
}

const GMAIL_RELAY = "relay=gmail-smtp-in.l.google.com[192.0.2.27]:25";
const OUTLOOK_RELAY = "relay=example-com.mail.protection.outlook.com[192.0.2.52]:25";
const GMAIL_DEFERRAL =
  "dsn=4.7.28, status=deferred (host gmail-smtp-in.l.google.com[192.0.2.27] said: 421-4.7.28 Gmail has detected an unusual rate of unsolicited mail. a1si1 - gsmtp (in reply to end of DATA command))";
const OUTLOOK_BOUNCE =
  "dsn=5.7.1, status=bounced (host example-com.mail.protection.outlook.com[192.0.2.52] said: 550 5.7.1 Unfortunately, messages from [192.0.2.1] weren't sent. (in reply to MAIL FROM command))";

/**
 * Returns the lines of a message of `host`, queued at `realMs`, sent to Gmail and bounced by
 * Microsoft.
 */
function deliveredMessage(host: "mx1" | "mx2", id: string, realMs: number): HostLine[] {
  return [
    hostLine(host, realMs, "smtpd[2211]", `${id}: client=app.example.com[192.0.2.10]`),
    hostLine(
      host,
      realMs,
      "qmgr[901]",
      `${id}: from=<app@example.com>, size=900, nrcpt=2 (queue active)`,
    ),
    hostLine(
      host,
      realMs + 1000,
      "smtp[2213]",
      `${id}: to=<ann-${id}@gmail.com>, ${GMAIL_RELAY}, delay=1, delays=0/0/0.5/0.5, dsn=2.0.0, status=sent (250 2.0.0 OK a2si2 - gsmtp)`,
    ),
    hostLine(
      host,
      realMs + 1000,
      "smtp[2213]",
      `${id}: to=<bob-${id}@outlook.com>, ${OUTLOOK_RELAY}, delay=1, delays=0/0/0.5/0.5, ${OUTLOOK_BOUNCE}`,
    ),
    hostLine(host, realMs + 2000, "qmgr[901]", `${id}: removed`),
  ];
}

/**
 * Returns the lines of a message of mx2 that Gmail defers and that expires 4 days and 23 hours
 * later by the clock of mx2, with no line in between. By the clock of mx1 the silence is longer
 * than Postfix's default 5-day `maximal_queue_lifetime`, but by the clock of mx2 it is not.
 */
function expiredMessage(id: string, realMs: number): HostLine[] {
  const expiryMs = realMs + 5 * 24 * HOUR_MS - HOUR_MS;
  return [
    hostLine("mx2", realMs, "smtpd[3311]", `${id}: client=app.example.com[192.0.2.10]`),
    hostLine(
      "mx2",
      realMs,
      "qmgr[902]",
      `${id}: from=<app@example.com>, size=900, nrcpt=1 (queue active)`,
    ),
    hostLine(
      "mx2",
      realMs + 1000,
      "smtp[3313]",
      `${id}: to=<cid@gmail.com>, ${GMAIL_RELAY}, delay=1, delays=0/0/0.5/0.5, ${GMAIL_DEFERRAL}`,
    ),
    hostLine(
      "mx2",
      expiryMs,
      "qmgr[902]",
      `${id}: from=<app@example.com>, status=expired, returned to sender`,
    ),
    hostLine("mx2", expiryMs, "qmgr[902]", `${id}: removed`),
  ];
}

/** Returns six days of the traffic of one host, one message an hour. */
function hostLines(host: "mx1" | "mx2"): HostLine[] {
  const lines: HostLine[] = [];
  const offsetMs = host === "mx1" ? 0 : 60 * 1000;
  for (let index = 0; index < 6 * 24; index++) {
    const id = `${host === "mx1" ? "1A" : "2B"}${index.toString(16).toUpperCase().padStart(8, "0")}`;
    lines.push(...deliveredMessage(host, id, START + index * HOUR_MS + offsetMs));
  }
  if (host === "mx2") lines.push(...expiredMessage("2C00000001", START + 30 * 60 * 1000));
  return lines;
}

/**
 * Returns the lines with every third message removed from the queue and the rest left open. The
 * expiring message of mx2 is left out, because under one host name the sweeps can judge its
 * silence by the clock of mx1.
 */
function mostlyOpen(lines: readonly HostLine[]): HostLine[] {
  return lines.filter((line) => {
    if (line.text.includes(" 2C00000001: ")) return false;
    const removed = / ([0-9A-F]{10}): removed$/.exec(line.text);
    return removed?.[1] === undefined || Number.parseInt(removed[1], 16) % 3 === 0;
  });
}

/** Returns the lines with both machines logging under the host name `name`. */
function underOneName(lines: readonly HostLine[], name: string): HostLine[] {
  return lines.map((line) => ({
    realMs: line.realMs,
    text: line.text.replace(/ mx[12] postfix\//, ` ${name} postfix/`),
  }));
}

/** Joins lines in the order of real time, as a central syslog server writes them. */
function logText(lines: readonly HostLine[]): string {
  const ordered = [...lines].sort((a, b) => a.realMs - b.realMs);
  return ordered.map((line) => `${line.text}\n`).join("");
}

async function diagnoseJson(text: string): Promise<Diagnosis> {
  const result = await runCommand([...OFFLINE_DIAGNOSE, temporary.file(text), "-f", "json"]);
  expect(result.code).not.toBe(2);
  return JSON.parse(result.stdout) as Diagnosis;
}

const COUNTS = ["attempts", "sent", "deferred", "bounced", "expired", "blockedAttempts"] as const;

type ProviderCounts = Record<string, Record<(typeof COUNTS)[number], number>>;

function providerCounts(diagnosis: Diagnosis): ProviderCounts {
  const counts: ProviderCounts = {};
  for (const [provider, verdict] of Object.entries(diagnosis.providers)) {
    if (verdict === undefined) continue;
    counts[provider] = Object.fromEntries(COUNTS.map((name) => [name, verdict[name]])) as Record<
      (typeof COUNTS)[number],
      number
    >;
  }
  return counts;
}

function addCounts(first: ProviderCounts, second: ProviderCounts): ProviderCounts {
  const sum: ProviderCounts = structuredClone(first);
  for (const [provider, counts] of Object.entries(second)) {
    const total = sum[provider];
    if (total === undefined) {
      sum[provider] = { ...counts };
      continue;
    }
    for (const name of COUNTS) total[name] += counts[name];
  }
  return sum;
}

describe("central syslog of two skewed hosts", () => {
  test("counts as each host read apart", async () => {
    const mx1 = hostLines("mx1");
    const mx2 = hostLines("mx2");

    const merged = providerCounts(await diagnoseJson(logText([...mx1, ...mx2])));
    const apart = addCounts(
      providerCounts(await diagnoseJson(logText(mx1))),
      providerCounts(await diagnoseJson(logText(mx2))),
    );

    expect(Object.keys(merged).sort()).toEqual(Object.keys(apart).sort());
    for (const provider of Object.keys(apart)) {
      expect(merged[provider], provider).toEqual(apart[provider]);
    }
  });

  test("counts two machines under one name", async () => {
    const lines = mostlyOpen([...hostLines("mx1"), ...hostLines("mx2")]);

    const named = providerCounts(await diagnoseJson(logText(lines)));
    const same = providerCounts(await diagnoseJson(logText(underOneName(lines, "mail"))));

    expect(Object.keys(same).sort()).toEqual(Object.keys(named).sort());
    for (const provider of Object.keys(named)) {
      expect(same[provider], provider).toEqual(named[provider]);
    }
    expect(same.gmail?.sent).toBe(2 * 6 * 24);
    expect(same["exchange-online"]?.bounced).toBe(2 * 6 * 24);
  });

  test("step note names both hosts", async () => {
    const diagnosis = await diagnoseJson(logText([...hostLines("mx1"), ...hostLines("mx2")]));
    const steps = diagnosis.input.notes.filter((note) => note.includes("the time goes back"));

    expect(steps).toHaveLength(1);
    expect(steps[0]).toContain("on mx1 to ");
    expect(steps[0]).toContain("on mx2 at line ");
    expect(steps[0]).toContain("merges the lines of the hosts mx1 and mx2");
    expect(steps[0]).toContain("no host's clock went back");
    expect(steps[0]).not.toContain("the server's clock was changed");
    expect(steps[0]).not.toContain("rotated files");
  });

  test("judges silence by its own host clock", async () => {
    const diagnosis = await diagnoseJson(logText([...hostLines("mx1"), ...hostLines("mx2")]));

    expect(diagnosis.providers.gmail?.deferred).toBe(1);
    // By the clock of mx1 the deferral is silent for more than five days. Dropping it there
    // would leave an expiry without a recipient, which counts for no provider.
    expect(diagnosis.providers.gmail?.expired).toBe(1);
  });
});
