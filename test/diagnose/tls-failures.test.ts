import { describe, expect, test } from "vitest";
import type { TlsFailureEvidence } from "../../src/diagnose/findings/tls-failures.js";
import type { Diagnosis, Finding } from "../../src/diagnose/types.js";
import { OFFLINE_DIAGNOSE, runCommand } from "../helpers/cli.js";
import { diagnoseText } from "../helpers/diagnose-text.js";
import { schemaValidator } from "../helpers/schema.js";
import { temporaryFiles } from "../helpers/temporary-files.js";

const temporary = temporaryFiles();
const validateDiagnosis = schemaValidator("diagnose.schema.json");

const GMAIL_MX = "gmail-smtp-in.l.google.com [192.0.2.201]";
const EXIM_VERIFY_FAILED =
  "TLS session: (SSL_connect): error:0A000086:SSL routines::certificate verify failed";

/**
 * What happened to one message: delivered, failed on the MTA's own TLS, or bounced by Gmail
 * because it was sent without STARTTLS.
 */
type Result = "sent" | "tls" | "starttls";

/** Returns `count` results of one kind. */
function repeat(result: Result, count: number): Result[] {
  return Array.from({ length: count }, () => result);
}

/** Returns the time `minute` minutes after 08:00 on 5 March 2024, as `HH:MM:SS`. */
function clock(minute: number): string {
  return new Date(Date.UTC(2024, 2, 5, 8, minute, 0)).toISOString().slice(11, 19);
}

/** Builds an Exim main log of one message to `domain` every 10 minutes, one per result. */
function eximLog(
  results: readonly Result[],
  reason = EXIM_VERIFY_FAILED,
  domain = "gmail.com",
): string {
  const lines = results.flatMap((result, index) => {
    const stamp = `2024-03-05 ${clock(index * 10)}`;
    const id = `1rhT${String(index).padStart(2, "0")}-000000-AB`;
    const recipient = `pal${index}@${domain}`;
    const host = domain === "gmail.com" ? GMAIL_MX : `mx.${domain} [192.0.2.50]`;
    const arrival = `${stamp} ${id} <= app@example.com U=app P=local S=1000 for ${recipient}`;
    if (result === "sent") {
      return [
        arrival,
        `${stamp} ${id} => ${recipient} R=dnslookup T=remote_smtp H=${host} X=TLS1.3:TLS_AES_256_GCM_SHA384:256 CV=yes C="250 2.0.0 OK"`,
        `${stamp} ${id} Completed`,
      ];
    }
    if (result === "starttls") {
      return [
        arrival,
        `${stamp} ${id} ** ${recipient} R=dnslookup T=remote_smtp H=${host}: SMTP error from remote mail server after MAIL FROM:<app@example.com>: 530 5.7.0 Must issue a STARTTLS command first. a1si2 - gsmtp`,
      ];
    }
    return [
      arrival,
      `${stamp} ${id} == ${recipient} R=dnslookup T=remote_smtp defer (-37) H=${host}: ${reason}`,
    ];
  });
  return `${lines.join("\n")}\n`;
}

/** Builds a Postfix log of one message to Gmail every 10 minutes, one per result. */
function postfixLog(results: readonly Result[]): string {
  const lines = results.flatMap((result, index) => {
    const stamp = `Mar  5 ${clock(index * 10)} mx`;
    const id = `4A${String(index).padStart(8, "0")}`;
    const relay = "relay=gmail-smtp-in.l.google.com[192.0.2.201]:25, delay=1, delays=0/0/0.5/0.5";
    const outcome =
      result === "sent"
        ? "dsn=2.0.0, status=sent (250 2.0.0 OK)"
        : "dsn=4.7.5, status=deferred (Server certificate not verified)";
    return [
      `${stamp} postfix/pickup[900]: ${id}: uid=1000 from=<app>`,
      `${stamp} postfix/qmgr[902]: ${id}: from=<app@example.com>, size=1000, nrcpt=1 (queue active)`,
      `${stamp} postfix/smtp[${1000 + index}]: ${id}: to=<pal${index}@gmail.com>, ${relay}, ${outcome}`,
      `${stamp} postfix/qmgr[902]: ${id}: removed`,
    ];
  });
  return `${lines.join("\n")}\n`;
}

