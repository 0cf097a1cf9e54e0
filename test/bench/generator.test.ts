import { createHash } from "node:crypto";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { detectProvider } from "../../src/knowledge/providers.js";

const GENERATOR = join(import.meta.dirname, "../../bench/generate-postfix.mjs");
const SIZE_MIB = 3;
const SEED = 11;

interface StatusCounts {
  sent: number;
  deferred: number;
  bounced: number;
}

interface Mark {
  time: string;
  line: number;
}

interface TruthFile {
  lines: number;
  bytes: number;
  deliveries: {
    byProvider: Record<string, StatusCounts & { deferredRecipients: number }>;
    local: StatusCounts;
  };
  gmail: { expectedVerdict: string; first421: Mark | null; first550: Mark | null };
  incident: { account: string; clientIps: string[]; messages: number };
}

let folder = "";

function generate(name: string, ...options: string[]): { log: string; truth: TruthFile } {
  const path = join(folder, name);
  execFileSync(process.execPath, [GENERATOR, "--size-mib", String(SIZE_MIB), ...options, path]);
  const truth = JSON.parse(readFileSync(`${path}.truth.json`, "utf8")) as TruthFile;
  return { log: readFileSync(path, "latin1"), truth };
}

function linesOf(log: string): string[] {
  expect(log.endsWith("\n")).toBe(true);
  return log.slice(0, -1).split("\n");
}

const DELIVERY = /: to=<([^>]*)>, relay=([^,]+), .* status=(sent|deferred|bounced) /;

// Counts delivery lines per delist provider, judged from the relay host and recipient the
// way delist does. Deliveries to this server's own mailboxes are counted as "local".
function countDeliveries(lines: string[]): Map<string, StatusCounts> {
  const counts = new Map<string, StatusCounts>();
  for (const line of lines) {
    const match = DELIVERY.exec(line);
    if (match === null) continue;
    const [, recipient = "", relay = "", status = ""] = match;
    const local = relay === "local" || relay.includes("[private/");
    const provider = local
      ? "local"
      : detectProvider(relay.slice(0, relay.indexOf("[")), recipient);
    const entry = counts.get(provider) ?? { sent: 0, deferred: 0, bounced: 0 };
    entry[status as keyof StatusCounts]++;
    counts.set(provider, entry);
  }
  return counts;
}

function firstLineWith(lines: string[], needle: string): number {
  return lines.findIndex((line) => line.includes(needle)) + 1;
}

const MONTHS: Record<string, number> = { Mar: 2 };
const RFC3164 = /^(Mar) ([ 1-3]\d) (\d\d):(\d\d):(\d\d) mx1 postfix\/[a-z/]+\[\d+\]: \S/;
const RFC3339 = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6})\+00:00 mx1 postfix\/[a-z/]+\[\d+\]: \S/;

function rfc3164Time(line: string): number {
  const match = RFC3164.exec(line);
  if (match === null) return Number.NaN;
  const [, month = "", day, hour, minute, second] = match;
  return Date.UTC(
    2025,
    MONTHS[month] ?? -1,
    Number(day),
    Number(hour),
    Number(minute),
    Number(second),
  );
}

function rfc3339Time(line: string): number {
  const match = RFC3339.exec(line);
  return match === null ? Number.NaN : Date.parse(`${match[1] ?? ""}Z`);
}

