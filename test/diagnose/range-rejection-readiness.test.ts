import { describe, expect, test } from "vitest";
import { isRangeRejection } from "../../src/diagnose/sending-route.js";
import type { Diagnosis, ReadinessItem } from "../../src/diagnose/types.js";
import { ALL_RULES } from "../../src/knowledge/rules/index.js";
import { blockedLog } from "../helpers/blocked-log.js";
import { OFFLINE_DIAGNOSE, runCommand } from "../helpers/cli.js";
import { HOUR, PostfixLog, SENT, T0, type Outcome } from "../helpers/postfix-fixture.js";
import { temporaryFiles } from "../helpers/temporary-files.js";

const temporary = temporaryFiles();

/** Gmail's rejection of mail sent directly from a dynamic or residential range. */
const GMAIL_DYNAMIC_RANGE: Outcome = {
  status: "bounced",
  dsn: "5.7.1",
  reply:
    "550-5.7.1 [203.0.113.10] The IP you're using to send mail is not authorized to 550-5.7.1 send email directly to our servers. Please use the SMTP relay at your 550 5.7.1 service provider instead. d4si5 - gsmtp",
};

/** Outlook.com's rejection of a dynamic IP, with its DY-001 token. */
const OUTLOOK_DYNAMIC_RANGE: Outcome = {
  status: "bounced",
  dsn: "5.7.1",
  reply:
    "550 DY-001 (EXAMPLE-MC1F5) Unfortunately, messages from 203.0.113.10 weren't sent. Please contact your Internet service provider.",
};

/** Outlook.com's listing of part of the network, which its sender support can lift. */
const OUTLOOK_BLOCK_LIST: Outcome = {
  status: "bounced",
  dsn: "5.7.1",
  reply:
    "550 5.7.1 Unfortunately, messages from [203.0.113.10] weren't sent. Please contact your Internet service provider since part of their network is on our block list (S3150).",
};

/** A small receiver's rejection for a Spamhaus listing. delist has no removal form for it. */
const OTHER_SPAMHAUS_REJECT: Outcome = {
  status: "bounced",
  dsn: "5.7.1",
  reply: "554 5.7.1 Service unavailable; Client host [203.0.113.10] blocked using zen.spamhaus.org",
};

const ROUTE_WORDS = /relay \(smarthost\).*static IP whose owner sets a PTR record/;

async function diagnoseJson(text: string): Promise<Diagnosis> {
  const result = await runCommand([...OFFLINE_DIAGNOSE, temporary.file(text), "-f", "json"]);
  expect(result.stderr).toBe("");
  return JSON.parse(result.stdout) as Diagnosis;
}

function item(diagnosis: Diagnosis, id: string): ReadinessItem | undefined {
  return diagnosis.readiness.items.find((entry) => entry.id === id);
}

/**
 * Builds a log of a day of mail accepted by Gmail, then twelve rejections of `outcome` over six
 * hours. From `quietMinutes` after the last rejection follow `messages` messages an hour apart,
 * accepted by Gmail or, for `after` "elsewhere", by another receiver.
 */
function rejectionsThenMail(
  outcome: Outcome,
  after: "gmail" | "elsewhere",
  quietMinutes = 180,
  messages = 4,
): string {
  const log = new PostfixLog().submitHourly();
  const send = (time: number, address: string, result: Outcome): void => {
    log.submit({
      time,
      account: "alice@example.com",
      clientIp: "198.51.100.10",
      recipients: [{ address, outcome: result }],
    });
  };
  for (let index = 0; index < 12; index++) {
    send(T0 + 24 * HOUR + index * 30 * 60_000, `reader${index}@gmail.com`, outcome);
  }
  const resume = T0 + 24 * HOUR + 11 * 30 * 60_000 + quietMinutes * 60_000;
  for (let index = 0; index < messages; index++) {
    const address = after === "gmail" ? `later${index}@gmail.com` : `later${index}@example.net`;
    send(resume + index * HOUR, address, SENT);
  }
  return log.text();
}

