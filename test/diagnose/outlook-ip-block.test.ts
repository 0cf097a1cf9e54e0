import { describe, expect, test } from "vitest";
import type { Diagnosis } from "../../src/diagnose/types.js";
import { OFFLINE_DIAGNOSE, runCommand } from "../helpers/cli.js";
import { HOUR, PostfixLog, SENT, T0, type Outcome } from "../helpers/postfix-fixture.js";
import { temporaryFiles } from "../helpers/temporary-files.js";

const temporary = temporaryFiles();

/** Outlook.com's MX rejecting all traffic from the sending IP. */
const OUTLOOK_IP_NOT_ACCEPTED: Outcome = {
  status: "bounced",
  dsn: "5.7.708",
  reply:
    "550 5.7.708 Service unavailable. Access denied, traffic not accepted from this IP. For more information please go to http://go.microsoft.com/fwlink/?LinkId=526653 AS(7230) [AM0PEPF00000001.eurprd01.prod.outlook.com]",
};

/** Outlook.com's listing of part of the sending IP's network. */
const OUTLOOK_RANGE_LISTED: Outcome = {
  status: "bounced",
  dsn: "5.7.1",
  reply:
    "550 5.7.1 Unfortunately, messages from [203.0.113.10] weren't sent. Please contact your Internet service provider since part of their network is on our block list (S3150). You can also refer your provider to http://mail.live.com/mail/troubleshooting.aspx#errors.",
};

const MINUTE = 60_000;
/** The first rejection: a day after T0, when the accepted mail ends. */
const BLOCK_START = T0 + 24 * HOUR;
const BLOCK_INTERVAL = 20 * MINUTE;

/**
 * Builds a Postfix log of a day of mail that Outlook.com accepts, one message an hour, then one
 * message every 20 minutes that gets the outcome of its index in `outcomes`. The delivery line
 * of each message comes a second after its time.
 */
function outlookLog(outcomes: readonly Outcome[]): string {
  const log = new PostfixLog().submitHourly({ recipient: (hour) => `friend${hour}@outlook.com` });
  outcomes.forEach((outcome, index) => {
    log.submit({
      time: BLOCK_START + index * BLOCK_INTERVAL,
      account: "alice@example.com",
      clientIp: "198.51.100.10",
      recipients: [{ address: `reader${index}@outlook.com`, outcome }],
    });
  });
  return log.text();
}

/** Returns the time of the delivery line of message `index` of the block, as JSON writes it. */
function deliveryTime(index: number): string {
  return new Date(BLOCK_START + index * BLOCK_INTERVAL + 1000).toISOString().replace(".000", "");
}

async function diagnoseJson(text: string): Promise<{ code: number; diagnosis: Diagnosis }> {
  const result = await runCommand([...OFFLINE_DIAGNOSE, temporary.file(text), "-f", "json"]);
  expect(result.stderr).toBe("");
  return { code: result.code, diagnosis: JSON.parse(result.stdout) as Diagnosis };
}

describe("Outlook.com 5.7.708 alone", () => {
  const log = outlookLog(Array<Outcome>(12).fill(OUTLOOK_IP_NOT_ACCEPTED));

  test("verdict is blocked, exit 1", async () => {
    const { code, diagnosis } = await diagnoseJson(log);
    expect(code).toBe(1);
    expect(diagnosis.verdict.status).toBe("blocked");
    expect(diagnosis.verdict.summary).toMatch(/^Outlook\.com rejects mail from this server/);
  });

  test("provider row counts every rejection", async () => {
    const { diagnosis } = await diagnoseJson(log);
    const outlook = diagnosis.providers.outlook;
    expect(outlook?.status).toBe("blocked");
    expect(outlook?.sent).toBe(24);
    expect(outlook?.bounced).toBe(12);
    expect(outlook?.blockedAttempts).toBe(12);
    expect(outlook?.firstBlock?.ruleId).toBe("outlook.ip-not-accepted");
    expect(outlook?.firstBlock?.time).toBe(deliveryTime(0));
    expect(outlook?.lastBlock?.time).toBe(deliveryTime(11));
    expect(outlook?.replyChange).toBeNull();
  });

  test("finding and removal form are Outlook.com's", async () => {
    const { diagnosis } = await diagnoseJson(log);
    const finding = diagnosis.findings.find((item) => item.id === "ip-blocklisted");
    expect(finding?.severity).toBe("critical");
    expect(finding?.fix.join(" ")).toContain("https://olcsupport.office.com/");
    expect(diagnosis.readiness.removalForms.map((form) => form.provider)).toEqual(["outlook"]);
    expect(diagnosis.findings.some((item) => item.id === "healthy")).toBe(false);
  });
});

