import { beforeAll, describe, expect, test } from "vitest";
import type { Diagnosis } from "../../src/diagnose/types.js";
import { painter } from "../../src/report/colour.js";
import { renderDiagnosisMarkdown } from "../../src/report/markdown.js";
import { renderDiagnosisText } from "../../src/report/text.js";
import { diagnoseText } from "../helpers/diagnose-text.js";
import {
  GMAIL_RATE_LIMIT,
  HOUR,
  PostfixLog,
  T0,
  type Outcome,
} from "../helpers/postfix-fixture.js";

const MINUTE = 60_000;

/** Gmail's deferral of a message that was not sent over TLS. */
const GMAIL_TLS: Outcome = {
  status: "deferred",
  dsn: "4.7.29",
  reply:
    "421-4.7.29 Your email has been rate limited because this message wasn't sent over a 421-4.7.29 TLS connection. Gmail requires all bulk email senders to use TLS/SSL for 421 4.7.29 SMTP connections. a1si2 - gsmtp",
};

/** A small receiver's rejection of a session without STARTTLS. */
const STARTTLS_REQUIRED: Outcome = {
  status: "bounced",
  dsn: "5.7.0",
  reply: "530 5.7.0 Must issue a STARTTLS command first",
};

/**
 * Builds a day of delivered mail, then 12 messages to Gmail from 2024-03-05 00:00 with the
 * outcome `gmail`, and, with `partner`, 12 to example.net rejected for lack of STARTTLS.
 */
function deferredLog(gmail: Outcome, partner: boolean): string {
  const log = new PostfixLog("mail");
  log.submitHourly();
  for (let index = 0; index < 12; index++) {
    const time = T0 + 24 * HOUR + index * 5 * MINUTE;
    const recipients = [{ address: `reader${index}@gmail.com`, outcome: gmail }];
    if (partner) {
      recipients.push({ address: `buyer${index}@example.net`, outcome: STARTTLS_REQUIRED });
    }
    log.submit({ time, account: "alice@example.com", clientIp: "198.51.100.10", recipients });
  }
  return log.text();
}

function verdictLine(diagnosis: Diagnosis): string | undefined {
  return renderDiagnosisText(diagnosis, painter(false))
    .split("\n")
    .find((line) => line.startsWith("Verdict:"));
}

describe("verdict of configuration faults", () => {
  let tls: Diagnosis;
  let tlsAndPartner: Diagnosis;
  let spam: Diagnosis;

  beforeAll(async () => {
    tls = await diagnoseText(deferredLog(GMAIL_TLS, false));
    tlsAndPartner = await diagnoseText(deferredLog(GMAIL_TLS, true));
    spam = await diagnoseText(deferredLog(GMAIL_RATE_LIMIT, false));
  });

  test("TLS deferrals name the fault", () => {
    expect(tls.verdict.status).toBe("rate-limited");
    expect(verdictLine(tls)).toBe("Verdict: DEFERRED, OUTGOING TLS IS OFF");
    expect(renderDiagnosisMarkdown(tls)).toContain("**Verdict: deferred, outgoing TLS is off.**");
  });

  test("spam deferrals stay rate-limited", () => {
    expect(verdictLine(spam)).toBe("Verdict: RATE-LIMITED");
  });

  test("TLS title says defer for 4xx", () => {
    const finding = tls.findings.find((f) => f.id === "tls-required");

    expect(finding?.title).toBe("Gmail defers mail sent without TLS");
  });

  test("TLS title splits reject and defer", () => {
    const finding = tlsAndPartner.findings.find((f) => f.id === "tls-required");

    expect(verdictLine(tlsAndPartner)).toBe("Verdict: DEFERRED, OUTGOING TLS IS OFF");
    expect(finding?.title).toBe(
      "Other receivers reject mail sent without TLS, and Gmail defers it",
    );
  });
});

describe("first defer and rejection labels", () => {
  let diagnosis: Diagnosis;

  beforeAll(async () => {
    diagnosis = await diagnoseText(deferredLog(GMAIL_RATE_LIMIT, false));
  });

  test("text and Markdown name a deferral", () => {
    const text = renderDiagnosisText(diagnosis, painter(false));
    const markdown = renderDiagnosisMarkdown(diagnosis);
    const row = markdown.split("\n").find((line) => line.startsWith("| Gmail |"));

    expect(diagnosis.providers.gmail?.firstBlock?.permanent).toBe(false);
    expect(text).toMatch(/^ {4}first defer 2024-03-05 00:00:01 421 4\.7\.28: /m);
    expect(text).not.toContain("first block");
    expect(markdown).toContain("| first defer or rejection |");
    expect(row).toContain("| First defer 2024-03-05 00:00:01 `421 4.7.28`");
  });
});
