import { describe, expect, test } from "vitest";
import { quietPeriod } from "../../src/diagnose/cause-stopped.js";
import { evidenceLines } from "../../src/report/evidence.js";
import type { Diagnosis, Finding } from "../../src/diagnose/types.js";
import {
  GMAIL_NO_SUCH_USER,
  GMAIL_RATE_LIMIT,
  GMAIL_UNSOLICITED,
  HOUR,
  PostfixLog,
  T0,
} from "../helpers/postfix-fixture.js";
import { diagnoseText } from "../helpers/diagnose-text.js";

function diagnose(log: PostfixLog): Promise<Diagnosis> {
  return diagnoseText(log.text());
}

function findingOf(diagnosis: Diagnosis, id: Finding["id"]): Finding | undefined {
  return diagnosis.findings.find((finding) => finding.id === id);
}

/** Two days of ordinary office mail: a few accounts, one or two recipients per message. */
function ordinaryTraffic(log: PostfixLog, hours = 48): void {
  const accounts = ["alice", "bob", "carol"];
  for (let hour = 0; hour < hours; hour++) {
    accounts.forEach((name, index) => {
      log.submit({
        time: T0 + hour * HOUR + index * 600_000,
        account: `${name}@example.com`,
        clientIp: `198.51.100.${10 + index}`,
        recipients: [
          { address: `friend${hour}@gmail.com` },
          { address: `partner${hour}@example.net` },
        ],
      });
    });
  }
}

function recipients(count: number, prefix: string, outcome = GMAIL_RATE_LIMIT) {
  return Array.from({ length: count }, (_, i) => ({ address: `${prefix}${i}@gmail.com`, outcome }));
}

