import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { OFFLINE_DIAGNOSE, runCommand } from "../helpers/cli.js";
import { GMAIL_UNSOLICITED, PostfixLog, SENT } from "../helpers/postfix-fixture.js";
import { schemaValidator } from "../helpers/schema.js";
import { copiedLogs, logText } from "../helpers/syslog-copies.js";
import { temporaryFiles } from "../helpers/temporary-files.js";

const temporary = temporaryFiles();
const validateDiagnosis = schemaValidator("diagnose.schema.json");
const validateStatistics = schemaValidator("logs.schema.json");

interface HostsJson {
  readonly server: {
    readonly hosts: ReadonlyArray<{ name: string; remoteAttempts: number; messages: number }>;
  };
  readonly providers: {
    readonly gmail: { readonly blockedAttempts: number; blockedAttemptsByHost: object };
  };
}

// mail.log contains mx1's mail: 30 messages to Gmail, each deferred. syslog contains mx1's lines
// again, which are left out as copies, and the lines of mx2, which no mail log covers: 6 messages
// to Gmail that it rejects and 2 to another receiver that accepts them.
const HOURS = 30;
const mx1 = copiedLogs(HOURS);
const mx2 = new PostfixLog("mx2")
  .submitHourly({ hours: 6, outcome: GMAIL_UNSOLICITED })
  .submitHourly({ hours: 2, recipient: (hour) => `partner${hour}@example.net`, outcome: SENT });
const mx2Lines = mx2.text().trimEnd().split("\n");

function writeLogs(syslogHostLines: readonly string[] = mx2Lines): string {
  return temporary.folder({
    "mail.log": logText(mx1.mailLines),
    syslog: logText(mx1.mailLines, syslogHostLines, mx1.systemdLines),
  });
}

/** Runs a command on the logs and returns its output with wrapped lines joined. */
async function run(command: readonly string[], folder = writeLogs()): Promise<string> {
  const result = await runCommand([...command, folder]);
  expect(result.stderr).toBe("");
  return result.stdout.replace(/\n {2,}/g, " ");
}

