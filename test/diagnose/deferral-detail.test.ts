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
const DAY_SECONDS = 86_400;

function stamp(minute: number): string {
  const time = new Date(T0 + minute * MINUTE).toISOString().replace(".000Z", "+00:00");
  return `${time} mail`;
}

function queueId(index: number): string {
  return `8A4B${(0x1000 + index).toString(16).toUpperCase()}D0`;
}

/** Returns the submission and queue lines of one message from alice@example.com. */
function submitted(index: number, minute: number): string[] {
  const at = stamp(minute);
  const id = queueId(index);
  return [
    `${at} postfix/submission/smtpd[900]: ${id}: client=unknown[198.51.100.10], sasl_method=PLAIN, sasl_username=alice@example.com`,
    `${at} postfix/qmgr[902]: ${id}: from=<alice@example.com>, size=2000, nrcpt=1 (queue active)`,
  ];
}

function sentLine(index: number, minute: number, to: string): string {
  return `${stamp(minute)} postfix/smtp[903]: ${queueId(index)}: to=<${to}>, relay=mx.example.org[192.0.2.25]:25, delay=1, delays=0.1/0/0.4/0.5, dsn=2.0.0, status=sent (250 2.0.0 Ok)`;
}

function localProblemLine(index: number, minute: number, to: string, delay: number): string {
  return `${stamp(minute)} postfix/smtp[903]: ${queueId(index)}: to=<${to}>, relay=mail.example.net[192.0.2.30]:25, delay=${delay}, delays=${delay - 50}/0/2/48, dsn=4.0.0, status=deferred (host mail.example.net[192.0.2.30] said: 451 Temporary local problem - please try later (in reply to RCPT TO command))`;
}

function timeoutLine(index: number, minute: number, to: string, delay: number): string {
  return `${stamp(minute)} postfix/smtp[903]: ${queueId(index)}: to=<${to}>, relay=none, delay=${delay}, delays=${delay - 30}/0/30/0, dsn=4.4.1, status=deferred (connect to mx.dead.example[198.51.100.41]:25: Connection timed out)`;
}

/**
 * Returns a log in which small receivers accept 6 messages, mail.example.net defers two recipients for
 * more than a day, and mx.dead.example times out once.
 */
function stuckLog(): string {
  const lines: string[] = [];
  for (let index = 0; index < 6; index += 1) {
    lines.push(...submitted(index, index), sentLine(index, index, `bob${index}@example.org`));
  }
  lines.push(...submitted(10, 10), ...submitted(11, 10), ...submitted(12, 10));
  const retries = [
    [20, 3_600],
    [80, 50_000],
    [140, 90_000],
    [200, 122_209],
  ] as const;
  for (const [minute, delay] of retries) {
    lines.push(localProblemLine(10, minute, "user2@example.net", delay));
    lines.push(localProblemLine(11, minute, "user6@example.net", delay - 100));
  }
  lines.push(timeoutLine(12, 30, "carol@dead.example", 1_800));
  return `${lines.join("\n")}\n`;
}

