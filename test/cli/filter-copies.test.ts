import { describe, expect, it } from "vitest";
import { OFFLINE_DIAGNOSE, runCommand } from "../helpers/cli.js";
import { schemaValidator } from "../helpers/schema.js";
import { temporaryFiles } from "../helpers/temporary-files.js";

const temporary = temporaryFiles();
const validateDiagnosis = schemaValidator("diagnose.schema.json");
const validateStatistics = schemaValidator("logs.schema.json");

// Two submissions by alice that amavis (127.0.0.1:10024) queues again. The copy of the first,
// 2B3C4D5E6F, is in the log. The copy of the second, 3C4D5E6F70, is not.
const LOG = [
  "Mar  4 10:00:00 mx1 postfix/submission/smtpd[100]: 1A2B3C4D5E: client=unknown[192.0.2.10], sasl_method=PLAIN, sasl_username=alice@example.com",
  "Mar  4 10:00:00 mx1 postfix/qmgr[102]: 1A2B3C4D5E: from=<alice@example.com>, size=1000, nrcpt=1 (queue active)",
  "Mar  4 10:00:01 mx1 postfix/smtpd[110]: 2B3C4D5E6F: client=localhost[127.0.0.1]",
  "Mar  4 10:00:01 mx1 postfix/qmgr[102]: 2B3C4D5E6F: from=<alice@example.com>, size=1400, nrcpt=1 (queue active)",
  "Mar  4 10:00:01 mx1 postfix/smtp[103]: 1A2B3C4D5E: to=<bob@example.net>, relay=127.0.0.1[127.0.0.1]:10024, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 2.0.0 from MTA(smtp:[127.0.0.1]:10025): 250 2.0.0 Ok: queued as 2B3C4D5E6F)",
  "Mar  4 10:00:02 mx1 postfix/smtp[104]: 2B3C4D5E6F: to=<bob@example.net>, relay=mx.example.net[192.0.2.20]:25, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 2.0.0 Ok)",
  "Mar  4 10:05:00 mx1 postfix/submission/smtpd[100]: 4D5E6F7081: client=unknown[192.0.2.10], sasl_method=PLAIN, sasl_username=alice@example.com",
  "Mar  4 10:05:00 mx1 postfix/qmgr[102]: 4D5E6F7081: from=<alice@example.com>, size=1000, nrcpt=1 (queue active)",
  "Mar  4 10:05:01 mx1 postfix/smtp[103]: 4D5E6F7081: to=<carol@example.org>, relay=127.0.0.1[127.0.0.1]:10024, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 2.0.0 from MTA(smtp:[127.0.0.1]:10025): 250 2.0.0 Ok: queued as 3C4D5E6F70)",
  "",
].join("\n");

const SENTENCE =
  "1 message went to a content filter on this server, but the log does not show the copy " +
  "that the filter queued again, so its deliveries to receivers are not counted.";

/** Runs `delist diagnose` or `delist logs` on LOG and returns its output with wrapped lines joined. */
async function run(command: readonly string[], log = LOG): Promise<string> {
  const result = await runCommand([...command, "--year", "2024", temporary.file(log)]);
  expect(result.stderr).toBe("");
  return result.stdout.replace(/\n {2,4}/g, " ");
}

describe("filter copies missing from the log", () => {
  it("text report names the missing copy", async () => {
    expect(await run(OFFLINE_DIAGNOSE)).toContain(SENTENCE);
  });

  it("Markdown report names the missing copy", async () => {
    const markdown = await run([...OFFLINE_DIAGNOSE, "--format", "markdown"]);

    expect(markdown).toContain(SENTENCE);
  });

  it("JSON counts the missing copy", async () => {
    const json = await run([...OFFLINE_DIAGNOSE, "--format", "json"]);
    const diagnosis = JSON.parse(json) as { server: { missingFilterCopies: number } };

    expect(validateDiagnosis(diagnosis)).toEqual([]);
    expect(diagnosis.server.missingFilterCopies).toBe(1);
  });

  it("log with every copy says nothing", async () => {
    const complete = LOG.split("\n").slice(0, 6).join("\n");
    const text = await run(OFFLINE_DIAGNOSE, `${complete}\n`);

    expect(text).not.toContain("content filter");
  });

  it("logs statistics count each message once", async () => {
    const text = await run(["logs", "--timezone", "UTC"]);
    const json = await run(["logs", "--timezone", "UTC", "--format", "json"]);
    const statistics = JSON.parse(json) as {
      server: { missingFilterCopies: number };
      inbound: { messagesAccepted: number; filterHops: number };
    };

    expect(text).toContain("Messages queued, outgoing and incoming: 2.");
    expect(text).toContain(SENTENCE);
    expect(validateStatistics(statistics)).toEqual([]);
    expect(statistics.server.missingFilterCopies).toBe(1);
    expect(statistics.inbound.messagesAccepted).toBe(2);
    expect(statistics.inbound.filterHops).toBe(2);
  });
});