describe("diagnosis findings", () => {
  test("quiet server is healthy", async () => {
    const log = new PostfixLog();
    ordinaryTraffic(log);
    const diagnosis = await diagnose(log);

    expect(diagnosis.verdict.status).toBe("ok");
    expect(diagnosis.findings.map((finding) => finding.id)).toEqual(["healthy"]);
    expect(diagnosis.providers.gmail?.sent).toBe(144);
  });

  test("compromised account from new addresses", async () => {
    const log = new PostfixLog();
    ordinaryTraffic(log);
    const attackers = ["192.0.2.73", "198.51.100.72", "203.0.113.71"];
    for (let i = 0; i < 12; i++) {
      log.submit({
        time: T0 + 40 * HOUR + i * 300_000,
        account: "bob@example.com",
        clientIp: attackers[i % 3] ?? "",
        recipients: recipients(30, `target${i}-`),
      });
    }
    const diagnosis = await diagnose(log);
    const compromised = findingOf(diagnosis, "compromised-account");
    const evidence = compromised?.evidence as Record<string, unknown>;

    expect(compromised?.severity).toBe("critical");
    expect(evidence["account"]).toBe("bob@example.com");
    expect(evidence["clientIps"]).toEqual(attackers);
    expect(evidence["abusiveSubmissions"]).toBe(12);
    expect(evidence["knownClientIps"]).toEqual(["198.51.100.11"]);
    // Gmail accepted the ordinary mail of the 7 hours after the attack, so its block is past.
    expect(diagnosis.verdict.status).toBe("ok");
    expect(diagnosis.providers.gmail?.status).toBe("ok");
    expect(diagnosis.providers.gmail?.pastBlock?.status).toBe("rate-limited");
    expect(compromised?.role).toBe("cause");
    expect(findingOf(diagnosis, "rate-limited")).toBeDefined();
  });

  test("campaign from usual address is not a compromise", async () => {
    const log = new PostfixLog();
    ordinaryTraffic(log);
    for (let i = 0; i < 12; i++) {
      log.submit({
        time: T0 + 40 * HOUR + i * 300_000,
        account: "bob@example.com",
        clientIp: "198.51.100.11",
        recipients: recipients(30, `customer${i}-`, undefined),
      });
    }
    const diagnosis = await diagnose(log);

    expect(findingOf(diagnosis, "compromised-account")).toBeUndefined();
    const spike = findingOf(diagnosis, "volume-spike")?.evidence as Record<string, unknown>;
    expect(spike["peakRecipientsPerHour"]).toBe(366);
    expect(spike["baselineRecipientsPerHour"]).toBe(6);
  });

  test("new PHP script sending spam", async () => {
    const log = new PostfixLog();
    ordinaryTraffic(log);
    for (let hour = 0; hour < 48; hour += 4) {
      log.pickup({
        time: T0 + hour * HOUR,
        uid: 33,
        user: "www-data",
        script: "contact.php",
        recipients: [{ address: `lead${hour}@example.net` }],
      });
    }
    for (let i = 0; i < 60; i++) {
      log.pickup({
        time: T0 + 30 * HOUR + i * 120_000,
        uid: 1004,
        user: "shopsite",
        script: "wp-cache.php",
        recipients: [{ address: `victim${i}@gmail.com`, outcome: GMAIL_UNSOLICITED }],
      });
    }
    const diagnosis = await diagnose(log);
    const scripts = diagnosis.findings.filter((finding) => finding.id === "web-script");

    expect(scripts).toHaveLength(1);
    const evidence = scripts[0]?.evidence as Record<string, unknown>;
    expect(evidence["uid"]).toBe(1004);
    expect(evidence["script"]).toBe("wp-cache.php");
    expect(evidence["scriptUid"]).toBe(1004);
    expect(evidence["messages"]).toBe(60);
    // Gmail accepted the ordinary mail of the 16 hours after the script stopped.
    expect(diagnosis.providers.gmail?.status).toBe("ok");
    expect(diagnosis.providers.gmail?.pastBlock?.status).toBe("blocked");
    expect(scripts[0]?.role).toBe("cause");
    expect(findingOf(diagnosis, "spam-content")?.severity).toBe("info");
  });

  test("unknown recipients above the threshold", async () => {
    const log = new PostfixLog();
    ordinaryTraffic(log);
    log.submit({
      time: T0 + 30 * HOUR,
      account: "carol@example.com",
      clientIp: "198.51.100.12",
      recipients: recipients(25, "old-list-", GMAIL_NO_SUCH_USER),
    });
    const diagnosis = await diagnose(log);
    const unknown = findingOf(diagnosis, "unknown-recipients")?.evidence as Record<string, unknown>;

    expect(unknown["count"]).toBe(25);
    expect((unknown["senders"] as Array<{ sender: string }>)[0]?.sender).toBe("carol@example.com");
  });

  test("few unknown recipients stay quiet", async () => {
    const log = new PostfixLog();
    ordinaryTraffic(log);
    log.submit({
      time: T0 + 30 * HOUR,
      account: "carol@example.com",
      clientIp: "198.51.100.12",
      recipients: recipients(3, "typo-", GMAIL_NO_SUCH_USER),
    });
    const diagnosis = await diagnose(log);

    expect(findingOf(diagnosis, "unknown-recipients")).toBeUndefined();
    expect(diagnosis.verdict.status).toBe("ok");
  });

  test("unknown Gmail policy wording is a block", async () => {
    const log = new PostfixLog();
    ordinaryTraffic(log, 24);
    const newWording = {
      status: "bounced" as const,
      dsn: "5.7.1",
      reply:
        "550-5.7.1 Gmail has a new reason to refuse this message that delist has never seen. 550 5.7.1 d5si6 - gsmtp",
    };
    log.submit({
      time: T0 + 20 * HOUR,
      account: "alice@example.com",
      clientIp: "198.51.100.10",
      recipients: recipients(5, "fresh-", newWording),
    });
    const diagnosis = await diagnose(log);
    expect(diagnosis.providers.gmail?.status).toBe("blocked");
    expect(diagnosis.verdict.status).toBe("blocked");
  });

  test("recent deferrals stay ongoing", async () => {
    const log = new PostfixLog();
    ordinaryTraffic(log, 24);
    log.submit({
      time: T0 + 22 * HOUR,
      account: "alice@example.com",
      clientIp: "198.51.100.10",
      recipients: recipients(3, "late-"),
    });
    for (let minute = 5; minute < 100; minute += 10) {
      log.submit({
        time: T0 + 22 * HOUR + minute * 60_000,
        account: "bob@example.com",
        clientIp: "198.51.100.11",
        recipients: [{ address: `ok${minute}@gmail.com` }],
      });
    }
    const diagnosis = await diagnose(log);
    // The last deferral falls in the last two hours, so the deliveries since do not end it.
    // They are bob's ten and five of the ordinary traffic from 22:10 on.
    expect(diagnosis.providers.gmail?.status).toBe("rate-limited");
    expect(diagnosis.providers.gmail?.ongoing).toBe(true);
    expect(diagnosis.providers.gmail?.acceptedSinceLastBlock).toBe(15);
  });

  test("block ending early is not ongoing", async () => {
    const log = new PostfixLog();
    ordinaryTraffic(log);
    log.submit({
      time: T0 + 10 * HOUR,
      account: "alice@example.com",
      clientIp: "198.51.100.10",
      recipients: recipients(2, "early-"),
    });
    const diagnosis = await diagnose(log);
    const gmail = diagnosis.providers.gmail;

    expect(gmail?.status).toBe("ok");
    expect(gmail?.pastBlock?.status).toBe("rate-limited");
    expect(gmail?.ongoing).toBe(false);
    expect(gmail?.firstBlock?.replyCode).toBe(421);
    expect(gmail?.firstBlock?.enhancedStatus).toBe("4.7.28");
    expect(diagnosis.readiness.items.find((item) => item.id === "blocks-ended")?.status).toBe(
      "pass",
    );
  });
});

