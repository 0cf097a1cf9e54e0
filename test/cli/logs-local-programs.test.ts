import { describe, expect, test } from "vitest";
import { runCommand } from "../helpers/cli.js";

interface LogsReport {
  days: Array<{ day: string; messages: number; recipients: number }>;
  localSources: Array<{ key: string; name: string; messages: number; recipients: number }>;
}

/**
 * root runs `mail -s` through Sendmail's submission program, which hands the message to
 * Postfix on 127.0.0.1. Postfix rejects the two words of the subject as unknown local users
 * and delivers the one real recipient to Gmail.
 */
const HANDOFF_TO_POSTFIX = [
  "Mar  4 10:27:16 mx1 sendmail[6005]: 21QBRGdX006005: from=root, size=30, class=0, nrcpts=3, msgid=<r1@mx1.example.com>, relay=root@localhost",
  "Mar  4 10:27:16 mx1 postfix/smtpd[6006]: A3EF4405DD14: client=localhost[127.0.0.1]",
  "Mar  4 10:27:16 mx1 postfix/cleanup[6009]: A3EF4405DD14: message-id=<r1@mx1.example.com>",
  "Mar  4 10:27:16 mx1 postfix/qmgr[4652]: A3EF4405DD14: from=<root@mx1.example.com>, size=497, nrcpt=1 (queue active)",
  "Mar  4 10:27:16 mx1 sendmail[6005]: 21QBRGdX006005: to=Weekly, ctladdr=root (0/0), delay=00:00:00, xdelay=00:00:00, mailer=relay, pri=180030, relay=[127.0.0.1] [127.0.0.1], dsn=5.1.1, stat=User unknown",
  "Mar  4 10:27:16 mx1 sendmail[6005]: 21QBRGdX006005: to=report, ctladdr=root (0/0), delay=00:00:00, xdelay=00:00:00, mailer=relay, pri=180030, relay=[127.0.0.1] [127.0.0.1], dsn=5.1.1, stat=User unknown",
  "Mar  4 10:27:16 mx1 sendmail[6005]: 21QBRGdX006005: to=ops@gmail.com, ctladdr=root (0/0), delay=00:00:00, xdelay=00:00:00, mailer=relay, pri=180030, relay=[127.0.0.1] [127.0.0.1], dsn=2.0.0, stat=Sent (Ok: queued as A3EF4405DD14)",
  "Mar  4 10:27:17 mx1 postfix/smtp[6010]: A3EF4405DD14: to=<ops@gmail.com>, relay=gmail-smtp-in.l.google.com[192.0.2.27]:25, delay=1, delays=0/0/0.5/0.5, dsn=2.0.0, status=sent (250 2.0.0 OK)",
  "Mar  4 10:27:17 mx1 postfix/qmgr[4652]: A3EF4405DD14: removed",
];

async function logsReport(lines: readonly string[]): Promise<LogsReport> {
  const run = await runCommand(
    ["logs", "--timezone", "UTC", "--year", "2024", "-f", "json", "-"],
    `${lines.join("\n")}\n`,
  );
  expect(run.stderr).toBe("");
  return JSON.parse(run.stdout) as LogsReport;
}

describe("logs local programs", () => {
  test("outbound counts match the day table", async () => {
    const report = await logsReport(HANDOFF_TO_POSTFIX);
    const root = report.localSources.find((source) => source.key === "uid 0");
    const dayRecipients = report.days.reduce((total, day) => total + day.recipients, 0);

    expect(dayRecipients).toBe(1);
    expect(root?.recipients).toBe(1);
  });

  test("one row for one Unix user", async () => {
    const report = await logsReport([
      ...HANDOFF_TO_POSTFIX,
      // A submission whose to= lines the log lacks names the user alone.
      "Mar  4 10:41:48 mx1 sendmail[9343]: 21QBfmi0009343: from=root, size=30, class=0, nrcpts=1, msgid=<r2@mx1.example.com>, relay=root@localhost",
      "Mar  4 10:50:00 mx1 postfix/pickup[4650]: AE11A4011B7B: uid=0 from=<root>",
      "Mar  4 10:50:00 mx1 postfix/cleanup[6009]: AE11A4011B7B: message-id=<r3@mx1.example.com>",
      "Mar  4 10:50:00 mx1 postfix/qmgr[4652]: AE11A4011B7B: from=<root@mx1.example.com>, size=400, nrcpt=1 (queue active)",
    ]);

    expect(report.localSources.map((source) => source.key)).toEqual(["uid 0"]);
    expect(report.localSources[0]?.name).toBe("local user root, uid 0");
    expect(report.localSources[0]?.messages).toBe(3);
  });
});
