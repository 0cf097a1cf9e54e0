import { describe, expect, test } from "vitest";
import { LogAnalyser, type LogFacts } from "../../src/analysis/analyser.js";
import { createPostfixParser } from "../../src/logs/postfix/index.js";
import { createSendmailParser } from "../../src/logs/sendmail/index.js";
import { createReplyClassifier } from "../../src/reply/classify.js";
import { compromisedLog } from "../helpers/compromised-log.js";
import { scriptWeekLog } from "../diagnose/script-week-log.js";
import { diagnoseText } from "../helpers/diagnose-text.js";
import { GMAIL_UNSOLICITED, HOUR, PostfixLog, SENT, T0 } from "../helpers/postfix-fixture.js";
import { runParser } from "../logs/exim/frame.js";
import { toRecord } from "../logs/postfix/fixture.js";

/** Runs classic syslog lines (year 2024) through the Postfix parser and the analysers. */
function analyse(lines: readonly string[]): LogFacts {
  const analyser = new LogAnalyser(createReplyClassifier());
  const parser = createPostfixParser((event) => analyser.handle(event));
  lines.forEach((line, index) => parser.parse(toRecord(line, index + 1)));
  parser.finish();
  return analyser.finish();
}

/** Runs the lines of a `PostfixLog` (RFC 3339 stamps) through the parser and the analysers. */
function analyseText(text: string): LogFacts {
  const analyser = new LogAnalyser(createReplyClassifier());
  const parser = createPostfixParser((event) => analyser.handle(event));
  text
    .split("\n")
    .filter((line) => line !== "")
    .forEach((line, index) => {
      const [stamp = "", host = "", tag = ""] = line.split(" ", 3);
      const message = line.slice(stamp.length + host.length + tag.length + 3);
      const program = tag.slice(0, tag.indexOf("["));
      const time = Date.parse(stamp);
      parser.parse({
        time,
        host,
        program,
        pid: null,
        message,
        file: "mail.log",
        line: index + 1,
        syslogHeader: true,
      });
    });
  parser.finish();
  return analyser.finish();
}

const HOPPED_LINE = /^(\S+) (\S+) (\S+?)(\[\d+\])?: ([0-9A-F]{6,}): (.*)$/;
const REMOTE_TO = /^to=<([^>]*)>, relay=(?!127\.)/;

/**
 * Returns a `PostfixLog` text with an amavis hop (127.0.0.1:10024, back on :10025) before the
 * first remote attempt of each recipient. From its first hop on, a message's lines use the
 * queue id of the copy that amavis queued, whose `client=localhost` line comes before the hop.
 */
function withFilterHops(text: string): string {
  const copies = new Map<string, string>();
  const senders = new Map<string, string>();
  const hopped = new Set<string>();
  const output: string[] = [];
  for (const line of text.split("\n")) {
    const match = HOPPED_LINE.exec(line);
    if (match === null) {
      output.push(line);
      continue;
    }
    const [, stamp = "", host = "", tag = "", pid = "", id = "", rest = ""] = match;
    if (tag.endsWith("/qmgr") && rest.startsWith("from=<") && !copies.has(id)) {
      senders.set(id, rest.slice(6, rest.indexOf(">")));
    }
    const remote = tag.endsWith("/smtp") ? REMOTE_TO.exec(rest) : null;
    const recipient = remote?.[1];
    if (recipient !== undefined && !hopped.has(`${id} ${recipient}`)) {
      hopped.add(`${id} ${recipient}`);
      let copy = copies.get(id);
      if (copy === undefined) {
        copy = `FC${copies.size.toString(16).toUpperCase().padStart(8, "0")}`;
        copies.set(id, copy);
        output.push(
          `${stamp} ${host} postfix/smtpd[4000]: ${copy}: client=localhost[127.0.0.1]`,
          `${stamp} ${host} postfix/qmgr[4001]: ${copy}: from=<${senders.get(id) ?? ""}>, size=2500, nrcpt=1 (queue active)`,
        );
      }
      output.push(
        `${stamp} ${host} postfix/smtp[4002]: ${id}: to=<${recipient}>, relay=127.0.0.1[127.0.0.1]:10024, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 2.0.0 from MTA(smtp:[127.0.0.1]:10025): 250 2.0.0 Ok: queued as ${copy})`,
      );
    }
    const copy = copies.get(id);
    output.push(copy === undefined ? line : `${stamp} ${host} ${tag}${pid}: ${copy}: ${rest}`);
  }
  return output.join("\n");
}

