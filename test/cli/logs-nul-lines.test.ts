import { gzipSync } from "node:zlib";
import { describe, expect, test } from "vitest";
import { OFFLINE_DIAGNOSE, runCommand } from "../helpers/cli.js";
import { HOUR, PostfixLog, T0 } from "../helpers/postfix-fixture.js";
import { temporaryFiles } from "../helpers/temporary-files.js";

const temporary = temporaryFiles();

// Four hours of mail, with a record cut short by 100,000 NULs after the second hour.
function crashedLog(): Buffer {
  const log = new PostfixLog();
  for (let hour = 0; hour < 4; hour++) {
    log.submit({
      time: T0 + hour * HOUR,
      account: "alice@example.com",
      clientIp: "192.0.2.10",
      recipients: [{ address: `friend${hour}@example.net` }],
    });
  }
  const clean = Buffer.from(log.text(), "latin1");
  const middle = clean.indexOf("\n", clean.length / 2) + 1;
  return Buffer.concat([
    clean.subarray(0, middle),
    Buffer.from("Mar  4 02:00:00 mail postf", "latin1"),
    Buffer.alloc(100_000, 0),
    clean.subarray(middle),
  ]);
}

describe("delist logs with NUL bytes", () => {
  test("text names the lines with NULs", async () => {
    const result = await runCommand(["logs", "--timezone", "UTC", temporary.file(crashedLog())]);

    expect(result.code).toBe(0);
    const text = result.stdout.replace(/\n/g, " ");
    expect(text).toContain("1 line contains NUL bytes");
    expect(text).toContain("1 record was cut short by a run of NULs and not read.");
    expect(text).toContain("so the cut record is not in the line or skipped counts.");
    expect(text).not.toContain("NULs and skipped");
    expect(text).not.toContain("longer than 64 KiB; only");
  });

  test("text has no NUL line without NULs", async () => {
    const clean = Buffer.from(crashedLog().filter((byte) => byte !== 0));
    const result = await runCommand(["logs", "--timezone", "UTC", temporary.file(clean)]);

    expect(result.code).toBe(0);
    expect(result.stdout).not.toContain("NUL");
  });

  test("JSON counts the line with NULs", async () => {
    const path = temporary.file(crashedLog());
    const result = await runCommand(["logs", "--timezone", "UTC", "-f", "json", path]);
    const input = (JSON.parse(result.stdout) as { input: Record<string, unknown> }).input;

    expect(input["withNul"]).toBe(1);
    expect(input["nulCutRecords"]).toBe(1);
    expect(input["overlong"]).toBe(0);
  });

  test("cut record keeps line counts whole", async () => {
    const path = temporary.file(crashedLog());
    const result = await runCommand(["logs", "--timezone", "UTC", "-f", "json", path]);
    const input = (JSON.parse(result.stdout) as { input: Record<string, number> }).input;
    const accounted =
      (input["parsed"] ?? 0) +
      (input["ignored"] ?? 0) +
      (input["blank"] ?? 0) +
      (input["unparsed"] ?? 0) +
      (input["unrecognised"] ?? 0);

    expect(input["nulCutRecords"]).toBe(1);
    expect(input["unparsed"]).toBe(0);
    expect(input["unrecognised"]).toBe(0);
    expect(accounted).toBe(input["lines"]);
  });
});

const GMAIL_DEFERRAL =
  "dsn=4.7.28, status=deferred (host gmail-smtp-in.l.google.com[192.0.2.201] said: 421-4.7.28 [192.0.2.10 15] Gmail has detected an unusual rate of unsolicited mail. (in reply to end of DATA command))";

/** Two Postfix deferrals by Gmail, the second with a NUL byte inside the recipient's domain. */
const POSTFIX_DAMAGED_RECIPIENT = [
  `Mar 11 02:00:02 mx1 postfix/smtp[3001]: 00001A0001: to=<u1a@gmail.com>, relay=gmail-smtp-in.l.google.com[192.0.2.201]:25, delay=1.1, delays=0.1/0/0.5/0.5, ${GMAIL_DEFERRAL}`,
  `Mar 11 02:00:03 mx1 postfix/smtp[3001]: 00001A0002: to=<u1b@gm\u0000ail.com>, relay=gmail-smtp-in.l.google.com[192.0.2.201]:25, delay=1.1, delays=0.1/0/0.5/0.5, ${GMAIL_DEFERRAL}`,
].join("\n");

