import { describe, expect, test } from "vitest";
import type { LogStatistics } from "../../src/diagnose/statistics.js";
import type { Diagnosis } from "../../src/diagnose/types.js";
import { OFFLINE_DIAGNOSE, runCommand } from "../helpers/cli.js";
import { schemaValidator } from "../helpers/schema.js";
import { temporaryFiles } from "../helpers/temporary-files.js";

const temporary = temporaryFiles();
const validateDiagnosis = schemaValidator("diagnose.schema.json");
const validateLogs = schemaValidator("logs.schema.json");

const SENT = `=> c@gmail.com R=dnslookup T=remote_smtp H=gmail-smtp-in.l.google.com [192.0.2.201] C="250 OK"`;

/**
 * An Exim log with three frozen bounces: `1tB001` is thawed and completes, `1tB002` and `1tB003`
 * stay frozen, and `1tB003` was frozen first.
 */
const LOG = [
  `2026-03-01 09:00:00 1tA001-000001-AA <= alice@example.com U=alice P=local S=100`,
  `2026-03-01 09:00:01 1tA001-000001-AA ${SENT}`,
  `2026-03-01 09:00:01 1tA001-000001-AA Completed`,
  `2026-03-01 09:10:00 1tB003-000003-AA <= <> R=1tA003-000003-AA U=Debian-exim P=local S=2000`,
  `2026-03-01 09:10:00 1tB003-000003-AA ** noreply@example.invalid: Unrouteable address`,
  `2026-03-01 09:10:00 1tB003-000003-AA Frozen (delivery error message)`,
  `2026-03-01 09:20:00 1tB001-000001-AA Message is frozen`,
  `2026-03-01 09:20:00 1tB002-000002-AA <= <> R=1tA002-000002-AA U=Debian-exim P=local S=2000`,
  `2026-03-01 09:20:00 1tB002-000002-AA Frozen (delivery error message)`,
  `2026-03-01 09:40:00 1tB003-000003-AA Message is frozen`,
  `2026-03-01 10:20:00 1tB001-000001-AA Unfrozen by errmsg timer`,
  `2026-03-01 10:20:00 1tB001-000001-AA Completed`,
  `2026-03-01 10:40:00 1tB002-000002-AA Message is frozen`,
  "",
].join("\n");

const SENTENCE =
  "Frozen in the queue: 3 messages, 2 still frozen at the end of the log. The oldest, 1tB003-000003-AA, has been frozen since 2026-03-01 09:10:00 or earlier";

/** Joins wrapped report lines, so that a sentence can be found whatever the width. */
function unwrapped(text: string): string {
  return text.replace(/\s+/g, " ");
}

describe("frozen messages", () => {
  test("logs JSON and text", async () => {
    const path = temporary.file(LOG);
    const json = await runCommand(["logs", "--timezone", "UTC", "--format", "json", path]);
    const text = await runCommand(["logs", "--timezone", "UTC", path]);
    const statistics = JSON.parse(json.stdout) as LogStatistics;

    expect(validateLogs(statistics)).toEqual([]);
    expect(statistics.frozenMessages.messages).toBe(3);
    expect(statistics.frozenMessages.stillFrozen).toBe(2);
    expect(statistics.frozenMessages.oldest).toEqual({
      id: "1tB003-000003-AA",
      since: "2026-03-01T09:10:00Z",
      file: path,
      line: 6,
    });
    expect(unwrapped(text.stdout)).toContain(SENTENCE);
  });

  test("diagnose JSON, text and Markdown", async () => {
    const path = temporary.file(LOG);
    const json = await runCommand([...OFFLINE_DIAGNOSE, "--format", "json", path]);
    const text = await runCommand([...OFFLINE_DIAGNOSE, path]);
    const markdown = await runCommand([...OFFLINE_DIAGNOSE, "--format", "markdown", path]);
    const diagnosis = JSON.parse(json.stdout) as Diagnosis;

    expect(validateDiagnosis(diagnosis)).toEqual([]);
    expect(diagnosis.frozenMessages.stillFrozen).toBe(2);
    expect(diagnosis.frozenMessages.oldest?.id).toBe("1tB003-000003-AA");
    expect(unwrapped(text.stdout)).toContain(SENTENCE);
    expect(unwrapped(markdown.stdout)).toContain(SENTENCE);
  });

  test("log without frozen messages says nothing", async () => {
    const path = temporary.file(LOG.split("\n").slice(0, 3).join("\n") + "\n");
    const json = await runCommand(["logs", "--timezone", "UTC", "--format", "json", path]);
    const text = await runCommand([...OFFLINE_DIAGNOSE, path]);

    expect((JSON.parse(json.stdout) as LogStatistics).frozenMessages).toEqual({
      messages: 0,
      messagesExact: true,
      stillFrozen: 0,
      stillFrozenExact: true,
      oldest: null,
    });
    expect(text.stdout).not.toContain("Frozen in the queue");
  });
});

