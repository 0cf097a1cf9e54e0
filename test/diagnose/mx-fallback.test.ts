import { describe, expect, test } from "vitest";
import type { Diagnosis } from "../../src/diagnose/types.js";
import { diagnoseText } from "../helpers/diagnose-text.js";

const OK = "250 2.0.0 OK 1740990000 x1si1 - gsmtp";
const GREETING = "421 4.7.0 Try again later, closing connection. x3si3 - gsmtp";

/** Gmail's first MX rejects the session at its greeting, and alt1 accepts the message. */
const EXIM = [
  "2025-03-03 11:00:00 1tA002-000003-AA <= alice@example.com H=(laptop) [192.0.2.10]:50001 P=esmtpsa A=dovecot_login:alice@example.com S=1234 id=e2@example.com for erin@gmail.com hank@example.org",
  `2025-03-03 11:00:01 1tA002-000003-AA H=gmail-smtp-in.l.google.com [192.0.2.27]: SMTP error from remote mail server after initial connection: ${GREETING}`,
  `2025-03-03 11:00:02 1tA002-000003-AA => erin@gmail.com R=dnslookup T=remote_smtp H=alt1.gmail-smtp-in.l.google.com [192.0.2.28] C="${OK}"`,
  '2025-03-03 11:00:05 1tA002-000003-AA => hank@example.org R=dnslookup T=remote_smtp H=mx.example.org [198.51.100.20] C="250 2.0.0 Ok: queued as ABC"',
  "2025-03-03 11:00:05 1tA002-000003-AA Completed",
];

/** Builds the same fallback in Postfix, with the first MX's rejection in `rejection`. */
function postfixLog(rejection: string): string[] {
  return [
    "Mar  3 11:00:00 mx postfix/submission/smtpd[100]: A1B2C3D4E5: client=laptop.example.com[192.0.2.10], sasl_method=PLAIN, sasl_username=alice@example.com",
    "Mar  3 11:00:00 mx postfix/cleanup[101]: A1B2C3D4E5: message-id=<p2@example.com>",
    "Mar  3 11:00:00 mx postfix/qmgr[102]: A1B2C3D4E5: from=<alice@example.com>, size=1234, nrcpt=1 (queue active)",
    `Mar  3 11:00:01 mx postfix/smtp[103]: A1B2C3D4E5: host gmail-smtp-in.l.google.com[192.0.2.27] ${rejection}`,
    `Mar  3 11:00:02 mx postfix/smtp[103]: A1B2C3D4E5: to=<erin@gmail.com>, relay=alt1.gmail-smtp-in.l.google.com[192.0.2.28]:25, delay=2, delays=0/0/1/1, dsn=2.0.0, status=sent (${OK})`,
    "Mar  3 11:00:02 mx postfix/qmgr[102]: A1B2C3D4E5: removed",
  ];
}

const POSTFIX_REJECTIONS = {
  greeting: `refused to talk to me: ${GREETING}`,
  "MAIL FROM": `said: ${GREETING} (in reply to MAIL FROM command)`,
};

function diagnose(lines: readonly string[]): Promise<Diagnosis> {
  return diagnoseText(lines.join("\n") + "\n", { year: 2025 });
}

function checkFallback(diagnosis: Diagnosis): void {
  const gmail = diagnosis.providers.gmail;
  const finding = diagnosis.findings.find((f) => f.id === "rate-limited");

  expect(gmail?.sent).toBe(1);
  expect(gmail?.acceptedSinceLastBlock).toBe(1);
  expect(gmail?.unacceptedAttempts).toBeNull();
  expect(diagnosis.verdict.summary).toContain("has accepted 1 delivery since");
  expect(diagnosis.verdict.summary).not.toContain("still going on");
  expect(finding?.summary).not.toContain("not lost yet");
}

describe("MX fallback after a rejection", () => {
  test("Exim counts the next MX's acceptance", async () => {
    checkFallback(await diagnose(EXIM));
  });

  test.each(Object.entries(POSTFIX_REJECTIONS))(
    "Postfix, rejected at %s",
    async (_name, rejection) => {
      checkFallback(await diagnose(postfixLog(rejection)));
    },
  );

  test("Exim and Postfix agree", async () => {
    const exim = (await diagnose(EXIM)).providers.gmail;
    const postfix = (await diagnose(postfixLog(POSTFIX_REJECTIONS.greeting))).providers.gmail;

    expect(exim?.status).toBe(postfix?.status);
    expect(exim?.ongoing).toBe(postfix?.ongoing);
    expect(exim?.acceptedSinceLastBlock).toBe(postfix?.acceptedSinceLastBlock);
    expect(exim?.firstBlock?.replyCode).toBe(postfix?.firstBlock?.replyCode);
  });
});
