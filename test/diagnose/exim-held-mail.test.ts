import { describe, expect, test } from "vitest";
import type { LogStatistics } from "../../src/diagnose/statistics.js";
import type { Diagnosis } from "../../src/diagnose/types.js";
import { OFFLINE_DIAGNOSE, runCommand } from "../helpers/cli.js";
import { schemaValidator } from "../helpers/schema.js";
import { temporaryFiles } from "../helpers/temporary-files.js";

const temporary = temporaryFiles();
const validateDiagnosis = schemaValidator("diagnose.schema.json");
const validateLogs = schemaValidator("logs.schema.json");

const GMAIL_MX = "H=gmail-smtp-in.l.google.com [192.0.2.201]";

/** Returns an Exim stamp `minute` minutes after 08:00 on 8 March 2026. */
function at(minute: number): string {
  const time = new Date(Date.UTC(2026, 2, 8, 8, minute, 0)).toISOString();
  return `${time.slice(0, 10)} ${time.slice(11, 19)}`;
}

/** Returns the Exim message id of message `index`. */
function messageId(index: number): string {
  return `1tH${String(index).padStart(3, "0")}-000000-HH`;
}

/**
 * Writes an Exim log of `sent` messages delivered to Gmail, then `held` messages whose lines
 * after the arrival are `heldLines(id, index)`, three minutes apart.
 */
function eximLog(sent: number, held: number, heldLines: (id: string, index: number) => string[]) {
  const lines: string[] = [];
  for (let index = 0; index < sent + held; index++) {
    const id = messageId(index);
    const stamp = at(index * 3);
    lines.push(
      `${stamp} ${id} <= u${index}@example.com H=(pc) [192.0.2.30]:40000 P=esmtpsa A=dovecot_plain:u${index}@example.com S=1000`,
    );
    const rest =
      index < sent
        ? [`=> c${index}@gmail.com R=dnslookup T=remote_smtp ${GMAIL_MX} C="250 OK"`, "Completed"]
        : heldLines(id, index);
    lines.push(...rest.map((line) => `${stamp} ${id} ${line}`));
  }
  return lines.join("\n") + "\n";
}

async function diagnosis(log: string): Promise<Diagnosis> {
  const result = await runCommand([...OFFLINE_DIAGNOSE, "--format", "json", temporary.file(log)]);
  const parsed = JSON.parse(result.stdout) as Diagnosis;
  expect(validateDiagnosis(parsed)).toEqual([]);
  return parsed;
}

async function statistics(log: string): Promise<LogStatistics> {
  const path = temporary.file(log);
  const result = await runCommand(["logs", "--timezone", "UTC", "--format", "json", path]);
  const parsed = JSON.parse(result.stdout) as LogStatistics;
  expect(validateLogs(parsed)).toEqual([]);
  return parsed;
}

