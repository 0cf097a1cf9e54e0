import { describe, expect, test } from "vitest";
import type { Diagnosis, Finding } from "../../src/diagnose/types.js";
import { diagnoseText } from "../helpers/diagnose-text.js";
import { GMAIL_UNSOLICITED, HOUR, PostfixLog, T0 } from "../helpers/postfix-fixture.js";

const MINUTE = 60_000;

function compromised(diagnosis: Diagnosis): Finding[] {
  return diagnosis.findings.filter((finding) => finding.id === "compromised-account");
}

function evidenceOf(finding: Finding | undefined): Record<string, unknown> {
  return (finding?.evidence ?? {}) as Record<string, unknown>;
}

function accountsOf(diagnosis: Diagnosis): unknown[] {
  return compromised(diagnosis).map((finding) => evidenceOf(finding)["account"]);
}

/**
 * Returns `count` client addresses in many networks. Every fourth is in a /48 of its own in
 * 2001:db8::/32, and the others are in 192.0.2.0/24, 198.51.100.0/24 and 203.0.113.0/24 in turn.
 */
function addresses(count: number): string[] {
  const networks = ["192.0.2.", "198.51.100.", "203.0.113."];
  return Array.from({ length: count }, (_, index) =>
    index % 4 === 3 ? `2001:db8:${index}::1` : `${networks[index % 4] ?? ""}${100 + index}`,
  );
}

const GMAIL_REJECTION =
  "550-5.7.1 [203.0.113.5      12] Gmail has detected that this message is likely\\n" +
  "550-5.7.1 unsolicited mail. To reduce the amount of spam sent to Gmail, this message\\n" +
  "550 5.7.1 has been blocked. x1si2 - gsmtp";

/** Builds an Exim main log of SASL submissions with one recipient each, in time order. */
class EximLog {
  private readonly lines: Array<{ time: number; text: string }> = [];
  private messageCount = 0;

  /** Adds a message submitted as `account` and its one delivery, rejected by Gmail or sent. */
  submit(options: {
    time: number;
    account: string;
    clientIp: string;
    recipient: string;
    rejected: boolean;
  }): void {
    this.messageCount += 1;
    const id = `1sB2c3-${this.messageCount.toString(36).padStart(6, "0")}-6b`;
    const { time, account, recipient } = options;
    this.add(
      time,
      `${id} <= ${account} H=(User) [${options.clientIp}]:5409 I=[203.0.113.5]:587 P=esmtpsa ` +
        `X=TLS1.2:ECDHE-RSA-AES256-GCM-SHA384:256 CV=no A=dovecot_login:${account} S=2211 ` +
        `id=${this.messageCount}@example.com`,
    );
    const host = recipient.endsWith("@gmail.com")
      ? "gmail-smtp-in.l.google.com [192.0.2.27]"
      : "mx.example.net [198.51.100.250]";
    this.add(
      time + 1000,
      options.rejected
        ? `${id} ** ${recipient} R=dnslookup T=remote_smtp H=${host}: SMTP error from remote mail server after end of data: ${GMAIL_REJECTION}`
        : `${id} => ${recipient} R=dnslookup T=remote_smtp H=${host} C="250 2.0.0 OK"`,
    );
    this.add(time + 1000, `${id} Completed`);
  }

  text(): string {
    const sorted = [...this.lines].sort((a, b) => a.time - b.time);
    return `${sorted.map((line) => line.text).join("\n")}\n`;
  }

  private add(time: number, text: string): void {
    const stamp = new Date(time).toISOString().slice(0, 19).replace("T", " ");
    this.lines.push({ time, text: `${stamp} ${text}` });
  }
}

/** anna@example.com: 12 messages an hour from 192.0.2.20 for three days, all delivered. */
function eximOffice(log: EximLog): void {
  for (let hour = 0; hour < 72; hour++) {
    for (let index = 0; index < 12; index++) {
      log.submit({
        time: T0 + hour * HOUR + index * 5 * MINUTE,
        account: "anna@example.com",
        clientIp: "192.0.2.20",
        recipient:
          index % 3 === 0 ? `friend${hour}-${index}@gmail.com` : `client${index}@example.net`,
        rejected: false,
      });
    }
  }
}

/**
 * sales@example.com from 18:00 on the second day: 1,440 messages, one every 20 seconds for 8
 * hours, from 40 client addresses in turn, each to a Gmail recipient that rejects it.
 */
function eximAbuse(log: EximLog): void {
  const ips = addresses(40);
  for (let index = 0; index < 1440; index++) {
    log.submit({
      time: T0 + 42 * HOUR + index * 20_000,
      account: "sales@example.com",
      clientIp: ips[index % ips.length] ?? "",
      recipient: `target${index}@gmail.com`,
      rejected: true,
    });
  }
}

