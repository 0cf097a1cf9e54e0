import { afterEach, describe, expect, it } from "vitest";
import { OFFLINE_DIAGNOSE, runCommand } from "../helpers/cli.js";
import { HOUR, PostfixLog, T0, writeTemporaryLog } from "../helpers/postfix-fixture.js";
import { schemaValidator } from "../helpers/schema.js";

// Postfix address verification (`reject_unverified_recipient`, `sendmail -bv`) connects to the
// recipient's MX and stops after RCPT TO. Its results carry no mail.
const PROBE_RELAY = "relay=gmail-smtp-in.l.google.com[192.0.2.27]:25, delay=1, delays=0/0/0.5/0.5";

interface ProvidersJson {
  readonly providers: Record<string, { readonly status: string; readonly sent: number }>;
}

function probeLog(): PostfixLog {
  const log = new PostfixLog().submitHourly({
    hours: 6,
    recipient: (hour) => `partner${hour}@example.net`,
  });
  for (let probe = 0; probe < 12; probe++) {
    const id = `AE11A4${(0x11b00 + probe).toString(16).toUpperCase()}`;
    const stamp = new Date(T0 + 5 * HOUR + probe * 60_000).toISOString().replace("Z", "+00:00");
    log.raw(
      T0 + 5 * HOUR + probe * 60_000,
      `${stamp} mail postfix/smtp[3262]: ${id}: to=<user${probe}@gmail.com>, ${PROBE_RELAY}, dsn=2.1.5, status=deliverable (250 2.1.5 OK z9si2585300wrl.340 - gsmtp)`,
    );
  }
  return log;
}

let remove = (): void => undefined;
afterEach(() => remove());

describe("Postfix address verification probes", () => {
  it("give Gmail no verdict when they are all Gmail saw", async () => {
    const file = writeTemporaryLog(probeLog().text());
    remove = file.remove;
    const result = await runCommand([...OFFLINE_DIAGNOSE, "--format", "json", file.path]);
    const diagnosis = JSON.parse(result.stdout) as ProvidersJson;
    expect(diagnosis.providers.gmail).toBeUndefined();
    expect(diagnosis.providers.other).toMatchObject({ status: "ok", sent: 6 });
  });

  it("explain reads a 250 with a recipient status code as success", async () => {
    const result = await runCommand([
      "explain",
      "--format",
      "json",
      "250 2.1.5 OK z9si2585300wrl.340 - gsmtp",
    ]);
    const explained = JSON.parse(result.stdout) as { ruleId: string; category: string };
    expect(explained.ruleId).toBe("generic.success-status");
    expect(explained.category).not.toBe("recipient");
  });

  it("explain still reads 4xx and 5xx recipient codes as refused addresses", async () => {
    const result = await runCommand(["explain", "--format", "json", "450 4.1.0 try again"]);
    expect(JSON.parse(result.stdout)).toMatchObject({ category: "recipient" });
  });
});

describe("Postfix address verification probes that the receiver refuses", () => {
  it("still show Gmail's block", async () => {
    const log = new PostfixLog().submitHourly({
      hours: 6,
      recipient: (hour) => `partner${hour}@example.net`,
    });
    for (let probe = 0; probe < 12; probe++) {
      const time = T0 + 5 * HOUR + probe * 60_000;
      const stamp = new Date(time).toISOString().replace("Z", "+00:00");
      log.raw(
        time,
        `${stamp} mail postfix/smtp[3262]: 1B2C3D${(0x100 + probe).toString(16).toUpperCase()}: to=<user${probe}@gmail.com>, ${PROBE_RELAY}, dsn=5.7.1, status=undeliverable (host gmail-smtp-in.l.google.com[192.0.2.27] said: 550-5.7.1 [203.0.113.10      12] Gmail has detected that this message is likely 550-5.7.1 unsolicited mail. b2si3 - gsmtp (in reply to RCPT TO command))`,
      );
    }
    const file = writeTemporaryLog(log.text());
    remove = file.remove;
    const result = await runCommand([...OFFLINE_DIAGNOSE, "--format", "json", file.path]);
    const diagnosis = JSON.parse(result.stdout) as ProvidersJson;
    expect(diagnosis.providers.gmail?.status).toBe("blocked");
  });
});

