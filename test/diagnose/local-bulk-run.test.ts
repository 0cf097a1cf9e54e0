import { describe, expect, test } from "vitest";
import type { Diagnosis, Finding } from "../../src/diagnose/types.js";
import { evidenceLines } from "../../src/report/evidence.js";
import { HOUR, PostfixLog, SENT, T0, type Outcome } from "../helpers/postfix-fixture.js";
import { diagnoseText } from "../helpers/diagnose-text.js";

const OUTLOOK_BLOCK_LIST: Outcome = {
  status: "bounced",
  dsn: "5.7.1",
  reply:
    "550 5.7.1 Unfortunately, messages from [203.0.113.10] weren't sent. Please contact your Internet service provider since part of their network is on our block list (S3140).",
};

const YAHOO_DEFERRED: Outcome = {
  status: "deferred",
  dsn: "4.7.0",
  reply:
    "421 4.7.0 [TSS04] Messages from 203.0.113.10 temporarily deferred due to unexpected volume or user complaints - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes",
};

function diagnose(text: string): Promise<Diagnosis> {
  return diagnoseText(text, { year: 2024 });
}

function findingOf(diagnosis: Diagnosis, id: string): Finding | undefined {
  return diagnosis.findings.find((finding) => finding.id === id);
}

function evidenceOf(finding: Finding | undefined): Record<string, unknown> {
  return (finding?.evidence ?? {}) as Record<string, unknown>;
}

/** Adds Postfix's start line at `time`, as master(8) logs it. */
function masterStarted(log: PostfixLog, time: number): void {
  const stamp = new Date(time).toISOString().replace("Z", "+00:00");
  log.raw(
    time,
    `${stamp} mx postfix/master[100]: daemon started -- version 3.7.11, configuration /etc/postfix`,
  );
}

/**
 * Writes a server that starts at T0 and whose only sender, the local newsletter user `news`,
 * sends 40, 400 and 1,600 recipients at 09:00 on three days. Outlook.com lists the IP during
 * the third run, and the log ends an hour later. `script` adds PHP's X-PHP-Originating-Script
 * header to each message, a sign of a web script.
 */
function newIpNewsletter(script?: string): string {
  const log = new PostfixLog("mx");
  masterStarted(log, T0);
  const messagesPerDay = [2, 20, 80];
  messagesPerDay.forEach((messages, day) => {
    for (let i = 0; i < messages; i++) {
      const time = T0 + day * 24 * HOUR + 9 * HOUR + i * 30_000;
      const blocked = day === 2 && i >= 20;
      log.pickup({
        time,
        uid: 1001,
        user: "news",
        ...(script === undefined ? {} : { script }),
        recipients: Array.from({ length: 20 }, (_, n) => ({
          address:
            n % 4 === 0 ? `reader${day}-${i}-${n}@example.net` : `r${day}-${i}-${n}@outlook.com`,
          outcome: blocked && n % 4 !== 0 ? OUTLOOK_BLOCK_LIST : SENT,
        })),
      });
    }
  });
  return log.text();
}

/**
 * Writes three days of hand-sent SASL mail and, on the second day at 09:00, one run of 60
 * messages to 20 recipients each from uid 1001 (`pickup`, no PHP header), mostly to Yahoo,
 * which defers them.
 */
function localYahooRun(): string {
  const log = new PostfixLog("mx");
  for (let hour = 0; hour < 72; hour++) {
    log.submit({
      time: T0 + hour * HOUR + 600_000,
      account: "alice@example.com",
      clientIp: "198.51.100.10",
      recipients: [{ address: `friend${hour}@example.net` }],
    });
  }
  for (let i = 0; i < 60; i++) {
    log.pickup({
      time: T0 + 33 * HOUR + i * 55_000,
      uid: 1001,
      user: "news",
      recipients: Array.from({ length: 20 }, (_, n) => {
        const yahoo = n < 17;
        return {
          address: yahoo ? `y${i}-${n}@yahoo.com` : `g${i}-${n}@example.net`,
          outcome: yahoo ? YAHOO_DEFERRED : SENT,
        };
      }),
    });
  }
  return log.text();
}

