import { describe, expect, test } from "vitest";
import { diagnoseText } from "../helpers/diagnose-text.js";

/** A receiver of the test log, with the reply it gives once it starts blocking. */
interface Receiver {
  readonly domain: string;
  readonly host: string;
  readonly ip: string;
  readonly dsn: string;
  readonly status: "deferred" | "bounced";
  readonly reply: string;
}

const GMAIL: Receiver = {
  domain: "gmail.com",
  host: "gmail-smtp-in.l.google.com",
  ip: "192.0.2.27",
  dsn: "4.7.28",
  status: "deferred",
  reply:
    "421-4.7.28 Gmail has detected an unusual rate of unsolicited mail originating 421-4.7.28 from your IP address. 421 4.7.28 a1si2 - gsmtp",
};

const YAHOO: Receiver = {
  domain: "yahoo.com",
  host: "mta5.am0.yahoodns.net",
  ip: "192.0.2.61",
  dsn: "4.7.0",
  status: "deferred",
  reply:
    "421 4.7.0 [TSS04] Messages from 203.0.113.10 temporarily deferred due to unexpected volume or user complaints - 4.16.55.1",
};

const ICLOUD: Receiver = {
  domain: "icloud.com",
  host: "mx01.mail.icloud.com",
  ip: "192.0.2.71",
  dsn: "5.7.1",
  status: "bounced",
  reply: "554 5.7.1 [CS01] Message rejected due to local policy",
};

/**
 * Builds a Postfix log of 24 messages, one every 10 minutes from 2026-03-10 08:00 UTC, each to
 * one recipient at every receiver. From the 13th message on, every receiver blocks.
 */
function postfixLog(receivers: readonly Receiver[]): string {
  const lines: string[] = [];
  for (let index = 0; index < 24; index++) {
    const time = new Date(Date.UTC(2026, 2, 10, 8, index * 10)).toISOString();
    const stamp = time.replace(".000Z", "+00:00");
    const id = `4B${String(index).padStart(8, "0")}`;
    lines.push(
      `${stamp} mx1 postfix/qmgr[900]: ${id}: from=<alice@example.com>, size=1000, nrcpt=${receivers.length} (queue active)`,
    );
    for (const receiver of receivers) {
      const { host, ip } = receiver;
      const start = `${stamp} mx1 postfix/smtp[901]: ${id}: to=<u${index}@${receiver.domain}>, relay=${host}[${ip}]:25, delay=1, delays=0.1/0/0.4/0.5`;
      lines.push(
        index >= 12
          ? `${start}, dsn=${receiver.dsn}, status=${receiver.status} (host ${host}[${ip}] said: ${receiver.reply} (in reply to end of DATA command))`
          : `${start}, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as ABC)`,
      );
    }
  }
  return `${lines.join("\n")}\n`;
}

describe("verdict with three blocking providers", () => {
  test("one sentence per provider", async () => {
    const diagnosis = await diagnoseText(postfixLog([GMAIL, YAHOO, ICLOUD]));
    const summary = diagnosis.verdict.summary;

    expect(diagnosis.providers.gmail?.status).toBe("rate-limited");
    expect(diagnosis.providers.yahoo?.status).toBe("rate-limited");
    expect(diagnosis.providers.icloud?.status).toBe("blocked");
    expect(summary).not.toContain(";");
    expect(summary).toMatch(/(?:^|\. )Gmail defers mail from this server since /);
    expect(summary).toMatch(/\. Yahoo\/AOL defers mail from this server since /);
  });

  test("iCloud keeps its case", async () => {
    const summary = (await diagnoseText(postfixLog([GMAIL, YAHOO, ICLOUD]))).verdict.summary;

    expect(summary).toMatch(/(?:^|\. )iCloud Mail rejects mail from this server since /);
    expect(summary).not.toContain("ICloud");
  });
});