describe("Outlook.com S3150, then 5.7.708", () => {
  const outcomes = [
    ...Array<Outcome>(9).fill(OUTLOOK_RANGE_LISTED),
    ...Array<Outcome>(6).fill(OUTLOOK_IP_NOT_ACCEPTED),
  ];
  const log = outlookLog(outcomes);

  test("one block includes the 5.7.708 replies", async () => {
    const { code, diagnosis } = await diagnoseJson(log);
    const outlook = diagnosis.providers.outlook;
    expect(code).toBe(1);
    expect(outlook?.status).toBe("blocked");
    expect(outlook?.blockedAttempts).toBe(15);
    expect(outlook?.blockedRecipients).toBe(15);
    expect(outlook?.firstBlock?.ruleId).toBe("outlook.range-blocklist");
    expect(outlook?.firstBlock?.time).toBe(deliveryTime(0));
    expect(outlook?.lastBlock?.ruleId).toBe("outlook.ip-not-accepted");
    expect(outlook?.lastBlock?.time).toBe(deliveryTime(14));
    expect(outlook?.unacceptedAttempts?.attempts).toBe(15);
    expect(outlook?.unacceptedAttempts?.rejected).toBe(15);
    expect(outlook?.unacceptedAttempts?.last).toBe(deliveryTime(14));
  });

  test("reports the change of reply", async () => {
    const { diagnosis } = await diagnoseJson(log);
    const change = diagnosis.providers.outlook?.replyChange;
    expect(change?.previousRuleId).toBe("outlook.range-blocklist");
    expect(change?.reply.ruleId).toBe("outlook.ip-not-accepted");
    expect(change?.reply.time).toBe(deliveryTime(9));
  });

  test("verdict and readiness count the same", async () => {
    const { diagnosis } = await diagnoseJson(log);
    const outlook = diagnosis.providers.outlook;
    expect(outlook?.unacceptedAttempts?.attempts).toBe(15);
    expect(diagnosis.verdict.summary).toContain("still going on at the end of the log");
    const blocksEnded = diagnosis.readiness.items.find((item) => item.id === "blocks-ended");
    expect(blocksEnded?.status).toBe("fail");
  });

  test("fix asks for the IP first", async () => {
    const { diagnosis } = await diagnoseJson(log);
    const fix = diagnosis.findings.find((item) => item.id === "ip-blocklisted")?.fix ?? [];
    const ipStep = fix.findIndex((step) =>
      step.startsWith("Outlook.com's latest replies block the IP itself"),
    );
    const rangeStep = fix.findIndex((step) =>
      step.startsWith("Outlook.com's earlier replies (S3150)"),
    );
    expect(ipStep).toBeGreaterThan(0);
    expect(rangeStep).toBe(ipStep + 1);
    expect(fix.some((step) => step.startsWith("Other Outlook.com replies"))).toBe(false);
  });

  test("removal form asks for the IP first", async () => {
    const { diagnosis } = await diagnoseJson(log);
    const form = diagnosis.readiness.removalForms.find((entry) => entry.provider === "outlook");
    expect(form?.rule).toMatch(
      /^Outlook\.com's latest replies block the IP itself, so send a request for the IP\. /,
    );
    expect(form?.rule).toContain("Its earlier replies (S3150)");
  });

  test("text report names the change", async () => {
    const path = temporary.file(log);
    const result = await runCommand([...OFFLINE_DIAGNOSE, path]);
    const providers = result.stdout.slice(result.stdout.indexOf("Providers"));
    const block = providers.slice(0, providers.indexOf("Findings")).replace(/\s+/g, " ");
    const last = deliveryTime(14).replace("T", " ").replace("Z", "");
    const changed = deliveryTime(9).replace("T", " ").replace("Z", "");
    const { diagnosis } = await diagnoseJson(log);
    const line = diagnosis.providers.outlook?.replyChange?.reply.line;
    expect(line).toBeGreaterThan(0);
    expect(block).toContain(`15 attempts to 15 addresses rejected or deferred; last at ${last}`);
    expect(block).toContain(
      `Reply changed at ${changed} to 550 5.7.708 (${path}:${line}): Outlook.com's MX`,
    );
  });

  test("Markdown report names the change's line", async () => {
    const path = temporary.file(log);
    const result = await runCommand([...OFFLINE_DIAGNOSE, path, "-f", "markdown"]);
    const { diagnosis } = await diagnoseJson(log);
    const line = diagnosis.providers.outlook?.replyChange?.reply.line;
    expect(line).toBeGreaterThan(0);
    expect(result.stdout).toContain(`to 550 5.7.708 (${path}:${line}): Outlook.com's MX`);
  });
});