describe("deferral detail of other receivers", () => {
  test("top text has count and domain", async () => {
    const diagnosis = await diagnoseText(stuckLog());
    const detail = diagnosis.providers.other?.deferralDetail;
    const top = detail?.texts[0];

    expect(top?.text).toBe("451 Temporary local problem - please try later");
    expect(top?.count).toBe(8);
    expect(top?.domains).toEqual(["example.net"]);
    expect(top?.moreDomains).toBe(false);
    expect(top?.maxDelaySeconds).toBe(122_209);
    expect(detail?.texts[1]?.text).toBe(
      "connect to mx.dead.example[198.51.100.41]:25: Connection timed out",
    );
    expect(detail?.otherDeferrals).toBe(0);
    expect(detail?.maxDelaySeconds).toBe(122_209);
    expect(validateDiagnosis(JSON.parse(JSON.stringify(diagnosis)))).toEqual([]);
  });

  test("lists recipients stuck over a day", async () => {
    const diagnosis = await diagnoseText(stuckLog());
    const detail = diagnosis.providers.other?.deferralDetail;

    expect(detail?.longDeferred.map((entry) => entry.recipient)).toEqual([
      "user2@example.net",
      "user6@example.net",
    ]);
    expect(detail?.longDeferred[0]?.maxDelaySeconds).toBe(122_209);
    expect(detail?.longDeferred[0]?.messages).toBe(1);
    expect(detail?.longDeferred[0]?.last).toBe("2024-03-04T03:20:00Z");
    expect(detail?.longDeferredCount).toBe(2);
    expect(detail?.longDeferredExact).toBe(true);
  });

  test("later delivery ends the stay", async () => {
    const delivered = `${stuckLog()}${sentLine(10, 260, "user2@example.net")}\n`;
    const diagnosis = await diagnoseText(delivered);
    const recipients = diagnosis.providers.other?.deferralDetail?.longDeferred ?? [];

    expect(recipients.map((entry) => entry.recipient)).toEqual(["user6@example.net"]);
  });

  test("text and Markdown show it", async () => {
    const log = temporary.file(stuckLog());
    const text = await runCommand([...OFFLINE_DIAGNOSE, log]);
    const markdown = await runCommand([...OFFLINE_DIAGNOSE, "--format", "markdown", log]);
    const providers = text.stdout.split("\nProviders\n")[1]?.split("\n\n")[0] ?? "";

    expect(providers).toContain("Deferral replies, the longest after 33.9h in the queue:");
    expect(providers).toContain(
      "8× 451 Temporary local problem - please try later (example.net, up to",
    );
    expect(providers).toContain("\n      user2@example.net (33.9h)\n");
    for (const line of providers.split("\n")) expect(line.length).toBeLessThanOrEqual(80);
    expect(markdown.stdout).toContain(
      "- 8× 451 Temporary local problem - please try later (example.net, up to 33.9h)",
    );
    expect(markdown.stdout).toContain("Still deferred after more than a day in the queue:");
    expect(markdown.stdout).toContain("- user6@example.net (33.9h)");
  });

  test("named providers get no detail", async () => {
    const gmail = `${stamp(30)} postfix/smtp[903]: ${queueId(12)}: to=<dave@gmail.com>, relay=gmail-smtp-in.l.google.com[192.0.2.60]:25, delay=5, delays=0.1/0/1/3.9, dsn=4.7.0, status=deferred (host gmail-smtp-in.l.google.com[192.0.2.60] said: 421-4.7.0 Try again later, closing connection. (in reply to end of DATA command))`;
    const diagnosis = await diagnoseText(`${stuckLog()}${gmail}\n`);

    expect(diagnosis.providers.gmail?.deferred).toBe(1);
    expect(diagnosis.providers.gmail?.deferralDetail).toBeNull();
  });
});

describe("deferral detail caps", () => {
  test("texts past the cap are counted", async () => {
    const lines = [...submitted(0, 0), sentLine(0, 0, "bob@example.org")];
    for (let index = 1; index <= 30; index += 1) {
      lines.push(...submitted(index, index));
      lines.push(
        `${stamp(index)} postfix/smtp[903]: ${queueId(index)}: to=<u${index}@example.net>, relay=mail.example.net[192.0.2.30]:25, delay=10, delays=1/0/1/8, dsn=4.0.0, status=deferred (host mail.example.net[192.0.2.30] said: 450 4.2.0 Try again, ticket ${index} (in reply to RCPT TO command))`,
      );
    }
    const diagnosis = await diagnoseText(`${lines.join("\n")}\n`);
    const detail = diagnosis.providers.other?.deferralDetail;

    expect(detail?.texts).toHaveLength(3);
    expect(detail?.otherDeferrals).toBe(27);
  });

  test("long deferrals past the cap are inexact", async () => {
    const lines = [...submitted(0, 0), sentLine(0, 0, "bob@example.org")];
    for (let index = 1; index <= 30; index += 1) {
      lines.push(...submitted(index, index));
      lines.push(localProblemLine(index, index, `u${index}@example.net`, DAY_SECONDS + index));
    }
    const diagnosis = await diagnoseText(`${lines.join("\n")}\n`);
    const detail = diagnosis.providers.other?.deferralDetail;

    expect(detail?.longDeferred).toHaveLength(10);
    expect(detail?.longDeferredCount).toBe(20);
    expect(detail?.longDeferredExact).toBe(false);
    expect(validateDiagnosis(JSON.parse(JSON.stringify(diagnosis)) as Diagnosis)).toEqual([]);
  });
});

describe("deferral detail final results", () => {
  test("later bounce ends the stay", async () => {
    const bounce = `${stamp(260)} postfix/smtp[903]: ${queueId(11)}: to=<user6@example.net>, relay=mail.example.net[192.0.2.30]:25, delay=130000, delays=129950/0/2/48, dsn=5.0.0, status=bounced (host mail.example.net[192.0.2.30] said: 550 Administrative prohibition (in reply to end of DATA command))`;
    const diagnosis = await diagnoseText(`${stuckLog()}${bounce}\n`);
    const recipients = diagnosis.providers.other?.deferralDetail?.longDeferred ?? [];

    expect(recipients.map((entry) => entry.recipient)).toEqual(["user2@example.net"]);
  });
});
