import { describe, expect, test } from "vitest";
import type { LogStatistics } from "../../src/diagnose/statistics.js";
import { runCommand } from "../helpers/cli.js";
import { temporaryFiles } from "../helpers/temporary-files.js";

const temporary = temporaryFiles();

const HEAD = "2026-03-06T10:00:01+00:00 mx";

/** One message of alice that Gmail accepted, as Postfix logs it. */
const MESSAGE = [
  `${HEAD} postfix/smtpd[10]: 3A00000001: client=pc[192.0.2.21], sasl_method=PLAIN, sasl_username=alice@example.com`,
  `${HEAD} postfix/cleanup[11]: 3A00000001: message-id=<3A00000001@example.com>`,
  `${HEAD} postfix/qmgr[12]: 3A00000001: from=<alice@example.com>, size=900, nrcpt=1 (queue active)`,
  `${HEAD} postfix/smtp[13]: 3A00000001: to=<bob@gmail.com>, relay=gmail-smtp-in.l.google.com[192.0.2.201]:25, delay=1, delays=0/0/0.5/0.5, dsn=2.0.0, status=sent (250 2.0.0 OK x - gsmtp)`,
  `${HEAD} postfix/qmgr[12]: 3A00000001: removed`,
];

interface Logs {
  statistics: LogStatistics;
  notes: string[];
}

async function logs(lines: readonly string[]): Promise<Logs> {
  const path = temporary.file(lines.join("\n") + "\n");
  const result = await runCommand(["logs", "--timezone", "UTC", "--format", "json", path]);
  const json = JSON.parse(result.stdout) as LogStatistics & { input: { notes: string[] } };
  return { statistics: json, notes: json.input.notes };
}

describe("duplicate log lines", () => {
  test("repeated block counts once", async () => {
    const { statistics, notes } = await logs([...MESSAGE, ...MESSAGE]);

    expect(statistics.providers.gmail?.sent).toBe(1);
    expect(statistics.inbound.messagesAccepted).toBe(1);
    expect(statistics.accounts[0]?.sent).toBe(1);
    expect(statistics.input.ignored).toBe(5);
    expect(notes.join("\n")).toContain("5 lines of queued messages repeated a line");
  });

  test("line twice in a row counts once", async () => {
    const doubled = MESSAGE.flatMap((line) => [line, line]);
    const { statistics } = await logs(doubled);

    expect(statistics.providers.gmail?.sent).toBe(1);
    expect(statistics.input.parsed).toBe(5);
  });

  test("repeated reject without id counts", async () => {
    const reject = `${HEAD} postfix/smtpd[14]: NOQUEUE: reject: RCPT from unknown[192.0.2.50]: 554 5.7.1 <a@example.com>: Relay access denied; from=<s@example.net> to=<a@example.com> proto=ESMTP helo=<x>`;
    const { statistics, notes } = await logs([reject, reject]);

    expect(statistics.inbound.rejects).toBe(2);
    expect(notes.join("\n")).not.toContain("repeated a line");
  });

  test("Exim delivery twice through syslog counts once", async () => {
    const id = "1tH000-000000-HH";
    const exim = [
      `${HEAD} exim[20]: 2026-03-06 10:00:01 ${id} <= app@example.com U=app P=local S=900`,
      `${HEAD} exim[20]: 2026-03-06 10:00:01 ${id} => c0@gmail.com R=dnslookup T=remote_smtp H=gmail-smtp-in.l.google.com [192.0.2.201] C="250 OK"`,
      `${HEAD} exim[20]: 2026-03-06 10:00:01 ${id} Completed`,
    ];
    const { statistics, notes } = await logs(exim.flatMap((line) => [line, line]));

    expect(statistics.providers.gmail?.sent).toBe(1);
    expect(statistics.localSources[0]?.messages).toBe(1);
    // `Completed` is no arrival or delivery line, so its repeat is parsed and changes nothing.
    expect(notes.join("\n")).toContain("2 lines of queued messages repeated a line");
  });

  test("Exim main log line twice counts twice", async () => {
    // Exim writes its own main log once, so a line repeated there in the same second, such
    // as a retry in a queue run, is a second event, not double logging.
    const id = "1tH000-000000-HH";
    const exim = [
      `2026-03-08 08:00:00 ${id} <= app@example.com U=app P=local S=900`,
      `2026-03-08 08:00:01 ${id} == c0@gmail.com R=dnslookup T=remote_smtp defer (-44) H=gmail-smtp-in.l.google.com [192.0.2.201]: SMTP error from remote mail server after RCPT TO:<c0@gmail.com>: 421 4.7.0 Try again later`,
    ];
    const { statistics, notes } = await logs([...exim, exim[1] ?? ""]);

    expect(statistics.providers.gmail?.deferred).toBe(2);
    expect(notes.join("\n")).not.toContain("repeated a line");
  });

  test("Exim frozen note twice is no duplicate", async () => {
    const frozen = "2026-03-08 08:10:00 1tH000-000000-HH Message is frozen";
    const { notes } = await logs([frozen, frozen]);

    expect(notes.join("\n")).not.toContain("repeated a line");
  });

  test("same text a second later counts twice", async () => {
    const later = MESSAGE.map((line) => line.replace("10:00:01", "10:00:02"));
    const { statistics, notes } = await logs([...MESSAGE, ...later]);

    expect(statistics.providers.gmail?.attempts).toBe(2);
    expect(notes.join("\n")).not.toContain("repeated a line");
  });
});
