import { describe, expect, test } from "vitest";
import type { Diagnosis, Finding } from "../../src/diagnose/types.js";
import { evidenceLines } from "../../src/report/evidence.js";
import { diagnoseText } from "../helpers/diagnose-text.js";
import { schemaValidator } from "../helpers/schema.js";
import { GMAIL_RATE_LIMIT, HOUR, PostfixLog, T0 } from "../helpers/postfix-fixture.js";

const validateDiagnosis = schemaValidator("diagnose.schema.json");

const ATTACKERS = ["192.0.2.73", "198.51.100.72", "203.0.113.71"];

/** Two days of ordinary office mail: three accounts, two recipients a message. */
function ordinaryTraffic(log: PostfixLog): void {
  const accounts = ["alice", "bob", "carol"];
  for (let hour = 0; hour < 48; hour++) {
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

/** Adds bob's burst of 360 recipients from three new networks, which Gmail defers. */
function stolenPassword(log: PostfixLog): void {
  for (let i = 0; i < 12; i++) {
    log.submit({
      time: T0 + 40 * HOUR + i * 300_000,
      account: "bob@example.com",
      clientIp: ATTACKERS[i % 3] ?? "",
      recipients: Array.from({ length: 30 }, (_, n) => ({
        address: `target${i}-${n}@gmail.com`,
        outcome: GMAIL_RATE_LIMIT,
      })),
    });
  }
}

/** Adds 1,200 failed logins from 40 addresses, all for `account`. */
function guessing(log: PostfixLog, account = "dave"): void {
  for (let i = 0; i < 1200; i++) {
    log.authFailure(T0 + 30 * HOUR + i * 1000, `203.0.113.${100 + (i % 40)}`, account);
  }
}

function compromisedFindings(diagnosis: Diagnosis): Finding[] {
  return diagnosis.findings.filter((finding) => finding.id === "compromised-account");
}

describe("password guessing beside a compromised account", () => {
  test("one finding holds both", async () => {
    const log = new PostfixLog();
    ordinaryTraffic(log);
    stolenPassword(log);
    guessing(log);
    const diagnosis = await diagnoseText(log.text());
    const found = compromisedFindings(diagnosis);
    const evidence = found[0]?.evidence as Record<string, unknown>;
    const guessingEvidence = evidence["passwordGuessing"] as Record<string, unknown>;

    expect(found).toHaveLength(1);
    expect(found[0]?.severity).toBe("critical");
    expect(found[0]?.role).toBe("cause");
    expect(evidence["kind"]).toBe("sending-burst");
    expect(evidence["account"]).toBe("bob@example.com");
    expect(guessingEvidence["kind"]).toBe("password-guessing");
    expect(guessingEvidence["failedLogins"]).toBe(1200);
    expect(guessingEvidence["failureAddresses"]).toBe(40);
    expect(guessingEvidence["accountsTried"]).toEqual([{ account: "dave", count: 1200 }]);
  });

  test("summary and fixes add the guessing", async () => {
    const log = new PostfixLog();
    ordinaryTraffic(log);
    stolenPassword(log);
    guessing(log);
    const diagnosis = await diagnoseText(log.text());
    const found = compromisedFindings(diagnosis)[0];
    const fixes = found?.fix ?? [];

    expect(found?.title).toMatch(/^Account bob@example\.com looks compromised/);
    expect(found?.summary).toContain("The log also shows password guessing. From ");
    expect(found?.summary).toContain("the server refused 1,200 logins");
    expect(fixes[0]).toMatch(/^Change the password of bob@example\.com now/);
    expect(fixes.some((step) => step.startsWith("Ban addresses after a few failed logins"))).toBe(
      true,
    );
    expect(new Set(fixes).size).toBe(fixes.length);
    expect(found?.samples).toHaveLength(2);
    expect(found?.samples[1]?.text).toBe("first failed login");
  });

  test("JSON matches the schema", async () => {
    const log = new PostfixLog();
    ordinaryTraffic(log);
    stolenPassword(log);
    guessing(log);
    const diagnosis = await diagnoseText(log.text());
    const json: unknown = JSON.parse(JSON.stringify(diagnosis));

    expect(validateDiagnosis(json)).toEqual([]);
  });

  test("text report shows the failed logins", async () => {
    const log = new PostfixLog();
    ordinaryTraffic(log);
    stolenPassword(log);
    guessing(log);
    const diagnosis = await diagnoseText(log.text());
    const lines = evidenceLines(compromisedFindings(diagnosis)[0]?.evidence ?? {});
    const labels = lines.map(([label]) => label);

    expect(labels).toContain("Account");
    expect(labels).toContain("Failed logins");
    expect(labels).toContain("Peak failures per hour");
    expect(lines).toContainEqual(["Failed logins", "1,200"]);
  });

  test("login of the compromised account is named", async () => {
    const log = new PostfixLog();
    ordinaryTraffic(log);
    stolenPassword(log);
    for (let i = 0; i < 25; i++) {
      log.authFailure(T0 + 39 * HOUR + i * 1000, "192.0.2.73", "bob@example.com");
    }
    const diagnosis = await diagnoseText(log.text());
    const found = compromisedFindings(diagnosis)[0];
    const guessingEvidence = (found?.evidence as Record<string, unknown>)[
      "passwordGuessing"
    ] as Record<string, unknown>;

    expect(compromisedFindings(diagnosis)).toHaveLength(1);
    expect(guessingEvidence["guessedLogins"]).toEqual([
      { account: "bob@example.com", ip: "192.0.2.73", failures: 25 },
    ]);
    expect(found?.summary).toContain("bob@example.com logged in from 192.0.2.73");
    // The burst's own first fix already changes bob's password, so no second step does.
    expect(found?.fix.some((step) => step.startsWith("Change the passwords of"))).toBe(false);
  });
});

describe("password guessing alone", () => {
  test("keeps its own finding", async () => {
    const log = new PostfixLog();
    ordinaryTraffic(log);
    guessing(log);
    const diagnosis = await diagnoseText(log.text());
    const found = compromisedFindings(diagnosis);

    expect(found).toHaveLength(1);
    expect(found[0]?.severity).toBe("info");
    expect(found[0]?.title).toBe("Password guessing: 1,200 failed logins from 40 addresses");
    expect((found[0]?.evidence as Record<string, unknown>)["kind"]).toBe("password-guessing");
    expect((found[0]?.evidence as Record<string, unknown>)["passwordGuessing"]).toBeUndefined();
  });
});
