import { describe, expect, test } from "vitest";
import type { Diagnosis, Finding } from "../../src/diagnose/types.js";
import { OFFLINE_DIAGNOSE, runCommand } from "../helpers/cli.js";
import { diagnoseText } from "../helpers/diagnose-text.js";
import { GMAIL_NO_SUCH_USER, HOUR, PostfixLog, SENT, T0 } from "../helpers/postfix-fixture.js";
import { temporaryFiles } from "../helpers/temporary-files.js";

const temporary = temporaryFiles();

/** The Gmail MX of the fixture helper, for delivery lines written by hand. */
const GMAIL_RELAY = "relay=gmail-smtp-in.l.google.com[192.0.2.27]:25";

/**
 * Adds the delivery and `removed` lines of messages that were queued before the log starts,
 * so the log has no `qmgr` line with their sender. Every third recipient does not exist.
 */
function messagesWithoutSender(log: PostfixLog, start: number, count: number): void {
  for (let i = 0; i < count; i++) {
    const time = start + i * 20_000;
    const stamp = new Date(time).toISOString().replace("Z", "+00:00");
    const id = `9${i.toString(16).toUpperCase().padStart(9, "0")}`;
    const outcome = i % 3 === 0 ? GMAIL_NO_SUCH_USER : SENT;
    const result =
      outcome === SENT
        ? "250 2.0.0 OK"
        : `host gmail-smtp-in.l.google.com[192.0.2.27] said: ${outcome.reply} (in reply to RCPT TO command)`;
    log.raw(
      time,
      `${stamp} mail postfix/smtp[3001]: ${id}: to=<old${i}@gmail.com>, ${GMAIL_RELAY}, delay=1, delays=0.1/0/0.4/0.5, dsn=${outcome.dsn}, status=${outcome.status} (${result})`,
    );
    log.raw(time + 1000, `${stamp} mail postfix/qmgr[3002]: ${id}: removed`);
  }
}

/**
 * Adds `count` messages relayed by a client with the null sender `<>`, as a host that forwards
 * its bounces through this server sends them. Every third recipient does not exist.
 */
function nullSenderMessages(log: PostfixLog, start: number, count: number): void {
  for (let i = 0; i < count; i++) {
    const time = start + i * 20_000;
    const stamp = new Date(time).toISOString().replace("Z", "+00:00");
    const id = `8${i.toString(16).toUpperCase().padStart(9, "0")}`;
    const outcome = i % 3 === 0 ? GMAIL_NO_SUCH_USER : SENT;
    const result =
      outcome === SENT
        ? "250 2.0.0 OK"
        : `host gmail-smtp-in.l.google.com[192.0.2.27] said: ${outcome.reply} (in reply to RCPT TO command)`;
    log.raw(time, `${stamp} mail postfix/smtpd[3003]: ${id}: client=relay.example.net[192.0.2.60]`);
    log.raw(
      time,
      `${stamp} mail postfix/qmgr[3002]: ${id}: from=<>, size=3000, nrcpt=1 (queue active)`,
    );
    log.raw(
      time + 1000,
      `${stamp} mail postfix/smtp[3001]: ${id}: to=<dsn${i}@gmail.com>, ${GMAIL_RELAY}, delay=1, delays=0.1/0/0.4/0.5, dsn=${outcome.dsn}, status=${outcome.status} (${result})`,
    );
    log.raw(time + 2000, `${stamp} mail postfix/qmgr[3002]: ${id}: removed`);
  }
}

/** 150 messages without a sender in the log and 150 of anna, 50 unknown recipients each. */
function mixedLog(): PostfixLog {
  const log = new PostfixLog();
  messagesWithoutSender(log, T0, 150);
  for (let i = 0; i < 150; i++) {
    log.submit({
      time: T0 + i * 20_000 + 10_000,
      account: "anna@example.com",
      clientIp: "198.51.100.10",
      recipients: [
        { address: `list${i}@gmail.com`, outcome: i % 3 === 0 ? GMAIL_NO_SUCH_USER : SENT },
      ],
    });
  }
  return log;
}

