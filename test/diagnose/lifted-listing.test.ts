import { beforeAll, describe, expect, test } from "vitest";
import type { Diagnosis } from "../../src/diagnose/types.js";
import { painter } from "../../src/report/colour.js";
import { renderDiagnosisText } from "../../src/report/text.js";
import { pastTenseTitle } from "../../src/diagnose/title-tense.js";
import { diagnoseText } from "../helpers/diagnose-text.js";
import {
  GMAIL_UNSOLICITED,
  HOUR,
  type Outcome,
  PostfixLog,
  SENT,
  T0,
} from "../helpers/postfix-fixture.js";

const MINUTE = 60_000;

const GMAIL_IP_DEFERRAL: Outcome = {
  status: "deferred",
  dsn: "4.7.28",
  reply:
    "421-4.7.28 [192.0.2.10 15] Gmail has detected an unusual rate of unsolicited mail originating 421-4.7.28 from your IP address. To protect our users from spam, mail sent from your IP 421-4.7.28 address has been temporarily rate limited. 421 4.7.28 https://support.google.com/mail/?p=UnsolicitedRateLimitError a1si2 - gsmtp",
};

const GMAIL_IP_BLOCK: Outcome = {
  status: "bounced",
  dsn: "5.7.28",
  reply:
    "550-5.7.28 [192.0.2.10 1] Gmail has detected an unusual rate of unsolicited mail originating 550-5.7.28 from your IP address. To protect our users from spam, mail sent from your IP 550-5.7.28 address has been blocked. 550 5.7.28 https://support.google.com/mail/?p=UnsolicitedIPError b2si3 - gsmtp",
};

/** Sends one message to `address` with `outcome` at `time`. */
function send(log: PostfixLog, time: number, address: string, outcome: Outcome): void {
  log.submit({
    time,
    account: "alice@example.com",
    clientIp: "198.51.100.10",
    recipients: [{ address, outcome }],
  });
}

/**
 * Builds a day in which Gmail sends the replies of `phases` for the IP's reputation, one phase
 * an hour from 09:00, 12 replies each. The default defers mail from 09:00, rejects it from
 * 10:00 and defers it again from 11:00 to 11:55. Gmail then accepts six messages, one an
 * hour from 13:00, and the log ends at 04:00 the next day. Mail to example.net is delivered
 * every hour.
 */
function liftedIpBlockLog(
  phases: readonly Outcome[] = [GMAIL_IP_DEFERRAL, GMAIL_IP_BLOCK, GMAIL_IP_DEFERRAL],
): string {
  const log = new PostfixLog();
  for (let hour = 0; hour <= 28; hour++)
    send(log, T0 + hour * HOUR, `user${hour}@example.net`, SENT);
  phases.forEach((outcome, phase) => {
    for (let step = 0; step < 12; step++) {
      const time = T0 + (9 + phase) * HOUR + step * 5 * MINUTE + 30_000;
      send(log, time, `reader${phase}-${step}@gmail.com`, outcome);
    }
  });
  for (let hour = 13; hour <= 18; hour++)
    send(log, T0 + hour * HOUR + 30_000, `friend${hour}@gmail.com`, SENT);
  return log.text();
}

describe("lifted IP block of Gmail", () => {
  let diagnosis: Diagnosis;

  beforeAll(async () => {
    diagnosis = await diagnoseText(liftedIpBlockLog());
  });

  test("fixture lifts the block", () => {
    expect(diagnosis.verdict.status).toBe("ok");
    expect(diagnosis.providers.gmail?.pastBlock).not.toBeNull();
  });

  test("blocklists item does not fail", () => {
    const item = diagnosis.readiness.items.find((entry) => entry.id === "blocklists");

    expect(item?.status).toBe("not-checked");
    expect(item?.detail).toContain("Gmail accepts mail again since its last block reply at");
    expect(item?.detail).not.toContain("Gmail lists the IP on its own block list");
  });

  test("finding fix offers no removal form", () => {
    const listed = diagnosis.findings.find((entry) => entry.id === "ip-blocklisted");
    const fixes = listed?.fix.join("\n") ?? "";

    expect(listed).toBeDefined();
    expect(fixes).toContain("Find and stop what got the IP listed");
    expect(fixes).not.toContain("gmail_bulk_sender_escalation");
  });
});

