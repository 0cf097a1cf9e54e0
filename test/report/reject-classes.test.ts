import { describe, expect, test } from "vitest";
import type { LogStatistics } from "../../src/diagnose/statistics.js";
import { runCommand } from "../helpers/cli.js";
import { schemaValidator } from "../helpers/schema.js";
import { temporaryFiles } from "../helpers/temporary-files.js";

const temporary = temporaryFiles();
const validateLogs = schemaValidator("logs.schema.json");

/** Exim rejects: two temporary (greylisting, a 451 reason) and three permanent. */
const EXIM = [
  `2026-03-07 00:00:00 H=(x) [192.0.2.70] F=<a@example.org> rejected RCPT <b@example.com>: relay not permitted`,
  `2026-03-07 00:00:01 H=(x) [192.0.2.71] F=<a@example.org> temporarily rejected RCPT <b@example.com>: greylisted`,
  `2026-03-07 00:00:02 H=(x) [192.0.2.72] F=<a@example.org> rejected RCPT <b@example.com>: 550 5.7.1 Listed at a DNSBL`,
  `2026-03-07 00:00:03 H=(x) [192.0.2.73] F=<a@example.org> temporarily rejected RCPT <b@example.com>: 451 4.7.1 try later`,
  `2026-03-07 00:00:04 H=(x) [192.0.2.74] F=<a@example.org> rejected RCPT <b@example.com>: 554 5.7.1 spam`,
];

/** Postfix rejects: one temporary (450) and one permanent (554). */
const POSTFIX = [
  `Mar  7 00:00:00 mail postfix/smtpd[100]: NOQUEUE: reject: RCPT from unknown[192.0.2.50]: 450 4.7.1 Client host rejected: cannot find your hostname, [192.0.2.50]; from=<s@example.net> to=<a@example.com> proto=ESMTP helo=<x>`,
  `Mar  7 00:00:01 mail postfix/smtpd[100]: NOQUEUE: reject: RCPT from unknown[192.0.2.51]: 554 5.7.1 <a@example.com>: Relay access denied; from=<s@example.net> to=<a@example.com> proto=ESMTP helo=<x>`,
];

/** Milter rejects: two with only an enhanced status code, as cleanup logs them, and one with both. */
const MILTER = [
  `Mar  7 00:00:00 mail postfix/cleanup[101]: 3A0000000B: milter-reject: END-OF-MESSAGE from unknown[192.0.2.61]: 5.7.1 Rejected by spam filter; from=<s2@example.org> to=<bob@example.com> proto=ESMTP helo=<y>`,
  `Mar  7 00:00:01 mail postfix/smtpd[100]: 3A0000000C: milter-reject: END-OF-MESSAGE from unknown[192.0.2.62]: 4.7.1 Try again later; from=<s3@example.org> to=<bob@example.com> proto=ESMTP helo=<z>`,
  `Mar  7 00:00:02 mail postfix/smtpd[100]: NOQUEUE: milter-reject: RCPT from unknown[192.0.2.63]: 451 4.7.1 Service unavailable - try again later; from=<s4@example.org> to=<bob@example.com> proto=ESMTP helo=<w>`,
];

async function logs(lines: readonly string[]): Promise<{ json: LogStatistics; text: string }> {
  const path = temporary.file(lines.join("\n") + "\n");
  const args = ["logs", "--timezone", "UTC", "--year", "2026"];
  const json = await runCommand([...args, "--format", "json", path]);
  const text = await runCommand([...args, path]);
  return { json: JSON.parse(json.stdout) as LogStatistics, text: text.stdout.replace(/\s+/g, " ") };
}

describe("SMTP reject classes", () => {
  test("Exim rejects split by class", async () => {
    const { json, text } = await logs(EXIM);

    expect(validateLogs(json)).toEqual([]);
    expect(json.inbound.rejects).toBe(5);
    expect(json.inbound.temporaryRejects).toBe(2);
    expect(json.inbound.permanentRejects).toBe(3);
    expect(text).toContain("5 SMTP rejects (2 temporary, 3 permanent),");
  });

  test("Postfix rejects split by class", async () => {
    const { json, text } = await logs(POSTFIX);

    expect(json.inbound.temporaryRejects).toBe(1);
    expect(json.inbound.permanentRejects).toBe(1);
    expect(text).toContain("2 SMTP rejects (1 temporary, 1 permanent),");
  });

  test("milter rejects split by enhanced code", async () => {
    const { json, text } = await logs(MILTER);

    expect(validateLogs(json)).toEqual([]);
    expect(json.inbound.rejects).toBe(3);
    expect(json.inbound.temporaryRejects).toBe(2);
    expect(json.inbound.permanentRejects).toBe(1);
    expect(json.inbound.rejectCodes).toEqual({ "5.7.1": 1, "4.7.1": 1, "451 4.7.1": 1 });
    expect(text).toContain("3 SMTP rejects (2 temporary, 1 permanent),");
  });

  test("no rejects gives no split", async () => {
    const { json, text } = await logs([POSTFIX[0]?.replace("reject:", "reject_warning:") ?? ""]);

    expect(json.inbound.temporaryRejects).toBe(0);
    expect(text).toContain("0 SMTP rejects, 1 reject warning");
  });
});
