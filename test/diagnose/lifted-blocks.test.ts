import { describe, expect, test } from "vitest";
import type { Diagnosis, ReadinessItem } from "../../src/diagnose/types.js";
import { BLOCK_LIFTED_DELIVERIES } from "../../src/diagnose/verdict.js";
import { painter } from "../../src/report/colour.js";
import { renderDiagnosisMarkdown } from "../../src/report/markdown.js";
import { renderDiagnosisText } from "../../src/report/text.js";
import { OFFLINE_DIAGNOSE, runCommand } from "../helpers/cli.js";
import { diagnoseText } from "../helpers/diagnose-text.js";
import { schemaValidator } from "../helpers/schema.js";
import { temporaryFiles } from "../helpers/temporary-files.js";

const temporary = temporaryFiles();
const validateDiagnosis = schemaValidator("diagnose.schema.json");

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const T0 = Date.UTC(2026, 2, 4, 0, 0, 0);

const GMAIL_HOST = "H=gmail-smtp-in.l.google.com [192.0.2.27]";
const YAHOO_HOST = "H=mta5.am0.yahoodns.net [192.0.2.40]";
const RELAY_HOST = "H=smtp.relay.example.net [192.0.2.50]";
const GMAIL_UNSOLICITED =
  "SMTP error from remote mail server after end of data: 550-5.7.1 [203.0.113.5      12] Our system has detected that this message is\\n550-5.7.1 likely unsolicited mail. To reduce the amount of spam sent to Gmail,\\n550-5.7.1 this message has been blocked. For more information, go to\\n550 5.7.1  https://support.google.com/mail/?p=UnsolicitedMessageError d1si1 - gsmtp";
const GMAIL_RATE_LIMIT =
  "SMTP error from remote mail server after RCPT TO:<x@gmail.com>: 421-4.7.28 [203.0.113.5      15] Gmail has detected an unusual rate of unsolicited mail originating\\n421-4.7.28 from your IP address. To protect our users from spam, mail sent from\\n421-4.7.28 your IP address has been temporarily rate limited.\\n421 4.7.28  https://support.google.com/mail/?p=UnsolicitedRateLimitError a1si2 - gsmtp";
const GMAIL_NO_SUCH_USER =
  "SMTP error from remote mail server after RCPT TO:<gone@gmail.com>: 550-5.1.1 The email account that you tried to reach does not exist. Please try\\n550 5.1.1 double-checking the recipient's email address. a1si3 - gsmtp";
const YAHOO_DEFERRAL =
  "SMTP error from remote mail server after MAIL FROM:<anna@example.com> SIZE=2211: 421 4.7.0 [TSS04] Messages from 203.0.113.5 temporarily deferred due to unexpected volume or user complaints - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes";

/** One message of a fixture: its time, its recipient and what the receiver did with it. */
interface Message {
  readonly time: number;
  readonly to: string;
  readonly outcome:
    "sent" | "relayed" | "rejected" | "rate-limited" | "yahoo-deferred" | "unknown-user";
}

function eximStamp(time: number): string {
  return new Date(time).toISOString().slice(0, 19).replace("T", " ");
}

