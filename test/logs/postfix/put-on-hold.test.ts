import { describe, expect, test } from "vitest";
import type { LogStatistics } from "../../../src/diagnose/statistics.js";
import { OFFLINE_DIAGNOSE, runCommand } from "../../helpers/cli.js";
import { schemaValidator } from "../../helpers/schema.js";
import { temporaryFiles } from "../../helpers/temporary-files.js";

const temporary = temporaryFiles();
const validateLogs = schemaValidator("logs.schema.json");
const validateDiagnosis = schemaValidator("diagnose.schema.json");

/**
 * Four messages put on hold: two by header checks, one by a body check and one by an smtpd
 * recipient restriction that logs a line for each of its 2 recipients. The last one held by a
 * header check is released later, so qmgr takes it in and delivers it.
 */
const LOG = [
  `Mar  7 10:00:00 mx postfix/smtpd[100]: 3A0000000C: client=unknown[192.0.2.62]`,
  `Mar  7 10:00:01 mx postfix/cleanup[101]: 3A0000000C: hold: header Subject: check me from unknown[192.0.2.62]; from=<s3@example.org> to=<bob@example.com> proto=ESMTP helo=<z>`,
  `Mar  7 10:00:01 mx postfix/cleanup[101]: 3A0000000C: message-id=<h1@example.org>`,
  `Mar  7 10:01:00 mx postfix/smtpd[100]: 3A0000000D: client=unknown[192.0.2.63]`,
  `Mar  7 10:01:01 mx postfix/cleanup[101]: 3A0000000D: message-id=<h2@example.org>`,
  `Mar  7 10:01:01 mx postfix/cleanup[101]: 3A0000000D: hold: body buy now from unknown[192.0.2.63]; from=<s4@example.org> to=<bob@example.com> proto=ESMTP helo=<w>`,
  `Mar  7 10:02:00 mx postfix/smtpd[100]: 3A0000000E: client=unknown[192.0.2.64]`,
  `Mar  7 10:02:01 mx postfix/smtpd[100]: 3A0000000E: hold: RCPT from unknown[192.0.2.64]: <bob@example.com>: Recipient address triggers HOLD action; from=<s5@example.org> to=<bob@example.com> proto=ESMTP helo=<v>`,
  `Mar  7 10:02:01 mx postfix/smtpd[100]: 3A0000000E: hold: RCPT from unknown[192.0.2.64]: <carol@example.com>: Recipient address triggers HOLD action; from=<s5@example.org> to=<carol@example.com> proto=ESMTP helo=<v>`,
  `Mar  7 10:02:02 mx postfix/cleanup[101]: 3A0000000E: message-id=<h3@example.org>`,
  `Mar  7 10:03:00 mx postfix/smtpd[100]: 3A0000000F: client=unknown[192.0.2.65]`,
  `Mar  7 10:03:01 mx postfix/cleanup[101]: 3A0000000F: hold: header From: x@example.org from unknown[192.0.2.65]; from=<s6@example.org> to=<bob@example.com> proto=ESMTP helo=<u>`,
  `Mar  7 10:03:01 mx postfix/cleanup[101]: 3A0000000F: message-id=<h4@example.org>`,
  `Mar  7 11:00:00 mx postfix/qmgr[102]: 3A0000000F: from=<s6@example.org>, size=400, nrcpt=1 (queue active)`,
  `Mar  7 11:00:01 mx postfix/local[103]: 3A0000000F: to=<bob@example.com>, relay=local, delay=3600, delays=3600/0/0/0, dsn=2.0.0, status=sent (delivered to mailbox)`,
  `Mar  7 11:00:01 mx postfix/qmgr[102]: 3A0000000F: removed`,
];

const ARGS = ["--timezone", "UTC", "--year", "2026"];

describe("messages put on hold", () => {
  test("logs JSON counts by kind", async () => {
    const path = temporary.file(`${LOG.join("\n")}\n`);
    const run = await runCommand(["logs", ...ARGS, "--format", "json", path]);
    const json = JSON.parse(run.stdout) as LogStatistics;

    expect(validateLogs(json)).toEqual([]);
    expect(json.server.putOnHold).toEqual({
      messages: 4,
      header: 2,
      body: 1,
      client: 1,
      released: 1,
    });
    expect(json.input.unparsed).toBe(0);
    expect(json.inbound.messagesAccepted).toBe(1);
  });

  test("logs text names holds", async () => {
    const path = temporary.file(`${LOG.join("\n")}\n`);
    const run = await runCommand(["logs", ...ARGS, path]);
    const text = run.stdout.replace(/\s+/g, " ");

    expect(text).toContain(
      "4 messages were put on hold (2 by header checks, 1 by body checks, 1 by an smtpd " +
        "restriction). 1 was released later. The other 3 wait in the hold queue until " +
        "postsuper -H releases them.",
    );
  });

  test("diagnose reports holds", async () => {
    const path = temporary.file(`${LOG.join("\n")}\n`);
    const json = await runCommand([
      ...OFFLINE_DIAGNOSE,
      "--year",
      "2026",
      "--format",
      "json",
      path,
    ]);
    const diagnosis = JSON.parse(json.stdout) as { server: { putOnHold: unknown } };
    const text = await runCommand([...OFFLINE_DIAGNOSE, "--year", "2026", path]);
    const markdown = await runCommand([
      ...OFFLINE_DIAGNOSE,
      "--year",
      "2026",
      "--format",
      "markdown",
      path,
    ]);

    expect(validateDiagnosis(diagnosis)).toEqual([]);
    expect(diagnosis.server.putOnHold).toEqual({
      messages: 4,
      header: 2,
      body: 1,
      client: 1,
      released: 1,
    });
    expect(text.stdout.replace(/\s+/g, " ")).toContain("4 messages were put on hold (");
    expect(markdown.stdout.replace(/\s+/g, " ")).toContain("4 messages were put on hold (");
  });

  test("no sentence without holds", async () => {
    const path = temporary.file(`${LOG.slice(-3).join("\n")}\n`);
    const run = await runCommand(["logs", ...ARGS, path]);

    expect(run.stdout).not.toContain("put on hold");
  });

  test("postsuper release counts once", async () => {
    const released = [
      ...LOG,
      `Mar  7 12:00:00 mx postfix/postsuper[300]: 3A0000000D: released from hold`,
      `Mar  7 12:00:00 mx postfix/postsuper[300]: Released from hold: 1 message`,
      `Mar  7 12:00:00 mx postfix/postsuper[300]: 3A0000000F: released from hold`,
    ];
    const path = temporary.file(`${released.join("\n")}\n`);
    const run = await runCommand(["logs", ...ARGS, "--format", "json", path]);
    const json = JSON.parse(run.stdout) as LogStatistics;
    const text = await runCommand([...OFFLINE_DIAGNOSE, "--year", "2026", path]);

    expect(json.server.putOnHold.released).toBe(2);
    expect(validateLogs(json)).toEqual([]);
    expect(text.stdout.replace(/\s+/g, " ")).toContain(
      "2 were released later. The other 2 wait in the hold queue",
    );
  });

  test("all released not said to wait", async () => {
    const log = [
      ...LOG.slice(0, 3),
      `Mar  7 12:00:00 mx postfix/postsuper[300]: 3A0000000C: released from hold`,
    ];
    const path = temporary.file(`${log.join("\n")}\n`);
    const run = await runCommand(["logs", ...ARGS, path]);
    const text = run.stdout.replace(/\s+/g, " ");

    expect(text).toContain(
      "1 message was put on hold (1 by header checks). It was released later.",
    );
    expect(text).not.toContain("hold queue until");
  });
});
