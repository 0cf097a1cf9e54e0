import { describe, expect, test } from "vitest";
import { painter } from "../../src/report/colour.js";
import { renderDiagnosisText } from "../../src/report/text.js";
import { OFFLINE_DIAGNOSE, runCommand } from "../helpers/cli.js";
import { diagnoseText } from "../helpers/diagnose-text.js";
import { writeTemporaryLog } from "../helpers/postfix-fixture.js";
import { schemaValidator } from "../helpers/schema.js";

const validateDiagnosis = schemaValidator("diagnose.schema.json");

// Our own texts in the form Microsoft 365's submission host refuses a tenant's mail.
const REPLY_705 =
  "550 5.7.705 Access denied, tenant has exceeded threshold. For more information please go to http://go.microsoft.com/fwlink/?LinkId=526653 [AM0PEPF00000001.eurprd01.prod.outlook.com 2026-03-10T11:00:00.000Z 08DE0000ABCD0001]";
const REPLY_708 =
  "550 5.7.708 Service unavailable. Access denied, traffic not accepted from this IP. For more information please go to http://go.microsoft.com/fwlink/?LinkId=526653 AS(7230) [AM0PEPF00000001.eurprd01.prod.outlook.com 2026-03-10T11:00:00.000Z 08DE0000ABCD0001]";

const MESSAGES = 36;
const FIRST_REJECTED = 18;

/**
 * Writes a Postfix log in which alice@example.com sends one message every 10 minutes from
 * 2026-03-10 08:00 UTC, alternately to example.net and gmail.com, all through
 * smtp.office365.com:587. With a `reply`, every delivery from message `FIRST_REJECTED` on
 * bounces with it.
 */
function relayLog(reply: { text: string; dsn: string } | null): string {
  const lines: string[] = [];
  for (let index = 0; index < MESSAGES; index++) {
    const stamp = new Date(Date.UTC(2026, 2, 10, 8, index * 10))
      .toISOString()
      .replace(".000Z", "+00:00");
    const id = `5B${String(index).padStart(8, "0")}`;
    const domain = index % 2 === 0 ? "example.net" : "gmail.com";
    const relay = "relay=smtp.office365.com[198.51.100.90]:587, delay=1, delays=0.1/0/0.4/0.5";
    const prefix = `${stamp} mx1 postfix/smtp[901]: ${id}: to=<u${index}@${domain}>, ${relay}`;
    lines.push(
      `${stamp} mx1 postfix/qmgr[900]: ${id}: from=<alice@example.com>, size=1000, nrcpt=1 (queue active)`,
    );
    lines.push(
      reply !== null && index >= FIRST_REJECTED
        ? `${prefix}, dsn=${reply.dsn}, status=bounced (host smtp.office365.com[198.51.100.90] said: ${reply.text} (in reply to MAIL FROM command))`
        : `${prefix}, dsn=2.0.0, status=sent (250 2.6.0 <m${index}@example.com> Queued mail for delivery)`,
    );
  }
  return `${lines.join("\n")}\n`;
}

async function runDiagnose(log: string, format = "text") {
  const file = writeTemporaryLog(log);
  try {
    return await runCommand([...OFFLINE_DIAGNOSE, "--year", "2026", "--format", format, file.path]);
  } finally {
    file.remove();
  }
}

describe.each([
  ["5.7.705", REPLY_705],
  ["5.7.708", REPLY_708],
])("Microsoft 365 relay refusing with %s", (dsn, text) => {
  const log = relayLog({ text, dsn });

  test("blocks the Exchange Online row", async () => {
    const row = (await diagnoseText(log)).providers["exchange-online"];

    expect(row?.status).toBe("blocked");
    expect(row?.sent).toBe(FIRST_REJECTED);
    expect(row?.bounced).toBe(MESSAGES - FIRST_REJECTED);
    expect(row?.blockedAttempts).toBe(MESSAGES - FIRST_REJECTED);
    expect(row?.firstBlock?.time).toBe("2026-03-10T11:00:00Z");
    expect(row?.firstBlock?.enhancedStatus).toBe(dsn);
    expect(row?.firstBlock?.ruleId).toBe("exchange-online.tenant-relay-blocked");
    expect(row?.firstBlock?.relayHost).toBe("smtp.office365.com");
  });

  test("verdict names the submission host", async () => {
    const diagnosis = await diagnoseText(log);
    const summary = diagnosis.verdict.summary;

    expect(diagnosis.verdict.status).toBe("blocked");
    expect(summary).toContain("Exchange Online rejects mail from this server since");
    expect(summary).toContain("replies come from smtp.office365.com");
    expect(summary).toContain("ask Exchange Online's support");
    expect(diagnosis.findings.map((finding) => finding.id)).not.toContain("healthy");
  });

  test("offers no removal form", async () => {
    const diagnosis = await diagnoseText(log);
    const report = renderDiagnosisText(diagnosis, painter(false));

    expect(diagnosis.readiness.removalForms).toEqual([]);
    expect(report).not.toContain("delist removal request");
    expect(report).not.toContain("sender.office.com");
    expect(report).not.toContain("postmaster of the receiving domain");
    expect(report).toContain("Exchange Online at smtp.office365.com");
  });

  test("exits with status 1", async () => {
    const result = await runDiagnose(log);

    expect(result.code).toBe(1);
    expect(result.stdout).toContain("Verdict: BLOCKED");
    expect(result.stdout).toContain("Microsoft support");
  });

  test("JSON marks the replies as block signals", async () => {
    const result = await runDiagnose(log, "json");
    const json = JSON.parse(result.stdout) as {
      providers: Record<string, { reasons: { ruleId: string; blockSignal: boolean }[] }>;
    };

    expect(validateDiagnosis(json)).toEqual([]);
    expect(json.providers["exchange-online"]?.reasons).toEqual([
      expect.objectContaining({
        ruleId: "exchange-online.tenant-relay-blocked",
        blockSignal: true,
      }),
    ]);
  });
});

describe("healthy Microsoft 365 relay", () => {
  const log = relayLog(null);

  test("is OK with exit status 0", async () => {
    const result = await runDiagnose(log);

    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Verdict: OK");
  });

  test("keeps one Exchange Online row", async () => {
    const diagnosis = await diagnoseText(log);
    const row = diagnosis.providers["exchange-online"];

    expect(diagnosis.verdict.status).toBe("ok");
    expect(row?.status).toBe("ok");
    expect(row?.sent).toBe(MESSAGES);
    expect(row?.firstBlock).toBeNull();
    expect(diagnosis.verdict.summary).not.toContain("smtp.office365.com");
  });
});
