import { beforeAll, describe, expect, test } from "vitest";
import type { Diagnosis, Finding } from "../../src/diagnose/types.js";
import { diagnoseText } from "../helpers/diagnose-text.js";
import { GMAIL_RATE_LIMIT, HOUR, PostfixLog, T0 } from "../helpers/postfix-fixture.js";
import { schemaValidator } from "../helpers/schema.js";
import { EximSyslogLog, mergeLogs, usualMail } from "../helpers/two-host-log.js";

const MINUTE = 60_000;

const validateDiagnosis = schemaValidator("diagnose.schema.json");

/** 2024-03-05 10:00 UTC, when the web script on mx1 starts. */
const SCRIPT_START = T0 + 34 * HOUR;

/** 2024-03-05 11:00 UTC, when dave's stolen password is first used. */
const ABUSE_START = T0 + 35 * HOUR;

/** New client addresses of the abuse, in four networks. */
const NEW_CLIENT_IPS = ["203.0.113.200", "192.0.2.77", "198.18.5.9", "100.64.3.3"];

/** Where the stolen password sends from: mx2 alone, or mx1 and mx2 in turn. */
type AbuseHosts = "mx2" | "both";

/**
 * Builds one syslog file of two hosts, Exim on mx1 and Postfix on mx2, from 2024-03-04 00:00
 * to 2024-03-05 14:30 UTC, with the usual mail of `usualMail`. On 2024-03-05, a web script in
 * /var/www/blog on mx1 sends a message a minute to Gmail from 10:00 to 11:59. Account
 * dave@example.com sends 80 an hour from four new addresses from 11:00 to 12:59. Gmail
 * rate-limits all of it.
 */
function twoHostAbuseLog(abuseHosts: AbuseHosts = "mx2"): string {
  const exim = new EximSyslogLog("mx1");
  const postfix = new PostfixLog("mx2");
  usualMail(postfix, exim, 39);

  for (let minute = 0; minute < 120; minute++) {
    exim.localSubmission({
      time: SCRIPT_START + minute * MINUTE,
      directory: "/var/www/blog",
      user: "www-data",
      sender: "wp@blog.example.com",
      recipient: `victim${minute}@gmail.com`,
      outcome: GMAIL_RATE_LIMIT,
    });
  }
  for (let index = 0; index < 160; index++) {
    const time = ABUSE_START + index * 45_000;
    const clientIp = NEW_CLIENT_IPS[index % NEW_CLIENT_IPS.length] ?? "203.0.113.200";
    const recipient = `prey${index}@gmail.com`;
    if (abuseHosts === "both" && index % 2 === 1) {
      exim.submit({
        time,
        account: "dave@example.com",
        clientIp,
        recipient,
        outcome: GMAIL_RATE_LIMIT,
      });
    } else {
      postfix.submit({
        time,
        account: "dave@example.com",
        clientIp,
        recipients: [{ address: recipient, outcome: GMAIL_RATE_LIMIT }],
      });
    }
  }
  return mergeLogs(postfix, exim);
}

function findingOf(diagnosis: Diagnosis, id: string): Finding | undefined {
  return diagnosis.findings.find((finding) => finding.id === id);
}

function evidenceOf(finding: Finding | undefined): Record<string, unknown> {
  return (finding?.evidence ?? {}) as Record<string, unknown>;
}

function stepOf(finding: Finding | undefined, start: string): string {
  return finding?.fix.find((step) => step.startsWith(start)) ?? "";
}