describe("frozen counts on a large queue", () => {
  // More frozen messages than the 10,000 that the analyser follows, half of them removed.
  const FROZEN = 10_100;
  const ids = Array.from(
    { length: FROZEN },
    (_, index) => `1u${index.toString(36).padStart(4, "0")}-000000-ZZ`,
  );
  const log = [
    ...ids.map((id) => `2026-03-01 10:00:00 ${id} Frozen (delivery error message)`),
    ...ids.filter((_, index) => index % 2 === 0).map((id) => `2026-03-01 11:00:00 ${id} Completed`),
    "",
  ].join("\n");

  test("JSON flags estimate and cap", async () => {
    const path = temporary.file(log);
    const json = await runCommand(["logs", "--timezone", "UTC", "--format", "json", path]);
    const statistics = JSON.parse(json.stdout) as LogStatistics;

    expect(validateLogs(statistics)).toEqual([]);
    expect(statistics.frozenMessages.messagesExact).toBe(false);
    expect(statistics.frozenMessages.stillFrozenExact).toBe(false);
    expect(statistics.frozenMessages.stillFrozen).toBe(5_000);
  });

  test("text and Markdown say about", async () => {
    const path = temporary.file(log);
    const text = await runCommand(["logs", "--timezone", "UTC", path]);
    const markdown = await runCommand([...OFFLINE_DIAGNOSE, "--format", "markdown", path]);

    for (const output of [text.stdout, markdown.stdout]) {
      const sentence = unwrapped(output);
      expect(sentence).toMatch(
        /Frozen in the queue: about [\d,]+ messages, 5,000 of those followed/,
      );
      expect(sentence).toContain("At most 10,000 frozen messages are followed at a time");
    }
  });
});

describe("Exim origins and reject codes in logs", () => {
  test("ident of a loopback client names a local user", async () => {
    const log = [
      `2026-03-07 00:00:00 1tD001-000001-DD <= noreply@shop.example.com H=localhost (web1) [127.0.0.1]:30000 U=www-data P=esmtp S=1500`,
      `2026-03-07 00:00:01 1tD001-000001-DD ${SENT}`,
      `2026-03-07 00:00:02 1tD002-000002-DD <= a@example.org H=mx.example.org [192.0.2.60] U=someone P=esmtp S=1500`,
      `2026-03-07 00:00:03 1tD002-000002-DD ${SENT}`,
      "",
    ].join("\n");
    const path = temporary.file(log);
    const json = await runCommand(["logs", "--timezone", "UTC", "--format", "json", path]);
    const statistics = JSON.parse(json.stdout) as LogStatistics;

    expect(statistics.localSources.map((source) => source.name)).toEqual(["local user www-data"]);
    expect(statistics.localSources[0]?.sent).toBe(1);
  });

  test("reject codes take no digits from an IP", async () => {
    const log = [
      `2026-03-07 00:00:00 H=(x) [192.0.2.70] F=<a@example.org> rejected RCPT <b@example.com>: 127.0.0.1 [127.0.0.1] : SMTP error from remote mail server after RCPT TO:<b@example.com>: 550 Unknown user`,
      `2026-03-07 00:00:01 H=(x) [192.0.2.71] F=<a@example.org> temporarily rejected RCPT <b@example.com>: greylisted`,
      `2026-03-07 00:00:02 H=(x) [192.0.2.72] F=<a@example.org> rejected RCPT <b@example.com>: 550 5.7.1 Listed at a DNSBL`,
      "",
    ].join("\n");
    const path = temporary.file(log);
    const json = await runCommand(["logs", "--timezone", "UTC", "--format", "json", path]);
    const statistics = JSON.parse(json.stdout) as LogStatistics;

    expect(statistics.inbound.rejects).toBe(3);
    expect(statistics.inbound.rejectCodes).toEqual({ "5xx": 1, "4xx": 1, "550 5.7.1": 1 });
  });
});
