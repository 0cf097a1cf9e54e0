import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { MAX_FINISHED_RECIPIENTS } from "../../../src/logs/postfix/store.js";
import { runCommand } from "../../helpers/cli.js";
import { temporaryFiles } from "../../helpers/temporary-files.js";
import { eventsOf, runPostfix } from "./fixture.js";

const files = temporaryFiles();

const SUBMIT = [
  "Mar  4 10:00:00 mx1 postfix/smtpd[100]: 1A0000000A: client=a.example.com[192.0.2.10]",
  "Mar  4 10:00:00 mx1 postfix/cleanup[101]: 1A0000000A: message-id=<m1@example.com>",
  "Mar  4 10:00:00 mx1 postfix/qmgr[102]: 1A0000000A: from=<alice@example.com>, size=900, nrcpt=2 (queue active)",
];
const QMGR_AGAIN =
  "Mar  4 10:30:00 mx1 postfix/qmgr[102]: 1A0000000A: from=<alice@example.com>, size=900, nrcpt=2 (queue active)";
const SENT =
  "Mar  4 10:00:01 mx1 postfix/smtp[103]: 1A0000000A: to=<bob@gmail.com>, relay=gmail-smtp-in.l.google.com[192.0.2.200]:25, delay=1, delays=0.1/0/0.5/0.4, dsn=2.0.0, status=sent (250 2.0.0 OK x1 - gsmtp)";
const BOUNCED =
  "Mar  4 10:00:02 mx1 postfix/smtp[103]: 1A0000000A: to=<carol@example.net>, relay=mx.example.net[198.51.100.25]:25, delay=1, delays=0.1/0/0.5/0.4, dsn=5.1.1, status=bounced (host mx.example.net[198.51.100.25] said: 550 5.1.1 No such user (in reply to RCPT TO command))";
const DEFERRED_AFTER_SENT =
  "Mar  4 10:00:03 mx1 postfix/smtp[103]: 1A0000000A: to=<bob@gmail.com>, relay=gmail-smtp-in.l.google.com[192.0.2.200]:25, delay=2, delays=0.1/0/0.5/0.4, dsn=4.7.28, status=deferred (host gmail-smtp-in.l.google.com[192.0.2.200] said: 421 4.7.28 Try again later - gsmtp (in reply to end of DATA command))";
const REMOVED = "Mar  4 10:00:04 mx1 postfix/qmgr[102]: 1A0000000A: removed";

/** Returns a sent line to Gmail for queue id `id` and `recipient`, `second` s after 10:00:00. */
function sentLine(id: string, recipient: string, second: number): string {
  const clock = `10:${String(Math.floor(second / 60)).padStart(2, "0")}:${String(second % 60).padStart(2, "0")}`;
  return `Mar  4 ${clock} mx1 postfix/smtp[103]: ${id}: to=<${recipient}>, relay=gmail-smtp-in.l.google.com[192.0.2.200]:25, delay=1, delays=0/0/0.5/0.5, dsn=2.0.0, status=sent (250 2.0.0 OK - gsmtp)`;
}

