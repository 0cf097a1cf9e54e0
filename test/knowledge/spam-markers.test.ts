import { describe, expect, it } from "vitest";
import type { Diagnosis } from "../../src/diagnose/types.js";
import { createReplyClassifier } from "../../src/reply/classify.js";
import { OFFLINE_DIAGNOSE, runCommand } from "../helpers/cli.js";
import { temporaryFiles } from "../helpers/temporary-files.js";

/** A filter's verdict written as key=value fields, as some receivers that name no provider send it. */
const PIPE_FIELDS_REPLY = "550 5.7.1 Message rejected | reason=spam | score=9.1 | ref=A1B2";

describe("generic spam markers", () => {
  const classifier = createReplyClassifier();

  it.each([
    PIPE_FIELDS_REPLY,
    "550 5.7.1 Message rejected; reason: spam; score 8.7",
    '554 5.7.1 Rejected (reason="spam", score=12.0)',
    "550 5.7.1 Your message was categorised as spam",
    "550 5.7.1 Message recognized as spam by the content filter",
    "554 5.7.1 The message appears to be spam",
    "550 5.7.1 Message looks like spam",
    "554 5.7.1 Spam detected",
    "550 5.7.1 Message classified as spam",
    "554 5.7.1 Message rejected (reason=spam_score)",
    "550 5.7.1 Message rejected | reason=SPAM_CONTENT | score=9.1",
  ])("reads %s as spam content", (text) => {
    const reply = classifier.explain(text, { relayHost: "mx.example.net" });

    expect(reply.ruleId).toBe("generic.spam-verdict");
    expect(reply.category).toBe("content");
    expect(reply.findings).toEqual(["spam-content"]);
  });

  it.each([
    "550 5.7.1 Message rejected | reason=spamtrap | ref=A1B2",
    "550 5.7.1 Message rejected | reason=spam-trap | ref=A1B2",
    "550 5.7.1 Message rejected | reason=spam_trap | ref=A1B2",
    "550 5.7.1 Message rejected | reason=spam_traps_hit | ref=A1B2",
    "550 5.7.1 Message rejected | reason=policy | note=spam folder full",
  ])("leaves %s to other rules", (text) => {
    const reply = classifier.explain(text, { relayHost: "mx.example.net" });

    expect(reply.ruleId).not.toBe("generic.spam-verdict");
  });

  it.each([
    [
      "550 5.7.1 Our system has detected that this message is likely unsolicited mail. To reduce the amount of spam sent to Gmail, this message has been blocked. reason=spam",
      "gmail-smtp-in.l.google.com",
      "carol@gmail.com",
      "gmail.likely-unsolicited",
    ],
    [
      "554 5.7.9 Message not accepted for policy reasons. reason=spam See https://senders.yahooinc.com/error-codes",
      "mta6.am0.yahoodns.net",
      "carol@yahoo.com",
      "yahoo.policy-reasons",
    ],
    [
      "550 5.7.1 Rejected: reason=spam; blocked using zen.spamhaus.org",
      "mx.example.net",
      "carol@example.net",
      "generic.named-blocklist",
    ],
  ])("keeps the earlier rule of %s", (text, relayHost, recipient, ruleId) => {
    const reply = classifier.explain(text, { relayHost, recipient });

    expect(reply.ruleId).toBe(ruleId);
  });
});

describe("spam markers in commands", () => {
  const temporary = temporaryFiles();

  it("explain shows the content verdict", async () => {
    const text = await runCommand(["explain", PIPE_FIELDS_REPLY]);
    const json = await runCommand(["explain", "--format", "json", PIPE_FIELDS_REPLY]);
    const parsed = JSON.parse(json.stdout) as { ruleId: string; category: string };

    expect(text.stdout).toContain("Category: content (rule generic.spam-verdict)");
    expect(text.stdout).toContain("Findings: spam-content");
    expect(parsed.ruleId).toBe("generic.spam-verdict");
    expect(parsed.category).toBe("content");
  });

  it("diagnose reports spam-content", async () => {
    const lines = Array.from({ length: 20 }, (_, index) => {
      const id = `6D2E${(0x1000 + index).toString(16).toUpperCase()}B0`;
      const at = `2024-03-04T${String(10 + Math.floor(index / 6)).padStart(2, "0")}:${String((index % 6) * 10).padStart(2, "0")}:00+00:00 mail`;
      return [
        `${at} postfix/submission/smtpd[900]: ${id}: client=unknown[198.51.100.10], sasl_method=PLAIN, sasl_username=alice@example.com`,
        `${at} postfix/qmgr[902]: ${id}: from=<alice@example.com>, size=2000, nrcpt=1 (queue active)`,
        `${at} postfix/smtp[903]: ${id}: to=<user${index}@example.net>, relay=mx.example.net[192.0.2.220]:25, delay=1, delays=0.1/0/0.4/0.5, dsn=5.7.1, status=bounced (host mx.example.net[192.0.2.220] said: ${PIPE_FIELDS_REPLY} (in reply to end of DATA command))`,
      ];
    }).flat();
    const log = temporary.file(`${lines.join("\n")}\n`);
    const json = await runCommand([...OFFLINE_DIAGNOSE, "--format", "json", log]);
    const diagnosis = JSON.parse(json.stdout) as Diagnosis;
    const ids = diagnosis.findings.map((finding) => finding.id);

    expect(ids).toContain("spam-content");
    expect(ids).not.toContain("healthy");
    expect(diagnosis.providers.other?.bounced).toBe(20);
  });
});
