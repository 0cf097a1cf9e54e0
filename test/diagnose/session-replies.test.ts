import { join } from "node:path";
import { describe, expect, test } from "vitest";
import type {
  ProviderReplyEvidence,
  ReplyFindingEvidence,
} from "../../src/diagnose/findings/replies.js";
import type { Diagnosis, ProviderVerdict } from "../../src/diagnose/types.js";
import { painter } from "../../src/report/colour.js";
import { renderDiagnosisText } from "../../src/report/text.js";
import { corpusPath, corpusRoot } from "../helpers/corpus.js";
import { diagnoseFiles, diagnoseText } from "../helpers/diagnose-text.js";

const MX = "gmail-smtp-in.l.google.com [192.0.2.201]";
const RATE_LIMIT =
  "SMTP error from remote mail server after pipelined end of data: 421-4.7.28 [192.0.2.10      15] Gmail has detected an unusual rate of unsolicited mail originating\\n421-4.7.28 from your IP address. To protect our users from spam, mail sent from\\n421 4.7.28 your IP address has been temporarily rate limited. a1si2 - gsmtp";
const GREETING =
  "SMTP error from remote mail server after initial connection: 421 4.7.0 Try again later, closing connection. (EHLO) a1si2 - gsmtp";

/** Builds the lines of Exim message `index` (1 to 9), sent at `minute` past 02:00. */
function eximMessage(index: number, minute: number, deliveryLines: string[]): string[] {
  const id = `1tb1A${index}-0000${index}0-bx`;
  const stamp = `2026-03-11 02:${String(minute).padStart(2, "0")}`;
  return [
    `${stamp}:00 ${id} <= alice@example.com H=(laptop) [198.51.100.7]:51234 P=esmtpsa A=dovecot_plain:alice@example.com S=4312 for a${index}@gmail.com b${index}@gmail.com`,
    ...deliveryLines.map((line) => `${stamp}:02 ${id} ${line}`),
  ];
}

/** Builds a host line and one `==` line per address with its reply, as Exim logs a deferral. */
function deferredTwice(index: number): string[] {
  return [
    `H=${MX}: ${RATE_LIMIT}`,
    `== a${index}@gmail.com R=dnslookup T=remote_smtp defer (-46) H=${MX}: ${RATE_LIMIT}`,
    `== b${index}@gmail.com R=dnslookup T=remote_smtp defer (-46) H=${MX}: ${RATE_LIMIT}`,
  ];
}

function gmailOf(diagnosis: Diagnosis): ProviderVerdict {
  const gmail = diagnosis.providers.gmail;
  if (gmail === undefined) throw new Error("no Gmail verdict in the diagnosis");
  return gmail;
}

function rateLimited(diagnosis: Diagnosis): ReplyFindingEvidence {
  const found = diagnosis.findings.find((finding) => finding.id === "rate-limited");
  if (found === undefined) throw new Error("no rate-limited finding in the diagnosis");
  return found.evidence as unknown as ReplyFindingEvidence;
}

function gmailReplies(evidence: ReplyFindingEvidence): ProviderReplyEvidence {
  const gmail = evidence.providers.gmail;
  if (gmail === undefined) throw new Error("no Gmail replies in the rate-limited finding");
  return gmail;
}

/** Renders the text report with its line breaks and indents joined into single spaces. */
function flatText(diagnosis: Diagnosis): string {
  return renderDiagnosisText(diagnosis, painter(false)).replace(/\s+/g, " ");
}

function earliestLine(evidence: Pick<ReplyFindingEvidence, "first" | "firstSession">): number {
  const replies = [evidence.first, evidence.firstSession].filter((reply) => reply !== null);
  replies.sort((a, b) => Date.parse(a.time) - Date.parse(b.time) || a.line - b.line);
  return replies[0]?.line ?? 0;
}

