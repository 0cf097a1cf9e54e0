import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { REMOVAL_FORMS } from "../../src/diagnose/removal-forms.js";
import type { RemovalFormReport, RemovalTarget } from "../../src/diagnose/types.js";
import {
  omittedCommandsSentence,
  recordCommands,
  unknownIpSentence,
} from "../../src/report/removal-commands.js";
import { LATE_YAHOO_DEFERRAL } from "../helpers/late-yahoo-example.js";
import { runCommand } from "../helpers/cli.js";
import { type PastRemovalRequest, writeRemovalHistory } from "../helpers/removal-history.js";
import { schemaValidator } from "../helpers/schema.js";

// The bundled example with a late Yahoo deferral: host `mail`, whose Gmail and Yahoo replies
// name 203.0.113.10, both still at the end of the log.
const EXAMPLE = [
  ...readFileSync("examples/postfix/mail.log", "utf8").split("\n"),
  LATE_YAHOO_DEFERRAL,
];
const FIRST = "203.0.113.10";
const SECOND = "198.51.100.7";
const validate = schemaValidator("diagnose.schema.json");

let directory = "";
beforeAll(() => {
  directory = mkdtempSync(join(tmpdir(), "delist-removal-commands-"));
});
afterAll(() => {
  rmSync(directory, { recursive: true });
});

/** Classic syslog stamp `Mar  6 HH:MM:SS` for `seconds` after midnight on 6 March. */
function stamp(seconds: number): string {
  const part = (value: number) => String(value).padStart(2, "0");
  return `Mar  6 ${part(Math.floor(seconds / 3600))}:${part(Math.floor(seconds / 60) % 60)}:${part(seconds % 60)}`;
}

/**
 * Builds the lines of a second host: every other message rejected with `rejection`, the rest
 * delivered elsewhere, one message every 100 seconds from 00:01.
 */
function secondHost(host: string, rejection: { relay: string; reply: string }): string[] {
  const lines: string[] = [];
  for (let index = 0; index < 200; index += 1) {
    const time = stamp(60 + index * 100);
    const id = (0xa00000 + index).toString(16).toUpperCase();
    const head = `${time} ${host} postfix/smtp[${3000 + index}]: ${id}:`;
    lines.push(
      index % 2 === 0
        ? `${head} to=<user${index}@${rejection.relay.endsWith("google.com") ? "gmail.com" : "outlook.com"}>, relay=${rejection.relay}[192.0.2.40]:25, delay=1.0, delays=0.1/0.01/0.3/0.4, dsn=5.7.1, status=bounced (host ${rejection.relay}[192.0.2.40] said: ${rejection.reply} (in reply to MAIL FROM command))`
        : `${head} to=<user${index}@example.net>, relay=mx.example.net[192.0.2.90]:25, delay=1.0, delays=0.1/0.01/0.3/0.4, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued)`,
    );
  }
  return lines;
}

const OUTLOOK_BLOCK = {
  relay: "outlook-com.olc.protection.outlook.com",
  reply: `550 5.7.1 Unfortunately, messages from [${SECOND}] weren't sent. Please contact your Internet service provider since part of their network is on our block list (S3140).`,
};
const GMAIL_BLOCK = {
  relay: "gmail-smtp-in.l.google.com",
  reply: `550-5.7.1 [${SECOND}      12] Gmail has detected that this message is likely 550-5.7.1 unsolicited mail. To reduce the amount of spam sent to Gmail, this message 550-5.7.1 has been blocked. For more information, go to 550 5.7.1  https://support.google.com/mail/?p=UnsolicitedMessageError 7808a787si1217833.33 - gsmtp`,
};

/** Merges the example with `extra` by time stamp, as lines of two hosts in one file are. */
function writeLog(name: string, extra: readonly string[], base = EXAMPLE): string {
  const key = (line: string) => line.slice(0, 15);
  const lines = [...base, ...extra]
    .filter((line) => line !== "")
    .map((line, index) => ({ line, index }))
    .sort((a, b) => key(a.line).localeCompare(key(b.line)) || a.index - b.index)
    .map(({ line }) => line);
  const path = join(directory, name);
  writeFileSync(path, `${lines.join("\n")}\n`);
  return path;
}