describe("mail of several hosts", () => {
  it("JSON lists each host", async () => {
    const diagnosis = JSON.parse(await run([...OFFLINE_DIAGNOSE, "--format", "json"])) as HostsJson;

    expect(validateDiagnosis(diagnosis)).toEqual([]);
    expect(diagnosis.server.hosts).toEqual([
      { name: "mx1", remoteAttempts: HOURS, messages: HOURS },
      { name: "mx2", remoteAttempts: 8, messages: 8 },
    ]);
  });

  it("JSON splits blocked attempts by host", async () => {
    const diagnosis = JSON.parse(await run([...OFFLINE_DIAGNOSE, "--format", "json"])) as HostsJson;
    const gmail = diagnosis.providers.gmail;

    expect(gmail.blockedAttempts).toBe(HOURS + 6);
    expect(gmail.blockedAttemptsByHost).toEqual({ mx1: HOURS, mx2: 6 });
    expect(Object.keys(gmail.blockedAttemptsByHost)).toEqual(["mx1", "mx2"]);
  });

  it("text names hosts and blocked sources", async () => {
    const text = await run(OFFLINE_DIAGNOSE);

    expect(text).toContain(
      `The verdicts count the mail of 2 hosts together: mx1 (${HOURS} delivery attempts)`,
    );
    expect(text).toContain(" and mx2 (8).");
    expect(text).toContain(`From mx1 (${HOURS}) and mx2 (6).`);
  });

  it("Markdown names hosts and blocked sources", async () => {
    const markdown = await run([...OFFLINE_DIAGNOSE, "--format", "markdown"]);

    expect(markdown).toContain(
      `The verdicts count the mail of 2 hosts together: mx1 (${HOURS} delivery attempts) and mx2 (8).`,
    );
    expect(markdown).toContain(`Blocked attempts from mx1 (${HOURS}) and mx2 (6).`);
  });

  it("logs statistics name the hosts", async () => {
    const text = await run(["logs", "--timezone", "UTC"]);
    const json = await run(["logs", "--timezone", "UTC", "--format", "json"]);
    const statistics = JSON.parse(json) as HostsJson;

    expect(text).toContain(
      `The verdicts count the mail of 2 hosts together: mx1 (${HOURS} delivery attempts)`,
    );
    expect(validateStatistics(statistics)).toEqual([]);
    expect(statistics.server.hosts.map((host) => host.name)).toEqual(["mx1", "mx2"]);
  });

  it("one host adds nothing to the text", async () => {
    const folder = writeLogs([]);
    const text = await run(OFFLINE_DIAGNOSE, folder);
    const json = await run([...OFFLINE_DIAGNOSE, "--format", "json"], folder);
    const diagnosis = JSON.parse(json) as HostsJson;

    expect(text).not.toContain("hosts together");
    expect(text).not.toContain("From mx1");
    expect(diagnosis.server.hosts).toEqual([
      { name: "mx1", remoteAttempts: HOURS, messages: HOURS },
    ]);
    expect(diagnosis.providers.gmail.blockedAttemptsByHost).toEqual({ mx1: HOURS });
  });

  it("verdict names the blocked hosts", async () => {
    const text = await run(OFFLINE_DIAGNOSE);

    // mx2's rejections ended a day before mx1's deferrals, which go on to the end of the log.
    expect(text).toContain("Gmail rejected mail from mx1 and mx2 from ");
    expect(text).toContain(" and defers it since ");
    expect(text).not.toContain("Gmail rejected mail from this server");
  });

  it("verdict names only the blocked host", async () => {
    const mx1Sent = new PostfixLog("mx1").submitHourly({ hours: 6, outcome: SENT });
    const folder = temporary.folder({
      "mail.log": logText(mx1Sent.text().trimEnd().split("\n"), mx2Lines),
    });
    const text = await run(OFFLINE_DIAGNOSE, folder);
    const markdown = await run([...OFFLINE_DIAGNOSE, "--format", "markdown"], folder);
    const json = await run([...OFFLINE_DIAGNOSE, "--format", "json"], folder);
    const summary = (JSON.parse(json) as { verdict: { summary: string } }).verdict.summary;

    expect(text).toContain("Gmail rejects mail from mx2 since ");
    expect(markdown).toContain("Gmail rejects mail from mx2 since ");
    expect(summary).toContain("Gmail rejects mail from mx2 since ");
    expect(summary).not.toContain("mx1");
  });

  it("one host's verdict says this server", async () => {
    const text = await run(OFFLINE_DIAGNOSE, writeLogs([]));

    expect(text).toContain("Gmail defers mail from this server since ");
  });

  it("counts one host under two spellings once", async () => {
    const lines = new PostfixLog("mx1").submitHourly({ hours: 8, outcome: SENT });
    const all = lines.text().trimEnd().split("\n");
    const half = all.length / 2;
    const respelled = all.slice(half).map((line) => line.replace(" mx1 ", " MX1.example.com "));
    const folder = temporary.folder({
      "a.log": logText(all.slice(0, half)),
      "b.log": logText(respelled),
    });
    const diagnosis = JSON.parse(
      await run([...OFFLINE_DIAGNOSE, "--format", "json"], folder),
    ) as HostsJson;

    expect(respelled[0]).toContain(" MX1.example.com ");
    expect(diagnosis.server.hosts).toEqual([{ name: "mx1", remoteAttempts: 8, messages: 8 }]);
  });

  it("one host reads as before", async () => {
    const folder = writeLogs([]);
    const both = await run(OFFLINE_DIAGNOSE, folder);
    const alone = await run(OFFLINE_DIAGNOSE, join(folder, "mail.log"));
    const body = (text: string) => text.slice(text.indexOf("Verdict"), text.indexOf("Read "));

    expect(body(both)).toBe(body(alone));
  });
});