describe("new IP that warms up too fast", () => {
  test("short steep ramp is new-ip", async () => {
    const diagnosis = await diagnose(newIpNewsletter());
    const newIp = findingOf(diagnosis, "new-ip");

    expect(newIp?.role).toBe("cause");
    expect(evidenceOf(newIp)["dailyRamp"]).toEqual([
      { day: "2024-03-04", recipients: 40 },
      { day: "2024-03-05", recipients: 400 },
      { day: "2024-03-06", recipients: 1600 },
    ]);
  });

  test("new-ip ranks above the newsletter", async () => {
    const diagnosis = await diagnose(newIpNewsletter());
    const ids = diagnosis.findings.map((finding) => finding.id);
    const script = findingOf(diagnosis, "web-script");

    expect(ids[0]).toBe("new-ip");
    expect(script?.role).toBe("contributing");
    expect(evidenceOf(script)["dailySchedule"]).toBe(true);
    expect(evidenceOf(script)["onlyBulkSender"]).toBe(true);
    expect(diagnosis.verdict.summary).toContain("Likely cause: new-ip.");
  });

  test("scheduled web newsletter ranks below", async () => {
    const diagnosis = await diagnose(newIpNewsletter("/var/www/news/send.php"));
    const script = findingOf(diagnosis, "web-script");

    expect(evidenceOf(script)["webSource"]).toBe(true);
    expect(script?.title).toMatch(/^A web script/);
    expect(script?.role).toBe("contributing");
    expect(diagnosis.findings[0]?.id).toBe("new-ip");
  });

  test("newsletter keeps its queued mail", async () => {
    const script = findingOf(await diagnose(newIpNewsletter()), "web-script");
    const fixes = script?.fix.join("\n") ?? "";

    expect(fixes).not.toContain("postsuper -d");
    expect(fixes).toContain("postsuper -h -");
    expect(fixes).toContain("treat it as a volume problem");
  });

  test("usual rate agrees with volume-spike", async () => {
    const diagnosis = await diagnose(newIpNewsletter());
    const script = findingOf(diagnosis, "web-script");
    const spike = findingOf(diagnosis, "volume-spike");
    const spikeUsual = /news, uid 1001 usually sends mail to ([\d,]+) recipients an hour/.exec(
      spike?.summary ?? "",
    )?.[1];

    expect(spikeUsual).toBe("220");
    expect(evidenceOf(script)["usualRecipientsPerHour"]).toBe(220);
    expect(script?.summary).toContain("At that time of day it usually sends 220 an hour");
  });

  test("listing is not called abuse", async () => {
    const listing = findingOf(await diagnose(newIpNewsletter()), "ip-blocklisted");

    expect(listing?.role).toBe("consequence");
    expect(listing?.summary).not.toContain("abusive");
    expect(listing?.summary).toContain("after the sending of the new-ip finding");
  });

  test("restart late in the day is no ramp", async () => {
    const log = new PostfixLog("mx");
    masterStarted(log, T0 + 22 * HOUR);
    // One hour of the usual 20 recipients an hour before midnight, then a whole ordinary day.
    for (let hour = 23; hour < 48; hour++) {
      for (let n = 0; n < 20; n++) {
        log.submit({
          time: T0 + hour * HOUR + n * 60_000,
          account: "alice@example.com",
          clientIp: "198.51.100.10",
          recipients: [{ address: `friend${hour}-${n}@example.net` }],
        });
      }
    }
    const diagnosis = await diagnose(log.text());

    expect(findingOf(diagnosis, "new-ip")).toBeUndefined();
  });
});

describe("local program's bulk run", () => {
  test("volume-spike leads the run", async () => {
    const diagnosis = await diagnose(localYahooRun());
    const ids = diagnosis.findings.map((finding) => finding.id);
    const script = findingOf(diagnosis, "web-script");
    const spike = findingOf(diagnosis, "volume-spike");

    expect(spike?.role).toBe("cause");
    expect(script?.role).toBe("contributing");
    expect(script?.severity).toBe("warning");
    expect(ids.indexOf("volume-spike")).toBeLessThan(ids.indexOf("web-script"));
  });

  test("run is worded as bulk mail", async () => {
    const script = findingOf(await diagnose(localYahooRun()), "web-script");

    expect(script?.title).toBe(
      "A new local program sent bulk mail that receivers block: local user news, uid 1001",
    );
    expect(script?.summary).toContain("If the run was intended, it is a volume problem.");
    expect(script?.fix.join("\n")).not.toContain("postsuper -d");
  });

  test("share names the blocking provider", async () => {
    const script = findingOf(await diagnose(localYahooRun()), "web-script");
    const lines = evidenceLines(script?.evidence ?? {});

    expect(evidenceOf(script)["blockingShare"]).toEqual({ operator: "yahoo", share: 0.85 });
    expect(lines).toContainEqual(["Share to Yahoo/AOL", "85 %"]);
    expect(lines.map(([label]) => label)).not.toContain("Share to Google");
  });
});