describe("Exim mail held by this server", () => {
  test("refused content filter holds the mail", async () => {
    const log = eximLog(10, 30, (_, index) => [
      "H=127.0.0.1 [127.0.0.1] Connection refused",
      `== c${index}@gmail.com R=amavis T=amavis_smtp defer (111): Connection refused`,
    ]);
    const result = await diagnosis(log);

    expect(result.verdict.status).toBe("ok");
    expect(result.verdict.heldByServer?.atFilter).toBe(30);
    expect(result.verdict.heldByServer?.firstKind).toBe("filter");
    expect(result.providers.gmail?.deferred).toBe(0);
    expect(result.outboundFilterFailures.deferred).toBe(30);
    expect(result.findings.map((finding) => finding.id)).not.toContain("healthy");
  });

  test("failed smarthost login is no password guessing", async () => {
    const log = eximLog(0, 30, (_, index) => [
      "plain authenticator failed H=smtp.example.net [192.0.2.250] 535 5.7.8 Error: authentication failed",
      `== user${index}@example.org R=smarthost T=remote_smtp_smarthost defer (-42): authentication required but authentication attempt(s) failed`,
    ]);
    const result = await diagnosis(log);
    const counts = await statistics(log);

    expect(counts.inbound.authFailures).toBe(0);
    expect(counts.undeliveredByServer.deferred).toBe(30);
    expect(result.findings.map((finding) => finding.id)).not.toContain("compromised-account");
    expect(result.findings.map((finding) => finding.id)).not.toContain("healthy");
    expect(result.verdict.heldByServer?.deferred).toBe(30);
  });

  test("failed smarthost login names the relay host", async () => {
    const log = eximLog(0, 30, (_, index) => [
      "plain authenticator failed H=smtp.example.net [192.0.2.250] 535 5.7.8 Error: authentication failed",
      `== user${index}@example.org R=smarthost T=remote_smtp_smarthost defer (-42): authentication required but authentication attempt(s) failed`,
    ]);
    const result = await diagnosis(log);
    const held = result.verdict.heldByServer;

    expect(held?.relayLogin?.host).toBe("smtp.example.net");
    expect(held?.relayLogin?.ip).toBe("192.0.2.250");
    expect(held?.relayLogin?.reply?.text).toBe("535 5.7.8 Error: authentication failed");
    expect(held?.relayLogin?.reply?.line).toBe(2);
    expect(result.verdict.summary).toContain(
      "The relay host smtp.example.net [192.0.2.250] replied to the login at 2026-03-08T08:00:00Z: 535 5.7.8 Error: authentication failed",
    );
    expect(result.verdict.summary).toContain("/etc/exim4/passwd.client");
    expect(held?.check).toBe(
      "Check the user name and password that this server uses to log in to its relay host, and that the relay host still accepts them. Exim: `client_send` (plaintext) or `client_name` and `client_secret` (cram_md5) of the client authenticator, which Debian's configuration reads from /etc/exim4/passwd.client.",
    );
    expect(held?.check).not.toContain("smtp_sasl_password_maps");
  });

  test("refused content filter names no relay login", async () => {
    const log = eximLog(0, 30, (_, index) => [
      "H=127.0.0.1 [127.0.0.1] Connection refused",
      `== c${index}@gmail.com R=amavis T=amavis_smtp defer (111): Connection refused`,
    ]);
    const result = await diagnosis(log);

    expect(result.verdict.heldByServer?.relayLogin).toBeNull();
  });

  test("routing failures count for the sender", async () => {
    const log = eximLog(1, 2, (_, index) =>
      index === 1
        ? ["** typo@example.invalid: Unrouteable address", "Completed"]
        : [`== friend@example.net R=dnslookup defer (-1): host lookup did not complete`],
    );
    const counts = await statistics(log);
    const account = counts.accounts.find((origin) => origin.key.includes("u2@example.com"));

    expect(counts.undeliveredByServer.bounced).toBe(1);
    expect(counts.undeliveredByServer.deferred).toBe(1);
    expect(counts.undeliveredByServer.first?.recipient).toBe("typo@example.invalid");
    expect(account?.undeliveredRecipients).toBe(1);
  });
});

describe("Exim local policy bounces", () => {
  const FAIL_ALIAS = ["** retired@example.com R=system_aliases: bounced (:fail:)", "Completed"];
  const DISABLED = ["** former@example.net R=disabled_users : account disabled", "Completed"];

  test("fail alias is no held mail", async () => {
    const result = await diagnosis(eximLog(0, 1, () => FAIL_ALIAS));

    expect(result.verdict.heldByServer).toBeNull();
    expect(result.undeliveredByServer.bounced).toBe(0);
    expect(result.localPolicyRejections.bounced).toBe(1);
    expect(result.localPolicyRejections.first?.text).toBe("bounced (:fail:)");
    expect(result.localDeliveryFailures.bounced).toBe(0);
  });

  test("router refusal is no held mail", async () => {
    const result = await diagnosis(eximLog(0, 1, () => DISABLED));

    expect(result.verdict.heldByServer).toBeNull();
    expect(result.undeliveredByServer.bounced).toBe(0);
    expect(result.localPolicyRejections.first?.recipient).toBe("former@example.net");
  });

  test("policy bounce exits 0", async () => {
    const run = await runCommand([
      ...OFFLINE_DIAGNOSE,
      temporary.file(eximLog(0, 1, () => DISABLED)),
    ]);

    expect(run.code).toBe(0);
    expect(run.stdout).not.toContain("MAIL HELD BY THIS SERVER");
    expect(run.stdout).toContain(
      "Rejected on purpose by this server's own rules: 0 deferred, 1 bounced",
    );
    expect(run.stdout).not.toContain("Failed local deliveries");
  });

  test("routing failure with router stays held", async () => {
    const unrouteable = ["** typo@example.invalid R=dnslookup: Unrouteable address", "Completed"];
    const result = await diagnosis(eximLog(0, 1, () => unrouteable));

    expect(result.undeliveredByServer.bounced).toBe(1);
    expect(result.localDeliveryFailures.bounced).toBe(0);
    expect(result.localPolicyRejections.bounced).toBe(0);
    expect(result.verdict.heldByServer?.bounced).toBe(1);
  });

  test("router line gets the router check", async () => {
    const unrouteable = ["** typo@example.invalid R=dnslookup: Unrouteable address", "Completed"];
    const held = (await diagnosis(eximLog(0, 1, () => unrouteable))).verdict.heldByServer;

    expect(held?.check).toContain("Check the router that the line names (Exim `R=dnslookup`)");
    expect(held?.check).not.toContain("transport");
  });

  test("verdict leaves out zero counts", async () => {
    const unrouteable = ["** typo@example.invalid R=dnslookup: Unrouteable address", "Completed"];
    const verdict = (await diagnosis(eximLog(0, 1, () => unrouteable))).verdict;

    expect(verdict.summary).toContain("holds outbound mail: 1 bounce before any receiver");
    expect(verdict.summary).not.toContain("0 deferrals");
  });
});