/** Office accounts in a Postfix log, each sending `perHour` single-recipient messages an hour. */
function postfixOffice(
  log: PostfixLog,
  accounts: ReadonlyArray<{ account: string; clientIp: string; perHour: number }>,
  hours = 48,
): void {
  for (let hour = 0; hour < hours; hour++) {
    accounts.forEach(({ account, clientIp, perHour }, accountIndex) => {
      for (let index = 0; index < perHour; index++) {
        log.submit({
          time: T0 + hour * HOUR + accountIndex * MINUTE + index * 4 * MINUTE,
          account,
          clientIp,
          recipients: [{ address: `${accountIndex}-${hour}-${index}@example.net` }],
        });
      }
    });
  }
}

/**
 * Mail as `account` from `ips` in turn, starting at hour `firstHour`: `perHour[i]` recipients
 * in hour `firstHour + i`, in messages of 10 Gmail recipients that reject it, all distinct.
 */
function postfixBulk(
  log: PostfixLog,
  options: { account: string; ips: readonly string[]; firstHour: number; perHour: number[] },
): void {
  let message = 0;
  options.perHour.forEach((total, offset) => {
    for (let sent = 0; sent < total; sent += 10) {
      const count = Math.min(10, total - sent);
      log.submit({
        time: T0 + (options.firstHour + offset) * HOUR + MINUTE + sent * 1000,
        account: options.account,
        clientIp: options.ips[message % options.ips.length] ?? "",
        recipients: Array.from({ length: count }, (_, index) => ({
          address: `${options.account.split("@")[0] ?? ""}${offset}-${sent + index}@gmail.com`,
          outcome: GMAIL_UNSOLICITED,
        })),
      });
      message += 1;
    }
  });
}

const ANNA = { account: "anna@example.com", clientIp: "192.0.2.20", perHour: 12 };
const BOB = { account: "bob@example.com", clientIp: "192.0.2.21", perHour: 2 };

describe("compromised-account with two or three accounts", () => {
  test("Exim: quiet account abused from 40 addresses", async () => {
    const log = new EximLog();
    eximOffice(log);
    eximAbuse(log);
    const diagnosis = await diagnoseText(log.text());

    const found = compromised(diagnosis);
    expect(found).toHaveLength(1);
    expect(found[0]?.role).toBe("cause");
    const evidence = evidenceOf(found[0]);
    expect(evidence["account"]).toBe("sales@example.com");
    expect(evidence["clientIps"]).toHaveLength(40);
    expect(evidence["knownClientIps"]).toEqual([]);
    expect(evidence["abusiveSubmissions"]).toBe(1440);
    expect(evidence["abusiveRecipients"]).toBe(1440);
    expect(evidence["blockedAttempts"]).toBe(1440);
    expect(evidence["abuseStart"]).toBe("2024-03-05T18:00:00Z");
    expect(evidence["peakRecipientsPerHour"]).toBe(180);
    expect(evidence["baselineRecipientsPerHour"]).toBe(12);
    expect(evidence["baselineSource"]).toBe("busiest-other-account");
    expect(found[0]?.summary).toContain(
      "No other account in this log sent mail to more than 12 recipients in an hour",
    );
  });

  test("Exim: queue step anchors the sender", async () => {
    const log = new EximLog();
    eximOffice(log);
    eximAbuse(log);
    const [found] = compromised(await diagnoseText(log.text()));
    const step = found?.fix.find((fix) => fix.startsWith("Delete its queued mail")) ?? "";

    expect(step).toContain("Exim: `exiqgrep -i -f '^<sales@example\\.com>$' | xargs exim -Mrm`.");
    expect(step).not.toContain("postsuper");
  });

  test("Exim: readiness follows the abused account", async () => {
    const log = new EximLog();
    eximOffice(log);
    eximAbuse(log);
    const items = (await diagnoseText(log.text())).readiness.items;

    const found = items.find((item) => item.id === "cause-identified");
    const stopped = items.find((item) => item.id === "cause-stopped");
    expect(found?.status).toBe("pass");
    expect(stopped?.status).toBe("pass");
    expect(stopped?.detail).toContain("ended at 2024-03-06T01:59:40Z");
  });

  test("Exim: earlier message from the office", async () => {
    const log = new EximLog();
    eximOffice(log);
    log.submit({
      time: T0 + 34 * HOUR,
      account: "sales@example.com",
      clientIp: "192.0.2.30",
      recipient: "lead@example.org",
      rejected: false,
    });
    eximAbuse(log);

    const found = compromised(await diagnoseText(log.text()));
    expect(found).toHaveLength(1);
    const evidence = evidenceOf(found[0]);
    expect(evidence["account"]).toBe("sales@example.com");
    expect(evidence["clientIps"]).toHaveLength(40);
    expect(evidence["knownClientIps"]).toEqual(["192.0.2.30"]);
  });

  test("Postfix: three accounts", async () => {
    const log = new PostfixLog();
    postfixOffice(log, [ANNA, BOB]);
    const ips = addresses(40);
    postfixBulk(log, { account: "sales@example.com", ips, firstHour: 30, perHour: [200, 200] });

    const found = compromised(await diagnoseText(log.text()));
    expect(found).toHaveLength(1);
    const evidence = evidenceOf(found[0]);
    expect(evidence["account"]).toBe("sales@example.com");
    expect(evidence["clientIps"]).toEqual([...ips].sort());
    expect(evidence["baselineRecipientsPerHour"]).toBe(12);
  });

  test("only account on the server", async () => {
    const log = new PostfixLog();
    postfixBulk(log, {
      account: "sales@example.com",
      ips: addresses(40),
      firstHour: 0,
      perHour: [180, 180, 180],
    });

    const found = compromised(await diagnoseText(log.text()));
    expect(found).toHaveLength(1);
    expect(evidenceOf(found[0])["account"]).toBe("sales@example.com");
    expect(evidenceOf(found[0])["baselineRecipientsPerHour"]).toBe(20);
    expect(found[0]?.summary).toContain(
      "it was compared with 20 recipients an hour, about the most one person sends by hand",
    );
  });

  test("busy newsletter account hides no abuse", async () => {
    const log = new PostfixLog();
    postfixOffice(log, [ANNA]);
    postfixBulk(log, {
      account: "news@example.com",
      ips: ["192.0.2.40"],
      firstHour: 9,
      perHour: [600, 600],
    });
    postfixBulk(log, {
      account: "sales@example.com",
      ips: addresses(40),
      firstHour: 30,
      perHour: [180, 180],
    });

    const found = compromised(await diagnoseText(log.text()));
    expect(found.map((finding) => evidenceOf(finding)["account"])).toEqual(["sales@example.com"]);
    expect(evidenceOf(found[0])["baselineRecipientsPerHour"]).toBe(20);
  });
});