describe("password guessing", () => {
  function guessing(log: PostfixLog, count: number, addresses: number): void {
    for (let i = 0; i < count; i++) {
      log.authFailure(T0 + 30 * HOUR + i * 1000, `203.0.113.${100 + (i % addresses)}`, "bob");
    }
  }

  test("many failed logins without a success are information", async () => {
    const log = new PostfixLog();
    ordinaryTraffic(log);
    guessing(log, 1200, 40);
    const diagnosis = await diagnose(log);
    const found = findingOf(diagnosis, "compromised-account");
    const evidence = found?.evidence as Record<string, unknown>;

    expect(found?.severity).toBe("info");
    expect(found?.title).toBe("Password guessing: 1,200 failed logins from 40 addresses");
    expect(evidence["kind"]).toBe("password-guessing");
    expect(evidence["failureAddresses"]).toBe(40);
    expect(evidence["peakFailuresPerHour"]).toBe(1200);
    expect(evidence["accountsTried"]).toEqual([{ account: "bob", count: 1200 }]);
    expect(evidence["accountsTriedExact"]).toBe(true);
    expect(evidence["failureAccounts"]).toBe(1);
    expect(evidence["failureAccountsExact"]).toBe(true);
    expect(evidence["guessedLogins"]).toEqual([]);
    expect(findingOf(diagnosis, "healthy")).toBeDefined();
  });

  test("dictionary attack counts every account", async () => {
    const log = new PostfixLog();
    ordinaryTraffic(log);
    for (let i = 0; i < 1200; i++) {
      const account = i < 20 ? "admin" : `user${i}`;
      log.authFailure(T0 + 30 * HOUR + i * 1000, `203.0.113.${100 + (i % 30)}`, account);
    }
    const diagnosis = await diagnose(log);
    const evidence = findingOf(diagnosis, "compromised-account")?.evidence as Record<
      string,
      unknown
    >;
    const lines = evidenceLines(evidence);

    expect(evidence["failureAccounts"]).toBe(1181);
    expect(evidence["failureAccountsExact"]).toBe(true);
    expect((evidence["accountsTried"] as unknown[])[0]).toEqual({ account: "admin", count: 20 });
    expect(lines).toContainEqual(["Distinct accounts tried", "1,181"]);
    expect(lines.find(([label]) => label === "Accounts tried")?.[1]).toMatch(/, and 1,173 more$/);
  });

  test("late account name stays in the list", async () => {
    const log = new PostfixLog();
    ordinaryTraffic(log);
    for (let i = 0; i < 10_500; i++) {
      log.authFailure(T0 + 30 * HOUR + i * 300, "203.0.113.100", `name${i}`);
    }
    for (let i = 0; i < 5; i++) {
      log.authFailure(T0 + 31 * HOUR + i * 1000, "203.0.113.101", "mailadmin");
    }
    const diagnosis = await diagnose(log);
    const evidence = findingOf(diagnosis, "compromised-account")?.evidence as Record<
      string,
      unknown
    >;

    expect(evidence["failedLogins"]).toBe(10_505);
    expect((evidence["accountsTried"] as unknown[])[0]).toEqual({ account: "mailadmin", count: 5 });
    expect(evidence["accountsTriedExact"]).toBe(false);
    expect(evidence["failureAccountsExact"]).toBe(false);
    expect(evidence["failureAccounts"]).toBeGreaterThan(10_000);
    expect(evidenceLines(evidence)).toContainEqual([
      "Accounts tried (at least)",
      expect.stringMatching(/^mailadmin \(5\)/) as unknown as string,
    ]);
  });

  test("a login from an address that failed many is a warning", async () => {
    const log = new PostfixLog();
    ordinaryTraffic(log);
    for (let i = 0; i < 25; i++) log.authFailure(T0 + 20 * HOUR + i * 1000, "203.0.113.80");
    log.submit({
      time: T0 + 21 * HOUR,
      account: "carol@example.com",
      clientIp: "203.0.113.80",
      recipients: [{ address: "someone@example.net" }],
    });
    const diagnosis = await diagnose(log);
    const found = findingOf(diagnosis, "compromised-account");

    expect(found?.severity).toBe("warning");
    expect((found?.evidence as Record<string, unknown>)["guessedLogins"]).toEqual([
      { account: "carol@example.com", ip: "203.0.113.80", failures: 25 },
    ]);
    expect(found?.fix[0]).toContain("carol@example.com");
    expect(findingOf(diagnosis, "healthy")).toBeUndefined();
  });

  test("failures and logins through a local webmail say nothing", async () => {
    const log = new PostfixLog();
    ordinaryTraffic(log);
    for (let i = 0; i < 50; i++) log.authFailure(T0 + 20 * HOUR + i * 1000, "127.0.0.1");
    log.submit({
      time: T0 + 21 * HOUR,
      account: "carol@example.com",
      clientIp: "127.0.0.1",
      recipients: [{ address: "someone@example.net" }],
    });
    const diagnosis = await diagnose(log);

    expect(findingOf(diagnosis, "compromised-account")).toBeUndefined();
    expect(diagnosis.findings.map((finding) => finding.id)).toEqual(["healthy"]);
  });

  test("background scanning stays out of the report", async () => {
    const log = new PostfixLog();
    ordinaryTraffic(log);
    guessing(log, 300, 10);
    const diagnosis = await diagnose(log);

    expect(findingOf(diagnosis, "compromised-account")).toBeUndefined();
  });
});