describe("verdict cause after a lifted block", () => {
  test("ok verdict omits own block list", async () => {
    const diagnosis = await diagnoseText(liftedIpBlockLog());

    expect(diagnosis.verdict.status).toBe("ok");
    expect(diagnosis.verdict.summary).not.toContain("Likely cause");
  });
});

const OUTLOOK_MX = "outlook-com.olc.protection.outlook.com[192.0.2.41]:25";
const RELAY_HOST = "smtp.relay.example.net[198.51.100.50]:587";
const OUTLOOK_IP_REJECTION =
  "550 5.7.708 Service unavailable. Access denied, traffic not accepted from this IP. AS(2200) [AM0PR00MB0001.eurprd00.prod.outlook.com]";
const RELAY_QUOTA = "451 4.7.1 Sending quota exceeded for this account, try again later";

/** Returns one Postfix delivery line. A `reply` makes it a rejection or deferral by `relay`. */
function deliveryLine(
  time: number,
  index: number,
  to: string,
  relay: string,
  reply: { status: "bounced" | "deferred"; dsn: string; text: string } | null,
): string {
  const stamp = new Date(time).toISOString().replace(".000Z", "+00:00");
  const id = (0xc00000 + index).toString(16).toUpperCase();
  const host = relay.replace(/:\d+$/, "");
  const result =
    reply === null
      ? "dsn=2.0.0, status=sent (250 2.0.0 OK)"
      : `dsn=${reply.dsn}, status=${reply.status} (host ${host} said: ${reply.text} (in reply to RCPT TO command))`;
  return `${stamp} mx1 postfix/smtp[${4000 + index}]: ${id}: to=<${to}>, relay=${relay}, delay=1, delays=0.1/0/0.5/0.4, ${result}`;
}

/**
 * Builds a log in which, from 09:00 to the end at 14:00, Outlook.com rejects mail for the IP
 * (5.7.708) and the relay host for example.net defers it for a sending quota. Before 09:00 both
 * accept mail. Gmail accepts mail throughout.
 */
function relayAndListingLog(): string {
  const lines: string[] = [];
  for (let step = 0; step <= 24; step++) {
    const time = T0 + 8 * HOUR + step * 15 * MINUTE;
    const blocked = step >= 4;
    lines.push(
      deliveryLine(
        time,
        step * 3,
        `o${step}@outlook.com`,
        OUTLOOK_MX,
        blocked ? { status: "bounced", dsn: "5.7.708", text: OUTLOOK_IP_REJECTION } : null,
      ),
      deliveryLine(
        time,
        step * 3 + 1,
        `n${step}@example.net`,
        RELAY_HOST,
        blocked ? { status: "deferred", dsn: "4.7.1", text: RELAY_QUOTA } : null,
      ),
      deliveryLine(
        time,
        step * 3 + 2,
        `g${step}@gmail.com`,
        "gmail-smtp-in.l.google.com[192.0.2.27]:25",
        null,
      ),
    );
  }
  return `${lines.join("\n")}\n`;
}

describe("verdict cause after a relay host", () => {
  test("cause names its provider", async () => {
    const diagnosis = await diagnoseText(relayAndListingLog());

    expect(diagnosis.verdict.summary).toContain("relay host smtp.relay.example.net:587");
    expect(diagnosis.verdict.summary).toMatch(
      /Likely cause of the Outlook\.com replies: ip-blocklisted\.$/,
    );
  });
});