/** Two Sendmail deferrals by Gmail, the first line with a NUL byte inside its second address. */
const SENDMAIL_DAMAGED_RECIPIENT = [
  "Mar 11 02:00:01 mx1 sm-mta[3120]: 424EF3Ab003120: from=<alice@example.com>, size=4312, class=0, nrcpts=2, msgid=<1@example.com>, proto=ESMTP, daemon=MTA, relay=localhost [127.0.0.1]",
  "Mar 11 02:00:02 mx1 sm-mta[3122]: 424EF3Ab003120: to=<u1a@gmail.com>,<u1b@gm\u0000ail.com>, delay=00:00:02, xdelay=00:00:02, mailer=esmtp, pri=151312, relay=gmail-smtp-in.l.google.com. [192.0.2.27], dsn=4.7.28, stat=Deferred: 421-4.7.28 [192.0.2.10      15] Gmail has detected an unusual rate of unsolicited mail",
  "Mar 11 02:00:03 mx1 sm-mta[3122]: 424EF3Ab003121: to=<u2a@gmail.com>, delay=00:00:02, xdelay=00:00:02, mailer=esmtp, pri=151312, relay=gmail-smtp-in.l.google.com. [192.0.2.27], dsn=4.7.28, stat=Deferred: 421-4.7.28 [192.0.2.10      15] Gmail has detected an unusual rate of unsolicited mail",
].join("\n");

/** Two Exim deferrals by Gmail, the second with a NUL byte inside the recipient's domain. */
const EXIM_DAMAGED_RECIPIENT = ["u1a@gmail.com", "u1b@gm\u0000ail.com"]
  .map(
    (address, index) =>
      `2026-03-11 02:00:0${index + 2} 1tb1Ab-00007${index}-bx == ${address} R=dnslookup T=remote_smtp defer (-46) H=gmail-smtp-in.l.google.com [192.0.2.201]: SMTP error from remote mail server after end of data: 421-4.7.28 [192.0.2.10 15] Gmail has detected an unusual rate of unsolicited mail.`,
  )
  .join("\n");

interface LogsJson {
  input: { unparsed: number; skippedSamples: Array<{ line: number; text: string }> };
  providers: Record<string, unknown>;
}

describe("NUL bytes inside a recipient address", () => {
  const cases = [
    { mta: "Postfix", log: POSTFIX_DAMAGED_RECIPIENT, damagedLine: 2 },
    { mta: "Sendmail", log: SENDMAIL_DAMAGED_RECIPIENT, damagedLine: 2 },
    { mta: "Exim", log: EXIM_DAMAGED_RECIPIENT, damagedLine: 2 },
  ];
  for (const { mta, log, damagedLine } of cases) {
    test(`${mta} line counts as unparsed`, async () => {
      const path = temporary.file(Buffer.from(`${log}\n`, "latin1"));
      const result = await runCommand([
        "logs",
        "--timezone",
        "UTC",
        "--year",
        "2026",
        "-f",
        "json",
        path,
      ]);
      const report = JSON.parse(result.stdout) as LogsJson;

      expect(result.code).toBe(0);
      // The damaged address would otherwise count as a domain of another provider.
      expect(Object.keys(report.providers)).toEqual(["gmail"]);
      expect(report.input.unparsed).toBe(1);
      expect(report.input.skippedSamples[0]?.line).toBe(damagedLine);
      expect(report.input.skippedSamples[0]?.text).toContain("gm\\x00ail.com");
    });
  }
});

describe("input of only NUL bytes", () => {
  // 10 MB of NULs without a line end, like a file that was preallocated and never written.
  const nulGzip = (): string => temporary.file(gzipSync(Buffer.alloc(10_000_000)), "mail.log.gz");

  test("diagnose calls it binary", async () => {
    const path = nulGzip();
    const result = await runCommand([...OFFLINE_DIAGNOSE, path]);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${path} looks like a binary file, not a text log.`);
    expect(result.stderr).not.toContain("blank");
  });

  test("logs note names the NUL bytes", async () => {
    const folder = temporary.folder({
      "mail.log": crashedLog(),
      "mail.log.1.gz": gzipSync(Buffer.alloc(10_000_000)),
    });
    const result = await runCommand(["logs", "--timezone", "UTC", folder]);
    const text = result.stdout.replace(/\s+/g, " ");

    expect(result.code).toBe(0);
    expect(text).toContain(
      "mail.log.1.gz looks like a binary file, not a text log (it contains only NUL bytes), so its lines were not counted as log lines.",
    );
    expect(text).not.toMatch(/ [1-9]\d* blank/);
  });

  test("logs JSON counts no lines", async () => {
    const result = await runCommand(["logs", "-f", "json", "--timezone", "UTC", nulGzip()]);
    const document = JSON.parse(result.stdout) as { error: { messages: string[] } };
    const messages = document.error.messages.join(" ");

    expect(result.code).toBe(2);
    expect(messages).toContain("looks like a binary file");
    expect(messages).not.toContain("1 blank");
  });
});