/** The per-origin counts that a filter hop must not change. */
function originCounts(facts: LogFacts) {
  const origins = [...facts.origins.accounts.values(), ...facts.origins.localSources.values()];
  return Object.fromEntries(
    origins.map((origin) => [
      origin.key,
      {
        messages: origin.messages,
        recipients: origin.recipients,
        sent: origin.sent,
        deferred: origin.deferred,
        bounced: origin.bounced,
        blockedAttempts: origin.blockedAttempts,
      },
    ]),
  );
}

function providerCounts(facts: LogFacts) {
  return Object.fromEntries(
    [...facts.providers.values()].map((provider) => [
      provider.provider,
      {
        attempts: provider.attempts,
        recipients: provider.recipients.size,
        sent: provider.sent,
        deferred: provider.deferred,
        bounced: provider.bounced,
      },
    ]),
  );
}

/** Builds a small log of an account and a PHP script, with delivered and rejected mail. */
function mixedLog(): string {
  const log = new PostfixLog();
  for (let hour = 0; hour < 3; hour++) {
    log.submit({
      time: T0 + hour * HOUR,
      account: "alice@example.com",
      clientIp: "198.51.100.10",
      recipients: [
        { address: `friend${hour}@gmail.com`, outcome: GMAIL_UNSOLICITED },
        { address: `partner${hour}@example.net`, outcome: SENT },
      ],
    });
    log.pickup({
      time: T0 + hour * HOUR + 60_000,
      uid: 1004,
      user: "shopuser",
      script: "contact.php",
      recipients: [{ address: `buyer${hour}@gmail.com`, outcome: GMAIL_UNSOLICITED }],
    });
  }
  return log.text();
}