describe("readiness for a rejection of direct mail", () => {
  test("drops the blocklist item offline", async () => {
    const diagnosis = await diagnoseJson(blockedLog("gmail.com", GMAIL_DYNAMIC_RANGE));
    expect(diagnosis.findings.some((finding) => finding.id === "ip-blocklisted")).toBe(true);
    expect(item(diagnosis, "blocklists")).toBeUndefined();
  });

  test("names the route change while rejections go on", async () => {
    const diagnosis = await diagnoseJson(blockedLog("gmail.com", GMAIL_DYNAMIC_RANGE));
    const route = item(diagnosis, "sending-route");
    expect(route?.status).toBe("fail");
    expect(route?.title).toBe("Sent through a relay or from a static IP with PTR");
    expect(route?.detail).toMatch(/^Gmail still rejected mail sent directly/);
    expect(route?.detail).toContain("Neither a blocklist check nor a removal request lifts this.");
    expect(route?.detail).toMatch(ROUTE_WORDS);
  });

  test("summary offers a route, not a request", async () => {
    const diagnosis = await diagnoseJson(blockedLog("gmail.com", GMAIL_DYNAMIC_RANGE));
    const { summary } = diagnosis.readiness;
    expect(diagnosis.readiness.removalForms).toEqual([]);
    expect(summary).toMatch(/^No removal form applies: Gmail rejects mail sent directly/);
    expect(summary).toMatch(ROUTE_WORDS);
    expect(summary).not.toContain("postmaster");
    expect(summary).not.toContain("blocklists;");
    expect(summary).toContain("Still open: Gmail still rejects mail and ");
  });

  test("text report names no blocklist item", async () => {
    const path = temporary.file(blockedLog("gmail.com", GMAIL_DYNAMIC_RANGE));
    const result = await runCommand([...OFFLINE_DIAGNOSE, path]);
    const readiness = result.stdout.slice(result.stdout.indexOf("Removal readiness"));
    expect(readiness).toContain("[ ] Sent through a relay or from a static IP with PTR");
    expect(readiness).not.toContain("Not on the major blocklists");
    expect(readiness).not.toContain("postmaster");
    expect(readiness).not.toContain("delist removal request");
  });

  test("names Outlook.com for DY-001", async () => {
    const diagnosis = await diagnoseJson(blockedLog("outlook.com", OUTLOOK_DYNAMIC_RANGE));
    expect(item(diagnosis, "blocklists")).toBeUndefined();
    expect(item(diagnosis, "sending-route")?.detail).toMatch(/^Outlook\.com still rejected/);
    expect(diagnosis.readiness.summary).toMatch(/^No removal form applies: Outlook\.com rejects/);
    expect(diagnosis.readiness.summary).not.toContain("postmaster");
  });

  test("keeps the blocklist item beside a listing", async () => {
    const diagnosis = await diagnoseJson(
      blockedLog("outlook.com", OUTLOOK_BLOCK_LIST, GMAIL_DYNAMIC_RANGE),
    );
    expect(item(diagnosis, "blocklists")?.status).toBe("fail");
    expect(item(diagnosis, "sending-route")?.status).toBe("fail");
    expect(item(diagnosis, "sending-route")?.detail).toMatch(/^Gmail still rejected/);
    expect(diagnosis.readiness.removalForms.map((form) => form.provider)).toEqual(["outlook"]);
    expect(diagnosis.readiness.summary).toMatch(/^Not yet\./);
  });

  test("keeps the postmaster for other receivers", async () => {
    const log = new PostfixLog().submitHourly({ recipient: (hour) => `friend${hour}@example.net` });
    for (let index = 0; index < 12; index++) {
      log.submit({
        time: T0 + 24 * HOUR + index * 30 * 60_000,
        account: "alice@example.com",
        clientIp: "198.51.100.10",
        recipients: [
          { address: `reader${index}@gmail.com`, outcome: GMAIL_DYNAMIC_RANGE },
          {
            address: `reader${index}@receiver${index % 3}.example`,
            outcome: OTHER_SPAMHAUS_REJECT,
          },
        ],
      });
    }
    const diagnosis = await diagnoseJson(log.text());
    expect(diagnosis.providers.other?.status).toBe("blocked");
    expect(diagnosis.readiness.summary).toMatch(/^No removal form applies: Gmail rejects/);
    expect(diagnosis.readiness.summary).toContain(
      "If the other receivers go on rejecting mail once these pass, write to the postmaster",
    );
  });

  test("passes once Gmail accepts mail again", async () => {
    const diagnosis = await diagnoseJson(rejectionsThenMail(GMAIL_DYNAMIC_RANGE, "gmail"));
    const route = item(diagnosis, "sending-route");
    expect(route?.status).toBe("pass");
    expect(route?.detail).toMatch(/^Gmail accepted mail after the last rejection/);
  });

  test("is unchecked without accepted mail after", async () => {
    const diagnosis = await diagnoseJson(rejectionsThenMail(GMAIL_DYNAMIC_RANGE, "elsewhere"));
    const route = item(diagnosis, "sending-route");
    expect(route?.status).toBe("not-checked");
    expect(route?.detail).toContain("the log shows no mail accepted by Gmail after that");
    expect(route?.detail).toMatch(ROUTE_WORDS);
  });

  test("fails while rejections reach the last two hours", async () => {
    const diagnosis = await diagnoseJson(rejectionsThenMail(GMAIL_DYNAMIC_RANGE, "gmail", 30, 1));
    expect(item(diagnosis, "sending-route")?.status).toBe("fail");
  });

  test("is absent for a liftable block", async () => {
    const diagnosis = await diagnoseJson(blockedLog("outlook.com", OUTLOOK_BLOCK_LIST));
    expect(item(diagnosis, "sending-route")).toBeUndefined();
    expect(item(diagnosis, "blocklists")?.status).toBe("fail");
  });
});

describe("range rejection rules", () => {
  const rejections = ALL_RULES.filter((rule) => isRangeRejection(rule));

  test("are the four dynamic range rules", () => {
    expect(rejections.map((rule) => rule.id).sort()).toEqual([
      "comcast.dynamic-space",
      "gmail.direct-delivery-not-allowed",
      "outlook.dynamic-ip",
      "outlook.policy-dynamic-range",
    ]);
  });

  test.each(rejections.map((rule) => [rule.id, rule] as const))(
    "%s fix names a relay",
    (_id, rule) => {
      expect(rule.fix[0]).toMatch(/\brelay\b/);
      expect(rule.fix.some((step) => /static IP\b.*\bPTR record/.test(step))).toBe(true);
    },
  );
});