/** Creates a history database with one removal request per entry. */
function historyWith(requests: readonly PastRemovalRequest[]): string {
  const path = join(directory, `history-${requests.map((r) => r.provider).join("-")}.sqlite`);
  return writeRemovalHistory(path, requests);
}

async function diagnose(log: string, args: string[] = []): Promise<string> {
  const result = await runCommand(["diagnose", log, "--offline", "--timezone", "UTC", ...args]);
  expect(result.stderr).toBe("");
  expect(result.code).toBe(1);
  return result.stdout;
}

/** Extracts the `delist removal request` commands of a text or Markdown report. */
function commands(report: string): string[] {
  return report
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line.startsWith("delist removal request"));
}

function command(provider: string, ip: string): string {
  return `delist removal request --provider ${provider} --ip ${ip}`;
}

interface TargetJson {
  ip: string | null;
  source: string;
  lastRequest: { ip: string } | null;
}

describe("removal commands with two hosts", () => {
  let outlookLog = "";
  let twoGmailIps = "";
  beforeAll(() => {
    outlookLog = writeLog("outlook.log", secondHost("relay2", OUTLOOK_BLOCK));
    twoGmailIps = writeLog("gmail.log", secondHost("mail2", GMAIL_BLOCK));
  });

  test("text names each provider's IP", async () => {
    expect(commands(await diagnose(outlookLog))).toEqual([
      command("gmail", FIRST),
      command("outlook", SECOND),
      command("yahoo", FIRST),
    ]);
  });

  test("Markdown names each provider's IP", async () => {
    const report = await diagnose(outlookLog, ["-f", "markdown"]);
    expect(report).toContain("```sh\n");
    expect(commands(report)).toEqual([
      command("gmail", FIRST),
      command("outlook", SECOND),
      command("yahoo", FIRST),
    ]);
  });

  test("JSON lists each form's targets", async () => {
    const json = JSON.parse(await diagnose(outlookLog, ["-f", "json"])) as {
      readiness: { removalForms: Array<{ provider: string; targets: TargetJson[] }> };
    };
    expect(validate(json)).toEqual([]);
    const targets = Object.fromEntries(
      json.readiness.removalForms.map((form) => [form.provider, form.targets]),
    );
    expect(targets["gmail"]).toEqual([{ ip: FIRST, source: "judged", lastRequest: null }]);
    expect(targets["outlook"]).toEqual([{ ip: SECOND, source: "judged", lastRequest: null }]);
    expect(targets["yahoo"]).toEqual([{ ip: FIRST, source: "judged", lastRequest: null }]);
  });

  test("two Gmail IPs get two commands", async () => {
    const gmail = commands(await diagnose(twoGmailIps)).filter((line) => line.includes("gmail"));
    expect(gmail).toHaveLength(2);
    expect(gmail).toContain(command("gmail", FIRST));
    expect(gmail).toContain(command("gmail", SECOND));
  });

  test("--ip picks one of Gmail's IPs", async () => {
    const report = await diagnose(twoGmailIps, ["--ip", SECOND]);
    expect(commands(report)).toEqual([command("gmail", SECOND), command("yahoo", FIRST)]);
  });

  test("--ip of no provider changes nothing", async () => {
    const report = await diagnose(outlookLog, ["--ip", "192.0.2.200"]);
    expect(commands(report)).toEqual([
      command("gmail", FIRST),
      command("outlook", SECOND),
      command("yahoo", FIRST),
    ]);
  });
});

