import { describe, expect, test } from "vitest";
import type { Diagnosis } from "../../src/diagnose/types.js";
import { OFFLINE_DIAGNOSE, runCommand } from "../helpers/cli.js";
import { diagnoseText } from "../helpers/diagnose-text.js";
import { schemaValidator } from "../helpers/schema.js";
import { temporaryFiles } from "../helpers/temporary-files.js";

const temporary = temporaryFiles();
const validateDiagnosis = schemaValidator("diagnose.schema.json");

const MINUTE = 60_000;
const T0 = Date.UTC(2024, 2, 4, 0, 0, 0);

function stamp(minute: number): string {
  const time = new Date(T0 + minute * MINUTE).toISOString().replace(".000Z", "+00:00");
  return `${time} mail`;
}

/** Writes a Postfix log of inbound messages delivered to local mailboxes, one every 10 minutes. */
function inboundOnlyLog(count: number): string {
  const lines = Array.from({ length: count }, (_, index) => {
    const id = `5C1D${(0x1000 + index).toString(16).toUpperCase()}A0`;
    const at = stamp(index * 10);
    return [
      `${at} postfix/smtpd[800]: ${id}: client=mx.example.net[192.0.2.5]`,
      `${at} postfix/qmgr[802]: ${id}: from=<bob@example.net>, size=1200, nrcpt=1 (queue active)`,
      `${at} postfix/local[803]: ${id}: to=<alice@example.com>, relay=local, delay=1, delays=0.1/0/0/0.9, dsn=2.0.0, status=sent (delivered to mailbox)`,
    ];
  });
  return `${lines.flat().join("\n")}\n`;
}

/**
 * Writes a Postfix log of submitted messages that no receiver accepts: `deferred` attempts to
 * one dead domain that time out, and `bounced` ones to unknown Yahoo mailboxes.
 */
function nothingAcceptedLog(deferred: number, bounced: number): string {
  const attempts = [
    ...Array.from({ length: deferred }, (_, index) => ({
      to: `user${index}@dead.example.org`,
      delivery:
        "relay=none, delay=30, delays=0.1/0/30/0, dsn=4.4.1, status=deferred (connect to mx.dead.example.org[198.51.100.41]:25: Connection timed out)",
    })),
    ...Array.from({ length: bounced }, (_, index) => ({
      to: `gone${index}@yahoo.com`,
      delivery:
        "relay=mta5.am0.yahoodns.net[198.51.100.73]:25, delay=2, delays=0.1/0/1/0.9, dsn=5.0.0, status=bounced (host mta5.am0.yahoodns.net[198.51.100.73] said: 552 1 Requested mail action aborted, mailbox not found (in reply to end of DATA command))",
    })),
  ];
  const lines = attempts.map(({ to, delivery }, index) => {
    const id = `6D2E${(0x1000 + index).toString(16).toUpperCase()}B0`;
    const at = stamp(index * 10);
    return [
      `${at} postfix/submission/smtpd[900]: ${id}: client=unknown[198.51.100.10], sasl_method=PLAIN, sasl_username=alice@example.com`,
      `${at} postfix/qmgr[902]: ${id}: from=<alice@example.com>, size=2000, nrcpt=1 (queue active)`,
      `${at} postfix/smtp[903]: ${id}: to=<${to}>, ${delivery}`,
    ];
  });
  return `${lines.flat().join("\n")}\n`;
}

function findingIds(diagnosis: Diagnosis): string[] {
  return diagnosis.findings.map((finding) => finding.id);
}

describe("log without outbound mail", () => {
  test("status says nothing was judged", async () => {
    const diagnosis = await diagnoseText(inboundOnlyLog(6));

    expect(diagnosis.verdict.status).toBe("no-outbound-delivery");
    expect(diagnosis.verdict.summary).toContain("The log shows no outbound delivery");
    expect(diagnosis.verdict.summary).toContain("rotated file");
    expect(validateDiagnosis(JSON.parse(JSON.stringify(diagnosis)))).toEqual([]);
  });

  test("has no healthy finding", async () => {
    const diagnosis = await diagnoseText(inboundOnlyLog(6));

    expect(findingIds(diagnosis)).not.toContain("healthy");
  });

  test("JSON, text and Markdown agree", async () => {
    const log = temporary.file(inboundOnlyLog(6));
    const json = await runCommand([...OFFLINE_DIAGNOSE, "--format", "json", log]);
    const text = await runCommand([...OFFLINE_DIAGNOSE, log]);
    const markdown = await runCommand([...OFFLINE_DIAGNOSE, "--format", "markdown", log]);
    const parsed = JSON.parse(json.stdout) as Diagnosis;

    expect(parsed.verdict.status).toBe("no-outbound-delivery");
    expect(text.stdout).toContain("Verdict: NO OUTBOUND DELIVERY");
    expect(markdown.stdout).toContain("no outbound delivery");
    expect(json.code).toBe(0);
    expect(text.code).toBe(0);
  });

  test("Markdown has no empty providers table", async () => {
    const log = temporary.file(inboundOnlyLog(6));
    const text = await runCommand([...OFFLINE_DIAGNOSE, log]);
    const markdown = await runCommand([...OFFLINE_DIAGNOSE, "--format", "markdown", log]);
    const section = markdown.stdout.split("## Providers\n")[1]?.split("\n## ")[0] ?? "";

    expect(section).not.toContain("| provider |");
    expect(section).toContain("No outbound deliveries in the log.");
    expect(text.stdout).toContain("No outbound deliveries in the log.");
  });
});

describe("log where no receiver accepted mail", () => {
  test("healthy does not claim deliveries", async () => {
    const diagnosis = await diagnoseText(nothingAcceptedLog(0, 6));
    const healthy = diagnosis.findings.find((finding) => finding.id === "healthy");

    expect(diagnosis.verdict.status).toBe("ok");
    expect(diagnosis.providers.yahoo?.sent).toBe(0);
    expect(healthy?.summary).toContain("No receiver accepted an outbound delivery");
    expect(healthy?.summary).not.toContain("shows outbound deliveries");
  });

  test("one dead domain is no health", async () => {
    // 12 timeouts in a row to one domain leave the other-receivers row `ok`, because an outage
    // counts from 3 domains on, but that mail was deferred, so the log is not called healthy.
    const diagnosis = await diagnoseText(nothingAcceptedLog(12, 3));
    const other = diagnosis.providers.other;

    expect(other?.status).toBe("ok");
    expect(other?.fewDomains.map((report) => report.status)).toContain("unreachable");
    expect(diagnosis.verdict.status).toBe("ok");
    expect(findingIds(diagnosis)).not.toContain("healthy");
    expect(validateDiagnosis(JSON.parse(JSON.stringify(diagnosis)))).toEqual([]);
  });

  test("three timeouts are no health either", async () => {
    // Too few failures for an outage, but every attempt to the dead domain failed to connect
    // and none was delivered later, as in a run that 10 timeouts in a row would make.
    const diagnosis = await diagnoseText(nothingAcceptedLog(3, 3));
    const other = diagnosis.providers.other;

    expect(other?.outage).toBeNull();
    expect(other?.fewDomains).toEqual([]);
    expect(other?.connectionFailures).toBe(3);
    expect(diagnosis.verdict.status).toBe("ok");
    expect(findingIds(diagnosis)).not.toContain("healthy");
  });
});
