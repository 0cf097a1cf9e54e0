import { describe, expect, test } from "vitest";
import type { Diagnosis, Finding } from "../../src/diagnose/types.js";
import { runCommand } from "../helpers/cli.js";
import { diagnoseText } from "../helpers/diagnose-text.js";
import {
  GMAIL_RATE_LIMIT,
  HOUR,
  PostfixLog,
  SENT,
  T0,
  writeTemporaryLog,
} from "../helpers/postfix-fixture.js";
import { schemaValidator } from "../helpers/schema.js";

const validateStatistics = schemaValidator("logs.schema.json");
const validateDiagnosis = schemaValidator("diagnose.schema.json");

const CLIENT = "SMTP client web1.example.com[192.0.2.10] without SMTP AUTH";

/**
 * Relays 60 messages from the web server web1.example.com[192.0.2.10] without SMTP AUTH, one
 * every 30 seconds from `start`, as shop@example.com to 3 Gmail recipients each. Gmail accepts
 * the first 20 messages and defers the others with its unsolicited-rate reply.
 */
function relayedShopMail(log: PostfixLog, start = T0): void {
  for (let i = 1; i <= 60; i++) {
    const outcome = i <= 20 ? SENT : GMAIL_RATE_LIMIT;
    log.relay({
      time: start + i * 30_000,
      clientIp: "192.0.2.10",
      clientHost: "web1.example.com",
      from: "shop@example.com",
      recipients: [1, 2, 3].map((r) => ({ address: `c${i}-${r}@gmail.com`, outcome })),
    });
  }
}

interface OriginRow {
  name: string;
  kind: string;
  key: string;
  clientHost?: string | null;
  messages: number;
  recipients: number;
  sent: number;
  deferred: number;
  blockedAttempts: number;
  undeliveredRecipients: number;
}

interface Statistics {
  accounts: OriginRow[];
  localSources: OriginRow[];
  relayClients: OriginRow[];
}

async function logsJson(text: string): Promise<Statistics> {
  const file = writeTemporaryLog(text);
  try {
    const result = await runCommand(["logs", "--timezone", "UTC", "--format", "json", file.path]);
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout) as Statistics;
    expect(validateStatistics(json)).toEqual([]);
    return json;
  } finally {
    file.remove();
  }
}

function webScript(diagnosis: Diagnosis): Finding | undefined {
  return diagnosis.findings.find((finding) => finding.id === "web-script");
}

function readinessDetail(diagnosis: Diagnosis, id: string): { status: string; detail: string } {
  const item = diagnosis.readiness.items.find((entry) => entry.id === id);
  return { status: item?.status ?? "missing", detail: item?.detail ?? "" };
}