describe("Postfix log generator", () => {
  let classic: { log: string; truth: TruthFile };
  let iso: { log: string; truth: TruthFile };

  beforeAll(() => {
    folder = mkdtempSync(join(tmpdir(), "delist-generator-"));
    classic = generate("classic.log", "--seed", String(SEED));
    iso = generate(
      "iso.log",
      "--seed",
      String(SEED),
      "--timestamps",
      "rfc3339",
      "--long-queue-ids",
    );
  });

  afterAll(() => {
    rmSync(folder, { recursive: true, force: true });
  });

  it("stays within the requested size", () => {
    const size = statSync(join(folder, "classic.log")).size;
    expect(size).toBeLessThanOrEqual(SIZE_MIB * 1024 * 1024);
    expect(size).toBeGreaterThan(SIZE_MIB * 1024 * 1024 - 2000);
    expect(classic.truth.bytes).toBe(size);
    expect(classic.truth.lines).toBe(linesOf(classic.log).length);
  });

  it("counts deliveries per provider as the lines show", () => {
    for (const { log, truth } of [classic, iso]) {
      const counted = countDeliveries(linesOf(log));
      const { local, ...remote } = Object.fromEntries(counted);
      expect(local).toEqual(truth.deliveries.local);
      const expected = Object.fromEntries(
        Object.entries(truth.deliveries.byProvider).map(([provider, counts]) => [
          provider,
          { sent: counts.sent, deferred: counts.deferred, bounced: counts.bounced },
        ]),
      );
      expect(remote).toEqual(expected);
      expect(Object.keys(remote).sort()).toEqual([
        "gmail",
        "google-workspace",
        "other",
        "outlook",
        "yahoo",
      ]);
    }
  });

  it("records the first Gmail 421 and 550", () => {
    const lines = linesOf(classic.log);
    const { first421, first550, expectedVerdict } = classic.truth.gmail;
    expect(first421?.line).toBe(firstLineWith(lines, "dsn=4.7.28,"));
    expect(lines[(first421?.line ?? 0) - 1]).toContain("said: 421-4.7.28 [203.0.113.10");
    expect(first550?.line).toBe(firstLineWith(lines, "dsn=5.7.1,"));
    expect(lines[(first550?.line ?? 0) - 1]).toContain("likely unsolicited mail");
    expect(Date.parse(first421?.time ?? "")).toBe(
      rfc3164Time(lines[(first421?.line ?? 0) - 1] ?? ""),
    );
    expect(expectedVerdict).toBe("blocked");
  });

  it("starts the incident at 60 % of the output", () => {
    const lines = linesOf(classic.log);
    const account = classic.truth.incident.account;
    const first = firstLineWith(lines, `sasl_method=LOGIN, sasl_username=${account}`);
    const before = lines.slice(0, first - 1).join("\n").length;
    expect(before / classic.truth.bytes).toBeGreaterThan(0.59);
    expect(before / classic.truth.bytes).toBeLessThan(0.65);
  });

  it("records the compromised account and its client IPs", () => {
    const lines = linesOf(classic.log);
    const { account, clientIps, messages } = classic.truth.incident;
    const bulkQueueIds = new Set(
      lines
        .filter((line) => line.includes(`from=<${account}>`) && / nrcpt=([2-4]\d|50) /.test(line))
        .map((line) => /: ([0-9A-F]+): from=/.exec(line)?.[1]),
    );
    const ips = new Set<string>();
    for (const line of lines) {
      const match = /: ([0-9A-F]+): client=unknown\[([^\]]+)\], .*sasl_username=(\S+)$/.exec(line);
      if (match?.[3] === account && bulkQueueIds.has(match[1])) ips.add(match[2] ?? "");
    }
    expect(account).toBe("user017@example.com");
    expect(bulkQueueIds.size).toBe(messages);
    expect([...ips].sort()).toEqual(clientIps);
    expect(clientIps.length).toBeGreaterThanOrEqual(5);
  });

  it("writes RFC 3164 lines in time order", () => {
    let previous = 0;
    for (const line of linesOf(classic.log)) {
      const time = rfc3164Time(line);
      expect(time, line).toBeGreaterThanOrEqual(previous);
      previous = time;
    }
  });

  it("writes RFC 3339 lines in time order", () => {
    let previous = 0;
    for (const line of linesOf(iso.log)) {
      const time = rfc3339Time(line);
      expect(time, line).toBeGreaterThanOrEqual(previous);
      previous = time;
    }
  });

  it("writes long queue ids when asked", () => {
    const ids = linesOf(iso.log)
      .map((line) => /postfix\/qmgr\[\d+\]: (\S+): from=/.exec(line)?.[1])
      .filter((id) => id !== undefined);
    expect(ids.length).toBeGreaterThan(1000);
    // Seconds and microseconds in base 52 (no vowels), `z`, the inode number in base 51.
    const longId = /^[0-9B-DF-HJ-NP-TV-Zb-df-hj-np-tv-z]{10}z[0-9B-DF-HJ-NP-TV-Zb-df-hj-np-tv-y]+$/;
    for (const id of ids) expect(id).toMatch(longId);
  });

  it("writes ASCII only", () => {
    expect(/[^\x20-\x7e\n]/.test(classic.log)).toBe(false);
    expect(/[^\x20-\x7e\n]/.test(iso.log)).toBe(false);
  });

  it("gives the same bytes for the same seed", () => {
    const again = generate("again.log", "--seed", String(SEED));
    const other = generate("other.log", "--seed", String(SEED + 1));
    const digest = (text: string) => createHash("sha256").update(text, "latin1").digest("hex");
    expect(digest(again.log)).toBe(digest(classic.log));
    expect(again.truth).toEqual(classic.truth);
    expect(digest(other.log)).not.toBe(digest(classic.log));
  });
});
