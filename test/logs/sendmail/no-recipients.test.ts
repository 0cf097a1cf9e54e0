import { describe, expect, test } from "vitest";
import type { LogStatistics } from "../../../src/diagnose/statistics.js";
import type { LoggedMessage } from "../../../src/logs/events.js";
import { createSendmailParser } from "../../../src/logs/sendmail/index.js";
import { runCommand } from "../../helpers/cli.js";
import { temporaryFiles } from "../../helpers/temporary-files.js";
import { runParser } from "../exim/frame.js";

const temporary = temporaryFiles();

const GMAIL = "relay=gmail-smtp-in.l.google.com. [192.0.2.27]";

/** A client whose only recipient was rejected, then a local user's message with its DSN. */
const LOG = [
  "Mar  3 11:00:00 mx sm-mta[3001]: 523B00bb003001: ruleset=check_rcpt, arg1=<nobody@example.com>, relay=bad.example.net [203.0.113.5], reject=550 5.1.1 <nobody@example.com>... User unknown",
  "Mar  3 11:00:01 mx sm-mta[3001]: 523B00bb003001: lost input channel from bad.example.net [203.0.113.5] to MTA after rcpt",
  "Mar  3 11:00:01 mx sm-mta[3001]: 523B00bb003001: from=<spam@example.net>, size=0, class=0, nrcpts=0, proto=ESMTP, daemon=MTA, relay=bad.example.net [203.0.113.5]",
  "Mar  3 11:02:00 mx sendmail[3010]: 523B02dd003010: from=dan, size=400, class=0, nrcpts=1, msgid=<s2@example.com>, relay=dan@localhost",
  "Mar  3 11:02:00 mx sm-mta[3011]: 523B02ee003011: from=<dan@example.com>, size=650, class=0, nrcpts=1, msgid=<s2@example.com>, proto=ESMTP, daemon=MTA, relay=localhost [127.0.0.1]",
  "Mar  3 11:02:00 mx sendmail[3010]: 523B02dd003010: to=eve@gmail.com, ctladdr=dan (1001/1001), delay=00:00:00, xdelay=00:00:00, mailer=relay, pri=30400, relay=[127.0.0.1] [127.0.0.1], dsn=2.0.0, stat=Sent (523B02ee003011 Message accepted for delivery)",
  `Mar  3 11:02:02 mx sm-mta[3012]: 523B02ee003011: to=<eve@gmail.com>, ctladdr=<dan@example.com> (1001/1001), delay=00:00:02, xdelay=00:00:02, mailer=esmtp, pri=120650, ${GMAIL}, dsn=5.1.1, stat=User unknown`,
  "Mar  3 11:02:02 mx sm-mta[3012]: 523B02ee003011: 523B02ee013012: DSN: User unknown",
  "Mar  3 11:02:02 mx sm-mta[3012]: 523B02ee013012: to=<dan@example.com>, delay=00:00:00, xdelay=00:00:00, mailer=local, pri=31650, dsn=2.0.0, stat=Sent",
];

describe("Sendmail nrcpts=0", () => {
  test("transaction without recipients is no message", () => {
    const run = runParser(createSendmailParser, LOG, { year: 2025 });
    const messages = run.events.flatMap((event): LoggedMessage[] =>
      event.type === "message" && event.nothingQueued !== true ? [event.message] : [],
    );
    const empty = run.events.flatMap((event): LoggedMessage[] =>
      event.type === "message" && event.nothingQueued === true ? [event.message] : [],
    );

    expect(run.outcomes.unparsed).toBe(0);
    expect(messages.map((message) => message.id)).toEqual(["523B02ee003011", "523B02ee013012"]);
    expect(empty.map((message) => message.id)).toEqual(["523B00bb003001"]);
    expect(run.events.filter((event) => event.type === "reject")).toHaveLength(1);
  });

  test("messagesAccepted leaves it out", async () => {
    const path = temporary.file(LOG.join("\n") + "\n");
    const args = ["logs", "--format", "json", "--timezone", "UTC", "--year", "2025", path];
    const statistics = JSON.parse((await runCommand(args)).stdout) as LogStatistics;

    expect(statistics.inbound.messagesAccepted).toBe(2);
    expect(statistics.inbound.localDeliveries).toBe(1);
    expect(statistics.providers["gmail"]?.bounced).toBe(1);
  });

  test("rejects-only log names the MTA", async () => {
    const path = temporary.file(LOG.slice(0, 3).join("\n") + "\n");
    const args = ["logs", "--format", "json", "--timezone", "UTC", "--year", "2025", path];
    const statistics = JSON.parse((await runCommand(args)).stdout) as LogStatistics;

    expect(statistics.input.mtas).toEqual(["sendmail"]);
    expect(statistics.server.hostnames).toEqual(["mx"]);
    expect(statistics.days).toEqual([{ day: "2025-03-03", messages: 0, recipients: 0 }]);
    expect(statistics.inbound.messagesAccepted).toBe(0);
    expect(statistics.inbound.rejects).toBe(1);
  });
});