/** Writes Exim main-log lines of one second, each after its message id. */
function sameSecond(lines: readonly (readonly [string, string])[]): string {
  return lines.map(([id, text]) => `2026-03-08 08:00:00 ${id} ${text}`).join("\n") + "\n";
}

const ARRIVAL = "<= app@example.com U=app P=local S=900";

describe("Exim login to a loopback relay host", () => {
  const log = sameSecond([
    ["1tH001-000001-HH", ARRIVAL],
    [
      "1tH001-000001-HH",
      "plain authenticator failed H=127.0.0.1 [127.0.0.1] 535 5.7.8 Error: authentication failed",
    ],
    [
      "1tH001-000001-HH",
      "== a@example.net R=smarthost T=smarthost_smtp defer (-42): authentication required but authentication attempt(s) failed",
    ],
    ["1tH001-000001-HH", "** a@example.net: retry timeout exceeded"],
    ["1tH002-000002-HH", ARRIVAL],
    [
      "1tH002-000002-HH",
      "** b@example.net R=smarthost T=smarthost_smtp H=127.0.0.1 [127.0.0.1] : SMTP error from remote mail server after MAIL FROM:<app@example.com>: 550 Not now",
    ],
  ]);

  test("gives relay-login advice", async () => {
    const held = (await diagnosis(log)).verdict.heldByServer;

    expect(held?.firstKind).toBe("server");
    expect(held?.relayLogin?.ip).toBe("127.0.0.1");
    expect(held?.relayLogin?.reply?.text).toBe("535 5.7.8 Error: authentication failed");
    expect(held?.check).toContain("`client_send`");
    expect(held?.check).not.toContain("content filter");
  });

  test("closed connection at AUTH is a failed login", async () => {
    const closed = sameSecond([
      ["1tH003-000003-HH", ARRIVAL],
      [
        "1tH003-000003-HH",
        "H=127.0.0.1 [127.0.0.1]: Remote host closed connection in response to AUTH LOGIN",
      ],
      [
        "1tH003-000003-HH",
        "== c@example.net R=smarthost T=smarthost_smtp defer (-18) H=127.0.0.1 [127.0.0.1]: Remote host closed connection in response to AUTH LOGIN",
      ],
    ]);
    const result = await diagnosis(closed);

    expect(result.undeliveredByServer.deferred).toBe(1);
    expect(result.localDeliveryFailures.deferred).toBe(0);
    expect(result.verdict.heldByServer?.relayLogin?.ip).toBe("127.0.0.1");
  });

  test("give-up after a failed login bounces", async () => {
    const result = await diagnosis(log);

    expect(result.undeliveredByServer.deferred).toBe(1);
    expect(result.undeliveredByServer.bounced).toBe(1);
    expect(result.verdict.heldByServer?.bounced).toBe(2);
  });
});