describe("filter hops in the analysis", () => {
  test("account gets the copy's recipient", () => {
    const facts = analyse([
      "Mar  4 10:00:00 mx1 postfix/submission/smtpd[100]: 1A2B3C4D5E: client=unknown[192.0.2.10], sasl_method=PLAIN, sasl_username=alice@example.com",
      "Mar  4 10:00:00 mx1 postfix/qmgr[102]: 1A2B3C4D5E: from=<alice@example.com>, size=1000, nrcpt=1 (queue active)",
      "Mar  4 10:00:01 mx1 postfix/smtpd[110]: 2B3C4D5E6F: client=localhost[127.0.0.1]",
      "Mar  4 10:00:01 mx1 postfix/qmgr[102]: 2B3C4D5E6F: from=<alice@example.com>, size=1400, nrcpt=1 (queue active)",
      "Mar  4 10:00:01 mx1 postfix/smtp[103]: 1A2B3C4D5E: to=<bob@example.net>, relay=127.0.0.1[127.0.0.1]:10024, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 2.0.0 from MTA(smtp:[127.0.0.1]:10025): 250 2.0.0 Ok: queued as 2B3C4D5E6F)",
      "Mar  4 10:00:02 mx1 postfix/smtp[104]: 2B3C4D5E6F: to=<bob@example.net>, relay=mx.example.net[192.0.2.20]:25, delay=1, delays=0/0/0/1, dsn=5.7.1, status=bounced (host mx.example.net[192.0.2.20] said: 550 5.7.1 spam (in reply to end of DATA command))",
    ]);
    const alice = facts.origins.accounts.get("alice@example.com");

    expect(alice?.messages).toBe(1);
    expect(alice?.recipients).toBe(1);
    expect(alice?.bounced).toBe(1);
    expect(facts.server.localDeliveries).toBe(0);
    expect(facts.server.filterHops).toBe(1);
    expect(facts.server.localDomains.size).toBe(0);
  });

  test("forwards and discards are no local deliveries", () => {
    const facts = analyse([
      "Mar  4 10:00:00 mx1 postfix/smtpd[100]: 4D5E6F7081: client=mx.example.net[192.0.2.20]",
      "Mar  4 10:00:00 mx1 postfix/qmgr[102]: 4D5E6F7081: from=<s@example.net>, size=1000, nrcpt=3 (queue active)",
      "Mar  4 10:00:01 mx1 postfix/local[103]: 4D5E6F7081: to=<a@example.com>, relay=local, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (forwarded as 5E6F708192)",
      "Mar  4 10:00:01 mx1 postfix/discard[107]: 4D5E6F7081: to=<f@example.com>, relay=none, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (example.com)",
      "Mar  4 10:00:01 mx1 postfix/local[103]: 4D5E6F7081: to=<g@example.org>, relay=local, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (delivered to mailbox)",
    ]);

    expect(facts.server.localDeliveries).toBe(1);
    expect(facts.server.localForwards).toBe(1);
    expect(facts.server.discarded).toBe(1);
    expect([...facts.server.localDomains.keys()]).toEqual(["example.org"]);
  });

  test("filter not answering is a local failure", () => {
    const facts = analyse([
      "Mar  4 10:00:00 mx1 postfix/submission/smtpd[100]: 1A2B3C4D5E: client=unknown[192.0.2.10], sasl_method=PLAIN, sasl_username=alice@example.com",
      "Mar  4 10:00:00 mx1 postfix/qmgr[102]: 1A2B3C4D5E: from=<alice@example.com>, size=1000, nrcpt=1 (queue active)",
      "Mar  4 10:00:01 mx1 postfix/smtp[103]: 1A2B3C4D5E: to=<bob@example.net>, relay=none, delay=1, delays=0/0/1/0, dsn=4.4.1, status=deferred (connect to 127.0.0.1[127.0.0.1]:10024: Connection refused)",
    ]);

    expect(facts.server.localDeliveryFailures.deferred).toBe(1);
    expect(facts.server.localDeliveries).toBe(0);
    expect(facts.providers.size).toBe(0);
  });

  test("hops change no origin or provider count", () => {
    const text = mixedLog();
    const plain = analyseText(text);
    const filtered = analyseText(withFilterHops(text));

    expect(filtered.server.filterHops).toBe(9);
    expect(originCounts(filtered)).toEqual(originCounts(plain));
    expect(providerCounts(filtered)).toEqual(providerCounts(plain));
    expect(filtered.server.localDeliveries).toBe(plain.server.localDeliveries);
    expect([...filtered.volume.hours.values()].map((hour) => hour.recipients)).toEqual(
      [...plain.volume.hours.values()].map((hour) => hour.recipients),
    );
  });

  test("hops keep the compromised-account finding", async () => {
    const text = compromisedLog("mallory@example.com");
    const plain = await diagnoseText(text);
    const filtered = await diagnoseText(withFilterHops(text));
    const ids = (findings: typeof plain.findings) => findings.map((finding) => finding.id);
    const account = (findings: typeof plain.findings) =>
      findings.find((finding) => finding.id === "compromised-account")?.evidence;

    expect(ids(plain.findings)).toContain("compromised-account");
    expect(ids(filtered.findings)).toEqual(ids(plain.findings));
    expect(account(filtered.findings)).toMatchObject({ account: "mallory@example.com" });
  });

  test("hops keep the web-script finding", async () => {
    const text = scriptWeekLog();
    const plain = await diagnoseText(text);
    const filtered = await diagnoseText(withFilterHops(text));
    const ids = (findings: typeof plain.findings) => findings.map((finding) => finding.id);
    const script = (findings: typeof plain.findings) =>
      findings.find((finding) => finding.id === "web-script")?.evidence;

    expect(ids(plain.findings)).toContain("web-script");
    expect(ids(filtered.findings)).toEqual(ids(plain.findings));
    expect(script(filtered.findings)).toMatchObject({ script: "mailer.php", uid: 10012 });
  });
});