describe("findings of one host in a two-host log", () => {
  let diagnosis: Diagnosis;

  beforeAll(async () => {
    diagnosis = await diagnoseText(twoHostAbuseLog());
  });

  test("account title names its host", () => {
    const found = findingOf(diagnosis, "compromised-account");

    expect(found?.severity).toBe("critical");
    expect(found?.title).toMatch(/^Account dave@example\.com on mx2 looks compromised: /);
  });

  test("account evidence names its host", () => {
    const evidence = evidenceOf(findingOf(diagnosis, "compromised-account"));

    expect(evidence["host"]).toBe("mx2");
    expect(evidence["messagesByHost"]).toEqual({ mx2: 199 });
  });

  test("account fixes give Postfix commands only", () => {
    const found = findingOf(diagnosis, "compromised-account");
    const queueStep = stepOf(found, "Delete its queued mail");
    const limitStep = stepOf(found, "Add a per-account sending limit");

    expect(queueStep).toContain("Postfix: `mailq | tail -n +2 |");
    expect(queueStep).not.toContain("exiqgrep");
    expect(limitStep).toContain("Postfix: a policy service");
    expect(limitStep).not.toContain("Exim:");
  });

  test("script title names its host", () => {
    const found = findingOf(diagnosis, "web-script");

    expect(found?.title).toBe(
      "A web script on mx1 is sending mail: local in /var/www/blog, user www-data",
    );
  });

  test("script evidence names its host", () => {
    const evidence = evidenceOf(findingOf(diagnosis, "web-script"));

    expect(evidence["host"]).toBe("mx1");
    expect(evidence["messagesByHost"]).toEqual({ mx1: 120 });
  });

  test("script fixes give Exim commands only", () => {
    const found = findingOf(diagnosis, "web-script");
    const queueStep = stepOf(found, "Delete its queued mail");
    const logStep = stepOf(found, "Log the script behind every mail() call");

    expect(queueStep).toContain("Exim: `exiqgrep -i -f '^<wp@blog\\.example\\.com>$'");
    expect(queueStep).not.toContain("mailq");
    expect(logStep).toContain("Exim: `log_selector = +arguments`");
    expect(logStep).not.toContain("header_checks");
  });

  test("diagnosis matches the schema", () => {
    expect(validateDiagnosis(JSON.parse(JSON.stringify(diagnosis)))).toEqual([]);
  });
});

describe("readiness of the two-host log", () => {
  test("cause stopped gives the gap", async () => {
    const diagnosis = await diagnoseText(twoHostAbuseLog());
    const item = diagnosis.readiness.items.find((entry) => entry.id === "cause-stopped");

    expect(item?.status).toBe("fail");
    expect(item?.detail).toBe(
      "The suspect sending went on until 2024-03-05T12:59:15Z, 1 hour 30 minutes before the last line of the log (2024-03-05T14:30:02Z). A sending counts as stopped after 2 hours without it.",
    );
  });
});

describe("account used on both hosts", () => {
  let found: Finding | undefined;

  beforeAll(async () => {
    found = findingOf(await diagnoseText(twoHostAbuseLog("both")), "compromised-account");
  });

  test("title names no host", () => {
    expect(found?.title).toMatch(/^Account dave@example\.com looks compromised: /);
  });

  test("evidence counts both hosts", () => {
    const evidence = evidenceOf(found);

    expect(evidence["host"]).toBeNull();
    expect(evidence["messagesByHost"]).toEqual({ mx2: 119, mx1: 80 });
  });

  test("fixes give both MTAs' commands", () => {
    const queueStep = stepOf(found, "Delete its queued mail");

    expect(queueStep).toContain("Postfix: `mailq | tail -n +2 |");
    expect(queueStep).toContain("Exim: `exiqgrep -i -f '^<dave@example\\.com>$'");
  });
});

describe("findings of a one-host log", () => {
  test("host in evidence, not in title", async () => {
    const postfix = new PostfixLog("mx2");
    for (let hour = 0; hour < 39; hour++) {
      postfix.submit({
        time: T0 + hour * HOUR,
        account: "dave@example.com",
        clientIp: "198.51.100.50",
        recipients: [{ address: `bud${hour}@gmail.com` }],
      });
    }
    for (let index = 0; index < 160; index++) {
      postfix.submit({
        time: ABUSE_START + index * 45_000,
        account: "dave@example.com",
        clientIp: NEW_CLIENT_IPS[index % NEW_CLIENT_IPS.length] ?? "203.0.113.200",
        recipients: [{ address: `prey${index}@gmail.com`, outcome: GMAIL_RATE_LIMIT }],
      });
    }
    const found = findingOf(await diagnoseText(postfix.text()), "compromised-account");

    expect(found?.title).toMatch(/^Account dave@example\.com looks compromised: /);
    expect(evidenceOf(found)["host"]).toBe("mx2");
  });
});