describe("cause stopped", () => {
  test("says how long the account has been quiet", async () => {
    const log = new PostfixLog();
    ordinaryTraffic(log);
    const attackers = ["192.0.2.73", "198.51.100.72", "203.0.113.71"];
    for (let i = 0; i < 12; i++) {
      log.submit({
        time: T0 + 40 * HOUR + i * 300_000,
        account: "bob@example.com",
        clientIp: attackers[i % 3] ?? "",
        recipients: recipients(30, `target${i}-`),
      });
    }
    const diagnosis = await diagnose(log);
    const item = diagnosis.readiness.items.find((entry) => entry.id === "cause-stopped");

    expect(item?.status).toBe("pass");
    expect(item?.detail).toMatch(
      /ended at .*, 6 hours 25 minutes before the last line of the log \(/,
    );
    expect(item?.detail).toContain("Attackers often pause");
  });

  test.each([
    [30_000, "less than a minute"],
    [HOUR + 4 * 60_000, "1 hour 4 minutes"],
    [2 * HOUR, "2 hours"],
    [3 * 24 * HOUR + 2 * HOUR + 59 * 60_000, "3 days 2 hours"],
  ])("quiet period of %i ms reads %s", (ms, text) => {
    expect(quietPeriod(ms)).toBe(text);
  });
});

describe("input notes", () => {
  test("messages dropped from correlation are noted", async () => {
    const log = new PostfixLog();
    ordinaryTraffic(log, 2);
    for (let i = 0; i < 30_000; i++) {
      const id = (0x100000 + i).toString(16).toUpperCase();
      const stamp = new Date(T0 + 3 * HOUR + i * 10).toISOString().replace("Z", "+00:00");
      log.raw(
        T0 + 3 * HOUR + i * 10,
        `${stamp} mail postfix/smtpd[900]: ${id}: client=unknown[203.0.113.9]`,
      );
    }
    const diagnosis = await diagnose(log);

    expect(diagnosis.input.evictedMessages).toBeGreaterThan(0);
    expect(diagnosis.input.notes.join(" ")).toMatch(
      /^[\d,]+ messages were dropped from correlation early/,
    );
  });

  test("a small log drops nothing", async () => {
    const log = new PostfixLog();
    ordinaryTraffic(log, 2);
    const diagnosis = await diagnose(log);

    expect(diagnosis.input.evictedMessages).toBe(0);
    expect(diagnosis.input.notes).toEqual([]);
  });
});