describe("Exim give-up lines", () => {
  test("all hosts failing at once bounces", async () => {
    // Exim bounces a new message at once when its domain's hosts are past their retry cut-off.
    const result = await diagnosis(
      sameSecond([
        ["1tH004-000004-HH", ARRIVAL],
        [
          "1tH004-000004-HH",
          "** d@example.net R=r1 T=t1 : all hosts for 'example.net' have been failing for a long time (and retry time not reached)",
        ],
      ]),
    );

    expect(result.providers.other?.bounced).toBe(1);
    expect(result.providers.other?.expired).toBe(0);
  });

  test("all hosts failing after a deferral expires", async () => {
    const result = await diagnosis(
      sameSecond([
        ["1tH008-000008-HH", ARRIVAL],
        [
          "1tH008-000008-HH",
          "== d@example.net R=r1 T=remote_smtp defer (-53): retry time not reached for any host for 'example.net'",
        ],
        [
          "1tH008-000008-HH",
          "** d@example.net R=r1 T=remote_smtp : all hosts for 'example.net' have been failing for a long time (and retry time not reached)",
        ],
      ]),
    );

    expect(result.providers.other?.expired).toBe(1);
    expect(result.providers.other?.bounced).toBe(0);
  });

  test("retry timeout alone expires", async () => {
    const result = await diagnosis(
      sameSecond([
        ["1tH009-000009-HH", ARRIVAL],
        ["1tH009-000009-HH", "** d@example.net: retry timeout exceeded"],
      ]),
    );

    expect(result.providers.other?.expired).toBe(1);
    expect(result.providers.other?.bounced).toBe(0);
  });

  test("give-up after a mailbox deferral", async () => {
    const result = await diagnosis(
      sameSecond([
        ["1tH005-000005-HH", "<= a@example.net H=mx.example.net [192.0.2.20] P=esmtp S=900"],
        [
          "1tH005-000005-HH",
          "== bob@example.com R=local_user T=mail_spool defer (-22): mailbox is full",
        ],
        ["1tH005-000005-HH", "** bob@example.com: retry timeout exceeded"],
      ]),
    );

    expect(result.localDeliveryFailures.deferred).toBe(1);
    expect(result.localDeliveryFailures.bounced).toBe(1);
  });
});

describe("Exim lines without an attempt", () => {
  const log = sameSecond([
    ["1tH006-000006-HH", ARRIVAL],
    ["1tH006-000006-HH", "== e@example.net R=r1 T=t1 defer (0): SMTP delivery explicitly queued"],
    [
      "1tH006-000006-HH",
      "== e@example.net R=r1 T=t1 defer (-44) H=127.0.0.1 [127.0.0.1]: SMTP error from remote mail server after RCPT TO:<e@example.net>: 451 Try later",
    ],
    [
      "1tH006-000006-HH",
      "== e@example.net R=r1 T=t1 defer (-53): retry time not reached for any host",
    ],
  ]);

  test("count as no failure", async () => {
    const result = await diagnosis(log);

    expect(result.localDeliveryFailures.deferred).toBe(1);
    expect(result.localDeliveryFailures.first?.line).toBe(3);
    expect(result.undeliveredByServer.deferred).toBe(0);
  });

  test("loopback failures are named so", async () => {
    const run = await runCommand([...OFFLINE_DIAGNOSE, temporary.file(log)]);

    expect(run.stdout).toContain("Failed deliveries to loopback addresses: 1 deferred, 0 bounced");
    expect(run.stdout).not.toContain("Failed local deliveries");
  });
});

describe("Exim retries in the same second", () => {
  test("count each in the main log", async () => {
    const retry = `== f@gmail.com R=dnslookup T=remote_smtp defer (-44) ${GMAIL_MX}: SMTP error from remote mail server after RCPT TO:<f@gmail.com>: 451 4.3.0 Try again later`;
    const result = await diagnosis(
      sameSecond([
        ["1tH007-000007-HH", ARRIVAL],
        ["1tH007-000007-HH", retry],
        ["1tH007-000007-HH", retry],
      ]),
    );

    expect(result.providers.gmail?.deferred).toBe(2);
    expect(result.input.notes.some((note) => note.includes("counted once"))).toBe(false);
  });
});