/** Writes an Exim main log in which each message has one recipient and one delivery attempt. */
function eximLog(messages: readonly Message[]): string {
  const sorted = [...messages].sort((a, b) => a.time - b.time);
  return sorted
    .flatMap(({ time, to, outcome }, index) => {
      const id = `1rA${String(index % 100).padStart(3, "0")}-${String(index).padStart(6, "0")}-01`;
      const host = to.endsWith("@yahoo.com") ? YAHOO_HOST : GMAIL_HOST;
      const stamp = eximStamp(time);
      const delivery =
        outcome === "sent"
          ? `=> ${to} R=dnslookup T=remote_smtp ${host} C="250 2.0.0 OK 1709 - gsmtp"`
          : outcome === "relayed"
            ? `=> ${to} R=smarthost T=remote_smtp ${RELAY_HOST} C="250 2.0.0 Ok: queued as 4F2A1B"`
            : outcome === "rejected"
              ? `** ${to} R=dnslookup T=remote_smtp ${host}: ${GMAIL_UNSOLICITED}`
              : outcome === "unknown-user"
                ? `** ${to} R=dnslookup T=remote_smtp ${host}: ${GMAIL_NO_SUCH_USER}`
                : `== ${to} R=dnslookup T=remote_smtp defer (-44) ${host}: ${outcome === "rate-limited" ? GMAIL_RATE_LIMIT : YAHOO_DEFERRAL}`;
      return [
        `${stamp} ${id} <= anna@example.com H=(office) [192.0.2.20]:5409 I=[203.0.113.5]:587 P=esmtpsa A=dovecot_login:anna@example.com S=2211 id=${index}@example.com`,
        `${stamp} ${id} ${delivery}`,
      ];
    })
    .join("\n")
    .concat("\n");
}

/** Writes the Postfix delivery lines of messages to Gmail from several hosts in one file. */
function multiHostLog(messages: readonly (Message & { readonly host: string })[]): string {
  const sorted = [...messages].sort((a, b) => a.time - b.time);
  return sorted
    .map(({ time, to, outcome, host }, index) => {
      const stamp = new Date(time).toISOString().replace(".000Z", "+00:00");
      const id = (0xb00000 + index).toString(16).toUpperCase();
      const relay =
        "relay=gmail-smtp-in.l.google.com[192.0.2.27]:25, delay=1, delays=0.1/0/0.4/0.5";
      const result =
        outcome === "sent"
          ? "dsn=2.0.0, status=sent (250 2.0.0 OK 1709 - gsmtp)"
          : "dsn=5.7.1, status=bounced (host gmail-smtp-in.l.google.com[192.0.2.27] said: 550-5.7.1 [203.0.113.6      12] Gmail has detected that this message is likely 550-5.7.1 unsolicited mail. To reduce the amount of spam sent to Gmail, this message 550-5.7.1 has been blocked. 550 5.7.1 d1si1 - gsmtp (in reply to end of DATA command))";
      return `${stamp} ${host} postfix/smtp[${3000 + index}]: ${id}: to=<${to}>, ${relay}, ${result}`;
    })
    .join("\n")
    .concat("\n");
}

/** Returns `count` messages to `domain`, one every `stepMs` from `start`. */
function series(
  start: number,
  count: number,
  stepMs: number,
  outcome: Message["outcome"],
  prefix: string,
  domain = "gmail.com",
): Message[] {
  return Array.from({ length: count }, (_, index) => ({
    time: start + index * stepMs,
    to: `${prefix}${index}@${domain}`,
    outcome,
  }));
}

/**
 * Builds the log of a Gmail block that ended: a day and a half of accepted mail, then a day of
 * rejections from 2026-03-05 19:00 to 2026-03-06 19:55, then `after` deliveries from
 * 2026-03-07 00:00, one every `stepMs`.
 */
function endedBlock(after: number, stepMs = 10 * MINUTE): Message[] {
  return [
    ...series(T0, 43, HOUR, "sent", "friend"),
    ...series(T0 + 43 * HOUR, 300, 5 * MINUTE, "rejected", "reader"),
    ...series(T0 + 72 * HOUR, after, stepMs, "sent", "ok"),
  ];
}

function readinessItem(diagnosis: Diagnosis, id: string): ReadinessItem | undefined {
  return diagnosis.readiness.items.find((item) => item.id === id);
}