describe("compromised-account false positives on a small server", () => {
  test("newsletter from one office address", async () => {
    const log = new PostfixLog();
    postfixOffice(log, [ANNA]);
    postfixBulk(log, {
      account: "news@example.com",
      ips: ["192.0.2.40"],
      firstHour: 30,
      perHour: [500, 500, 500, 500],
    });
    expect(compromised(await diagnoseText(log.text()))).toEqual([]);
  });

  test.each([
    [3, []],
    [4, []],
    [5, ["carol@example.com"]],
  ])("busy day from %i addresses", async (count, expected) => {
    const log = new PostfixLog();
    postfixOffice(log, [ANNA, BOB]);
    postfixBulk(log, {
      account: "carol@example.com",
      ips: addresses(count),
      firstHour: 32,
      perHour: [300, 300, 300],
    });
    expect(accountsOf(await diagnoseText(log.text()))).toEqual(expected);
  });

  test("day at home, office and on the phone", async () => {
    const log = new PostfixLog();
    postfixOffice(log, [ANNA, BOB]);
    const day = T0 + 24 * HOUR;
    const places = [
      { clientIp: "192.0.2.50", hours: [7, 8], perHour: 5 },
      { clientIp: "192.0.2.51", hours: [9, 10, 11, 12, 13, 14, 15, 16], perHour: 8 },
      { clientIp: "198.51.100.77", hours: [19, 20, 21], perHour: 1 },
    ];
    for (const { clientIp, hours, perHour } of places) {
      for (const hour of hours) {
        for (let index = 0; index < perHour; index++) {
          log.submit({
            time: day + hour * HOUR + index * 5 * MINUTE,
            account: "carol@example.com",
            clientIp,
            recipients: [{ address: `colleague${hour}-${index}@example.org` }],
          });
        }
      }
    }
    // A price list to every customer from the office in the afternoon.
    postfixBulk(log, {
      account: "carol@example.com",
      ips: ["192.0.2.51"],
      firstHour: 38,
      perHour: [300],
    });

    expect(compromised(await diagnoseText(log.text()))).toEqual([]);
  });

  test("burst below the recipient floor", async () => {
    const log = new PostfixLog();
    postfixOffice(log, [ANNA, BOB]);
    postfixBulk(log, {
      account: "carol@example.com",
      ips: addresses(10),
      firstHour: 32,
      perHour: [95, 95],
    });
    expect(compromised(await diagnoseText(log.text()))).toEqual([]);
  });

  test.each([
    [6, []],
    [8, ["crm@example.com"]],
  ])("all-day bulk since the log's start from %i addresses", async (count, expected) => {
    const log = new PostfixLog();
    postfixOffice(log, [ANNA], 24);
    const perHour = Array.from({ length: 24 }, () => 150);
    postfixBulk(log, { account: "crm@example.com", ips: addresses(count), firstHour: 0, perHour });
    expect(accountsOf(await diagnoseText(log.text()))).toEqual(expected);
  });
});