/** Builds a Sendmail log of one message to Gmail every 10 minutes, one per result. */
function sendmailLog(results: readonly Result[]): string {
  const lines = results.flatMap((result, index) => {
    const stamp = `Mar  5 ${clock(index * 10)} mx sm-mta[${3000 + index}]:`;
    const id = `425E${String(index).padStart(4, "0")}003${String(index).padStart(3, "0")}`;
    const outcome =
      result === "sent"
        ? "dsn=2.0.0, stat=Sent (OK 1709625600 a1si2 - gsmtp)"
        : "dsn=4.0.0, stat=Deferred: 403 4.7.0 TLS handshake failed.";
    return [
      `${stamp} ${id}: from=<app@example.com>, size=1000, class=0, nrcpts=1, msgid=<${id}@example.com>, proto=ESMTP, daemon=MTA, relay=localhost [127.0.0.1]`,
      `${stamp} ${id}: to=<pal${index}@gmail.com>, delay=00:00:01, xdelay=00:00:01, mailer=esmtp, pri=120000, relay=gmail-smtp-in.l.google.com. [192.0.2.201], ${outcome}`,
    ];
  });
  return `${lines.join("\n")}\n`;
}

function tlsFinding(diagnosis: Diagnosis): Finding | undefined {
  return diagnosis.findings.find((found) => found.id === "tls-required");
}

function failuresOf(diagnosis: Diagnosis): TlsFailureEvidence | null {
  const evidence = tlsFinding(diagnosis)?.evidence as
    { handshakeFailures?: TlsFailureEvidence | null } | undefined;
  return evidence?.handshakeFailures ?? null;
}

/** 5 deliveries to Gmail, then 25 that fail on the MTA's own TLS until the end of the log. */
const MOSTLY_FAILED = [...repeat("sent", 5), ...repeat("tls", 25)];