describe("lifted blocks", () => {
  test("accepted mail after block is ok", async () => {
    const diagnosis = await diagnoseText(eximLog(endedBlock(300)));
    const gmail = diagnosis.providers.gmail;

    expect(gmail?.status).toBe("ok");
    expect(gmail?.ongoing).toBe(false);
    expect(gmail?.pastBlock).toEqual({
      status: "blocked",
      deliveredAfter: 300,
      lastDelivery: "2026-03-09T01:50:00Z",
      blockReadLate: false,
    });
    expect(gmail?.firstBlock?.time).toBe("2026-03-05T19:00:00Z");
    expect(gmail?.firstPermanentBlock?.time).toBe("2026-03-05T19:00:00Z");
    expect(gmail?.lastBlock?.time).toBe("2026-03-06T19:55:00Z");
    expect(gmail?.blockedAttempts).toBe(300);
    expect(diagnosis.verdict.status).toBe("ok");
    expect(validateDiagnosis(JSON.parse(JSON.stringify(diagnosis)))).toEqual([]);
  });

  test("table shows a lifted block", async () => {
    const diagnosis = await diagnoseText(eximLog(endedBlock(300)));
    const text = renderDiagnosisText(diagnosis, painter(false));
    const row = renderDiagnosisMarkdown(diagnosis)
      .split("\n")
      .find((line) => line.startsWith("| Gmail |"));

    expect(text).toMatch(/^ {2}Gmail {13}lifted {8}/m);
    expect(row).toMatch(/^\| Gmail \| lifted \| /);
  });

  test("mail through a relay lifts nothing", async () => {
    const messages = [
      ...series(T0, 43, HOUR, "sent", "friend"),
      ...series(T0 + 43 * HOUR, 300, 5 * MINUTE, "rejected", "reader"),
      ...series(T0 + 72 * HOUR, 300, 10 * MINUTE, "relayed", "ok"),
    ];
    const diagnosis = await diagnoseText(eximLog(messages));

    expect(diagnosis.providers.gmail?.status).toBe("blocked");
    expect(diagnosis.providers.gmail?.pastBlock).toBeNull();
  });

  test("verdict names the past block", async () => {
    const diagnosis = await diagnoseText(eximLog(endedBlock(300)));
    const summary = diagnosis.verdict.summary;

    expect(summary).toContain(
      "No provider blocks or rate-limits mail from this server at the end of this log.",
    );
    expect(summary).toContain(
      "Gmail rejected mail from this server from 2026-03-05T19:00:00Z to 2026-03-06T19:55:00Z, and has accepted 300 deliveries since, the last at 2026-03-09T01:50:00Z, so the block counts as lifted.",
    );
    expect(summary).not.toContain("rejects mail");
    expect(summary).not.toContain(" in this log.");
  });

  test("lift rule follows a past block", async () => {
    const yahooStart = Date.UTC(2026, 2, 9, 0, 0, 0);
    const messages = [
      ...endedBlock(300),
      ...series(yahooStart, 20, 5 * MINUTE, "yahoo-deferred", "late", "yahoo.com"),
      ...series(yahooStart + 100 * MINUTE, 3, 2 * MINUTE, "sent", "back", "yahoo.com"),
    ];
    const diagnosis = await diagnoseText(eximLog(messages));
    const summary = diagnosis.verdict.summary;
    const pastBlock = summary.indexOf("so the block counts as lifted.");
    const rule = summary.indexOf("A block counts as lifted once");

    expect(diagnosis.providers.yahoo?.ongoing).toBe(true);
    expect(summary).toContain("too soon to call the block lifted");
    expect(pastBlock).toBeGreaterThan(0);
    expect(rule).toBeGreaterThan(pastBlock);
  });

  test("findings of a past block stay", async () => {
    const diagnosis = await diagnoseText(eximLog(endedBlock(300)));
    const content = diagnosis.findings.find((finding) => finding.id === "spam-content");

    expect(content?.role).toBe("consequence");
    expect(content?.severity).toBe("info");
    expect(content?.title).toBe("Gmail rejected messages as spam, a block since lifted");
    expect(diagnosis.findings.map((finding) => finding.id)).not.toContain("healthy");
    expect(diagnosis.unexplainedBlocks).toEqual([]);
  });

  test("readiness of a past block", async () => {
    const diagnosis = await diagnoseText(eximLog(endedBlock(300)));

    expect(readinessItem(diagnosis, "blocks-ended")?.status).toBe("pass");
    expect(readinessItem(diagnosis, "cause-identified")?.status).toBe("unknown");
    expect(readinessItem(diagnosis, "cause-identified")?.detail).not.toContain("Not applicable");
    expect(diagnosis.readiness.ready).toBe(false);
    expect(diagnosis.readiness.removalForms).toEqual([]);
    expect(diagnosis.readiness.summary).toContain(
      "Gmail accepted mail again after its block, so there is nothing to ask removal for.",
    );
  });

  test("past block exits 0 in the CLI", async () => {
    const log = temporary.file(eximLog(endedBlock(300)));
    const run = await runCommand([...OFFLINE_DIAGNOSE, "--no-progress", log]);

    expect(run.code).toBe(0);
    expect(run.stdout).toContain("Verdict: OK");
    expect(run.stdout).toMatch(/Gmail +lifted /);
    expect(run.stdout).toContain("Gmail rejected mail from this server from");
    expect(run.stdout).not.toContain("BLOCKED");
  });

  test("too few deliveries after a failure keep the block", async () => {
    // A recipient that does not exist is no block reply, but not every attempt was accepted.
    const unknownUser = {
      time: T0 + 71 * HOUR,
      to: "gone@gmail.com",
      outcome: "unknown-user" as const,
    };
    const messages = [...endedBlock(BLOCK_LIFTED_DELIVERIES - 1, HOUR), unknownUser];
    const diagnosis = await diagnoseText(eximLog(messages));
    const gmail = diagnosis.providers.gmail;

    expect(gmail?.status).toBe("blocked");
    expect(gmail?.pastBlock).toBeNull();
    expect(gmail?.ongoing).toBe(false);
    expect(gmail?.acceptedSinceLastBlock).toBe(19);
    expect(diagnosis.verdict.status).toBe("blocked");
    expect(diagnosis.verdict.summary).toContain(
      "has accepted 19 deliveries since, not enough to call the block lifted",
    );
    expect(readinessItem(diagnosis, "blocks-ended")?.status).toBe("fail");
  });

  test("every attempt accepted over quiet hours lifts the block", async () => {
    const diagnosis = await diagnoseText(eximLog(endedBlock(BLOCK_LIFTED_DELIVERIES - 1, HOUR)));
    const gmail = diagnosis.providers.gmail;

    expect(gmail?.status).toBe("ok");
    expect(gmail?.ongoing).toBe(false);
    expect(gmail?.pastBlock?.deliveredAfter).toBe(19);
    expect(readinessItem(diagnosis, "blocks-ended")?.status).toBe("pass");
  });

  test("enough deliveries lift the block", async () => {
    const diagnosis = await diagnoseText(eximLog(endedBlock(BLOCK_LIFTED_DELIVERIES, HOUR)));

    expect(diagnosis.providers.gmail?.status).toBe("ok");
    expect(diagnosis.providers.gmail?.pastBlock?.deliveredAfter).toBe(BLOCK_LIFTED_DELIVERIES);
  });

  test("deliveries within two hours keep the block", async () => {
    // 50 deliveries, one every 2 minutes from 5 minutes after the last rejection, end 1 hour
    // 43 minutes after it.
    const messages = [
      ...series(T0, 43, HOUR, "sent", "friend"),
      ...series(T0 + 43 * HOUR, 300, 5 * MINUTE, "rejected", "reader"),
      ...series(T0 + 68 * HOUR, 50, 2 * MINUTE, "sent", "ok"),
    ];
    const diagnosis = await diagnoseText(eximLog(messages));
    const gmail = diagnosis.providers.gmail;

    expect(gmail?.status).toBe("blocked");
    expect(gmail?.pastBlock).toBeNull();
    expect(gmail?.ongoing).toBe(true);
    expect(gmail?.acceptedSinceLastBlock).toBe(50);
  });

  test("rejection between deliveries resets the count", async () => {
    const messages = [
      ...endedBlock(300),
      { time: T0 + 121 * HOUR + 5 * MINUTE, to: "late@gmail.com", outcome: "rejected" as const },
    ];
    const diagnosis = await diagnoseText(eximLog(messages));
    const gmail = diagnosis.providers.gmail;

    // The last rejection is followed by 5 deliveries over 45 minutes only.
    expect(gmail?.status).toBe("blocked");
    expect(gmail?.pastBlock).toBeNull();
    expect(gmail?.lastBlock?.time).toBe("2026-03-09T01:05:00Z");
  });

  test("past rate limit says deferred", async () => {
    const messages = [
      ...series(T0, 43, HOUR, "sent", "friend"),
      ...series(T0 + 43 * HOUR, 30, 10 * MINUTE, "rate-limited", "reader"),
      ...series(T0 + 50 * HOUR, 60, 10 * MINUTE, "sent", "ok"),
    ];
    const diagnosis = await diagnoseText(eximLog(messages));
    const gmail = diagnosis.providers.gmail;

    expect(gmail?.status).toBe("ok");
    expect(gmail?.pastBlock?.status).toBe("rate-limited");
    expect(gmail?.pastBlock?.deliveredAfter).toBe(60);
    expect(diagnosis.verdict.summary).toContain(
      "Gmail deferred mail from this server from 2026-03-05T19:00:00Z to 2026-03-05T23:50:00Z, and has accepted 60 deliveries since",
    );
  });

  test("deferrals before rejections say both", async () => {
    const messages = [
      ...series(T0, 43, HOUR, "sent", "friend"),
      ...series(T0 + 42 * HOUR, 6, 10 * MINUTE, "rate-limited", "early"),
      ...endedBlock(300).slice(43),
    ];
    const diagnosis = await diagnoseText(eximLog(messages));

    expect(diagnosis.providers.gmail?.pastBlock?.status).toBe("blocked");
    expect(diagnosis.verdict.summary).toContain(
      "Gmail deferred and then rejected mail from this server from 2026-03-05T18:00:00Z to 2026-03-06T19:55:00Z, the first rejection at 2026-03-05T19:00:00Z, and has accepted 300 deliveries since",
    );
  });

  test("other host's deliveries keep the block", async () => {
    const onHost = (host: string, messages: readonly Message[]) =>
      messages.map((message) => ({ ...message, host }));
    const rejected = onHost("mx2", series(T0, 30, 10 * MINUTE, "rejected", "reader"));
    const fromMx1 = onHost("mx1", series(T0 + 6 * HOUR, 300, 10 * MINUTE, "sent", "ok"));
    const blocked = await diagnoseText(multiHostLog([...rejected, ...fromMx1]));

    expect(blocked.providers.gmail?.status).toBe("blocked");
    expect(blocked.providers.gmail?.pastBlock).toBeNull();

    const fromMx2 = onHost("mx2", series(T0 + 6 * HOUR + MINUTE, 20, 10 * MINUTE, "sent", "b"));
    const lifted = await diagnoseText(multiHostLog([...rejected, ...fromMx1, ...fromMx2]));

    expect(lifted.providers.gmail?.status).toBe("ok");
    expect(lifted.providers.gmail?.pastBlock?.deliveredAfter).toBe(20);
  });

  test("current block elsewhere still sets verdict", async () => {
    const messages = [
      ...endedBlock(300),
      ...series(T0 + 96 * HOUR, 12, 10 * MINUTE, "yahoo-deferred", "fan", "yahoo.com"),
    ];
    const diagnosis = await diagnoseText(eximLog(messages));

    expect(diagnosis.providers.gmail?.status).toBe("ok");
    expect(diagnosis.providers.yahoo?.status).toBe("rate-limited");
    expect(diagnosis.verdict.status).toBe("rate-limited");
    expect(diagnosis.verdict.summary).toContain("Yahoo");
    expect(diagnosis.verdict.summary).toContain("Gmail rejected mail from this server from");
    expect(diagnosis.readiness.summary).not.toContain("nothing to ask removal for");
  });
});