// Alice's submission through amavis, and the copy that amavis queued again as 2B3C4D5E6F.
const SUBMITTED = [
  "Mar  4 10:00:00 mx1 postfix/submission/smtpd[100]: 1A2B3C4D5E: client=unknown[192.0.2.10], sasl_method=PLAIN, sasl_username=alice@example.com",
  "Mar  4 10:00:00 mx1 postfix/qmgr[102]: 1A2B3C4D5E: from=<alice@example.com>, size=1000, nrcpt=1 (queue active)",
];
const COPY_QUEUED = [
  "Mar  4 10:00:01 mx1 postfix/smtpd[110]: 2B3C4D5E6F: client=localhost[127.0.0.1]",
  "Mar  4 10:00:01 mx1 postfix/qmgr[102]: 2B3C4D5E6F: from=<alice@example.com>, size=1400, nrcpt=1 (queue active)",
];
const HOP =
  "Mar  4 10:00:01 mx1 postfix/smtp[103]: 1A2B3C4D5E: to=<bob@example.net>, relay=127.0.0.1[127.0.0.1]:10024, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 2.0.0 from MTA(smtp:[127.0.0.1]:10025): 250 2.0.0 Ok: queued as 2B3C4D5E6F)";
const COPY_SENT =
  "Mar  4 10:00:02 mx1 postfix/smtp[104]: 2B3C4D5E6F: to=<bob@example.net>, relay=mx.example.net[192.0.2.20]:25, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 2.0.0 Ok)";

describe("filter copies in the message count", () => {
  test("copy before the hop is no message", () => {
    const facts = analyse([...SUBMITTED, ...COPY_QUEUED, HOP, COPY_SENT]);

    expect(facts.server.messagesAccepted).toBe(1);
    expect(facts.server.hosts.get("mx1")?.messages).toBe(1);
    expect(facts.server.filterHops).toBe(1);
    expect(facts.server.missingFilterCopies).toBe(0);
  });

  test("copy after the hop is no message", () => {
    const facts = analyse([...SUBMITTED, HOP, ...COPY_QUEUED, COPY_SENT]);

    expect(facts.server.messagesAccepted).toBe(1);
    expect(facts.server.hosts.get("mx1")?.messages).toBe(1);
    expect(facts.server.filterHops).toBe(1);
    expect(facts.server.missingFilterCopies).toBe(0);
  });

  test("hops keep the message count", () => {
    const text = mixedLog();
    const plain = analyseText(text);
    const filtered = analyseText(withFilterHops(text));

    expect(plain.server.messagesAccepted).toBe(6);
    expect(filtered.server.messagesAccepted).toBe(plain.server.messagesAccepted);
  });

  test("copy never logged is counted missing", () => {
    const facts = analyse([...SUBMITTED, HOP]);
    const alice = facts.origins.accounts.get("alice@example.com");

    expect(facts.server.missingFilterCopies).toBe(1);
    expect(facts.server.messagesAccepted).toBe(1);
    expect(alice?.recipients).toBe(0);
  });
});

/** Runs classic Sendmail lines (year 2024) through the parser and the analysers. */
function analyseSendmail(lines: readonly string[]): LogFacts {
  const analyser = new LogAnalyser(createReplyClassifier());
  const { events } = runParser(createSendmailParser, lines, { year: 2024 });
  for (const event of events) analyser.handle(event);
  return analyser.finish();
}

const SUBMISSION_FROM =
  "Mar  4 10:27:16 mx1 sendmail[6005]: 21QBRGdX006005: from=root, size=30, class=0, nrcpts=3, msgid=<r1@mx1.example.com>, relay=root@localhost";

/**
 * The recipients of `mail -s` run by root that the MTA on 127.0.0.1 rejected, as the submission
 * program logs them after its SMTP session.
 */
