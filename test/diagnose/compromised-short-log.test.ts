import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { HOUR_MS } from "../../src/analysis/time.js";
import { findBurst, findBurstAbove, hasHistoryBefore } from "../../src/diagnose/series.js";
import type { Diagnosis, Finding } from "../../src/diagnose/types.js";
import { corpusPath, corpusRoot } from "../helpers/corpus.js";
import { diagnoseText } from "../helpers/diagnose-text.js";
import { GMAIL_RATE_LIMIT, HOUR, PostfixLog, T0 } from "../helpers/postfix-fixture.js";

function compromised(diagnosis: Diagnosis): Finding[] {
  return diagnosis.findings.filter((finding) => finding.id === "compromised-account");
}

function evidenceOf(finding: Finding | undefined): Record<string, unknown> {
  return (finding?.evidence ?? {}) as Record<string, unknown>;
}

/** Four client addresses in four networks, sorted as the finding's evidence lists them. */
const ATTACK_IPS = ["192.0.2.50", "198.51.100.51", "2001:db8:52::1", "203.0.113.53"];

/** Returns `count` client addresses from `first` on, spread over four networks and sorted. */
function spreadAddresses(count: number, first: number): string[] {
  const networks = ["192.0.2.", "198.51.100.", "203.0.113.", "2001:db8:ff::"];
  return Array.from(
    { length: count },
    (_, index) => `${networks[index % networks.length] ?? ""}${first + index}`,
  ).sort();
}

/** Office accounts sending one message with one or two recipients each hour. */
function officeTraffic(log: PostfixLog, hours: number, accounts = 5): void {
  for (let hour = 0; hour < hours; hour++) {
    for (let index = 0; index < accounts; index++) {
      log.submit({
        time: T0 + hour * HOUR + index * 300_000,
        account: `user${index}@example.com`,
        clientIp: `198.51.100.${10 + index}`,
        recipients: [
          { address: `contact${hour}-${index}@example.net` },
          ...(index % 2 === 0 ? [{ address: `friend${hour}-${index}@gmail.com` }] : []),
        ],
      });
    }
  }
}

/**
 * Bulk mail as `account` from `ips` in turn: `perHour[i]` recipients in hour `firstHour + i`,
 * in messages of 30 recipients, all distinct.
 */
function bulkMail(
  log: PostfixLog,
  options: { account: string; ips: readonly string[]; firstHour: number; perHour: number[] },
): void {
  let message = 0;
  options.perHour.forEach((total, offset) => {
    for (let sent = 0; sent < total; sent += 30) {
      const count = Math.min(30, total - sent);
      log.submit({
        time: T0 + (options.firstHour + offset) * HOUR + 60_000 + sent * 1000,
        account: options.account,
        clientIp: options.ips[message % options.ips.length] ?? "203.0.113.1",
        recipients: Array.from({ length: count }, (_, i) => ({
          address: `target${offset}-${sent + i}@gmail.com`,
          outcome: GMAIL_RATE_LIMIT,
        })),
      });
      message += 1;
    }
  });
}