// Three probes that Gmail accepted, one it refused for good, one it deferred, and one message
// that it accepted. Only that message is a delivery attempt.
const MIXED_PROBES = [
  ["1A00000001", "a1", "2.1.5", "deliverable", "250 2.1.5 OK a1 - gsmtp"],
  [
    "1A00000002",
    "a2",
    "5.7.1",
    "undeliverable",
    "host gmail-smtp-in.l.google.com[192.0.2.27] said: 550-5.7.1 [203.0.113.10 12] Gmail has detected that this message is likely unsolicited mail. (in reply to RCPT TO command)",
  ],
  [
    "1A00000003",
    "a3",
    "4.7.28",
    "undeliverable-but-not-cached",
    "host gmail-smtp-in.l.google.com[192.0.2.27] said: 421-4.7.28 [203.0.113.10 15] Gmail has detected an unusual rate of unsolicited mail (in reply to RCPT TO command)",
  ],
  ["1A00000004", "a4", "2.1.5", "deliverable", "250 2.1.5 OK a4 - gsmtp"],
  ["1A00000005", "a5", "2.0.0", "sent", "250 2.0.0 OK a5 - gsmtp"],
  ["1A00000006", "a6", "2.1.5", "deliverable", "250 2.1.5 OK a6 - gsmtp"],
];

function mixedProbeLog(): string {
  return MIXED_PROBES.map(
    ([id, user, dsn, status, reply], index) =>
      `2026-03-06T10:00:0${index}+00:00 mx postfix/smtp[102]: ${id}: to=<${user}@gmail.com>, ${PROBE_RELAY}, dsn=${dsn}, status=${status} (${reply})\n`,
  ).join("");
}

interface ProbeCountsJson {
  readonly providers: Record<
    string,
    {
      readonly attempts: number;
      readonly recipients: number;
      readonly sent: number;
      readonly codes: Record<string, number>;
    }
  >;
  readonly server: {
    readonly outboundMessages: number;
    readonly outboundRecipients: number;
    readonly addressProbes: number;
    readonly hosts: readonly { readonly remoteAttempts: number }[];
  };
}

describe("address verification probes next to mail", () => {
  it.each([
    ["logs", ["logs", "--timezone", "UTC"], "logs.schema.json"],
    ["diagnose", OFFLINE_DIAGNOSE, "diagnose.schema.json"],
  ])("count apart from attempts in %s", async (_name, command, schema) => {
    const file = writeTemporaryLog(mixedProbeLog());
    remove = file.remove;
    const result = await runCommand([...command, "--format", "json", file.path]);
    const report = JSON.parse(result.stdout) as ProbeCountsJson;
    expect(schemaValidator(schema)(report)).toEqual([]);
    const gmail = report.providers.gmail;
    expect(gmail?.attempts).toBe(1);
    expect(gmail?.recipients).toBe(1);
    expect(gmail?.sent).toBe(1);
    expect(gmail?.codes["550 5.7.1"]).toBe(1);
    expect(gmail?.codes["421 4.7.28"]).toBe(1);
    expect(report.server.addressProbes).toBe(5);
    expect(report.server.outboundMessages).toBe(1);
    expect(report.server.outboundRecipients).toBe(1);
    expect(report.server.hosts[0]?.remoteAttempts).toBe(1);
  });

  it("are named in the text and Markdown reports", async () => {
    const file = writeTemporaryLog(mixedProbeLog());
    remove = file.remove;
    for (const format of ["text", "markdown"]) {
      const result = await runCommand([...OFFLINE_DIAGNOSE, "--format", format, file.path]);
      expect(result.stdout.replace(/\s+/g, " ")).toContain(
        "5 address verification probes carried no mail",
      );
    }
    const logs = await runCommand(["logs", "--timezone", "UTC", file.path]);
    expect(logs.stdout.replace(/\s+/g, " ")).toContain(
      "5 address verification probes carried no mail",
    );
  });

  it("still give Gmail its rate-limit verdict", async () => {
    const file = writeTemporaryLog(mixedProbeLog());
    remove = file.remove;
    const result = await runCommand([...OFFLINE_DIAGNOSE, "--format", "json", file.path]);
    const diagnosis = JSON.parse(result.stdout) as ProvidersJson;
    expect(diagnosis.providers.gmail?.status).not.toBe("ok");
  });
});