const REJECTED_AT_HANDOFF = [
  "Mar  4 10:27:16 mx1 sendmail[6005]: 21QBRGdX006005: to=Weekly, ctladdr=root (0/0), delay=00:00:00, xdelay=00:00:00, mailer=relay, pri=180030, relay=[127.0.0.1] [127.0.0.1], dsn=5.1.1, stat=User unknown",
  "Mar  4 10:27:16 mx1 sendmail[6005]: 21QBRGdX006005: to=report, ctladdr=root (0/0), delay=00:00:00, xdelay=00:00:00, mailer=relay, pri=180030, relay=[127.0.0.1] [127.0.0.1], dsn=5.1.1, stat=User unknown",
];

describe("Sendmail hand-offs in the analysis", () => {
  test("hand-off bounces are local failures", () => {
    const facts = analyseSendmail([
      SUBMISSION_FROM,
      ...REJECTED_AT_HANDOFF,
      "Mar  4 10:27:16 mx1 sendmail[6005]: 21QBRGdX006005: to=ops@example.net, ctladdr=root (0/0), delay=00:00:00, xdelay=00:00:00, mailer=relay, pri=180030, relay=[127.0.0.1] [127.0.0.1], dsn=2.0.0, stat=Sent (Ok: queued as A3EF4405DD14)",
    ]);
    const root = facts.origins.localSources.get("uid 0");

    expect(facts.server.localDeliveryFailures.bounced).toBe(2);
    expect(facts.server.outboundFilterFailures.bounced).toBe(0);
    expect(facts.server.filterHops).toBe(1);
    // The rejected bare names are local users, so only ops@example.net is outbound.
    expect(root?.messages).toBe(1);
    expect(root?.recipients).toBe(1);
    expect(root?.bounced).toBe(0);
    expect(root?.sent).toBe(1);
  });

  test("hand-off to a local user is not outbound", () => {
    const facts = analyseSendmail([
      SUBMISSION_FROM,
      "Mar  4 10:27:16 mx1 sendmail[6005]: 21QBRGdX006005: to=root, ctladdr=root (0/0), delay=00:00:00, xdelay=00:00:00, mailer=relay, pri=180030, relay=[127.0.0.1] [127.0.0.1], dsn=2.0.0, stat=Sent (Ok: queued as B4F05516EE25)",
    ]);
    const root = facts.origins.localSources.get("uid 0");

    expect(facts.server.filterHops).toBe(1);
    expect(root?.messages).toBe(1);
    expect(root?.recipients).toBe(0);
    expect(root?.sent).toBe(0);
  });

  test("daemon copy counts accepted recipients once", () => {
    const facts = analyseSendmail([
      SUBMISSION_FROM,
      "Mar  4 10:27:16 mx1 sm-mta[6006]: 21QBRGdY006006: from=<root@mx1.example.com>, size=310, class=0, nrcpts=1, msgid=<r1@mx1.example.com>, proto=ESMTP, daemon=MTA, relay=localhost [127.0.0.1]",
      ...REJECTED_AT_HANDOFF,
      "Mar  4 10:27:16 mx1 sendmail[6005]: 21QBRGdX006005: to=ops@example.net, ctladdr=root (0/0), delay=00:00:00, xdelay=00:00:00, mailer=relay, pri=180030, relay=[127.0.0.1] [127.0.0.1], dsn=2.0.0, stat=Sent (21QBRGdY006006 Message accepted for delivery)",
      "Mar  4 10:27:17 mx1 sm-mta[6007]: 21QBRGdY006006: to=<ops@example.net>, ctladdr=<root@mx1.example.com> (0/0), delay=00:00:01, xdelay=00:00:01, mailer=esmtp, pri=120310, relay=mx.example.net. [192.0.2.20], dsn=2.0.0, stat=Sent (ok)",
    ]);
    const root = facts.origins.localSources.get("uid 0");

    expect(facts.server.localDeliveryFailures.bounced).toBe(2);
    // The accepted hand-off of ops@example.net is a hop to the local MTA, though linked.
    expect(facts.server.filterHops).toBe(1);
    expect(root?.messages).toBe(1);
    expect(root?.recipients).toBe(1);
    expect(root?.sent).toBe(1);
    expect(root?.bounced).toBe(0);
  });

  test("relay to the local MTA is a filter hop", () => {
    const analyser = new LogAnalyser(createReplyClassifier());
    const { events } = runParser(
      createSendmailParser,
      [
        "Mar  4 10:02:11 mx1 sm-mta[4411]: 424F2Bqx004411: from=<s@example.net>, size=2550, class=0, nrcpts=1, msgid=<a1@example.net>, proto=ESMTP, daemon=MTA, relay=mx.example.net [192.0.2.20]",
        "Mar  4 10:02:12 mx1 sm-mta[4412]: 424F2Bqx004411: to=<a@example.com>, delay=00:00:01, xdelay=00:00:01, mailer=relay, pri=122301, relay=[127.0.0.1] [127.0.0.1], dsn=2.0.0, stat=Sent (Ok: queued as 5E6F708192)",
      ],
      { year: 2024 },
    );
    for (const event of events) analyser.handle(event);
    const facts = analyser.finish();

    expect(facts.server.localDeliveries).toBe(0);
    expect(facts.server.filterHops).toBe(1);
  });
});