describe("Outlook.com 5.7.708, then S3150", () => {
  const log = outlookLog([
    ...Array<Outcome>(6).fill(OUTLOOK_IP_NOT_ACCEPTED),
    ...Array<Outcome>(9).fill(OUTLOOK_RANGE_LISTED),
  ]);

  test("fix asks for the range first", async () => {
    const { diagnosis } = await diagnoseJson(log);
    const fix = diagnosis.findings.find((item) => item.id === "ip-blocklisted")?.fix ?? [];
    const rangeStep = fix.findIndex((step) =>
      step.startsWith("Outlook.com lists part of the IP's network (S3150)"),
    );
    const ipStep = fix.findIndex((step) => step.startsWith("Other Outlook.com replies block"));
    expect(rangeStep).toBeGreaterThan(0);
    expect(ipStep).toBe(rangeStep + 1);
    const form = diagnosis.readiness.removalForms.find((entry) => entry.provider === "outlook");
    expect(form?.rule).toContain("send a request for the IP as well");
  });
});

describe("alternating Outlook.com replies", () => {
  test("report no change of reply", async () => {
    const outcomes = Array.from({ length: 12 }, (_, index) =>
      index % 2 === 0 ? OUTLOOK_RANGE_LISTED : OUTLOOK_IP_NOT_ACCEPTED,
    );
    const { diagnosis } = await diagnoseJson(outlookLog(outcomes));
    const outlook = diagnosis.providers.outlook;
    expect(outlook?.blockedAttempts).toBe(12);
    expect(outlook?.firstBlock?.ruleId).toBe("outlook.range-blocklist");
    expect(outlook?.lastBlock?.ruleId).toBe("outlook.ip-not-accepted");
    expect(outlook?.replyChange).toBeNull();
  });

  test("fix keeps the range first", async () => {
    const outcomes = Array.from({ length: 12 }, (_, index) =>
      index % 2 === 0 ? OUTLOOK_RANGE_LISTED : OUTLOOK_IP_NOT_ACCEPTED,
    );
    const { diagnosis } = await diagnoseJson(outlookLog(outcomes));
    const fix = diagnosis.findings.find((item) => item.id === "ip-blocklisted")?.fix ?? [];
    expect(fix[1]).toMatch(/^Outlook\.com lists part of the IP's network \(S3150\)/);
    expect(fix[2]).toMatch(/^Other Outlook\.com replies block the IP itself/);
  });
});

describe("accepted mail after 5.7.708", () => {
  test("counts toward lifting the block", async () => {
    const log = outlookLog([
      ...Array<Outcome>(6).fill(OUTLOOK_IP_NOT_ACCEPTED),
      ...Array<Outcome>(30).fill(SENT),
    ]);
    const { diagnosis } = await diagnoseJson(log);
    const outlook = diagnosis.providers.outlook;
    expect(outlook?.status).toBe("ok");
    expect(outlook?.pastBlock?.status).toBe("blocked");
    expect(outlook?.pastBlock?.deliveredAfter).toBe(30);
  });
});
