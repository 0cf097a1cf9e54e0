import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCommand } from "../helpers/cli.js";
import { schemaValidator } from "../helpers/schema.js";
import { useTempDirs } from "../store/helpers.js";

const tempDir = useTempDirs();

// One inbound message: a forward, a discard and a mailbox delivery, and one outbound message
// that passes amavis on 127.0.0.1:10024.
const LOG = [
  "Mar  4 10:00:00 mx1 postfix/smtpd[100]: 4D5E6F7081: client=mx.example.net[192.0.2.20]",
  "Mar  4 10:00:00 mx1 postfix/qmgr[102]: 4D5E6F7081: from=<s@example.net>, size=1000, nrcpt=3 (queue active)",
  "Mar  4 10:00:01 mx1 postfix/local[103]: 4D5E6F7081: to=<a@example.com>, relay=local, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (forwarded as 5E6F708192)",
  "Mar  4 10:00:01 mx1 postfix/discard[107]: 4D5E6F7081: to=<f@example.com>, relay=none, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (example.com)",
  "Mar  4 10:00:01 mx1 postfix/local[103]: 4D5E6F7081: to=<g@example.com>, relay=local, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (delivered to mailbox)",
  "Mar  4 10:00:02 mx1 postfix/submission/smtpd[104]: 1A2B3C4D5E: client=unknown[192.0.2.10], sasl_method=PLAIN, sasl_username=alice@example.com",
  "Mar  4 10:00:02 mx1 postfix/qmgr[102]: 1A2B3C4D5E: from=<alice@example.com>, size=1000, nrcpt=1 (queue active)",
  "Mar  4 10:00:03 mx1 postfix/smtpd[110]: 2B3C4D5E6F: client=localhost[127.0.0.1]",
  "Mar  4 10:00:03 mx1 postfix/qmgr[102]: 2B3C4D5E6F: from=<alice@example.com>, size=1400, nrcpt=1 (queue active)",
  "Mar  4 10:00:03 mx1 postfix/smtp[105]: 1A2B3C4D5E: to=<bob@example.net>, relay=127.0.0.1[127.0.0.1]:10024, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 2.0.0 from MTA(smtp:[127.0.0.1]:10025): 250 2.0.0 Ok: queued as 2B3C4D5E6F)",
  "Mar  4 10:00:04 mx1 postfix/smtp[106]: 2B3C4D5E6F: to=<bob@example.net>, relay=mx.example.net[192.0.2.20]:25, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 7A8B9C0D1E)",
  "",
].join("\n");

function writeLog(): string {
  const log = join(tempDir(), "mail.log");
  writeFileSync(log, LOG);
  return log;
}

describe("logs hand-off counts", () => {
  it("lists hand-offs apart from local deliveries", async () => {
    const result = await runCommand(["logs", "--timezone", "UTC", "--year", "2024", writeLog()]);
    const lines = result.stdout.split("\n");
    const inbound = lines.indexOf("Inbound and logins");

    expect(result.code).toBe(0);
    expect(lines[inbound + 1]).toBe("  1 local delivery, 0 SMTP rejects, 0 failed logins");
    expect(lines.slice(inbound + 2, inbound + 4)).toEqual([
      "  passed on without a mailbox: 1 hand-off to a filter or local MTA, 1 forward by",
      "    alias or .forward, 1 discarded",
    ]);
  });

  it("reports hand-offs in the JSON", async () => {
    const result = await runCommand([
      "logs",
      "--format",
      "json",
      "--timezone",
      "UTC",
      "--year",
      "2024",
      writeLog(),
    ]);
    const report = JSON.parse(result.stdout) as {
      inbound: Record<string, unknown>;
      accounts: Array<Record<string, unknown>>;
    };

    expect(schemaValidator("logs.schema.json")(report)).toEqual([]);
    expect(report.inbound).toMatchObject({
      localDeliveries: 1,
      filterHops: 1,
      localForwards: 1,
      discarded: 1,
    });
    expect(report.accounts[0]).toMatchObject({ key: "alice@example.com", recipients: 1, sent: 1 });
  });
});