describe("replies counted once", () => {
  test("Exim host line and address lines", async () => {
    const lines = [
      ...eximMessage(1, 0, deferredTwice(1)),
      ...eximMessage(2, 15, deferredTwice(2)),
      ...eximMessage(3, 30, deferredTwice(3)),
    ];
    const diagnosis = await diagnoseText(lines.join("\n") + "\n");
    const gmail = gmailOf(diagnosis);
    const evidence = rateLimited(diagnosis);

    expect(gmail.deferred).toBe(6);
    expect(gmail.firstBlock?.line).toBe(3);
    expect(evidence.count).toBe(6);
    expect(evidence.sessionCount).toBe(0);
    expect(evidence.first?.line).toBe(3);
    expect(evidence.firstSession).toBeNull();
    expect(flatText(diagnosis)).toContain("6 deferrals since 2026-03-11 02:00:02.");
    expect(flatText(diagnosis)).toContain("Gmail: 6 replies (421 4.7.28 ×6)");
  });

  test("Exim greeting refusal stays a session reply", async () => {
    const rejectedAtGreeting = (index: number): string[] => [
      `H=${MX}: ${GREETING}`,
      `=> a${index}@gmail.com R=dnslookup T=remote_smtp H=alt1.gmail-smtp-in.l.google.com [192.0.2.202] C="250 2.0.0 OK a1si2 - gsmtp"`,
      `-> b${index}@gmail.com R=dnslookup T=remote_smtp H=alt1.gmail-smtp-in.l.google.com [192.0.2.202] C="250 2.0.0 OK a1si2 - gsmtp"`,
      "Completed",
    ];
    const lines = [
      ...eximMessage(1, 0, rejectedAtGreeting(1)),
      ...eximMessage(2, 15, deferredTwice(2)),
    ];
    const diagnosis = await diagnoseText(lines.join("\n") + "\n");
    const gmail = gmailOf(diagnosis);
    const replies = gmailReplies(rateLimited(diagnosis));

    expect(gmail.sent).toBe(2);
    expect(gmail.deferred).toBe(2);
    expect(gmail.firstBlock?.line).toBe(2);
    expect(replies.count).toBe(2);
    expect(replies.sessionCount).toBe(1);
    expect(replies.firstSession?.line).toBe(2);
    expect(replies.first?.line).toBe(8);
    expect(flatText(diagnosis)).toContain(
      "Gmail: 2 replies to recipients and 1 to a whole session (421 4.7.28 ×2, 421 4.7.0 ×1), first 2026-03-11 02:00:02",
    );
  });

  test("Postfix session reply, then the next MX", async () => {
    const stamp = (second: number): string => `2026-03-11T02:00:0${second}.000000+00:00 mail`;
    const deferral =
      "421-4.7.28 [192.0.2.10      15] Gmail has detected an unusual rate of unsolicited mail originating 421-4.7.28 from your IP address. To protect our users from spam, mail sent from 421 4.7.28 your IP address has been temporarily rate limited. a1si2 - gsmtp (in reply to end of DATA command)";
    const lines = [
      `${stamp(0)} postfix/submission/smtpd[100]: 4A1B2C3D4E: client=unknown[198.51.100.7], sasl_method=PLAIN, sasl_username=alice@example.com`,
      `${stamp(0)} postfix/cleanup[101]: 4A1B2C3D4E: message-id=<a1@example.com>`,
      `${stamp(0)} postfix/qmgr[102]: 4A1B2C3D4E: from=<alice@example.com>, size=2000, nrcpt=2 (queue active)`,
      `${stamp(1)} postfix/smtp[103]: 4A1B2C3D4E: host gmail-smtp-in.l.google.com[192.0.2.201] said: 421 4.7.0 Try again later, closing connection. (EHLO) a1si2 - gsmtp (in reply to EHLO command)`,
      `${stamp(2)} postfix/smtp[103]: 4A1B2C3D4E: to=<a1@gmail.com>, relay=alt1.gmail-smtp-in.l.google.com[192.0.2.202]:25, delay=2, delays=0.1/0/1/0.9, dsn=4.7.28, status=deferred (host alt1.gmail-smtp-in.l.google.com[192.0.2.202] said: ${deferral})`,
      `${stamp(2)} postfix/smtp[103]: 4A1B2C3D4E: to=<b1@gmail.com>, relay=alt1.gmail-smtp-in.l.google.com[192.0.2.202]:25, delay=2, delays=0.1/0/1/0.9, dsn=4.7.28, status=deferred (host alt1.gmail-smtp-in.l.google.com[192.0.2.202] said: ${deferral})`,
    ];
    const diagnosis = await diagnoseText(lines.join("\n") + "\n");
    const gmail = gmailOf(diagnosis);
    const evidence = rateLimited(diagnosis);

    // Postfix's smtp_trouble.c logs a soft error on a line of its own only for a host before the
    // last one, and tries the next host, so no to= line repeats it.
    expect(gmail.deferred).toBe(2);
    expect(gmail.firstBlock?.line).toBe(4);
    expect(evidence.count).toBe(2);
    expect(evidence.sessionCount).toBe(1);
    expect(earliestLine(evidence)).toBe(4);
    expect(flatText(diagnosis)).toContain("3 deferrals since 2026-03-11 02:00:01.");
    expect(flatText(diagnosis)).toContain(
      "Of these, 1 reply answered a whole session without naming a recipient.",
    );
  });
});

const root = corpusRoot();

describe.skipIf(root === null)("replies in scenario 05", () => {
  test("finding agrees with the Gmail row", async () => {
    const log = join(corpusPath(root ?? "", "logs", "scenarios"), "05-new-ip-warmup-postfix.log");
    const diagnosis = await diagnoseFiles([log], { year: 2025 });
    const gmail = gmailOf(diagnosis);
    const replies = gmailReplies(rateLimited(diagnosis));

    // Line 1853 is the first MX's `421 4.7.0 … (EHLO)`, and the next MX defers with 4.7.28.
    expect(gmail.firstBlock?.line).toBe(1853);
    expect(earliestLine(replies)).toBe(1853);
    expect(gmail.blockedAttempts).toBe(1417);
    expect(replies.count).toBe(1417);
    expect(replies.sessionCount).toBe(108);
    expect(flatText(diagnosis)).toContain(
      "Gmail: 1,417 replies to recipients and 108 to whole sessions (421 4.7.28 ×1,417, 421 4.7.0 ×108), first 2025-10-07 09:38:51",
    );
  });
});