describe("compromised-account without the account's own history", () => {
  test("three-hour log names the abused account", async () => {
    const log = new PostfixLog();
    officeTraffic(log, 3);
    bulkMail(log, {
      account: "mallory@example.com",
      ips: ATTACK_IPS,
      firstHour: 0,
      perHour: [90, 240, 150],
    });

    const found = compromised(await diagnoseText(log.text()));
    expect(found).toHaveLength(1);
    const evidence = evidenceOf(found[0]);
    expect(evidence["account"]).toBe("mallory@example.com");
    expect(evidence["clientIps"]).toEqual(ATTACK_IPS);
    expect(evidence["baselineSource"]).toBe("other-accounts");
    expect(evidence["peakRecipientsPerHour"]).toBe(240);
    expect(evidence["baselineRecipientsPerHour"]).toBe(2);
    expect(evidence["abusiveRecipients"]).toBe(480);
    expect(found[0]?.summary).toContain(
      "A typical account in this log sent mail to 2 recipients in its busiest hour",
    );
  });

  test("owner's earlier address stays out", async () => {
    const log = new PostfixLog();
    officeTraffic(log, 5);
    for (const hour of [0, 1]) {
      log.submit({
        time: T0 + hour * HOUR + 900_000,
        account: "mallory@example.com",
        clientIp: "198.51.100.40",
        recipients: [{ address: `colleague${hour}@example.net` }],
      });
    }
    bulkMail(log, {
      account: "mallory@example.com",
      ips: ATTACK_IPS,
      firstHour: 2,
      perHour: [90, 240, 150],
    });

    const evidence = evidenceOf(compromised(await diagnoseText(log.text()))[0]);
    expect(evidence["clientIps"]).toEqual(ATTACK_IPS);
    expect(evidence["knownClientIps"]).toEqual(["198.51.100.40"]);
    expect(evidence["baselineSource"]).toBe("other-accounts");
  });

  test("bulk from one address is no compromise", async () => {
    const log = new PostfixLog();
    officeTraffic(log, 3);
    bulkMail(log, {
      account: "news@example.com",
      ips: ["198.51.100.60"],
      firstHour: 0,
      perHour: [90, 240, 150],
    });
    expect(compromised(await diagnoseText(log.text()))).toEqual([]);
  });

  test("two addresses are too few", async () => {
    const log = new PostfixLog();
    officeTraffic(log, 3);
    bulkMail(log, {
      account: "mallory@example.com",
      ips: ATTACK_IPS.slice(0, 2),
      firstHour: 0,
      perHour: [90, 240, 150],
    });
    expect(compromised(await diagnoseText(log.text()))).toEqual([]);
  });

  test("too few other accounts to compare", async () => {
    const log = new PostfixLog();
    officeTraffic(log, 3, 2);
    bulkMail(log, {
      account: "mallory@example.com",
      ips: ATTACK_IPS,
      firstHour: 0,
      perHour: [90, 240, 150],
    });
    expect(compromised(await diagnoseText(log.text()))).toEqual([]);
  });

  test("steady all-day bulk sender passes", async () => {
    const log = new PostfixLog();
    officeTraffic(log, 24);
    const perHour = Array.from({ length: 24 }, (_, hour) => (hour % 3 === 0 ? 240 : 120));
    bulkMail(log, { account: "crm@example.com", ips: ATTACK_IPS, firstHour: 0, perHour });
    expect(compromised(await diagnoseText(log.text()))).toEqual([]);
  });

  test("long abuse from many addresses since the log's start", async () => {
    const log = new PostfixLog();
    officeTraffic(log, 24);
    const botnet = spreadAddresses(8, 60);
    const perHour = Array.from({ length: 24 }, (_, hour) => (hour % 3 === 0 ? 240 : 120));
    bulkMail(log, { account: "mallory@example.com", ips: botnet, firstHour: 0, perHour });

    const found = compromised(await diagnoseText(log.text()));
    expect(found).toHaveLength(1);
    const evidence = evidenceOf(found[0]);
    expect(evidence["account"]).toBe("mallory@example.com");
    expect(evidence["clientIps"]).toEqual(botnet);
    expect(evidence["baselineSource"]).toBe("other-accounts");
  });

  test("long bulk from seven addresses since the log's start passes", async () => {
    const log = new PostfixLog();
    officeTraffic(log, 24);
    const servers = spreadAddresses(7, 60);
    const perHour = Array.from({ length: 24 }, (_, hour) => (hour % 3 === 0 ? 240 : 120));
    bulkMail(log, { account: "crm@example.com", ips: servers, firstHour: 0, perHour });
    expect(compromised(await diagnoseText(log.text()))).toEqual([]);
  });

  test("long abuse that begins inside the log", async () => {
    const log = new PostfixLog();
    officeTraffic(log, 24);
    const perHour = [90, 240, 150, 200, 120, 180, 160, 140];
    bulkMail(log, { account: "mallory@example.com", ips: ATTACK_IPS, firstHour: 10, perHour });

    const evidence = evidenceOf(compromised(await diagnoseText(log.text()))[0]);
    expect(evidence["account"]).toBe("mallory@example.com");
    expect(evidence["baselineSource"]).toBe("other-accounts");
    expect(evidence["abusiveRecipients"]).toBe(1280);
  });

  test("own history decides when present", async () => {
    const log = new PostfixLog();
    officeTraffic(log, 11);
    const history = Array.from({ length: 8 }, () => 15);
    bulkMail(log, {
      account: "sales@example.com",
      ips: ["198.51.100.40"],
      firstHour: 0,
      perHour: history,
    });
    bulkMail(log, {
      account: "sales@example.com",
      ips: ATTACK_IPS,
      firstHour: 8,
      perHour: [60, 80, 70],
    });
    expect(compromised(await diagnoseText(log.text()))).toEqual([]);
  });
});