describe("repeated Postfix delivery lines", () => {
  it("drops a repeated sent line", () => {
    const run = runPostfix([...SUBMIT, SENT, SENT, SENT]);

    expect(eventsOf(run.events, "delivery")).toHaveLength(1);
    expect(run.outcomes.slice(-3)).toEqual(["parsed", "ignored", "ignored"]);
    expect(run.parser.repeatedDeliveryLines).toBe(2);
  });

  it("drops bounced and deferred repeats", () => {
    const run = runPostfix([...SUBMIT, SENT, BOUNCED, BOUNCED, DEFERRED_AFTER_SENT]);
    const deliveries = eventsOf(run.events, "delivery");

    expect(deliveries.map((event) => event.status)).toEqual(["sent", "bounced"]);
    expect(run.parser.repeatedDeliveryLines).toBe(2);
  });

  it("counts again after a new qmgr line", () => {
    const run = runPostfix([...SUBMIT, SENT, QMGR_AGAIN, SENT]);

    expect(eventsOf(run.events, "delivery")).toHaveLength(2);
    expect(run.parser.repeatedDeliveryLines).toBe(0);
  });

  it("counts again after a new message-id", () => {
    const run = runPostfix([
      ...SUBMIT,
      SENT,
      "Mar  4 10:20:00 mx1 postfix/cleanup[101]: 1A0000000A: message-id=<m2@example.com>",
      SENT,
    ]);

    expect(eventsOf(run.events, "delivery")).toHaveLength(2);
    expect(run.parser.repeatedDeliveryLines).toBe(0);
  });

  it("keeps deferrals before the final line", () => {
    const deferred = DEFERRED_AFTER_SENT.replace("10:00:03", "10:00:00");
    const run = runPostfix([...SUBMIT, deferred, deferred, SENT]);
    const deliveries = eventsOf(run.events, "delivery");

    expect(deliveries.map((event) => event.status)).toEqual(["deferred", "deferred", "sent"]);
    expect(run.parser.repeatedDeliveryLines).toBe(0);
  });

  it("keeps another orig_to of one recipient", () => {
    const first = SENT.replace(
      "to=<bob@gmail.com>,",
      "to=<bob@gmail.com>, orig_to=<list1@example.com>,",
    );
    const second = SENT.replace(
      "to=<bob@gmail.com>,",
      "to=<bob@gmail.com>, orig_to=<list2@example.com>,",
    );
    const run = runPostfix([...SUBMIT, first, second, second]);

    expect(eventsOf(run.events, "delivery")).toHaveLength(2);
    expect(run.parser.repeatedDeliveryLines).toBe(1);
  });

  it("keeps local deliveries to one recipient", () => {
    const command =
      "Mar  4 10:00:01 mx1 postfix/local[106]: 1A0000000A: to=<gina@example.com>, relay=local, delay=1, delays=0.1/0/0/0.9, dsn=2.0.0, status=sent (delivered to command: /usr/bin/vacation gina)";
    const mailbox =
      "Mar  4 10:00:01 mx1 postfix/local[106]: 1A0000000A: to=<gina@example.com>, relay=local, delay=1, delays=0.1/0/0/0.9, dsn=2.0.0, status=sent (delivered to mailbox)";
    const run = runPostfix([...SUBMIT, command, mailbox]);

    expect(eventsOf(run.events, "delivery")).toHaveLength(2);
    expect(run.parser.repeatedDeliveryLines).toBe(0);
  });

  it("counts a repeat after removed again", () => {
    // The store forgets a removed message, so the repeat starts a message of unknown origin.
    const run = runPostfix([...SUBMIT, SENT, REMOVED, SENT]);

    expect(eventsOf(run.events, "delivery")).toHaveLength(2);
    expect(run.parser.repeatedDeliveryLines).toBe(0);
  });

  it("stops keeping deliveries at the cap", () => {
    // 300 messages of 100 recipients each end 30,000 deliveries, 5,000 more than are kept.
    const first: string[] = [];
    for (let message = 0; message < 300; message++) {
      const id = (0x1000000 + message).toString(16).toUpperCase();
      for (let recipient = 0; recipient < 100; recipient++) {
        first.push(sentLine(id, `r${message}.${recipient}@gmail.com`, message));
      }
    }
    expect(first.length - MAX_FINISHED_RECIPIENTS).toBe(5000);
    const run = runPostfix([...first, ...first]);

    expect(run.parser.repeatedDeliveryLines).toBe(MAX_FINISHED_RECIPIENTS);
    expect(eventsOf(run.events, "delivery")).toHaveLength(first.length + 5000);
  });
  it("frees kept deliveries at removed", () => {
    const first: string[] = [];
    for (let message = 0; message < 300; message++) {
      const id = (0x1000000 + message).toString(16).toUpperCase();
      for (let recipient = 0; recipient < 100; recipient++) {
        first.push(sentLine(id, `r${message}.${recipient}@gmail.com`, message));
      }
      first.push(`Mar  4 10:06:00 mx1 postfix/qmgr[102]: ${id}: removed`);
    }
    const run = runPostfix([...first, ...SUBMIT, SENT, SENT]);

    expect(run.parser.openMessages).toBe(1);
    expect(run.parser.repeatedDeliveryLines).toBe(1);
  });
});

describe("repeated delivery lines in reports", () => {
  // 100 delivery lines of 100 queue ids without their other lines, repeated 50 times.
  const block = Array.from({ length: 100 }, (_, n) =>
    sentLine(`2000000${n.toString(16).toUpperCase().padStart(4, "0")}`, `r${n}@gmail.com`, n),
  ).join("\n");
  const log = gzipSync(`${Array.from({ length: 50 }, () => block).join("\n")}\n`);
  const args = ["--no-progress", "--year", "2024", "--timezone", "UTC"];

  it("diagnose JSON counts each delivery once", async () => {
    const path = files.file(log, "mail.log.gz");
    const result = await runCommand(["diagnose", "--offline", ...args, "-f", "json", path]);
    const report = JSON.parse(result.stdout) as {
      input: { repeatedDeliveryLines: number; ignored: number; notes: string[] };
      providers: Record<string, { sent: number }>;
    };

    expect(report.providers.gmail?.sent).toBe(100);
    expect(report.input.repeatedDeliveryLines).toBe(4900);
    expect(report.input.ignored).toBe(4900);
    expect(report.input.notes.join(" ")).toContain("4,900 delivery lines repeated a delivery");
  });

  it("logs text notes the repeats", async () => {
    const path = files.file(log, "mail.log.gz");
    const result = await runCommand(["logs", ...args, path]);
    const flat = result.stdout.replace(/\s+/g, " ");

    expect(flat).toContain("4,900 delivery lines repeated a delivery");
    expect(flat).toContain("were not counted again");
  });
});
