import { expect, test } from "vitest";
import type { Diagnosis } from "../../src/diagnose/types.js";
import { OFFLINE_DIAGNOSE, runCommand } from "../helpers/cli.js";
import { temporaryFiles } from "../helpers/temporary-files.js";

const temporary = temporaryFiles();

const ID = "1rhA01-000Abc-1x";
const RATE_LIMITED =
  "SMTP error from remote mail server after RCPT TO:<bob@gmail.com>: 421-4.7.28 Our system has detected an unusual rate of unsolicited mail originating from your IP address. - gsmtp";

/** Writes an Exim log of one message to Gmail: two deferrals, then `lastLine`. */
function eximLog(lastLine: string): string {
  return [
    `2024-03-04 09:00:00 ${ID} <= alice@example.com H=client.example.com [198.51.100.10] P=esmtpsa A=dovecot_plain:alice@example.com S=2000 id=a1@example.com`,
    `2024-03-04 09:00:01 ${ID} == bob@gmail.com R=dnslookup T=remote_smtp defer (-44) H=gmail-smtp-in.l.google.com [192.0.2.27]: ${RATE_LIMITED}`,
    `2024-03-04 10:00:01 ${ID} == bob@gmail.com R=dnslookup T=remote_smtp defer (-44) H=gmail-smtp-in.l.google.com [192.0.2.27]: ${RATE_LIMITED}`,
    `2024-03-08 10:00:01 ${ID} ${lastLine}`,
    `2024-03-08 10:00:01 ${ID} Completed`,
    "",
  ].join("\n");
}

async function gmailOf(log: string): Promise<NonNullable<Diagnosis["providers"]["gmail"]>> {
  const result = await runCommand([...OFFLINE_DIAGNOSE, "--format", "json", temporary.file(log)]);
  const gmail = (JSON.parse(result.stdout) as Diagnosis).providers.gmail;
  if (gmail === undefined) throw new Error(`no gmail verdict in: ${result.stdout}`);
  return gmail;
}

test("retry timeout alone is no attempt", async () => {
  const gmail = await gmailOf(
    eximLog("** bob@gmail.com R=dnslookup T=remote_smtp : retry timeout exceeded"),
  );

  expect(gmail.attempts).toBe(2);
  expect(gmail.expired).toBe(1);
  expect(gmail.unacceptedAttempts?.last).toBe("2024-03-04T10:00:01Z");
});

test("retry timeout after a reply counts", async () => {
  const gmail = await gmailOf(
    eximLog(
      `** bob@gmail.com R=dnslookup T=remote_smtp H=gmail-smtp-in.l.google.com [192.0.2.27]: ${RATE_LIMITED}: retry timeout exceeded`,
    ),
  );

  expect(gmail.attempts).toBe(3);
  expect(gmail.expired).toBe(1);
  expect(gmail.bounced).toBe(0);
  expect(gmail.unacceptedAttempts?.last).toBe("2024-03-08T10:00:01Z");
});

test("Exim 4 give-up line without a transport", async () => {
  const gmail = await gmailOf(eximLog("** bob@gmail.com: retry timeout exceeded"));

  expect(gmail.attempts).toBe(2);
  expect(gmail.expired).toBe(1);
  expect(gmail.unacceptedAttempts?.last).toBe("2024-03-04T10:00:01Z");
});

test("older Exim give-up text is no attempt", async () => {
  const gmail = await gmailOf(
    eximLog(
      "** bob@gmail.com R=dnslookup T=remote_smtp: retry time not reached for any host after a long failure period",
    ),
  );

  expect(gmail.attempts).toBe(2);
  expect(gmail.expired).toBe(1);
  expect(gmail.bounced).toBe(0);
});

test("give-up line alone keeps its provider", async () => {
  const log = [
    `2024-03-08 10:00:01 ${ID} ** bob@gmail.com R=dnslookup T=remote_smtp: retry timeout exceeded`,
    `2024-03-08 10:00:01 ${ID} Completed`,
    "",
  ].join("\n");
  const result = await runCommand([...OFFLINE_DIAGNOSE, "--format", "json", temporary.file(log)]);
  const diagnosis = JSON.parse(result.stdout) as Diagnosis;
  const healthy = diagnosis.findings.find((finding) => finding.id === "healthy");

  expect(diagnosis.providers.gmail?.attempts).toBe(0);
  expect(diagnosis.providers.gmail?.expired).toBe(1);
  expect(healthy?.evidence).toMatchObject({ remoteAttempts: 0 });
});

test("expired-only row names the expiry", async () => {
  // The row of zeros is shown for its expired recipient, which no table column counts.
  const log = temporary.file(
    [
      `2024-03-08 10:00:01 ${ID} ** bob@example.org R=dnslookup T=remote_smtp: retry timeout exceeded`,
      `2024-03-08 10:00:01 ${ID} Completed`,
      "",
    ].join("\n"),
  );
  const text = await runCommand([...OFFLINE_DIAGNOSE, log]);
  const markdown = await runCommand([...OFFLINE_DIAGNOSE, "--format", "markdown", log]);
  const sentence = "1 recipient expired in the queue after its retries ran out.";

  expect(text.stdout).toMatch(/other receivers +ok +0 +0 +0 +0\n/);
  expect(text.stdout).toContain(`    ${sentence}`);
  expect(markdown.stdout).toContain(`other receivers: ${sentence}`);
});