describe("outbound TLS failures", () => {
  test("Exim certificate failures warn", async () => {
    const diagnosis = await diagnoseText(eximLog(MOSTLY_FAILED));
    const failures = failuresOf(diagnosis);

    expect(tlsFinding(diagnosis)?.severity).toBe("warning");
    expect(failures?.count).toBe(25);
    expect(failures?.deferred).toBe(25);
    expect(failures?.first.time).toBe("2024-03-05T08:50:00Z");
    expect(failures?.first.text).toContain("certificate verify failed");
    expect(failures?.ongoing).toBe(true);
    expect(failures?.host).toBe("gmail-smtp-in.l.google.com");
    expect(failures?.providers.gmail?.count).toBe(25);
    expect(failures?.providers.gmail?.attempts).toBe(30);
    expect(diagnosis.findings.map((found) => found.id)).not.toContain("healthy");
    expect(diagnosis.verdict.summary).toContain("own outbound TLS fails for mail to Gmail");
  });

  test("Exim fix names its settings", async () => {
    const diagnosis = await diagnoseText(eximLog(MOSTLY_FAILED));
    const fixes = tlsFinding(diagnosis)?.fix.join("\n") ?? "";

    expect(fixes).toContain("`tls_verify_certificates`");
    expect(fixes).toContain("`tls_verify_hosts`");
    expect(fixes).toContain("Exim: `exim -qf`.");
    expect(fixes).not.toContain("-qff");
    expect(fixes).not.toContain("Postfix");
    expect(fixes).toContain("-connect gmail-smtp-in.l.google.com:25");
  });

  test("CLI exits 1 with valid JSON", async () => {
    const path = temporary.file(eximLog(MOSTLY_FAILED));
    const json = await runCommand([...OFFLINE_DIAGNOSE, "--format", "json", path]);
    const text = await runCommand([...OFFLINE_DIAGNOSE, path]);

    expect(json.code).toBe(1);
    expect(text.code).toBe(1);
    expect(validateDiagnosis(JSON.parse(json.stdout))).toEqual([]);
    expect(text.stdout).toContain("WARNING tls-required");
  });

  test("STARTTLS replies beside failures", async () => {
    const results = [...repeat("sent", 5), ...repeat("starttls", 10), ...repeat("tls", 10)];
    const path = temporary.file(eximLog(results));
    const json = await runCommand([...OFFLINE_DIAGNOSE, "--format", "json", path]);
    const diagnosis = JSON.parse(json.stdout) as Diagnosis;
    const evidence = tlsFinding(diagnosis)?.evidence as { count?: number } | undefined;
    const fixes = tlsFinding(diagnosis)?.fix.join("\n") ?? "";

    expect(validateDiagnosis(diagnosis)).toEqual([]);
    expect(evidence?.count).toBe(10);
    expect(failuresOf(diagnosis)?.count).toBe(10);
    expect(fixes).toContain("`hosts_try_tls = *`");
    expect(fixes).toContain("`tls_verify_certificates`");
  });

  test("GnuTLS alerts to a small receiver warn", async () => {
    const log = eximLog(
      [...repeat("sent", 2), ...repeat("tls", 6)],
      "TLS session: (gnutls_handshake): rxd alert: Internal error",
      "example.net",
    );
    const diagnosis = await diagnoseText(log);
    const failures = failuresOf(diagnosis);

    expect(tlsFinding(diagnosis)?.severity).toBe("warning");
    expect(failures?.providers.other?.count).toBe(6);
    expect(failures?.providers.other?.attempts).toBe(8);
  });

  test("Postfix fix names its settings", async () => {
    const diagnosis = await diagnoseText(postfixLog(MOSTLY_FAILED), { year: 2024 });
    const fixes = tlsFinding(diagnosis)?.fix.join("\n") ?? "";

    expect(failuresOf(diagnosis)?.count).toBe(25);
    expect(fixes).toContain("`smtp_tls_security_level`");
    expect(fixes).toContain("`smtp_tls_CAfile`");
    expect(fixes).toContain("Postfix: `postqueue -f`.");
    expect(fixes).not.toContain("Exim");
  });

  test("Sendmail 403 is no reply", async () => {
    const diagnosis = await diagnoseText(sendmailLog(MOSTLY_FAILED), { year: 2024 });
    const fixes = tlsFinding(diagnosis)?.fix.join("\n") ?? "";

    expect(failuresOf(diagnosis)?.count).toBe(25);
    expect(diagnosis.providers.gmail?.codes).toEqual({});
    expect(diagnosis.providers.gmail?.status).toBe("ok");
    expect(fixes).toContain("`confCACERT`");
    expect(fixes).toContain("`confCACERT_PATH`");
    expect(fixes).toContain("Sendmail: `sendmail -q`.");
  });

  test("few failures stay healthy", async () => {
    const results = [...repeat("sent", 40), ...repeat("tls", 3), ...repeat("sent", 40)];
    const diagnosis = await diagnoseText(eximLog(results));

    expect(tlsFinding(diagnosis)).toBeUndefined();
    expect(diagnosis.findings.map((found) => found.id)).toEqual(["healthy"]);
  });

  test("stopped failures are information", async () => {
    const results = [...repeat("sent", 5), ...repeat("tls", 10), ...repeat("sent", 20)];
    const diagnosis = await diagnoseText(eximLog(results));
    const failures = failuresOf(diagnosis);

    expect(tlsFinding(diagnosis)?.severity).toBe("info");
    expect(failures?.ongoing).toBe(false);
    expect(failures?.last).toBe("2024-03-05T10:20:00Z");
    expect(diagnosis.findings.map((found) => found.id)).not.toContain("healthy");
    expect(diagnosis.verdict.summary).not.toContain("outbound TLS");
  });
});