describe("last request per provider and IP", () => {
  let outlookLog = "";
  beforeAll(() => {
    outlookLog = writeLog("outlook-history.log", secondHost("relay2", OUTLOOK_BLOCK));
  });

  test("request for the wrong IP is not shown", async () => {
    // Outlook's replies named this IP, Gmail's did not.
    const db = historyWith([{ provider: "gmail", ip: SECOND, daysAgo: 2 }]);
    const report = await diagnose(outlookLog, ["--db", db]);
    expect(report).not.toContain("Last request:");
    expect(commands(report)).toContain(command("gmail", FIRST));
  });

  test("request for the provider's IP is shown", async () => {
    const db = historyWith([{ provider: "outlook", ip: SECOND, daysAgo: 2 }]);
    const report = await diagnose(outlookLog, ["--db", db]);
    expect(report).toMatch(/Last request: [\d-]+ [\d:]+ for 198\.51\.100\.7; send the next one/);
    expect(commands(report)).toEqual([command("gmail", FIRST), command("yahoo", FIRST)]);
  });

  test("JSON request belongs to its target", async () => {
    const db = historyWith([
      { provider: "gmail", ip: SECOND, daysAgo: 1 },
      { provider: "gmail", ip: FIRST, daysAgo: 4 },
    ]);
    const json = JSON.parse(await diagnose(outlookLog, ["--db", db, "-f", "json"])) as {
      readiness: {
        removalForms: Array<{
          provider: string;
          lastRequest: { ip: string } | null;
          targets: TargetJson[];
        }>;
      };
    };
    expect(validate(json)).toEqual([]);
    const gmail = json.readiness.removalForms.find((form) => form.provider === "gmail");
    expect(gmail?.targets.map((target) => target.lastRequest?.ip)).toEqual([FIRST]);
    expect(gmail?.lastRequest?.ip).toBe(FIRST);
  });
});

describe("provider that named no IP", () => {
  test("placeholder and how to fill it in", async () => {
    // Yahoo's deferrals with the IP taken out, next to two hosts with an IP each.
    const base = EXAMPLE.map((line) =>
      line.replace(`[TSS04] Messages from ${FIRST} temporarily`, "[TSS04] Messages temporarily"),
    );
    const log = writeLog("no-yahoo-ip.log", secondHost("relay2", OUTLOOK_BLOCK), base);
    const report = await diagnose(log);
    expect(commands(report)).toContain(command("yahoo", "YOUR.SENDING.IP"));
    expect(report.replace(/\s+/g, " ")).toContain(
      "The replies of Yahoo/AOL named no IP, and other receivers named 2 IPs",
    );

    const given = await diagnose(log, ["--ip", "192.0.2.200"]);
    expect(commands(given)).toContain(command("yahoo", "192.0.2.200"));
    expect(given).not.toContain("YOUR.SENDING.IP");
  });
});

describe("record commands", () => {
  function gmailForm(targets: RemovalTarget[]): RemovalFormReport {
    return { provider: "gmail", ...REMOVAL_FORMS.gmail, lastRequest: null, targets };
  }

  test("ten per form, then a count", () => {
    const targets = Array.from({ length: 12 }, (_, index) => ({
      ip: `192.0.2.${index + 1}`,
      source: "judged" as const,
      lastRequest: null,
    }));
    const { shown, omitted } = recordCommands([gmailForm(targets)]);
    expect(shown).toHaveLength(10);
    expect(shown[0]).toBe(command("gmail", "192.0.2.1"));
    expect(omitted).toBe(2);
    expect(omittedCommandsSentence(omitted)).toMatch(/^2 more IPs have no recorded request\./);
  });

  test("recorded IPs get no command", () => {
    const lastRequest = {
      provider: "gmail",
      ip: FIRST,
      at: "2026-12-01T00:00:00Z",
      nextAllowedAt: "2026-12-15T00:00:00Z",
      nextAllowedNow: false,
    };
    const form = gmailForm([
      { ip: FIRST, source: "judged", lastRequest },
      { ip: SECOND, source: "judged", lastRequest: null },
    ]);
    expect(recordCommands([form])).toEqual({ shown: [command("gmail", SECOND)], omitted: 0 });
  });

  test("placeholder without any named IP", () => {
    const form = gmailForm([{ ip: null, source: "unknown", lastRequest: null }]);
    expect(recordCommands([form]).shown).toEqual([command("gmail", "YOUR.SENDING.IP")]);
    const sentence = unknownIpSentence([form], 0);
    expect(sentence).toContain("The replies of Gmail named no IP");
    expect(sentence).toContain("with the server's public IP");
  });

  test("no placeholder sentence when IPs are known", () => {
    const form = gmailForm([{ ip: FIRST, source: "judged", lastRequest: null }]);
    expect(unknownIpSentence([form], 1)).toBeNull();
  });
});