describe("relay client origins in delist logs", () => {
  test("JSON lists the client", async () => {
    const log = new PostfixLog();
    relayedShopMail(log);
    const json = await logsJson(log.text());
    const [row] = json.relayClients;

    expect(json.relayClients).toHaveLength(1);
    expect(row?.name).toBe(CLIENT);
    expect(row?.kind).toBe("client");
    expect(row?.key).toBe("192.0.2.10");
    expect(row?.clientHost).toBe("web1.example.com");
    expect(row?.messages).toBe(60);
    expect(row?.recipients).toBe(180);
    expect(row?.sent).toBe(60);
    expect(row?.deferred).toBe(120);
    expect(row?.blockedAttempts).toBe(120);
    expect(row?.undeliveredRecipients).toBe(120);
    expect(json.accounts).toEqual([]);
    expect(json.localSources).toEqual([]);
  });

  test("text lists the client", async () => {
    const log = new PostfixLog();
    relayedShopMail(log);
    const file = writeTemporaryLog(log.text());
    try {
      const result = await runCommand(["logs", "--timezone", "UTC", file.path]);
      const lines = result.stdout.split("\n");
      const title = lines.indexOf("Relay clients without SMTP AUTH");

      expect(title).toBeGreaterThan(0);
      expect(lines[title + 2]).toBe("       60     180         120  web1.example.com[192.0.2.10]");
    } finally {
      file.remove();
    }
  });

  test("client without a host name", async () => {
    const log = new PostfixLog();
    log.relay({
      time: T0,
      clientIp: "198.51.100.30",
      from: "app@example.com",
      recipients: [{ address: "d1@gmail.com" }],
    });
    const json = await logsJson(log.text());

    expect(json.relayClients[0]?.name).toBe("SMTP client 198.51.100.30 without SMTP AUTH");
    expect(json.relayClients[0]?.clientHost).toBeNull();
  });

  test("loopback re-injection is no client", async () => {
    const log = new PostfixLog();
    log.relay({
      time: T0,
      clientIp: "127.0.0.1",
      clientHost: "localhost",
      from: "news@example.com",
      recipients: [{ address: "e1@gmail.com" }],
    });
    log.relay({
      time: T0 + 60_000,
      clientIp: "::1",
      clientHost: "localhost",
      from: "news@example.com",
      recipients: [{ address: "e2@gmail.com" }],
    });
    const json = await logsJson(log.text());

    expect(json.relayClients).toEqual([]);
  });

  test("inbound and forwarded mail open no row", async () => {
    const log = new PostfixLog();
    const stamp = (time: number): string => new Date(time).toISOString().replace("Z", "+00:00");
    const inbound = [
      "mail postfix/smtpd[2001]: 6A00000001: client=mail-ej1.example.org[198.51.100.40]",
      "mail postfix/qmgr[2002]: 6A00000001: from=<friend@example.org>, size=900, nrcpt=1 (queue active)",
      "mail postfix/lmtp[2003]: 6A00000001: to=<bob@example.com>, relay=mail.example.com[private/dovecot-lmtp], delay=0.1, delays=0/0/0/0.1, dsn=2.0.0, status=sent (250 2.0.0 <bob@example.com> Saved)",
      "mail postfix/smtpd[2001]: 6A00000002: client=mail-ej1.example.org[198.51.100.40]",
      "mail postfix/qmgr[2002]: 6A00000002: from=<friend@example.org>, size=900, nrcpt=1 (queue active)",
      "mail postfix/smtp[2004]: 6A00000002: to=<bob.private@gmail.com>, orig_to=<bob@example.com>, relay=gmail-smtp-in.l.google.com[192.0.2.27]:25, delay=1, delays=0/0/0.5/0.5, dsn=2.0.0, status=sent (250 2.0.0 OK)",
    ];
    inbound.forEach((line, index) => log.raw(T0 + index, `${stamp(T0 + index)} ${line}`));
    const json = await logsJson(log.text());

    expect(json.relayClients).toEqual([]);
  });
});

describe("relay client as the cause", () => {
  test("web-script names the client", async () => {
    const log = new PostfixLog();
    relayedShopMail(log);
    const diagnosis = await diagnoseText(log.text());
    const finding = webScript(diagnosis);
    const evidence = finding?.evidence as Record<string, unknown> | undefined;

    expect(finding?.role).toBe("cause");
    expect(finding?.title).toContain(CLIENT);
    expect(evidence?.["relayClient"]).toBe("web1.example.com[192.0.2.10]");
    expect(evidence?.["clientIp"]).toBe("192.0.2.10");
    expect(evidence?.["messages"]).toBe(60);
    expect(evidence?.["recipients"]).toBe(180);
    expect(evidence?.["senders"]).toEqual({ "shop@example.com": 60 });
    expect(validateDiagnosis(JSON.parse(JSON.stringify(diagnosis)))).toEqual([]);
  });

  test("readiness follows the client", async () => {
    const log = new PostfixLog();
    relayedShopMail(log);
    const diagnosis = await diagnoseText(log.text());
    const found = readinessDetail(diagnosis, "cause-identified");
    const stopped = readinessDetail(diagnosis, "cause-stopped");

    expect(found.status).toBe("pass");
    expect(found.detail).toContain("web-script");
    // The client sent until the last line, so its sending has not stopped.
    expect(stopped.status).toBe("fail");
    expect(stopped.detail).not.toContain("No abusive");
  });

  test("stopped client passes cause stopped", async () => {
    const log = new PostfixLog();
    relayedShopMail(log);
    log.submit({
      time: T0 + 5 * HOUR,
      account: "alice@example.net",
      clientIp: "198.51.100.20",
      recipients: [{ address: "friend@example.org" }],
    });
    const diagnosis = await diagnoseText(log.text());

    expect(readinessDetail(diagnosis, "cause-stopped").status).toBe("pass");
  });

  test("DNS items name the relayed domain", async () => {
    const log = new PostfixLog();
    relayedShopMail(log);
    const diagnosis = await diagnoseText(log.text());
    const detail = readinessDetail(diagnosis, "spf-dkim-dmarc").detail;

    expect(detail).toContain("`delist check example.com`");
    expect(detail).not.toContain("DOMAIN");
  });

  test("steady client is no cause", async () => {
    const log = new PostfixLog();
    // The same 60 messages on the day before show that this rate is the client's usual one.
    relayedShopMail(log, T0 - 24 * HOUR);
    relayedShopMail(log);
    const diagnosis = await diagnoseText(log.text());

    expect(webScript(diagnosis)).toBeUndefined();
  });
});