/**
 * Three `mail` submissions by root through the submission program, each handed to the daemon on
 * 127.0.0.1, which delivers two to local mailboxes and one to Gmail. With `handoffFirst`, each
 * hand-off line comes before the daemon's `from=` line, as lines of two processes logged in the
 * same second can.
 */
function rootSubmissions(handoffFirst: boolean): string[] {
  const lines: string[] = [];
  ["root", "alice", "bob@gmail.com"].forEach((recipient, index) => {
    const n = index + 1;
    const submission = `23AA0${n}aa00010${n}`;
    const daemon = `23AA0${n}bb00020${n}`;
    const from = `Mar  3 10:0${n}:00 mx sendmail[10${n}]: ${submission}: from=root, size=300, class=0, nrcpts=1, msgid=<m${n}@mx.example.com>, relay=root@localhost`;
    const handoff = `Mar  3 10:0${n}:00 mx sendmail[10${n}]: ${submission}: to=${recipient}, ctladdr=root (0/0), delay=00:00:00, xdelay=00:00:00, mailer=relay, pri=30300, relay=[127.0.0.1] [127.0.0.1], dsn=2.0.0, stat=Sent (${daemon} Message accepted for delivery)`;
    const daemonFrom = `Mar  3 10:0${n}:00 mx sendmail[20${n}]: ${daemon}: from=<root@mx.example.com>, size=500, class=0, nrcpts=1, msgid=<m${n}@mx.example.com>, proto=ESMTP, daemon=MTA, relay=localhost [127.0.0.1]`;
    const delivery = recipient.includes("@")
      ? `Mar  3 10:0${n}:01 mx sendmail[30${n}]: ${daemon}: to=<${recipient}>, ctladdr=<root@mx.example.com> (0/0), delay=00:00:01, xdelay=00:00:01, mailer=esmtp, pri=120500, relay=gmail-smtp-in.l.google.com. [192.0.2.27], dsn=2.0.0, stat=Sent (OK 1700000000 x - gsmtp)`
      : `Mar  3 10:0${n}:01 mx sendmail[30${n}]: ${daemon}: to=<${recipient}@mx.example.com>, ctladdr=<root@mx.example.com> (0/0), delay=00:00:01, xdelay=00:00:00, mailer=local, pri=30500, dsn=2.0.0, stat=Sent`;
    lines.push(from, ...(handoffFirst ? [handoff, daemonFrom] : [daemonFrom, handoff]), delivery);
  });
  return lines;
}

describe("Sendmail hand-off order", () => {
  test.each([
    ["daemon line first", false],
    ["hand-off line first", true],
  ])("%s counts each message once", (_name, handoffFirst) => {
    const facts = analyseSendmail(rootSubmissions(handoffFirst));
    const root = facts.origins.localSources.get("uid 0");

    expect(facts.server.messagesAccepted).toBe(3);
    expect(facts.server.localDeliveries).toBe(2);
    expect(facts.server.filterHops).toBe(3);
    expect(facts.origins.localSources.size).toBe(1);
    expect(root?.messages).toBe(3);
    expect(root?.recipients).toBe(1);
    expect(root?.sent).toBe(1);
  });
});