describe("findBurstAbove", () => {
  const points = [110, 303, 165].map((value, index) => ({ hour: (21 + index) * HOUR_MS, value }));

  test("finds a burst its own series hides", () => {
    expect(findBurst(points)).toBeNull();
    const burst = findBurstAbove(points, 1);
    expect(burst?.peak.value).toBe(303);
    expect(burst?.baseline).toBe(1);
    expect(burst?.startHour).toBe(21 * HOUR_MS);
    expect(burst?.endHour).toBe(23 * HOUR_MS);
  });

  test("rejects a peak close to the level", () => {
    expect(findBurstAbove(points, 60)).toBeNull();
  });

  test("rejects an empty series", () => {
    expect(findBurstAbove([], 0)).toBeNull();
  });
});

describe("hasHistoryBefore", () => {
  test("counts non-empty hours before the given hour", () => {
    const points = [1, 1, 1, 1, 1, 1, 300].map((value, hour) => ({ hour: hour * HOUR_MS, value }));
    expect(hasHistoryBefore(points, 6 * HOUR_MS)).toBe(true);
    expect(hasHistoryBefore(points, 5 * HOUR_MS)).toBe(false);
  });
});

const root = corpusRoot();

/** Lines of a syslog file whose timestamp starts with one of `hours` ("Mar  5 21"). */
function linesOf(path: string, hours: readonly string[]): string {
  const lines = readFileSync(path, "utf8").split("\n");
  return `${lines.filter((line) => hours.some((hour) => line.startsWith(hour))).join("\n")}\n`;
}

describe.skipIf(root === null)("compromised-account in short corpus logs", () => {
  test.each([
    ["21:00-23:00", ["Mar  5 21", "Mar  5 22"]],
    ["21:00-24:00", ["Mar  5 21", "Mar  5 22", "Mar  5 23"]],
    ["18:00-24:00", ["Mar  5 18", "Mar  5 19", "Mar  5 20", "Mar  5 21", "Mar  5 22", "Mar  5 23"]],
  ])("SASL abuse cut to %s", async (_window, hours) => {
    const path = corpusPath(root ?? "", "logs", "scenarios", "01-compromised-sasl-postfix.log");
    const found = compromised(await diagnoseText(linesOf(path, hours), { year: 2024 }));
    expect(found.map((finding) => evidenceOf(finding)["account"])).toEqual([
      "niaj@northgate.example",
    ]);
    expect(evidenceOf(found[0])["clientIps"]).toHaveLength(6);
  });

  test("healthy log cuts have no compromised account", async () => {
    const path = corpusPath(root ?? "", "logs", "scenarios", "07-healthy-postfix.log");
    const text = readFileSync(path, "utf8");
    const days = [...new Set(text.split("\n").map((line) => line.slice(0, 6)))].filter(
      (day) => day.length === 6,
    );
    expect(days.length).toBeGreaterThan(0);
    for (const day of days) {
      for (let start = 0; start < 24; start += 2) {
        const hours = [0, 1, 2].map(
          (offset) => `${day} ${String(start + offset).padStart(2, "0")}`,
        );
        const found = compromised(await diagnoseText(linesOf(path, hours), { year: 2024 }));
        expect(found, `${day} ${start}:00 +3h`).toEqual([]);
      }
    }
  });
});