describe("verb of a lifted block", () => {
  test.each([
    ["deferred and rejected", [GMAIL_IP_DEFERRAL, GMAIL_IP_BLOCK, GMAIL_IP_DEFERRAL]],
    ["deferred and then rejected", [GMAIL_IP_DEFERRAL, GMAIL_IP_BLOCK]],
    ["rejected and then deferred", [GMAIL_IP_BLOCK, GMAIL_IP_DEFERRAL]],
    ["rejected", [GMAIL_IP_BLOCK, GMAIL_IP_DEFERRAL, GMAIL_IP_BLOCK]],
  ] as const)("says %s", async (verb, phases) => {
    const diagnosis = await diagnoseText(liftedIpBlockLog(phases));

    expect(diagnosis.providers.gmail?.pastBlock).not.toBeNull();
    expect(diagnosis.verdict.summary).toContain(`Gmail ${verb} mail from this server from`);
  });
});

describe("titles of lifted blocks", () => {
  test("listing title is past tense", async () => {
    const diagnosis = await diagnoseText(liftedIpBlockLog());
    const listed = diagnosis.findings.find((entry) => entry.id === "ip-blocklisted");

    expect(listed?.title).toBe("Gmail listed this server's IP, a block since lifted");
  });
});

/**
 * Builds a log in which Gmail rejects 12 messages as spam from `rejectionHour`, one every 5
 * minutes, then defers mail every 5 minutes until the log ends at 14:00. Mail to example.net
 * is delivered every hour.
 */
function stillDeferringLog(rejectionHour: number): string {
  const log = new PostfixLog();
  for (let hour = 0; hour <= 14; hour++)
    send(log, T0 + hour * HOUR, `user${hour}@example.net`, SENT);
  for (let step = 0; step < 12; step++) {
    send(
      log,
      T0 + rejectionHour * HOUR + step * 5 * MINUTE,
      `spam${step}@gmail.com`,
      GMAIL_UNSOLICITED,
    );
  }
  const deferralsStart = T0 + (rejectionHour + 1) * HOUR;
  for (let time = deferralsStart; time < T0 + 14 * HOUR; time += 5 * MINUTE) {
    send(log, time + 30_000, `wait${time}@gmail.com`, GMAIL_IP_DEFERRAL);
  }
  return log.text();
}

describe("titles of ended rejections", () => {
  test.each([
    [6, "Gmail rejected messages as spam"],
    [12, "Gmail rejects messages as spam"],
  ])("rejections from %i:00 give %s", async (hour, title) => {
    const diagnosis = await diagnoseText(stillDeferringLog(hour));
    const content = diagnosis.findings.find((entry) => entry.id === "spam-content");

    expect(diagnosis.providers.gmail?.ongoing).toBe(true);
    expect(content?.title).toBe(title);
  });
});

describe("closing text of an open Gmail block", () => {
  test("names the two-week rule once", async () => {
    const diagnosis = await diagnoseText(stillDeferringLog(6));
    const text = renderDiagnosisText(diagnosis, painter(false)).replace(/\s+/g, " ");
    const closing = text.slice(text.indexOf("Removal readiness"));

    expect(diagnosis.readiness.removalForms.map((form) => form.provider)).toEqual(["gmail"]);
    expect(closing.match(/once every two weeks/g)).toHaveLength(1);
  });
});

describe("pastTenseTitle", () => {
  test.each([
    ["Gmail rejects messages as spam", "Gmail rejected messages as spam"],
    ["Gmail and Yahoo/AOL list this server's IP", "Gmail and Yahoo/AOL listed this server's IP"],
    [
      "The sender domain list.example.com does not resolve in DNS, so receivers reject its mail",
      "The sender domain list.example.com does not resolve in DNS, so receivers rejected its mail",
    ],
    [
      "Mail from example.com fails SPF, DKIM or DMARC",
      "Mail from example.com fails SPF, DKIM or DMARC",
    ],
  ])("title case %#", (title, expected) => {
    expect(pastTenseTitle(title)).toBe(expected);
  });
});
