import { describe, expect, test } from "vitest";
import { OFFLINE_DIAGNOSE, runCommand } from "../helpers/cli.js";
import { schemaValidator } from "../helpers/schema.js";
import { temporaryFiles } from "../helpers/temporary-files.js";

const temporary = temporaryFiles();
const validateLogs = schemaValidator("logs.schema.json");
const validateDiagnosis = schemaValidator("diagnose.schema.json");

const MINUTE = 60_000;
const T0 = Date.UTC(2024, 2, 4, 0, 0, 0);
const GMAIL_MX = "gmail-smtp-in.l.google.com[192.0.2.27]";

/** The end of a Postfix delivery line (relay, delays, dsn, status, reason) per kind of deferral. */
const DEFERRALS = {
  timeout: `relay=none, delay=30, delays=0.1/0/30/0, dsn=4.4.1, status=deferred (connect to ${GMAIL_MX}:25: Connection timed out)`,
  greeting: `relay=${GMAIL_MX}:25, delay=300, delays=0.1/0/300/0, dsn=4.4.2, status=deferred (lost connection with ${GMAIL_MX} while receiving the initial server greeting)`,
  rateLimit: `relay=${GMAIL_MX}:25, delay=1, delays=0.1/0/0.4/0.5, dsn=4.7.28, status=deferred (host ${GMAIL_MX} said: 421-4.7.28 [192.0.2.10 15] Gmail has detected an unusual rate of unsolicited mail originating 421-4.7.28 from your IP address. To protect our users from spam, mail sent from 421-4.7.28 your IP address has been temporarily rate limited. 421 4.7.28 https://support.google.com/mail/?p=UnsolicitedRateLimitError a1si2 - gsmtp (in reply to end of DATA command))`,
} as const;

/** Writes a Postfix log with one message to Gmail per deferral, ten minutes apart. */
function postfixLog(deferrals: ReadonlyArray<keyof typeof DEFERRALS>): string {
  const lines = deferrals.flatMap((kind, index) => {
    const id = `7A3B${(0x1000 + index).toString(16).toUpperCase()}D0`;
    const stamp = new Date(T0 + index * 10 * MINUTE).toISOString().replace(".000Z", "+00:00");
    return [
      `${stamp} mail postfix/pickup[900]: ${id}: uid=1000 from=<alice>`,
      `${stamp} mail postfix/cleanup[901]: ${id}: message-id=<${id}@example.com>`,
      `${stamp} mail postfix/qmgr[902]: ${id}: from=<alice@example.com>, size=2000, nrcpt=1 (queue active)`,
      `${stamp} mail postfix/smtp[903]: ${id}: to=<friend${index}@gmail.com>, ${DEFERRALS[kind]}`,
    ];
  });
  return `${lines.join("\n")}\n`;
}

interface ProviderCounts {
  deferred: number;
  connectionFailures: number;
  codes: Record<string, number>;
}

async function logsJson(path: string): Promise<Record<string, ProviderCounts>> {
  const result = await runCommand(["logs", "--timezone", "UTC", "--format", "json", path]);
  const statistics = JSON.parse(result.stdout) as { providers: Record<string, ProviderCounts> };
  expect(validateLogs(statistics)).toEqual([]);
  return statistics.providers;
}

/** Returns the lines of the Gmail row of the `delist logs` text table, codes included. */
async function gmailLines(path: string): Promise<string[]> {
  const result = await runCommand(["logs", "--timezone", "UTC", path]);
  const lines = result.stdout.split("\n");
  const start = lines.findIndex((line) => line.startsWith("  Gmail "));
  if (start === -1) return [];
  const continued = lines
    .slice(start + 1)
    .findIndex((line) => !line.startsWith(" ".repeat(20)) && !line.startsWith("    top codes: "));
  const end = continued === -1 ? lines.length : start + 1 + continued;
  return lines.slice(start, end);
}

/**
 * Returns the Gmail row of the `delist logs` text table, with the lines of its codes joined by
 * single spaces and the `top codes:` label left out.
 */
async function gmailRow(path: string): Promise<string> {
  return (await gmailLines(path))
    .map((line) => line.replace("    top codes: ", "").trim())
    .join(" ");
}

describe("top codes of delist logs", () => {
  test("timeouts count once", async () => {
    const path = temporary.file(postfixLog(Array<"timeout">(12).fill("timeout")));
    const gmail = (await logsJson(path))["gmail"];

    expect(gmail?.deferred).toBe(12);
    expect(gmail?.connectionFailures).toBe(12);
    expect(gmail?.codes).toEqual({});
    expect(await gmailRow(path)).toMatch(/ connection failed ×12$/);
  });

  test("lost greetings count once", async () => {
    const path = temporary.file(postfixLog(["greeting", "greeting", "timeout"]));
    const gmail = (await logsJson(path))["gmail"];
    const row = await gmailRow(path);

    expect(gmail?.connectionFailures).toBe(3);
    expect(gmail?.codes).toEqual({});
    expect(row).toMatch(/ connection failed ×3$/);
    expect(row).not.toContain("4.4.");
  });

  test("replies keep their codes", async () => {
    const path = temporary.file(
      postfixLog(["rateLimit", "rateLimit", "rateLimit", "timeout", "timeout"]),
    );
    const gmail = (await logsJson(path))["gmail"];

    expect(gmail?.deferred).toBe(5);
    expect(gmail?.connectionFailures).toBe(2);
    expect(gmail?.codes).toEqual({ "421 4.7.28": 3 });
    expect(await gmailRow(path)).toMatch(/ 421 4\.7\.28 ×3, connection failed ×2$/);
  });

  test("most frequent name comes first", async () => {
    const path = temporary.file(postfixLog(["rateLimit", "timeout", "timeout", "timeout"]));

    expect(await gmailRow(path)).toMatch(/ connection failed ×3, 421 4\.7\.28 ×1$/);
  });

  test("long code entry stays whole", async () => {
    const kinds = [...Array<"timeout">(12).fill("timeout"), "rateLimit" as const];
    const lines = await gmailLines(temporary.file(postfixLog(kinds)));

    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^ {2}Gmail +0 +13 +13 +0$/);
    expect(lines[1]).toBe("    top codes: connection failed ×12, 421 4.7.28 ×1");
  });

  test("diagnose codes leave out failures", async () => {
    const path = temporary.file(postfixLog(["rateLimit", "timeout", "timeout"]));
    const result = await runCommand([...OFFLINE_DIAGNOSE, "--format", "json", path]);
    const diagnosis = JSON.parse(result.stdout) as {
      providers: Record<string, ProviderCounts>;
    };

    expect(diagnosis.providers["gmail"]?.codes).toEqual({ "421 4.7.28": 1 });
    expect(diagnosis.providers["gmail"]?.connectionFailures).toBe(2);
    expect(validateDiagnosis(diagnosis)).toEqual([]);
  });
});