function findingOf(diagnosis: Diagnosis, id: Finding["id"]): Record<string, unknown> {
  const found = diagnosis.findings.find((finding) => finding.id === id);
  expect(found, id).toBeDefined();
  return (found?.evidence ?? {}) as Record<string, unknown>;
}

describe("sender not in the log", () => {
  test("unknown-recipients keeps it apart", async () => {
    const diagnosis = await diagnoseText(mixedLog().text());
    const senders = findingOf(diagnosis, "unknown-recipients")["senders"];

    expect(senders).toContainEqual(
      expect.objectContaining({
        sender: null,
        name: "sender not in the log",
        unknown: 50,
        recipients: 150,
        rate: 0.333,
        lastMessage: null,
      }),
    );
    expect(senders).toContainEqual(
      expect.objectContaining({
        sender: "anna@example.com",
        unknown: 50,
        recipients: 150,
        rate: 0.333,
        lastMessage: "2024-03-04T00:49:50Z",
      }),
    );
    expect(senders).not.toContainEqual(expect.objectContaining({ sender: "<>" }));
  });

  test("fix names only a known sender", async () => {
    const diagnosis = await diagnoseText(mixedLog().text());
    const unknown = diagnosis.findings.find((finding) => finding.id === "unknown-recipients");

    expect(unknown?.fix[0]).toContain("Stop the mailing of anna@example.com");
    expect(unknown?.summary).toContain(
      "50 of them were recipients of anna@example.com, 33.3 % of the 150 it mailed.",
    );
    expect(unknown?.fix.join(" ")).not.toContain("<>");
  });

  test("fix is general without a known sender", async () => {
    const log = new PostfixLog();
    messagesWithoutSender(log, T0, 150);
    const diagnosis = await diagnoseText(log.text());
    const unknown = diagnosis.findings.find((finding) => finding.id === "unknown-recipients");

    expect(unknown?.fix[0]).toBe("Find which sender mails the unknown addresses, and stop it.");
    expect(unknown?.summary).not.toContain("<>");
    expect(unknown?.summary).not.toContain("sender not in the log");
  });

  test("text report names it in words", async () => {
    const result = await runCommand([...OFFLINE_DIAGNOSE, temporary.file(mixedLog().text())]);
    const flat = result.stdout.replace(/\s+/g, " ");

    expect(flat).toContain("sender not in the log (50 unknown of 150)");
    expect(flat).toContain("anna@example.com (50 unknown of 150)");
    expect(flat).not.toContain("<>");
  });

  test("null sender stays <>", async () => {
    const log = new PostfixLog();
    nullSenderMessages(log, T0, 150);
    const diagnosis = await diagnoseText(log.text());
    const senders = findingOf(diagnosis, "unknown-recipients")["senders"];

    expect(senders).toEqual([
      expect.objectContaining({
        sender: "<>",
        unknown: 50,
        recipients: 150,
        rate: 0.333,
        lastMessage: "2024-03-04T00:49:40Z",
      }),
    ]);
  });

  test("volume-spike keeps it apart", async () => {
    const log = new PostfixLog();
    // Two days of one message an hour, then 150 messages without a sender in the log within
    // one hour of the second day.
    for (let hour = 0; hour < 48; hour++) {
      log.submit({
        time: T0 + hour * HOUR,
        account: "alice@example.com",
        clientIp: "198.51.100.10",
        recipients: [{ address: `friend${hour}@example.net` }],
      });
    }
    messagesWithoutSender(log, T0 + 34 * HOUR + 60_000, 150);
    const spike = findingOf(await diagnoseText(log.text()), "volume-spike");

    expect(spike["topSenders"]).toContainEqual({
      sender: null,
      name: "sender not in the log",
      recipients: 150,
    });
    expect(spike["topSenders"]).not.toContainEqual(expect.objectContaining({ sender: "<>" }));
  });
});
